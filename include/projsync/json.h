/*
 * projsync - json.h: a small JSON writer (for --json output and the rows kept
 * in the history) and a reader for the flat objects and string arrays the
 * history stores.  Strings are written as UTF-8 with the escapes RFC 8259
 * requires; bytes that are not valid UTF-8 are written as \u00XX of each byte
 * so the output is always valid JSON.
 */
#ifndef PROJSYNC_JSON_H
#define PROJSYNC_JSON_H

#include "projsync/common.h"

struct json_w {
	struct strbuf	 sb;
	int		 depth;
	unsigned char	 first[64];	/* per depth: nothing written yet */
	int		 after_key;	/* a key was just written */
	int		 pretty;	/* indent with two spaces */
};

void	json_init(struct json_w *, int pretty);
void	json_free(struct json_w *);
void	json_obj_begin(struct json_w *);
void	json_obj_end(struct json_w *);
void	json_arr_begin(struct json_w *);
void	json_arr_end(struct json_w *);
void	json_key(struct json_w *, const char *);
void	json_str(struct json_w *, const char *);	/* NULL writes null */
void	json_strn(struct json_w *, const char *, size_t);
void	json_int(struct json_w *, int64_t);
void	json_double(struct json_w *, double);	/* %.17g-free: shortest */
void	json_bool(struct json_w *, int);
void	json_null(struct json_w *);
void	json_raw(struct json_w *, const char *);	/* already JSON; NULL→null */
/* Write one quoted, escaped JSON string to SB. */
void	json_quote(struct strbuf *, const char *, size_t);

/*
 * A parsed flat JSON object: string, number, boolean or null members only
 * (numbers and booleans are kept as their text).  Values are NUL-terminated;
 * a JSON null has value NULL.
 */
struct json_kv {
	char	*key;
	char	*value;
	size_t	 len;
};
struct json_obj {
	int		 n;
	struct json_kv	*kv;
};
/* Parse TEXT as a flat object; -1 on malformed input.  Free with json_obj_free. */
int	json_parse_object(const char *, struct json_obj *);
void	json_obj_free(struct json_obj *);
const struct json_kv *json_obj_get(const struct json_obj *, const char *);
/* Parse a JSON array of strings; -1 on malformed input.  Free each and the array. */
int	json_parse_str_array(const char *, char ***, int *);

#endif
