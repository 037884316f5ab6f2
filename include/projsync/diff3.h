/*
 * projsync - diff3.h: the sync decision table of SPEC section 4, as a pure
 * function of what is known about one key, and the strategies that settle a
 * conflict.  engine.c feeds it; tests/unit/test_diff3.c checks every row.
 */
#ifndef PROJSYNC_DIFF3_H
#define PROJSYNC_DIFF3_H

#include "projsync/engine.h"

/* What is known about one key. */
struct d3_input {
	int	s;		/* source row present */
	int	t;		/* target row present */
	int	b;		/* base digest present */
	int	s_eq_t;		/* both present and equal */
	int	b_eq_s;		/* b and s, and base == digest(S) */
	int	b_eq_t;		/* b and t, and base == digest(T) */
	int	bidirectional;
};

enum d3_action {
	D3_NONE,		/* equal (or both absent): nothing to write */
	D3_INSERT_TARGET,
	D3_UPDATE_TARGET,
	D3_DELETE_TARGET,
	D3_INSERT_SOURCE,
	D3_UPDATE_SOURCE,
	D3_DELETE_SOURCE,
	D3_CONFLICT
};

enum d3_change { D3_CH_NONE, D3_CH_INSERT, D3_CH_UPDATE, D3_CH_DELETE };

const char	*d3_action_name(enum d3_action);
const char	*d3_change_name(enum d3_change);	/* "none", "insert", ... */

/* The decision table. */
enum d3_action	 d3_decide(const struct d3_input *);
/* How a side changed since the base: for the conflict's kind. */
enum d3_change	 d3_side_change(int present, int b, int b_eq);

/*
 * Settle a conflict by STRATEGY.  NEWER is, for newer-wins: 1 the source is
 * newer, 2 the target is newer, 0 undecided (tie within skew, NULL, absent
 * row, missing column).  Sets *ACTION to what to write (D3_NONE for nothing)
 * and returns the conflict's status: "resolved", "pending" or "ignored".
 * *KEEP_BASE says whether the base must stay as it was.
 */
const char	*d3_settle(enum strategy, const struct d3_input *, int newer,
		    enum d3_action *action, int *keep_base);

/* The action that makes the target equal the source (or the reverse). */
enum d3_action	 d3_copy_to_target(const struct d3_input *);
enum d3_action	 d3_copy_to_source(const struct d3_input *);

#endif
