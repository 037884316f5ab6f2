/*
 * projsync - schema.h: the engine-independent table model that every driver's
 * describe() fills, and the comparison of two sides (SPEC section 6).
 */
#ifndef PROJSYNC_SCHEMA_H
#define PROJSYNC_SCHEMA_H

#include "projsync/common.h"
#include "projsync/value.h"

struct column_def {
	char		*name;
	char		*type_name;	/* as declared: "varchar(100)", "INTEGER" */
	enum type_family family;
	int		 length;	/* text/binary max length; -1 unbounded */
	int		 precision;	/* decimal: digits; integer: storage bytes (1, 2, 3, 4, 8); -1 unknown */
	int		 scale;		/* decimal scale, or fractional-second digits; -1 unknown */
	int		 nullable;
	char		*default_expr;	/* NULL when none (SQL text otherwise) */
	int		 is_unsigned;
	int		 autoincrement;	/* rowid alias, serial, identity, AUTO_INCREMENT */
};

struct index_def {
	char	 *name;
	int	  unique;
	int	  ncols;
	char	**cols;
};

struct fk_def {
	char	 *name;		/* may be NULL */
	int	  ncols;
	char	**cols;
	char	 *ref_table;
	char	**ref_cols;	/* NULL entries: the parent's primary key */
};

struct table_def {
	char		 *schema;	/* NULL for SQLite */
	char		 *name;
	int		  ncols;
	struct column_def *cols;
	int		  npk;
	char		**pk;		/* primary key columns, in key order */
	int		  nidx;
	struct index_def *idx;
	int		  nfk;
	struct fk_def	 *fks;
};

void	table_def_free(struct table_def *);	/* frees members, zeroes */
int	table_def_col(const struct table_def *, const char *);	/* index or -1 */
/* Deep copy. */
void	table_def_copy(struct table_def *, const struct table_def *);

/*
 * Choose the key of a table: KEY_COLUMNS (from the configuration) if given,
 * else the primary key, else the first unique index whose columns are all NOT
 * NULL.  Fills *NAMES (strdup'd, free with util_strv_free) and returns the
 * count, or -1 with PS_ERR_NO_KEY naming the table.
 */
int	table_def_key(const struct table_def *, char *const *key_columns,
	    int nkey_columns, char ***names, struct ps_error *);

enum schema_sev {
	SEV_MINOR,	/* migratable */
	SEV_MAJOR	/* the table is skipped while validation is on */
};

enum schema_item_kind {
	SI_TABLE_MISSING,	/* the table is absent on SIDE */
	SI_COLUMN_MISSING,	/* COLUMN is absent on SIDE */
	SI_TYPE_NARROWER,	/* SIDE's type is narrower, same family */
	SI_FAMILY_MISMATCH,
	SI_PK_DIFFERS,
	SI_NOT_NULL_UNFILLABLE	/* SIDE has a NOT NULL column without default the other cannot fill */
};

enum schema_side { SIDE_SOURCE = 0, SIDE_TARGET = 1 };

struct schema_item {
	enum schema_item_kind	 kind;
	enum schema_sev		 sev;
	enum schema_side	 side;	/* the side that lacks or is narrower */
	char			*column;	/* NULL for table-level items */
	char			*detail;	/* one line for people */
};

struct schema_diff {
	char			*table;
	int			 n;
	struct schema_item	*items;
	int			 major;	/* any item is major */
};

/*
 * Compare SRC and DST (either may be NULL: absent).  Only differences that
 * would stop data flowing in the sync's direction count: one-way checks what
 * the target lacks; BIDIRECTIONAL checks both sides.  A wider side is no
 * difference.  Fills OUT (free with schema_diff_free).
 */
void	schema_compare(const char *table, const struct table_def *src,
	    const struct table_def *dst, int bidirectional,
	    struct schema_diff *out);
void	schema_diff_free(struct schema_diff *);
const char *schema_item_kind_name(enum schema_item_kind);	/* "column_missing" */
const char *schema_sev_name(enum schema_sev);	/* "minor", "major" */
const char *schema_side_name(enum schema_side);	/* "source" */

#endif
