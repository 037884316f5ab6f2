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
 *   text, other  the bytes as stored (UTF-8); nothing trimmed
 *   json         minified, object members sorted by name (the last of
 *                duplicate names kept, as jsonb does), strings with the
 *                fewest escapes, numbers as canonical decimals; a text that
 *                is not JSON is kept as it is
 *   binary       the raw bytes (may contain NUL)
 *   date         YYYY-MM-DD
 *   time         HH:MM:SS[.ffffff], trailing fraction zeros dropped
 *   timestamp    YYYY-MM-DD HH:MM:SS[.ffffff] (a "T" becomes " ", trailing
 *                fraction zeros dropped; a bare date gets 00:00:00)
 *   timestamptz  the same in UTC followed by "+00" ("...+02:00" converted)
 *   uuid         lowercase 8-4-4-4-12 hex
 *
 * Also accepted: decimal "NaN", "Infinity", "-Infinity" (-> "nan", "inf",
 * "-inf", as PostgreSQL numeric prints them); date and timestamps
 * "infinity" and "-infinity" (kept as such); time up to +-838:59:59 (a
 * MySQL TIME is a duration).  Years are 0000..9999, fractions of a second
 * at most 9 digits.  Dates read YYYY-M-D or YYYY/M/D; timestamps take a ' '
 * or 'T' before the time, HH:MM with no seconds, and a zone (Z, +HH,
 * +HHMM, +HH:MM, +HH:MM:SS, after an optional space), which is applied:
 * a timestamp with a zone is converted to UTC as timestamptz is, and a
 * timestamptz without one is taken as UTC (sessions run in UTC).  Nothing
 * is trimmed: surrounding spaces make a number or a date invalid.
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
/*
 * Read a decimal or float text (any form value_canon accepts for float) as
 * a double: 0, or -1 when it is not one or overflows.  "nan" and the
 * infinities read as such.
 */
int	value_parse_float(const char *, size_t, double *);
/* Canonical float text of a double (shortest round trip). */
void	value_canon_double(double, struct strbuf *);
/*
 * Canonical decimal text of a double as SQLite shows a REAL: rounded to 15
 * significant digits ("%.15g"), then canonical ("12.0" -> "12").
 */
void	value_canon_decimal_double(double, struct strbuf *);
/* Canonical integer text of an int64 / uint64. */
void	value_canon_int64(int64_t, struct strbuf *);
void	value_canon_uint64(uint64_t, struct strbuf *);
/*
 * Microseconds since the epoch (UTC) of a canonical date, timestamp or
 * timestamptz; an integer is taken as epoch seconds.  -1 if not such a value.
 * Fraction digits past the sixth are dropped; "infinity" gives -1.
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
/*
 * The encoding, column after column (each column's bytes are prefix-free,
 * so a composite key orders column by column):
 *
 *   integer   0x00 and the int64 as 8 bytes big-endian when negative, else
 *             0x01 and the uint64 big-endian
 *   decimal   a tag 01 -inf, 02 negative, 03 zero, 04 positive, 05 inf,
 *             06 NaN; non-zero finite values add the exponent E (value =
 *             0.D x 10^E) as 4 bytes big-endian biased by 2^31, the digits
 *             D as '0'..'9' and 0x00, all inverted for negatives
 *   float     the IEEE bits big-endian, all flipped when negative, else the
 *             sign bit set (NaN above inf, as PostgreSQL sorts it)
 *   boolean   one byte, 0 false, 1 true
 *   time      as integer, of the signed nanoseconds (MySQL durations)
 *   others    the canonical bytes, 0x00 written 0x00 0xff, then 0x00 0x00
 *             ("a" < "a\0" < "ab")
 *
 * The error names the key column by position ("key column 2 is NULL"); the
 * caller may prefix the table.
 */
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
 * Each cell is hashed as its length (8 bytes little-endian, all ones for
 * NULL) then its bytes; OUT is XXH128's canonical (big-endian) form, so the
 * digests kept in the history are the same on every machine.
 */
#define DIGEST_LEN 16
void	 row_digest(const struct row *, int from, int n, uint64_t seed,
	    unsigned char out[DIGEST_LEN]);
/*
 * A seed from column names, so a changed column list changes digests
 * (XXH3-64 over each name followed by a NUL).
 */
uint64_t digest_seed(char *const *names, int n);

/* Append one cell as JSON (string or null; binary as "\\x" + hex). */
void	value_json(const struct row *, int, enum type_family, struct strbuf *);
/* Append one cell for people: NULL, text, binary as \x + hex. */
void	value_display(const struct row *, int, enum type_family, struct strbuf *);

#endif
