/*
 * projsync - value.h: type families, canonical values, rows, key encoding
 * and row digests.
 *
 * Every driver turns what its engine returns into one canonical text (or
 * byte) form per type family, so the same logical value is the same bytes on
 * every engine:
 *
 *   integer      -?[1-9][0-9]* or 0               ("007" -> "7", "-0" -> "0")
 *   decimal      no leading zeros, no trailing fraction zeros, no "." when
 *                whole, "0" for zero: "1.50" -> "1.5", "-0.0" -> "0",
 *                ".5" -> "0.5", "1e3" -> "1000"
 *   float        the shortest decimal that reads back to the same double
 *                ("%.15g".."%.17g"), "inf", "-inf", "nan"; -0 -> "0"
 *   boolean      "true" or "false" (from 1/0, t/f, true/false, yes/no, on/off)
 *   text, json, other   the bytes as stored (UTF-8); nothing trimmed
 *   binary       the raw bytes (may contain NUL)
 *   date         YYYY-MM-DD
 *   time         HH:MM:SS[.ffffff], trailing fraction zeros dropped
 *   timestamp    YYYY-MM-DD HH:MM:SS[.ffffff] (a "T" becomes " ", trailing
 *                fraction zeros dropped; a bare date gets 00:00:00)
 *   timestamptz  the same in UTC followed by "+00" ("...+02:00" converted)
 *   uuid         lowercase 8-4-4-4-12 hex
 */
#ifndef PROJSYNC_VALUE_H
#define PROJSYNC_VALUE_H

#include "projsync/common.h"

enum type_family {
	TF_INTEGER,
	TF_DECIMAL,
	TF_FLOAT,
	TF_BOOLEAN,
	TF_TEXT,
	TF_BINARY,
	TF_DATE,
	TF_TIME,
	TF_TIMESTAMP,
	TF_TIMESTAMPTZ,
	TF_JSON,
	TF_UUID,
	TF_OTHER,
	TF__COUNT
};

const char	*tf_name(enum type_family);	/* "integer", "timestamp with time zone" */
int		 tf_from_name(const char *);	/* -1 if unknown */

/*
 * Turn IN (LEN bytes, the engine's text form) into the canonical form of
 * FAM, appended to OUT.  Returns 0, or -1 with PS_ERR_VALUE naming the value
 * and the family when it cannot be read as one.
 */
int	value_canon(enum type_family, const char *, size_t, struct strbuf *,
	    struct ps_error *);
/* Canonical float text of a double (shortest round trip). */
void	value_canon_double(double, struct strbuf *);
/* Canonical integer text of an int64 / uint64. */
void	value_canon_int64(int64_t, struct strbuf *);
void	value_canon_uint64(uint64_t, struct strbuf *);
/*
 * Microseconds since the epoch (UTC) of a canonical date, timestamp or
 * timestamptz; an integer is taken as epoch seconds.  -1 if not such a value.
 */
int	value_epoch_us(enum type_family, const char *, size_t, int64_t *);

/*
 * A row: NCOLS cells whose bytes live in one buffer.  Each value is followed
 * by a NUL in the buffer, so text can be read as a C string; binary values
 * use row_len().  Cells are NULL until set.
 */
struct rowcell {
	size_t	off;
	size_t	len;
	int	null;
};
struct row {
	int		 ncols;
	struct rowcell	*cells;
	struct strbuf	 data;
};

void	 row_init(struct row *, int);	/* NCOLS cells, all NULL */
void	 row_reset(struct row *);	/* all NULL again, keeps memory */
void	 row_free(struct row *);
void	 row_set(struct row *, int, const void *, size_t);
void	 row_set_str(struct row *, int, const char *);
void	 row_set_null(struct row *, int);
void	 row_copy(struct row *, const struct row *);	/* DST may be fresh (zeroed) */
/* Convert IN with value_canon() into cell I; -1 on a bad value. */
int	 row_set_canon(struct row *, int, enum type_family, const char *,
	    size_t, struct ps_error *);
static inline int
row_null(const struct row *r, int i)
{
	return r->cells[i].null;
}
static inline const char *
row_ptr(const struct row *r, int i)
{
	return r->cells[i].null ? NULL : r->data.buf + r->cells[i].off;
}
static inline size_t
row_len(const struct row *r, int i)
{
	return r->cells[i].len;
}
/* Cells FROM..FROM+N-1 of A and B hold the same bytes (NULL = NULL). */
int	 row_equal_range(const struct row *, const struct row *, int, int);

/*
 * Key encoding: the first NKEY cells of a row, encoded so that memcmp() of two
 * encodings orders keys the way the databases are asked to order them
 * (integers and decimals by value, floats by value, everything else by its
 * canonical bytes as in COLLATE "C" / BINARY).  Appends to OUT.  Returns -1
 * with PS_ERR_VALUE when a key cell is NULL or unreadable.
 */
int	key_encode(const struct row *, int nkey, const enum type_family *,
	    struct strbuf *, struct ps_error *);
/* memcmp order of two encoded keys. */
int	key_cmp(const void *, size_t, const void *, size_t);
/*
 * Key as a JSON object {"col": "value", ...} for people and the history.
 */
void	key_json(const struct row *, int nkey, char *const *names,
	    const enum type_family *, struct strbuf *);

/*
 * Row digest: 16 bytes (XXH3-128) over cells FROM..FROM+N-1, with SEED
 * standing for the column list (see digest_seed).  NULL and empty differ.
 */
#define DIGEST_LEN 16
void	 row_digest(const struct row *, int from, int n, uint64_t seed,
	    unsigned char out[DIGEST_LEN]);
/* A seed from column names, so a changed column list changes digests. */
uint64_t digest_seed(char *const *names, int n);

/* Append one cell as JSON (string or null; binary as "\\x" + hex). */
void	value_json(const struct row *, int, enum type_family, struct strbuf *);
/* Append one cell for people: NULL, text, binary as \x + hex. */
void	value_display(const struct row *, int, enum type_family, struct strbuf *);

#endif
