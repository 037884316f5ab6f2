/*
 * projsync - ui_model.c: what the terminal application's Conflicts and
 * Conflict diff screens show and change, without curses: the filtered list
 * of conflicts with its cursor, window and marks and the bulk resolution it
 * asks for, and one conflict's fields side by side with the choice made for
 * each and the resolution they add up to.
 *
 * The list keeps its marks as a sorted array of conflict ids, so a reload
 * (a new filter, or conflicts resolved meanwhile) keeps the marks and the
 * cursor on the conflicts still listed.  The diff keeps a deep copy of its
 * conflict, so it outlives the list it was opened from.
 */
#include "projsync/common.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "projsync/engine.h"
#include "projsync/history.h"
#include "projsync/json.h"
#include "projsync/msgq.h"
#include "projsync/ui_model.h"

/* The statuses a filter may ask for. */
static const char *const ui_statuses[] = {
	"pending", "ignored", "resolved", "stale", "all"
};

static int
ui_status_valid(const char *s)
{
	size_t	i;

	for (i = 0; i < nitems(ui_statuses); i++) {
		if (strcmp(s, ui_statuses[i]) == 0)
			return (1);
	}
	return (0);
}

/* Whether a conflict of status S can still be resolved: pending or ignored. */
static int
ui_status_open(const char *s)
{
	return (s != NULL && (strcmp(s, "pending") == 0 ||
	    strcmp(s, "ignored") == 0));
}

/* A copy of S, or NULL when S is NULL or empty. */
static char *
ui_strdup_nonempty(const char *s)
{
	return (s != NULL && *s != '\0' ? xstrdup(s) : NULL);
}

/* Whether two values (NULL: SQL NULL) are the same. */
static int
ui_value_equal(const char *a, const char *b)
{
	if (a == NULL || b == NULL)
		return (a == b);
	return (strcmp(a, b) == 0);
}

static int
ui_id_cmp(const void *a, const void *b)
{
	int64_t	x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x < y ? -1 : x > y);
}

/* Copy conflict SRC into DST: every string and the key, newly allocated. */
static void
ui_conflict_copy(struct conflict_row *dst, const struct conflict_row *src)
{
	*dst = *src;
	dst->source = xstrdup(src->source);
	dst->target = xstrdup(src->target);
	dst->table = xstrdup(src->table);
	dst->key = NULL;
	if (src->key != NULL) {
		dst->key = xmalloc(src->keylen + 1);
		memcpy(dst->key, src->key, src->keylen);
		((char *)dst->key)[src->keylen] = '\0';
	}
	dst->key_json = xstrdup(src->key_json);
	dst->kind = xstrdup(src->kind);
	dst->columns = xstrdup(src->columns);
	dst->source_row = xstrdup(src->source_row);
	dst->target_row = xstrdup(src->target_row);
	dst->timestamp_column = xstrdup(src->timestamp_column);
	dst->status = xstrdup(src->status);
	dst->strategy = xstrdup(src->strategy);
	dst->outcome = xstrdup(src->outcome);
	dst->result_row = xstrdup(src->result_row);
	dst->note = xstrdup(src->note);
	dst->resolved_by = xstrdup(src->resolved_by);
}

/* ---- the Conflicts list ---- */

void
ui_clist_init(struct ui_clist *l)
{
	memset(l, 0, sizeof *l);
	l->f.status = xstrdup("pending");
}

void
ui_clist_free(struct ui_clist *l)
{
	free(l->f.table);
	free(l->f.status);
	free(l->f.column);
	conflict_rows_free(l->rows, l->n);
	free(l->marks);
	memset(l, 0, sizeof *l);
}

/*
 * The new values are copied before the old ones are freed, so the caller
 * may pass the filter's own strings back.  An empty table or column is
 * taken as NULL (any), an empty status as "pending".
 */
int
ui_clist_set_filter(struct ui_clist *l, int64_t job_id, const char *table,
    const char *status, const char *column, struct ps_error *err)
{
	char	*t, *s, *c;

	if (status == NULL || *status == '\0')
		status = "pending";
	if (!ui_status_valid(status)) {
		ps_error_set(err, PS_ERR_VALUE, "unknown conflict status '%s' "
		    "(pending, ignored, resolved, stale or all)", status);
		return (-1);
	}
	t = ui_strdup_nonempty(table);
	s = xstrdup(status);
	c = ui_strdup_nonempty(column);
	free(l->f.table);
	free(l->f.status);
	free(l->f.column);
	l->f.job_id = job_id;
	l->f.table = t;
	l->f.status = s;
	l->f.column = c;
	return (0);
}

/* The index of ID among the marks, or -1. */
static int
clist_mark_find(const struct ui_clist *l, int64_t id)
{
	const int64_t	*p;

	if (l->nmarks == 0)
		return (-1);
	p = bsearch(&id, l->marks, (size_t)l->nmarks, sizeof *l->marks,
	    ui_id_cmp);
	return (p == NULL ? -1 : (int)(p - l->marks));
}

/* Add ID to the marks (not yet marked), keeping them sorted. */
static void
clist_mark_add(struct ui_clist *l, int64_t id)
{
	int	i;

	l->marks = xreallocarray(l->marks, (size_t)l->nmarks + 1,
	    sizeof *l->marks);
	for (i = l->nmarks; i > 0 && l->marks[i - 1] > id; i--)
		l->marks[i] = l->marks[i - 1];
	l->marks[i] = id;
	l->nmarks++;
}

/* Remove mark I. */
static void
clist_mark_del(struct ui_clist *l, int i)
{
	memmove(&l->marks[i], &l->marks[i + 1],
	    (size_t)(l->nmarks - i - 1) * sizeof *l->marks);
	if (--l->nmarks == 0) {
		free(l->marks);
		l->marks = NULL;
	}
}

/* Keep only the marks on conflicts listed now. */
static void
clist_marks_prune(struct ui_clist *l)
{
	int64_t	*ids;
	int	 i, k;

	if (l->nmarks == 0)
		return;
	ids = xcalloc((size_t)l->n + 1, sizeof *ids);
	for (i = 0; i < l->n; i++)
		ids[i] = l->rows[i].id;
	qsort(ids, (size_t)l->n, sizeof *ids, ui_id_cmp);
	for (i = k = 0; i < l->nmarks; i++) {
		if (l->n > 0 && bsearch(&l->marks[i], ids, (size_t)l->n,
		    sizeof *ids, ui_id_cmp) != NULL)
			l->marks[k++] = l->marks[i];
	}
	free(ids);
	l->nmarks = k;
	if (k == 0) {
		free(l->marks);
		l->marks = NULL;
	}
}

/*
 * On failure the list is left as it was.  The window is not fitted to the
 * screen here (the list does not know its height): the first row shown is
 * only kept at or above the cursor, and ui_clist_move(L, 0, VISIBLE) fits
 * it.
 */
int
ui_clist_load(struct ui_clist *l, struct history *h, struct ps_error *err)
{
	struct conflict_filter	 f;
	struct conflict_row	*rows;
	int64_t			 cur_id = 0;
	int			 n, i, had;

	memset(&f, 0, sizeof f);
	f.job_id = l->f.job_id;
	f.table = l->f.table;
	f.status = l->f.status;
	f.column = l->f.column;
	if (history_conflict_list(h, &f, &rows, &n, err) != 0)
		return (-1);

	had = l->n > 0;
	if (had)
		cur_id = l->rows[l->cur].id;
	conflict_rows_free(l->rows, l->n);
	l->rows = rows;
	l->n = n;

	for (i = 0; had && i < n; i++) {
		if (rows[i].id == cur_id) {
			l->cur = i;
			break;
		}
	}
	if (!had || i == n) {
		if (l->cur > n - 1)
			l->cur = n - 1;
		if (l->cur < 0)
			l->cur = 0;
	}
	if (l->top > l->cur)
		l->top = l->cur;
	if (l->top < 0)
		l->top = 0;

	clist_marks_prune(l);
	return (0);
}

/*
 * The window also moves up when rows below it are gone, so it stays full
 * when there are rows enough to fill it.
 */
void
ui_clist_move(struct ui_clist *l, int delta, int visible)
{
	long long	cur, top;

	if (visible < 1)
		visible = 1;
	cur = (long long)l->cur + delta;
	if (cur > l->n - 1)
		cur = l->n - 1;
	if (cur < 0)
		cur = 0;
	top = l->top;
	if (top > cur)
		top = cur;
	if (cur >= top + visible)
		top = cur - visible + 1;
	if (top > (long long)l->n - visible)
		top = (long long)l->n - visible;
	if (top < 0)
		top = 0;
	l->cur = (int)cur;
	l->top = (int)top;
}

const struct conflict_row *
ui_clist_current(const struct ui_clist *l)
{
	if (l->n == 0)
		return (NULL);
	return (&l->rows[l->cur]);
}

int
ui_clist_is_marked(const struct ui_clist *l, int64_t id)
{
	return (clist_mark_find(l, id) >= 0);
}

void
ui_clist_toggle(struct ui_clist *l)
{
	int64_t	id;
	int	i;

	if (l->n == 0)
		return;
	id = l->rows[l->cur].id;
	if ((i = clist_mark_find(l, id)) >= 0)
		clist_mark_del(l, i);
	else
		clist_mark_add(l, id);
}

void
ui_clist_mark_all(struct ui_clist *l)
{
	int64_t	*m;
	int	 i, k, n;

	m = xreallocarray(NULL, (size_t)l->nmarks + (size_t)l->n + 1,
	    sizeof *m);
	n = l->nmarks;
	if (n > 0)
		memcpy(m, l->marks, (size_t)n * sizeof *m);
	for (i = 0; i < l->n; i++) {
		if (ui_status_open(l->rows[i].status))
			m[n++] = l->rows[i].id;
	}
	qsort(m, (size_t)n, sizeof *m, ui_id_cmp);
	for (i = k = 0; i < n; i++) {
		if (k == 0 || m[k - 1] != m[i])
			m[k++] = m[i];
	}
	free(l->marks);
	l->marks = m;
	l->nmarks = k;
	if (k == 0) {
		free(l->marks);
		l->marks = NULL;
	}
}

void
ui_clist_unmark_all(struct ui_clist *l)
{
	free(l->marks);
	l->marks = NULL;
	l->nmarks = 0;
}

int
ui_clist_bulk_count(const struct ui_clist *l)
{
	int	i, count = 0;

	if (l->nmarks > 0)
		return (l->nmarks);
	for (i = 0; i < l->n; i++) {
		if (ui_status_open(l->rows[i].status))
			count++;
	}
	return (count);
}

/* An empty NOTE counts as none. */
struct msg_resolve *
ui_clist_bulk(const struct ui_clist *l, const char *strategy,
    const char *note, struct ps_error *err)
{
	struct msg_resolve	*r;
	enum strategy		 st;
	int			 i;

	if (strategy == NULL || strategy_parse(strategy, &st) != 0 ||
	    st == STRAT_MANUAL) {
		ps_error_set(err, PS_ERR_USAGE, "'%s' cannot resolve conflicts "
		    "in bulk (source-wins, target-wins, newer-wins or ignore)",
		    strategy != NULL ? strategy : "");
		return (NULL);
	}
	if (ui_clist_bulk_count(l) == 0) {
		ps_error_set(err, PS_ERR_USAGE, "no pending or ignored "
		    "conflict to resolve");
		return (NULL);
	}

	r = xcalloc(1, sizeof *r);
	r->strategy = xstrdup(strategy);
	r->note = ui_strdup_nonempty(note);
	if (l->nmarks > 0) {
		r->ids = xreallocarray(NULL, (size_t)l->nmarks, sizeof *r->ids);
		memcpy(r->ids, l->marks, (size_t)l->nmarks * sizeof *r->ids);
		r->nids = l->nmarks;
	} else {
		/*
		 * The open rows listed, by id: exactly the count confirmed,
		 * and nothing a later sync recorded meanwhile.
		 */
		r->ids = xreallocarray(NULL, (size_t)l->n, sizeof *r->ids);
		for (i = 0; i < l->n; i++) {
			if (ui_status_open(l->rows[i].status))
				r->ids[r->nids++] = l->rows[i].id;
		}
	}
	return (r);
}

/* ---- one conflict, side by side ---- */

/*
 * Add column NAME (unless already there) with its values in the source and
 * target rows S and T; it differs when it is among the COLS.
 */
static void
diff_add_field(struct ui_diff *d, const char *name, const struct json_obj *s,
    const struct json_obj *t, char **cols, int ncols)
{
	struct ui_dfield	*f;
	const struct json_kv	*kv;
	int			 i;

	for (i = 0; i < d->nf; i++) {
		if (strcmp(d->f[i].col, name) == 0)
			return;
	}
	f = &d->f[d->nf++];
	memset(f, 0, sizeof *f);
	f->col = xstrdup(name);
	if ((kv = json_obj_get(s, name)) != NULL)
		f->src = xstrdup(kv->value);
	if ((kv = json_obj_get(t, name)) != NULL)
		f->tgt = xstrdup(kv->value);
	for (i = 0; i < ncols; i++) {
		if (strcmp(cols[i], name) == 0)
			f->differs = 1;
	}
	f->pick = UI_PICK_SOURCE;
}

/*
 * Fields follow the source row's order, then any column only the target
 * row has.  On failure D is left empty (ui_diff_free() is harmless).
 */
int
ui_diff_load(struct ui_diff *d, const struct conflict_row *c,
    struct ps_error *err)
{
	struct json_obj	  s, t;
	char		**cols = NULL;
	int		  ncols = 0, i, ret = -1;

	memset(d, 0, sizeof *d);
	memset(&s, 0, sizeof s);
	memset(&t, 0, sizeof t);
	if (c->source_row != NULL &&
	    json_parse_object(c->source_row, &s) != 0) {
		ps_error_set(err, PS_ERR_VALUE, "conflict %lld: the source row "
		    "is not a JSON object", (long long)c->id);
		goto out;
	}
	if (c->target_row != NULL &&
	    json_parse_object(c->target_row, &t) != 0) {
		ps_error_set(err, PS_ERR_VALUE, "conflict %lld: the target row "
		    "is not a JSON object", (long long)c->id);
		goto out;
	}
	if (c->columns != NULL &&
	    json_parse_str_array(c->columns, &cols, &ncols) != 0) {
		ps_error_set(err, PS_ERR_VALUE, "conflict %lld: its columns "
		    "are not a JSON array of names", (long long)c->id);
		goto out;
	}

	ui_conflict_copy(&d->c, c);
	d->src_absent = c->source_row == NULL;
	d->tgt_absent = c->target_row == NULL;
	d->f = xcalloc((size_t)s.n + (size_t)t.n + 1, sizeof *d->f);
	for (i = 0; i < s.n; i++)
		diff_add_field(d, s.kv[i].key, &s, &t, cols, ncols);
	for (i = 0; i < t.n; i++)
		diff_add_field(d, t.kv[i].key, &s, &t, cols, ncols);
	ret = 0;

out:
	json_obj_free(&s);
	json_obj_free(&t);
	for (i = 0; i < ncols; i++)
		free(cols[i]);
	free(cols);
	return (ret);
}

void
ui_diff_free(struct ui_diff *d)
{
	int	i;

	conflict_row_free(&d->c);
	for (i = 0; i < d->nf; i++) {
		free(d->f[i].col);
		free(d->f[i].src);
		free(d->f[i].tgt);
		free(d->f[i].edit);
	}
	free(d->f);
	free(d->note);
	memset(d, 0, sizeof *d);
}

int
ui_diff_fieldwise(const struct ui_diff *d)
{
	return (!d->src_absent && !d->tgt_absent);
}

/* Field F's value under its own pick: the text, or NULL for SQL NULL. */
static const char *
diff_field_value(const struct ui_dfield *f)
{
	switch (f->pick) {
	case UI_PICK_SOURCE:
		return (f->src);
	case UI_PICK_TARGET:
		return (f->tgt);
	case UI_PICK_EDIT:
		return (f->edit != NULL ? f->edit : "");
	case UI_PICK_NULL:
		break;
	}
	return (NULL);
}

/*
 * The whole-row version chosen when a row is absent: every field holds the
 * same pick, set by ui_diff_whole(); the source unless it is the target.
 */
static enum ui_pick
diff_whole_pick(const struct ui_diff *d)
{
	if (d->nf > 0 && d->f[0].pick == UI_PICK_TARGET)
		return (UI_PICK_TARGET);
	return (UI_PICK_SOURCE);
}

/*
 * Picking UI_PICK_EDIT keeps the text typed before for the field; when none
 * was, the edit starts from the field's current value ("" for NULL).
 */
int
ui_diff_pick(struct ui_diff *d, int i, enum ui_pick pick)
{
	struct ui_dfield	*f;
	const char		*v;

	if (!ui_diff_fieldwise(d) || i < 0 || i >= d->nf)
		return (-1);
	f = &d->f[i];
	switch (pick) {
	case UI_PICK_SOURCE:
	case UI_PICK_TARGET:
	case UI_PICK_NULL:
		break;
	case UI_PICK_EDIT:
		if (f->edit == NULL) {
			v = diff_field_value(f);
			f->edit = xstrdup(v != NULL ? v : "");
		}
		break;
	default:
		return (-1);
	}
	f->pick = pick;
	d->newer = 0;
	return (0);
}

/* A NULL VALUE sets the field to NULL (UI_PICK_NULL). */
int
ui_diff_edit(struct ui_diff *d, int i, const char *value)
{
	struct ui_dfield	*f;
	char			*copy;

	if (!ui_diff_fieldwise(d) || i < 0 || i >= d->nf)
		return (-1);
	if (value == NULL)
		return (ui_diff_pick(d, i, UI_PICK_NULL));
	f = &d->f[i];
	copy = xstrdup(value);
	free(f->edit);
	f->edit = copy;
	f->pick = UI_PICK_EDIT;
	d->newer = 0;
	return (0);
}

/* Picks other than UI_PICK_SOURCE and UI_PICK_TARGET change nothing. */
void
ui_diff_whole(struct ui_diff *d, enum ui_pick pick)
{
	int	i;

	if (pick != UI_PICK_SOURCE && pick != UI_PICK_TARGET)
		return;
	for (i = 0; i < d->nf; i++)
		d->f[i].pick = pick;
	d->newer = 0;
}

void
ui_diff_whole_newer(struct ui_diff *d)
{
	d->newer = 1;
}

void
ui_diff_set_note(struct ui_diff *d, const char *note)
{
	char	*copy;

	copy = ui_strdup_nonempty(note);
	free(d->note);
	d->note = copy;
}

/*
 * ABSENT may be NULL.  While the newer version is chosen the result is the
 * engine's to decide: NULL, with *ABSENT 0 (the view shows d->newer
 * instead).  NULL for an I out of range.
 */
const char *
ui_diff_result(const struct ui_diff *d, int i, int *absent)
{
	const struct ui_dfield	*f;
	enum ui_pick		 pick;

	if (absent != NULL)
		*absent = 0;
	if (i < 0 || i >= d->nf || d->newer)
		return (NULL);
	f = &d->f[i];
	if (ui_diff_fieldwise(d))
		return (diff_field_value(f));
	pick = diff_whole_pick(d);
	if ((pick == UI_PICK_TARGET && d->tgt_absent) ||
	    (pick == UI_PICK_SOURCE && d->src_absent)) {
		if (absent != NULL)
			*absent = 1;
		return (NULL);
	}
	return (pick == UI_PICK_TARGET ? f->tgt : f->src);
}

/*
 * The version to start from is the target when some field picks it, every
 * differing field does, and no field is edited or set to NULL away from the
 * target's value; else the source.  Every field whose result is not the
 * starting version's value is then overridden, in the row's order.
 */
struct msg_resolve *
ui_diff_resolution(const struct ui_diff *d)
{
	struct msg_resolve	*r;
	const struct ui_dfield	*f;
	const char		*v, *base;
	int			 i, from_target, any_target;

	r = xcalloc(1, sizeof *r);
	r->note = xstrdup(d->note);
	if (d->newer) {
		r->strategy = xstrdup("newer-wins");
		return (r);
	}
	if (!ui_diff_fieldwise(d)) {
		r->strategy = xstrdup(diff_whole_pick(d) == UI_PICK_TARGET ?
		    "target-wins" : "source-wins");
		return (r);
	}

	from_target = 1;
	any_target = 0;
	for (i = 0; i < d->nf; i++) {
		f = &d->f[i];
		if (f->pick == UI_PICK_TARGET)
			any_target = 1;
		if (f->differs && f->pick != UI_PICK_TARGET)
			from_target = 0;
		if ((f->pick == UI_PICK_EDIT || f->pick == UI_PICK_NULL) &&
		    !ui_value_equal(diff_field_value(f), f->tgt))
			from_target = 0;
	}
	from_target = from_target && any_target;
	r->strategy = xstrdup(from_target ? "target-wins" : "source-wins");

	for (i = 0; i < d->nf; i++) {
		f = &d->f[i];
		v = diff_field_value(f);
		base = from_target ? f->tgt : f->src;
		if (ui_value_equal(v, base))
			continue;
		if (v == NULL) {
			r->null_cols = xreallocarray(r->null_cols,
			    (size_t)r->nnull + 1, sizeof *r->null_cols);
			r->null_cols[r->nnull++] = xstrdup(f->col);
		} else {
			r->set_cols = xreallocarray(r->set_cols,
			    (size_t)r->nset + 1, sizeof *r->set_cols);
			r->set_vals = xreallocarray(r->set_vals,
			    (size_t)r->nset + 1, sizeof *r->set_vals);
			r->set_cols[r->nset] = xstrdup(f->col);
			r->set_vals[r->nset++] = xstrdup(v);
		}
	}
	return (r);
}
