/*
 * projsync - engine_diff3.c: the sync decision table (SPEC section 4) and the
 * conflict strategies, as pure functions of what is known about one key.
 */
#include "projsync/common.h"
#include "projsync/diff3.h"

static const char *const d3_action_names[] = {
	"none", "insert target", "update target", "delete target",
	"insert source", "update source", "delete source", "conflict"
};

static const char *const d3_change_names[] = {
	"none", "insert", "update", "delete"
};

const char *
d3_action_name(enum d3_action a)
{
	if ((size_t)a >= nitems(d3_action_names))
		return "?";
	return d3_action_names[a];
}

const char *
d3_change_name(enum d3_change c)
{
	if ((size_t)c >= nitems(d3_change_names))
		return "?";
	return d3_change_names[c];
}

/*
 * One row of the table per case.  One-way never writes the source: where
 * bidirectional would, one-way has a conflict instead.
 */
enum d3_action
d3_decide(const struct d3_input *in)
{
	if (!in->s && !in->t)
		return D3_NONE;
	if (in->s && in->t && in->s_eq_t)
		return D3_NONE;
	if (in->s && !in->t) {
		if (!in->b)
			return D3_INSERT_TARGET;
		if (in->b_eq_s)
			return in->bidirectional ? D3_DELETE_SOURCE : D3_CONFLICT;
		return D3_CONFLICT;
	}
	if (!in->s && in->t) {
		if (!in->b)
			return in->bidirectional ? D3_INSERT_SOURCE : D3_CONFLICT;
		if (in->b_eq_t)
			return D3_DELETE_TARGET;
		return D3_CONFLICT;
	}
	/* Both present and different. */
	if (in->b && in->b_eq_t)
		return D3_UPDATE_TARGET;
	if (in->b && in->b_eq_s)
		return in->bidirectional ? D3_UPDATE_SOURCE : D3_CONFLICT;
	return D3_CONFLICT;
}

enum d3_change
d3_side_change(int present, int b, int b_eq)
{
	if (!b)
		return present ? D3_CH_INSERT : D3_CH_NONE;
	if (!present)
		return D3_CH_DELETE;
	return b_eq ? D3_CH_NONE : D3_CH_UPDATE;
}

enum d3_action
d3_copy_to_target(const struct d3_input *in)
{
	if (in->s)
		return in->t ? D3_UPDATE_TARGET : D3_INSERT_TARGET;
	return in->t ? D3_DELETE_TARGET : D3_NONE;
}

enum d3_action
d3_copy_to_source(const struct d3_input *in)
{
	if (in->t)
		return in->s ? D3_UPDATE_SOURCE : D3_INSERT_SOURCE;
	return in->s ? D3_DELETE_SOURCE : D3_NONE;
}

static const char *
d3_target_wins(const struct d3_input *in, enum d3_action *action,
    int *keep_base)
{
	if (in->bidirectional) {
		*action = d3_copy_to_source(in);
		*keep_base = 0;
	} else {
		/* One-way: the target is kept and the drift met again. */
		*action = D3_NONE;
		*keep_base = 1;
	}
	return "resolved";
}

const char *
d3_settle(enum strategy strategy, const struct d3_input *in, int newer,
    enum d3_action *action, int *keep_base)
{
	*action = D3_NONE;
	*keep_base = 1;
	switch (strategy) {
	case STRAT_SOURCE_WINS:
		*action = d3_copy_to_target(in);
		*keep_base = 0;
		return "resolved";
	case STRAT_TARGET_WINS:
		return d3_target_wins(in, action, keep_base);
	case STRAT_NEWER_WINS:
		if (newer == 1) {
			*action = d3_copy_to_target(in);
			*keep_base = 0;
			return "resolved";
		}
		if (newer == 2)
			return d3_target_wins(in, action, keep_base);
		return "pending";
	case STRAT_IGNORE:
		return "ignored";
	case STRAT_MANUAL:
		break;
	}
	return "pending";
}
