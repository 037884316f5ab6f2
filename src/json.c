/*
 * projsync - json.c: the JSON writer behind --json output and the rows kept
 * in the history, and a reader for the flat objects and string arrays the
 * history stores.
 *
 * The writer escapes what RFC 8259 requires ('"', '\\' and control
 * characters, plus DEL so nothing reaches a terminal raw) and copies valid
 * UTF-8 as it is.  A byte that does not start a valid UTF-8 sequence is
 * written as \u00XX, one escape per byte, so the output is always valid
 * JSON even for text that is not.
 *
 * The reader accepts exactly the JSON grammar for an object whose members
 * are strings, numbers, booleans or null, and for an array of strings.  It
 * decodes every escape, \uXXXX surrogate pairs included (a lone surrogate is
 * refused), and keeps embedded NULs in a value's length.
 */
#include "projsync/common.h"
#include "projsync/json.h"
#include "projsync/util.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#define JSON_MAX_DEPTH	((int)sizeof ((struct json_w *)0)->first - 1)

void
json_init(struct json_w *w, int pretty)
{
	memset(w, 0, sizeof *w);
	sb_init(&w->sb);
	w->first[0] = 1;
	w->pretty = pretty;
}

void
json_free(struct json_w *w)
{
	sb_free(&w->sb);
	w->depth = 0;
	w->after_key = 0;
}

static void
json_newline(struct json_w *w, int depth)
{
	int	i;

	sb_addch(&w->sb, '\n');
	for (i = 0; i < depth; i++)
		sb_add(&w->sb, "  ", 2);
}

/*
 * Write what goes before a key or a value: nothing right after a key,
 * otherwise a comma unless it is the first item at this depth, and in pretty
 * mode a new line indented to the depth.
 */
static void
json_sep(struct json_w *w)
{
	if (w->after_key) {
		w->after_key = 0;
		return;
	}
	if (w->depth > 0) {
		if (!w->first[w->depth])
			sb_addch(&w->sb, ',');
		if (w->pretty)
			json_newline(w, w->depth);
	}
	w->first[w->depth] = 0;
}

static void
json_open(struct json_w *w, int ch)
{
	json_sep(w);
	if (w->depth >= JSON_MAX_DEPTH)
		fatalx("json: nesting deeper than %d", JSON_MAX_DEPTH);
	sb_addch(&w->sb, ch);
	w->depth++;
	w->first[w->depth] = 1;
}

static void
json_close(struct json_w *w, int ch)
{
	if (w->depth == 0)
		fatalx("json: closing '%c' with nothing open", ch);
	w->depth--;
	w->after_key = 0;
	if (w->pretty && !w->first[w->depth + 1])
		json_newline(w, w->depth);
	sb_addch(&w->sb, ch);
}

void
json_obj_begin(struct json_w *w)
{
	json_open(w, '{');
}

void
json_obj_end(struct json_w *w)
{
	json_close(w, '}');
}

void
json_arr_begin(struct json_w *w)
{
	json_open(w, '[');
}

void
json_arr_end(struct json_w *w)
{
	json_close(w, ']');
}

void
json_key(struct json_w *w, const char *key)
{
	json_sep(w);
	json_quote(&w->sb, key != NULL ? key : "", key != NULL ?
	    strlen(key) : 0);
	sb_addch(&w->sb, ':');
	if (w->pretty)
		sb_addch(&w->sb, ' ');
	w->after_key = 1;
}

void
json_str(struct json_w *w, const char *s)
{
	if (s == NULL)
		json_null(w);
	else
		json_strn(w, s, strlen(s));
}

void
json_strn(struct json_w *w, const char *s, size_t len)
{
	if (s == NULL) {
		json_null(w);
		return;
	}
	json_sep(w);
	json_quote(&w->sb, s, len);
}

void
json_int(struct json_w *w, int64_t v)
{
	json_sep(w);
	sb_addf(&w->sb, "%" PRId64, v);
}

/* The shortest text that reads back as D; null for NaN and infinities. */
void
json_double(struct json_w *w, double d)
{
	char	buf[64];

	if (!isfinite(d)) {
		json_null(w);
		return;
	}
	json_sep(w);
	sb_addstr(&w->sb, util_fmt_double(d, buf, sizeof buf));
}

void
json_bool(struct json_w *w, int v)
{
	json_sep(w);
	sb_addstr(&w->sb, v ? "true" : "false");
}

void
json_null(struct json_w *w)
{
	json_sep(w);
	sb_add(&w->sb, "null", 4);
}

void
json_raw(struct json_w *w, const char *text)
{
	if (text == NULL) {
		json_null(w);
		return;
	}
	json_sep(w);
	sb_addstr(&w->sb, text);
}

/*
 * The length of the valid UTF-8 sequence at P (at most LEFT bytes), or 0
 * when the byte at P does not start one (overlong forms, surrogates and code
 * points past U+10FFFF are not valid).
 */
static size_t
json_utf8_len(const unsigned char *p, size_t left)
{
	unsigned char	lo = 0x80, hi = 0xbf;
	size_t		n, i;

	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef) {
		n = 3;
		if (p[0] == 0xe0)
			lo = 0xa0;
		else if (p[0] == 0xed)
			hi = 0x9f;
	} else if (p[0] >= 0xf0 && p[0] <= 0xf4) {
		n = 4;
		if (p[0] == 0xf0)
			lo = 0x90;
		else if (p[0] == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if (left < n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++) {
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	}
	return n;
}

void
json_quote(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s;
	size_t			 i, n;

	sb_addch(sb, '"');
	for (i = 0; i < len; i++) {
		switch (p[i]) {
		case '"':
			sb_add(sb, "\\\"", 2);
			continue;
		case '\\':
			sb_add(sb, "\\\\", 2);
			continue;
		case '\b':
			sb_add(sb, "\\b", 2);
			continue;
		case '\f':
			sb_add(sb, "\\f", 2);
			continue;
		case '\n':
			sb_add(sb, "\\n", 2);
			continue;
		case '\r':
			sb_add(sb, "\\r", 2);
			continue;
		case '\t':
			sb_add(sb, "\\t", 2);
			continue;
		}
		if (p[i] < 0x20 || p[i] == 0x7f)
			sb_addf(sb, "\\u%04x", p[i]);
		else if (p[i] < 0x80)
			sb_addch(sb, p[i]);
		else if ((n = json_utf8_len(p + i, len - i)) != 0) {
			sb_add(sb, p + i, n);
			i += n - 1;
		} else
			sb_addf(sb, "\\u%04x", p[i]);
	}
	sb_addch(sb, '"');
}

/* Reader. */

struct json_rd {
	const char	*p;
};

static void
json_skip_ws(struct json_rd *rd)
{
	while (*rd->p == ' ' || *rd->p == '\t' || *rd->p == '\n' ||
	    *rd->p == '\r')
		rd->p++;
}

static int
json_hex4(const char *p, unsigned int *out)
{
	unsigned int	v = 0;
	int		i;

	for (i = 0; i < 4; i++) {
		v <<= 4;
		if (p[i] >= '0' && p[i] <= '9')
			v |= (unsigned int)(p[i] - '0');
		else if (p[i] >= 'a' && p[i] <= 'f')
			v |= (unsigned int)(p[i] - 'a' + 10);
		else if (p[i] >= 'A' && p[i] <= 'F')
			v |= (unsigned int)(p[i] - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void
json_add_utf8(struct strbuf *sb, unsigned int cp)
{
	if (cp < 0x80)
		sb_addch(sb, (int)cp);
	else if (cp < 0x800) {
		sb_addch(sb, (int)(0xc0 | (cp >> 6)));
		sb_addch(sb, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		sb_addch(sb, (int)(0xe0 | (cp >> 12)));
		sb_addch(sb, (int)(0x80 | ((cp >> 6) & 0x3f)));
		sb_addch(sb, (int)(0x80 | (cp & 0x3f)));
	} else {
		sb_addch(sb, (int)(0xf0 | (cp >> 18)));
		sb_addch(sb, (int)(0x80 | ((cp >> 12) & 0x3f)));
		sb_addch(sb, (int)(0x80 | ((cp >> 6) & 0x3f)));
		sb_addch(sb, (int)(0x80 | (cp & 0x3f)));
	}
}

/*
 * Read a string at rd->p into SB (decoded, NULs kept).  Raw control
 * characters, unknown escapes and lone surrogates are malformed.
 */
static int
json_read_string(struct json_rd *rd, struct strbuf *sb)
{
	const char	*p = rd->p;
	unsigned int	 cp, lo;

	sb_reset(sb);
	if (*p != '"')
		return -1;
	p++;
	for (;;) {
		if (*p == '"')
			break;
		if (*p == '\0' || (unsigned char)*p < 0x20)
			return -1;
		if (*p != '\\') {
			sb_addch(sb, *p++);
			continue;
		}
		p++;
		switch (*p) {
		case '"':
		case '\\':
		case '/':
			sb_addch(sb, *p);
			break;
		case 'b':
			sb_addch(sb, '\b');
			break;
		case 'f':
			sb_addch(sb, '\f');
			break;
		case 'n':
			sb_addch(sb, '\n');
			break;
		case 'r':
			sb_addch(sb, '\r');
			break;
		case 't':
			sb_addch(sb, '\t');
			break;
		case 'u':
			if (json_hex4(p + 1, &cp) != 0)
				return -1;
			p += 4;
			if (cp >= 0xdc00 && cp <= 0xdfff)
				return -1;
			if (cp >= 0xd800 && cp <= 0xdbff) {
				if (p[1] != '\\' || p[2] != 'u' ||
				    json_hex4(p + 3, &lo) != 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return -1;
				p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			}
			json_add_utf8(sb, cp);
			break;
		default:
			return -1;
		}
		p++;
	}
	rd->p = p + 1;
	return 0;
}

/* Read a number as its text (the JSON grammar exactly) into SB. */
static int
json_read_number(struct json_rd *rd, struct strbuf *sb)
{
	const char	*p = rd->p;

	if (*p == '-')
		p++;
	if (*p == '0')
		p++;
	else if (*p >= '1' && *p <= '9') {
		while (*p >= '0' && *p <= '9')
			p++;
	} else
		return -1;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p == 'e' || *p == 'E') {
		p++;
		if (*p == '+' || *p == '-')
			p++;
		if (*p < '0' || *p > '9')
			return -1;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	sb_reset(sb);
	sb_add(sb, rd->p, (size_t)(p - rd->p));
	rd->p = p;
	return 0;
}

static int
json_read_word(struct json_rd *rd, const char *word)
{
	size_t	len = strlen(word);

	if (strncmp(rd->p, word, len) != 0)
		return -1;
	rd->p += len;
	return 0;
}

/*
 * Read one scalar member value.  *ISNULL is set for null; otherwise SB holds
 * the decoded string or the literal text of a number or boolean.
 */
static int
json_read_scalar(struct json_rd *rd, struct strbuf *sb, int *isnull)
{
	*isnull = 0;
	switch (*rd->p) {
	case '"':
		return json_read_string(rd, sb);
	case 'n':
		*isnull = 1;
		return json_read_word(rd, "null");
	case 't':
		sb_reset(sb);
		sb_addstr(sb, "true");
		return json_read_word(rd, "true");
	case 'f':
		sb_reset(sb);
		sb_addstr(sb, "false");
		return json_read_word(rd, "false");
	default:
		return json_read_number(rd, sb);
	}
}

void
json_obj_free(struct json_obj *obj)
{
	int	i;

	if (obj == NULL)
		return;
	for (i = 0; i < obj->n; i++) {
		free(obj->kv[i].key);
		free(obj->kv[i].value);
	}
	free(obj->kv);
	obj->kv = NULL;
	obj->n = 0;
}

/* Parse TEXT as a flat object into OBJ; -1 (OBJ empty) on malformed input. */
int
json_parse_object(const char *text, struct json_obj *obj)
{
	struct json_rd	 rd;
	struct strbuf	 key = STRBUF_INIT, val = STRBUF_INIT;
	struct json_kv	*kv;
	int		 cap = 0, isnull, rc = -1;

	obj->n = 0;
	obj->kv = NULL;
	if (text == NULL)
		goto out;
	rd.p = text;
	json_skip_ws(&rd);
	if (*rd.p++ != '{')
		goto out;
	json_skip_ws(&rd);
	if (*rd.p == '}')
		rd.p++;
	else {
		for (;;) {
			json_skip_ws(&rd);
			if (json_read_string(&rd, &key) != 0)
				goto out;
			json_skip_ws(&rd);
			if (*rd.p++ != ':')
				goto out;
			json_skip_ws(&rd);
			if (json_read_scalar(&rd, &val, &isnull) != 0)
				goto out;
			if (obj->n == cap) {
				cap = cap == 0 ? 8 : cap * 2;
				obj->kv = xreallocarray(obj->kv, (size_t)cap,
				    sizeof *obj->kv);
			}
			kv = &obj->kv[obj->n++];
			kv->key = xstrndup(sb_str(&key), key.len);
			if (isnull) {
				kv->value = NULL;
				kv->len = 0;
			} else {
				kv->len = val.len;
				kv->value = xmalloc(val.len + 1);
				memcpy(kv->value, sb_str(&val), val.len + 1);
			}
			json_skip_ws(&rd);
			if (*rd.p == '}') {
				rd.p++;
				break;
			}
			if (*rd.p++ != ',')
				goto out;
		}
	}
	json_skip_ws(&rd);
	if (*rd.p != '\0')
		goto out;
	rc = 0;
out:
	if (rc != 0)
		json_obj_free(obj);
	sb_free(&key);
	sb_free(&val);
	return rc;
}

const struct json_kv *
json_obj_get(const struct json_obj *obj, const char *key)
{
	int	i;

	for (i = 0; i < obj->n; i++) {
		if (strcmp(obj->kv[i].key, key) == 0)
			return &obj->kv[i];
	}
	return NULL;
}

/*
 * Parse TEXT as an array of strings.  *OUT is NULL-terminated and *N the
 * count; the caller frees each string and the array.  -1 on malformed input
 * (*OUT NULL, *N 0).
 */
int
json_parse_str_array(const char *text, char ***out, int *n)
{
	struct json_rd	  rd;
	struct strbuf	  sb = STRBUF_INIT;
	char		**v = NULL;
	int		  count = 0, cap = 4, rc = -1, i;

	*out = NULL;
	*n = 0;
	if (text == NULL)
		goto out;
	v = xcalloc((size_t)cap + 1, sizeof *v);
	rd.p = text;
	json_skip_ws(&rd);
	if (*rd.p++ != '[')
		goto out;
	json_skip_ws(&rd);
	if (*rd.p == ']')
		rd.p++;
	else {
		for (;;) {
			json_skip_ws(&rd);
			if (json_read_string(&rd, &sb) != 0)
				goto out;
			if (count == cap) {
				cap *= 2;
				v = xreallocarray(v, (size_t)cap + 1,
				    sizeof *v);
			}
			v[count++] = xstrndup(sb_str(&sb), sb.len);
			v[count] = NULL;
			json_skip_ws(&rd);
			if (*rd.p == ']') {
				rd.p++;
				break;
			}
			if (*rd.p++ != ',')
				goto out;
		}
	}
	json_skip_ws(&rd);
	if (*rd.p != '\0')
		goto out;
	*out = v;
	*n = count;
	v = NULL;
	rc = 0;
out:
	if (v != NULL) {
		for (i = 0; i < count; i++)
			free(v[i]);
		free(v);
	}
	sb_free(&sb);
	return rc;
}
