/*
 * projsync - test_diff3.c: every row of the sync decision table (SPEC 4) in
 * both directions, the conflict kinds, and every strategy on every conflict.
 */
#include "projsync/common.h"

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "projsync/diff3.h"

enum { NOB = 0, B_S, B_T, B_OTHER };

struct row_case {
	const char	*what;
	int		 s, t, eq, base;
	enum d3_action	 bidir;
	enum d3_action	 oneway;
	const char	*kind;	/* SOURCE/TARGET change, for conflicts */
};

/* The table of SPEC section 4, row by row. */
static const struct row_case table[] = {
	{ "equal, no base", 1, 1, 1, NOB, D3_NONE, D3_NONE, NULL },
	{ "equal, base = both", 1, 1, 1, B_S, D3_NONE, D3_NONE, NULL },
	{ "equal, stale base", 1, 1, 1, B_OTHER, D3_NONE, D3_NONE, NULL },
	{ "both absent", 0, 0, 0, NOB, D3_NONE, D3_NONE, NULL },
	{ "both absent, base left", 0, 0, 0, B_OTHER, D3_NONE, D3_NONE, NULL },
	{ "new on source", 1, 0, 0, NOB, D3_INSERT_TARGET, D3_INSERT_TARGET,
	    NULL },
	{ "deleted on target", 1, 0, 0, B_S, D3_DELETE_SOURCE, D3_CONFLICT,
	    "none/delete" },
	{ "updated on source, deleted on target", 1, 0, 0, B_OTHER,
	    D3_CONFLICT, D3_CONFLICT, "update/delete" },
	{ "new on target", 0, 1, 0, NOB, D3_INSERT_SOURCE, D3_CONFLICT,
	    "none/insert" },
	{ "deleted on source", 0, 1, 0, B_T, D3_DELETE_TARGET,
	    D3_DELETE_TARGET, NULL },
	{ "deleted on source, updated on target", 0, 1, 0, B_OTHER,
	    D3_CONFLICT, D3_CONFLICT, "delete/update" },
	{ "updated on source", 1, 1, 0, B_T, D3_UPDATE_TARGET,
	    D3_UPDATE_TARGET, NULL },
	{ "updated on target", 1, 1, 0, B_S, D3_UPDATE_SOURCE, D3_CONFLICT,
	    "none/update" },
	{ "updated on both", 1, 1, 0, B_OTHER, D3_CONFLICT, D3_CONFLICT,
	    "update/update" },
	{ "inserted on both", 1, 1, 0, NOB, D3_CONFLICT, D3_CONFLICT,
	    "insert/insert" },
};

static void
make_input(const struct row_case *c, int bidir, struct d3_input *in)
{
	memset(in, 0, sizeof *in);
	in->s = c->s;
	in->t = c->t;
	in->b = c->base != NOB;
	in->s_eq_t = c->s && c->t && c->eq;
	if (c->eq && c->base == B_S) {
		in->b_eq_s = 1;
		in->b_eq_t = 1;
	} else {
		in->b_eq_s = c->s && c->base == B_S;
		in->b_eq_t = c->t && c->base == B_T;
	}
	in->bidirectional = bidir;
}

static void
kind_of(const struct d3_input *in, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s",
	    d3_change_name(d3_side_change(in->s, in->b, in->b_eq_s)),
	    d3_change_name(d3_side_change(in->t, in->b, in->b_eq_t)));
}

static void
test_decision_table(void **state)
{
	struct d3_input	in;
	char		kind[64];
	size_t		i;
	int		bidir;

	(void)state;
	for (i = 0; i < nitems(table); i++) {
		for (bidir = 0; bidir <= 1; bidir++) {
			enum d3_action want, got;

			make_input(&table[i], bidir, &in);
			want = bidir ? table[i].bidir : table[i].oneway;
			got = d3_decide(&in);
			if (got != want)
				fail_msg("%s (%s): got %s, want %s",
				    table[i].what,
				    bidir ? "bidirectional" : "one-way",
				    d3_action_name(got), d3_action_name(want));
			if (got == D3_CONFLICT) {
				assert_non_null(table[i].kind);
				kind_of(&in, kind, sizeof kind);
				if (strcmp(kind, table[i].kind) != 0)
					fail_msg("%s: kind %s, want %s",
					    table[i].what, kind, table[i].kind);
			}
			/* One-way never writes the source. */
			if (!bidir)
				assert_true(got != D3_INSERT_SOURCE &&
				    got != D3_UPDATE_SOURCE &&
				    got != D3_DELETE_SOURCE);
		}
	}
}

/* What copying one side over the other writes, for S/T presence. */
static enum d3_action
want_to_target(const struct d3_input *in)
{
	if (in->s && in->t)
		return D3_UPDATE_TARGET;
	if (in->s)
		return D3_INSERT_TARGET;
	return D3_DELETE_TARGET;
}

static enum d3_action
want_to_source(const struct d3_input *in)
{
	if (in->s && in->t)
		return D3_UPDATE_SOURCE;
	if (in->t)
		return D3_INSERT_SOURCE;
	return D3_DELETE_SOURCE;
}

static void
check_settle(enum strategy st, const struct d3_input *in, int newer,
    enum d3_action want, const char *want_status, int want_keep,
    const char *what)
{
	enum d3_action	 action;
	int		 keep = -1;
	const char	*status;

	status = d3_settle(st, in, newer, &action, &keep);
	if (action != want || strcmp(status, want_status) != 0 ||
	    keep != want_keep)
		fail_msg("%s, %s, %s, newer=%d: got %s/%s/keep=%d, want "
		    "%s/%s/keep=%d", what, strategy_name(st),
		    in->bidirectional ? "bidirectional" : "one-way", newer,
		    d3_action_name(action), status, keep,
		    d3_action_name(want), want_status, want_keep);
}

static void
test_strategies(void **state)
{
	struct d3_input	in;
	size_t		i;
	int		bidir, newer;

	(void)state;
	for (i = 0; i < nitems(table); i++) {
		for (bidir = 0; bidir <= 1; bidir++) {
			make_input(&table[i], bidir, &in);
			if (d3_decide(&in) != D3_CONFLICT)
				continue;
			check_settle(STRAT_SOURCE_WINS, &in, 0,
			    want_to_target(&in), "resolved", 0,
			    table[i].what);
			if (bidir)
				check_settle(STRAT_TARGET_WINS, &in, 0,
				    want_to_source(&in), "resolved", 0,
				    table[i].what);
			else
				check_settle(STRAT_TARGET_WINS, &in, 0,
				    D3_NONE, "resolved", 1, table[i].what);
			check_settle(STRAT_MANUAL, &in, 0, D3_NONE, "pending",
			    1, table[i].what);
			check_settle(STRAT_IGNORE, &in, 0, D3_NONE, "ignored",
			    1, table[i].what);
			for (newer = 0; newer <= 2; newer++) {
				if (newer == 0)
					check_settle(STRAT_NEWER_WINS, &in, 0,
					    D3_NONE, "pending", 1,
					    table[i].what);
				else if (newer == 1)
					check_settle(STRAT_NEWER_WINS, &in, 1,
					    want_to_target(&in), "resolved", 0,
					    table[i].what);
				else if (bidir)
					check_settle(STRAT_NEWER_WINS, &in, 2,
					    want_to_source(&in), "resolved", 0,
					    table[i].what);
				else
					check_settle(STRAT_NEWER_WINS, &in, 2,
					    D3_NONE, "resolved", 1,
					    table[i].what);
			}
		}
	}
}

static void
test_strategy_names(void **state)
{
	enum strategy	s;
	const char	*names[] = { "manual", "source-wins", "target-wins",
	    "newer-wins", "ignore" };
	size_t		i;

	(void)state;
	for (i = 0; i < nitems(names); i++) {
		assert_int_equal(strategy_parse(names[i], &s), 0);
		assert_string_equal(strategy_name(s), names[i]);
	}
	assert_int_equal(strategy_parse("sourcewins", &s), -1);
	assert_int_equal(strategy_parse("", &s), -1);
}

static void
test_job_status(void **state)
{
	(void)state;
	assert_string_equal(job_status_name(JOB_COMPLETED_WITH_CONFLICTS),
	    "completed_with_conflicts");
	assert_int_equal(job_status_exit(JOB_COMPLETED), 0);
	assert_int_equal(job_status_exit(JOB_COMPLETED_WITH_CONFLICTS), 3);
	assert_int_equal(job_status_exit(JOB_COMPLETED_WITH_ERRORS), 1);
	assert_int_equal(job_status_exit(JOB_FAILED), 1);
	assert_int_equal(job_status_exit(JOB_CANCELLED), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decision_table),
		cmocka_unit_test(test_strategies),
		cmocka_unit_test(test_strategy_names),
		cmocka_unit_test(test_job_status),
	};

	return cmocka_run_group_tests_name("diff3", tests, NULL, NULL);
}
