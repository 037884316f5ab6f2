/*
 * projsync - ui_model.h: what the terminal application's Conflicts and
 * Conflict diff screens show and change, without curses: the filtered list
 * with its cursor and marks, and one conflict's fields side by side with the
 * choice made for each.  The views draw these; the tests drive them.
 */
#ifndef PROJSYNC_UI_MODEL_H
#define PROJSYNC_UI_MODEL_H

#include "projsync/common.h"
#include "projsync/history.h"
#include "projsync/msgq.h"

/* ---- the Conflicts list ---- */

/* A filter as the screen edits it (strings owned; NULL or 0: any). */
struct ui_cfilter {
	int64_t	 job_id;
	char	*table;
	char	*status;	/* "pending" (the default), "ignored", ..., "all" */
	char	*column;
};

struct ui_clist {
	struct ui_cfilter	 f;
	struct conflict_row	*rows;	/* what the filter matched, oldest first */
	int			 n;
	int			 cur;	/* the selected row, 0 when empty */
	int			 top;	/* the first row shown */
	int64_t			*marks;	/* marked conflict ids, sorted */
	int			 nmarks;
};

/* An empty list with status "pending". */
void	ui_clist_init(struct ui_clist *);
void	ui_clist_free(struct ui_clist *);
/*
 * Set the filter's fields (each copied; NULL clears it, status NULL means
 * "pending").  -1 with PS_ERR_VALUE for an unknown status, and the filter
 * is left as it was.
 */
int	ui_clist_set_filter(struct ui_clist *, int64_t job_id, const char *table,
	    const char *status, const char *column, struct ps_error *);
/*
 * (Re)load the rows matching the filter from H.  The cursor stays on the
 * same conflict id when it is still listed, else it is clamped; marks on
 * conflicts no longer listed are dropped.
 */
int	ui_clist_load(struct ui_clist *, struct history *, struct ps_error *);
/* Move the cursor by DELTA rows (clamped), keeping it within VISIBLE rows. */
void	ui_clist_move(struct ui_clist *, int delta, int visible);
/* The selected row, or NULL when the list is empty. */
const struct conflict_row *ui_clist_current(const struct ui_clist *);
int	ui_clist_is_marked(const struct ui_clist *, int64_t id);
/* Toggle the mark on the selected row. */
void	ui_clist_toggle(struct ui_clist *);
/* Mark every listed row that is open (pending or ignored); unmark all. */
void	ui_clist_mark_all(struct ui_clist *);
void	ui_clist_unmark_all(struct ui_clist *);
/*
 * How many conflicts a bulk resolution would touch: the marked ones when
 * any are marked, else every listed row that is pending or ignored.
 */
int	ui_clist_bulk_count(const struct ui_clist *);
/*
 * The bulk resolution as a message payload: STRATEGY (not "manual") and
 * NOTE (may be NULL), with the marked ids, or when nothing is marked the
 * ids of every listed row that is pending or ignored (what
 * ui_clist_bulk_count() counted).  NULL with PS_ERR_USAGE when the strategy is not one of
 * source-wins, target-wins, newer-wins, ignore, or nothing would be touched.
 */
struct msg_resolve *ui_clist_bulk(const struct ui_clist *, const char *strategy,
	    const char *note, struct ps_error *);

/* ---- one conflict, side by side ---- */

enum ui_pick {
	UI_PICK_SOURCE,		/* the source's value */
	UI_PICK_TARGET,		/* the target's value */
	UI_PICK_EDIT,		/* a value typed in */
	UI_PICK_NULL		/* NULL */
};

struct ui_dfield {
	char		*col;
	char		*src;		/* canonical text; NULL for SQL NULL */
	char		*tgt;
	int		 differs;	/* among the conflict's columns */
	enum ui_pick	 pick;
	char		*edit;		/* with UI_PICK_EDIT */
};

struct ui_diff {
	struct conflict_row	 c;	/* a copy */
	int			 src_absent;	/* the row is absent (deleted) */
	int			 tgt_absent;
	int			 nf;
	struct ui_dfield	*f;	/* columns in the row's order */
	int			 newer;	/* whole row: the newer version */
	char			*note;
	int			 cur;	/* the selected field */
};

/*
 * Load conflict C (copied): its columns from the source and target rows
 * (the present one's order), each picking the source's value.  -1 with
 * PS_ERR_VALUE when a row is not a JSON object.
 */
int	ui_diff_load(struct ui_diff *, const struct conflict_row *,
	    struct ps_error *);
void	ui_diff_free(struct ui_diff *);
/*
 * Whether fields can be picked one by one: both rows present.  With a row
 * absent only the whole row can be chosen.
 */
int	ui_diff_fieldwise(const struct ui_diff *);
/* Pick for field I; -1 (nothing changed) when not fieldwise. */
int	ui_diff_pick(struct ui_diff *, int i, enum ui_pick);
/* Edit field I to VALUE (copied; picks UI_PICK_EDIT); -1 when not fieldwise. */
int	ui_diff_edit(struct ui_diff *, int i, const char *value);
/* Whole row: every field to the source's or the target's value. */
void	ui_diff_whole(struct ui_diff *, enum ui_pick);
/* Whole row: the newer version (decided by the engine); any pick clears it. */
void	ui_diff_whole_newer(struct ui_diff *);
/* Set the note (copied; NULL or "" clears it). */
void	ui_diff_set_note(struct ui_diff *, const char *);
/*
 * The value the resolution would write for field I: the text, or NULL for
 * SQL NULL.  *ABSENT is set when the chosen row is absent (a delete wins).
 */
const char *ui_diff_result(const struct ui_diff *, int i, int *absent);
/*
 * The resolution as a message payload: the whole-row version to start from
 * ("source-wins", "target-wins" or "newer-wins") and the fields that differ
 * from it as --set / --null, with the note.  Caller frees.
 */
struct msg_resolve *ui_diff_resolution(const struct ui_diff *);

#endif
