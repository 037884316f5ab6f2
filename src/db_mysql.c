/*
 * projsync - db_mysql.c: the MySQL/MariaDB driver (const struct db_ops
 * db_mysql_ops) on MariaDB Connector/C or libmysqlclient: DSNs and option
 * files, two sessions per connection, describing tables from
 * information_schema, scans in key order into canonical values, set-based
 * writes of change batches, rendering them as SQL, and DDL from the
 * engine-independent table model.
 *
 * Decisions, in one place:
 *
 * - Two sessions.  A result read with mysql_use_result() occupies its
 *   session until the last row, and the engine writes while it reads, so
 *   full scans stream on a second, reader session opened at connect time
 *   with the same parameters (it sees committed data only).  Everything else
 *   (writes, transactions, catalogue queries, DDL, and key_eq scans, which
 *   return one row and are read whole) runs on the main session.  The
 *   password is handed to the library for the two connects and then wiped
 *   from the driver's copies and the library's own.  A scan freed before its
 *   end is stopped with KILL QUERY from the main session (same user), so
 *   the reader does not read the rest of the table to become free again.
 *
 * - Sessions: utf8mb4 (client character set and SET NAMES), time_zone
 *   '+00:00', sql_mode STRICT_ALL_TABLES (a value too long or out of range
 *   is an error, never a silent truncation), NO_AUTO_VALUE_ON_ZERO (a key 0
 *   is written as 0, not as the next AUTO_INCREMENT value) and
 *   NO_ENGINE_SUBSTITUTION.  NO_BACKSLASH_ESCAPES stays off: values are
 *   escaped by mysql_real_escape_string(), which follows the session's
 *   mode either way, and rendered SQL therefore expects a client with
 *   backslash escapes on (the default).  The main session runs with
 *   FOREIGN_KEY_CHECKS=0: projsync orders its writes itself (parents first,
 *   children first for deletes), but InnoDB checks foreign keys row by row
 *   inside one multi-row statement, so a batch holding a parent and its
 *   child in one INSERT would otherwise depend on their order in the
 *   batch, and a self-referencing table could not be written at all.
 *   Rows whose parent is missing on the target are therefore not refused
 *   by MySQL.  The reader's net_write_timeout is raised to a day, since the
 *   engine may leave a streaming scan unread while it writes.  Client read
 *   and write timeouts are an hour and ten minutes: they only catch a dead
 *   server or network (connecting is bounded by timeout_s).  Option files
 *   are read (group [client]), so ~/.my.cnf may give the password, and
 *   they override the driver's own timeouts.  ssl-mode REQUIRED and above
 *   refuse a session that is not encrypted.
 *
 * - Key order and key equality are by bytes, as key_encode() orders: text,
 *   JSON, other and uuid key columns are ordered by CAST(k AS BINARY)
 *   (MariaDB's UUID sorts by a different order of its groups, ENUM by
 *   member position; utf8mb4_bin is PAD SPACE), except for strings whose
 *   collation already compares bytes (binary, *_nopad_bin, *_0900_bin in
 *   UTF-8), where the index order is used.  Every WHERE on a key of a
 *   folding collation adds CAST(k AS BINARY) = CAST('v' AS BINARY), so a
 *   case-insensitive or PAD SPACE collation never lets a write touch
 *   another key.
 *
 * - Writes: a batch of one runs plain statements (INSERT; UPDATE, then
 *   INSERT when it matched no row; DELETE), so a failure names its row.
 *   Larger batches, when the key is the primary key or a unique index of
 *   NOT NULL columns, run as multi-row INSERT ... ON DUPLICATE KEY UPDATE
 *   (inserts and updates alike) and DELETE ... WHERE k IN (...), split
 *   under max_allowed_packet.  ON DUPLICATE KEY would update whichever row
 *   holds the duplicate, of any unique index and under the collation's
 *   equality, so its first assignment sets the first key column to NULL
 *   (an error on a NOT NULL column in strict mode) unless the row found
 *   has byte for byte the key being written: the statement then fails,
 *   *failed is SIZE_MAX, and the engine's retry row by row reports the row
 *   with a plain statement.  (The guard column is never a TIMESTAMP, where
 *   NULL may mean "now".)  Keys without such an index are written row by
 *   row.  A duplicate-key error of a single row looks for the row the
 *   collation folds together with the key and names both keys.
 *
 * - Types (describe, and DDL spelling them back): tinyint(1) and BOOLEAN
 *   boolean; integers by storage bytes (year is an integer of 2); decimal;
 *   float (4) and double (8) float; text for char and varchar (their
 *   length), enum and set (their longest member), TINYTEXT, TEXT and
 *   MEDIUMTEXT (255, 65535, 16777215) and LONGTEXT (unbounded, -1), so
 *   TEXT is narrower than LONGTEXT or PostgreSQL text; binary likewise;
 *   date; time(n); datetime(n) timestamp; timestamp(n) timestamptz
 *   (stored in UTC, and the session is UTC); json (MariaDB: a LONGTEXT
 *   with a json_valid() CHECK); MariaDB's uuid; bit, geometry and the rest
 *   other.  A FLOAT is read as a double (the server
 *   prints FLOAT with 6 digits, which loses values) and given as the
 *   shortest text of the 4-byte float, as PostgreSQL prints a real.
 *
 * - DDL: InnoDB, utf8mb4 with a binary NO PAD collation (MariaDB
 *   utf8mb4_nopad_bin, MySQL 8 utf8mb4_0900_bin), so created tables compare
 *   keys as PostgreSQL's "C" and SQLite do.  Text is VARCHAR(n) while the
 *   row's 65,535-byte VARCHAR budget allows (shortest first), else the
 *   first of TEXT, MEDIUMTEXT, LONGTEXT whose length as describe() reads
 *   it (65535, 16777215, unbounded) is at least n; a key or unique text
 *   column must be a VARCHAR: its length when at most 768 (3,072 index
 *   bytes), else VARCHAR(255) (longer keys fail as row errors).  ADD and
 *   MODIFY COLUMN, which do not see the row, use VARCHAR up to 255 and
 *   TEXT types above, and keep a widened column's character set and
 *   collation.  Binary likewise.  A decimal without precision becomes
 *   DECIMAL(65,30): 35 digits before the point and 30 after (a value with
 *   more fraction digits is rounded by MySQL).  timestamp becomes
 *   DATETIME(n) and timestamptz TIMESTAMP(n) (6 when unknown): TIMESTAMP
 *   is MySQL's only type that describe() can read back as timestamptz,
 *   at the price of its range (1970 to 2038; other values fail as row
 *   errors).  uuid needs MariaDB 10.7.  json is JSON.
 *
 * - cancel() calls mariadb_cancel() on both sessions: it shuts their
 *   sockets down from any thread without credentials (KILL QUERY would
 *   need a new login, and so the password kept).  The server rolls the
 *   open transaction back when it sees the connection gone; the db_conn is
 *   unusable afterwards.  Built on libmysqlclient, cancel() is not
 *   available and returns -1.
 *
 * - A table name "db.t" addresses table t of database db when the current
 *   database has no table named "db.t" and a database db exists; any other
 *   name is one table of the current database.
 */
#include "projsync/common.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <mysql.h>

#include "projsync/conf.h"
#include "projsync/db.h"
#include "projsync/util.h"

/* Server and client error numbers (the same on MySQL and MariaDB). */
#define MY_ER_DUP_KEY			1022
#define MY_ER_DBACCESS_DENIED		1044
#define MY_ER_ACCESS_DENIED		1045
#define MY_ER_BAD_NULL			1048
#define MY_ER_BAD_DB			1049
#define MY_ER_DUP_ENTRY			1062
#define MY_ER_NO_SUCH_TABLE		1146
#define MY_ER_NET_PACKET_TOO_LARGE	1153
#define MY_ER_DUP_UNIQUE		1169
#define MY_ER_NO_REFERENCED_ROW		1216
#define MY_ER_ROW_IS_REFERENCED		1217
#define MY_ER_NOT_SUPPORTED_AUTH_MODE	1251
#define MY_ER_WARN_DATA_OUT_OF_RANGE	1264
#define MY_ER_WARN_DATA_TRUNCATED	1265
#define MY_ER_TRUNCATED_WRONG_VALUE	1292
#define MY_ER_QUERY_INTERRUPTED		1317
#define MY_ER_NO_DEFAULT_FOR_FIELD	1364
#define MY_ER_TRUNCATED_WRONG_VALUE_FOR_FIELD 1366
#define MY_ER_ILLEGAL_VALUE_FOR_TYPE	1367
#define MY_ER_DATA_TOO_LONG		1406
#define MY_ER_WRONG_VALUE_FOR_TYPE	1411
#define MY_ER_NO_DEFAULT_FOR_VIEW_FIELD	1423
#define MY_ER_ROW_IS_REFERENCED_2	1451
#define MY_ER_NO_REFERENCED_ROW_2	1452
#define MY_ER_FOREIGN_DUPLICATE_KEY	1557
#define MY_ER_DUP_ENTRY_WITH_KEY_NAME	1586
#define MY_ER_DATA_OUT_OF_RANGE		1690
#define MY_ER_ACCESS_DENIED_NO_PASSWORD	1698
#define MY_ER_FOREIGN_DUP_WITH_CHILD	1761
#define MY_ER_FOREIGN_DUP_WITHOUT_CHILD	1762
#define MY_ER_MUST_CHANGE_PASSWORD	1862
#define MY_ER_CONNECTION_KILLED		1927
#define MY_ER_INVALID_JSON_TEXT		3140	/* MySQL */
#define MY_ER_CHECK_CONSTRAINT_VIOLATED	3819	/* MySQL */
#define MY_ER_CONSTRAINT_FAILED		4025	/* MariaDB */
#define MY_CR_MIN			2000
#define MY_CR_MAX			2999

/* Session settings shared by both sessions. */
#define MY_SQL_MODE \
	"STRICT_ALL_TABLES,NO_AUTO_VALUE_ON_ZERO,NO_ENGINE_SUBSTITUTION"
#define MY_READ_TIMEOUT		3600
#define MY_WRITE_TIMEOUT	600
#define MY_READER_NET_WRITE_TIMEOUT 86400

/* Statement size when max_allowed_packet cannot be read, and the cap. */
#define MY_PACKET_DEFAULT	(4u << 20)
#define MY_PACKET_MAX		(64u << 20)

/* InnoDB: bytes of one index key; MySQL: bytes of a row's VARCHARs. */
#define MY_INDEX_BYTES		3072
#define MY_ROW_BYTES		65535

/* A DSN, parsed. */
struct my_dsn {
	char		*host;
	char		*user;
	char		*password;
	char		*database;
	char		*socket;
	unsigned int	 port;
	int		 ssl_mode;	/* enum my_ssl_mode */
	char		*ssl_ca;
	char		*ssl_capath;
	char		*ssl_cert;
	char		*ssl_key;
	char		*ssl_cipher;
	char		*ssl_crl;
	char		*ssl_crlpath;
	char		*tls_version;
};

enum my_ssl_mode {
	MY_SSL_DEFAULT,
	MY_SSL_DISABLED,
	MY_SSL_PREFERRED,
	MY_SSL_REQUIRED,
	MY_SSL_VERIFY_CA,
	MY_SSL_VERIFY_IDENTITY
};

/* A table reference: an optional database and the table's name. */
struct my_tref {
	char	*schema;	/* NULL: the current database */
	char	*name;
};

/* A unique index (or the primary key) as the driver needs it. */
struct my_uniq {
	int	  ncols;
	char	**cols;
};

/*
 * What writes and scans need to know of a table, cached per connection
 * until the next exec() (DDL).
 */
struct my_tinfo {
	char		*table;		/* as the caller named it */
	struct my_tref	 tr;
	int		 ncols;
	char		**cols;
	char		**charset;	/* NULL for columns without one */
	char		**collation;
	int		*notnull;
	char		**dtype;	/* DATA_TYPE: "varchar", "float" */
	int		 nuniq;
	struct my_uniq	*uniq;		/* the primary key first */
	struct my_tinfo	*next;
};

/* What db_conn->priv points to. */
struct my_conn {
	MYSQL		*db;		/* main session */
	MYSQL		*rd;		/* reader session, for full scans */
	struct db_cursor *rdcur;	/* the scan streaming on rd */
	char		*name;		/* the connection's name */
	int		 mariadb;
	unsigned long	 version;	/* 101119 for 10.11.19 */
	char		*version_str;	/* "MariaDB 10.11.19" */
	size_t		 max_packet;	/* statement size limit */
	struct my_tinfo	*tinfo;
	volatile int	 cancelled;
};

struct db_cursor {
	struct my_conn		*mc;	/* NULL once the connection closed */
	MYSQL			*db;	/* the session it reads from */
	MYSQL_RES		*res;
	int			 streaming;	/* mysql_use_result on the reader */
	char			*table;
	char			*conn;
	int			 ncols;
	char			**cols;
	enum type_family	*fam;
	int			*float4;	/* read as a double, see scan */
	int			 done;
	struct strbuf		 tmp;
};

static void	my_quote_ident(struct strbuf *, const char *);
static int	my_exec(struct db_conn *, const char *, struct ps_error *);

/* ---- small helpers ---- */

/* Overwrite S in place (a password) before it is freed. */
static void
my_wipe(char *s)
{
	volatile char	*p;

	if (s == NULL)
		return;
	for (p = s; *p != '\0'; p++)
		*p = '\0';
}

static void
my_tref_free(struct my_tref *tr)
{
	free(tr->schema);
	free(tr->name);
	tr->schema = tr->name = NULL;
}

/* Append the quoted, possibly database-qualified, table reference. */
static void
my_add_tref(struct strbuf *sb, const struct my_tref *tr)
{
	if (tr->schema != NULL) {
		my_quote_ident(sb, tr->schema);
		sb_addch(sb, '.');
	}
	my_quote_ident(sb, tr->name);
}

static void
my_quote_ident(struct strbuf *sb, const char *ident)
{
	const char	*p;

	sb_addch(sb, '`');
	for (p = ident; *p != '\0'; p++) {
		if (*p == '`')
			sb_addch(sb, '`');
		sb_addch(sb, *p);
	}
	sb_addch(sb, '`');
}

/* Append LEN bytes at P as a string literal escaped by the library. */
static void
my_add_string(struct strbuf *sb, MYSQL *db, const char *p, size_t len)
{
	unsigned long	n;

	sb_grow(sb, 2 * len + 3);
	sb->buf[sb->len++] = '\'';
	n = mysql_real_escape_string(db, sb->buf + sb->len, p,
	    (unsigned long)len);
	sb->len += n;
	sb->buf[sb->len++] = '\'';
	sb->buf[sb->len] = '\0';
}

/* Append S as a string literal with standard SQL quoting ('' inside). */
static void
my_add_std_string(struct strbuf *sb, const char *p, size_t len)
{
	size_t	i;

	sb_addch(sb, '\'');
	for (i = 0; i < len; i++) {
		if (p[i] == '\'')
			sb_addch(sb, '\'');
		sb_addch(sb, p[i]);
	}
	sb_addch(sb, '\'');
}

/* 1 when LEN bytes at P are -?[0-9]+ (at most 20 digits). */
static int
my_is_int(const char *p, size_t len)
{
	size_t	i = 0;

	if (len > 0 && p[0] == '-')
		i = 1;
	if (i == len || len - i > 20)
		return 0;
	for (; i < len; i++)
		if (!isdigit((unsigned char)p[i]))
			return 0;
	return 1;
}

/*
 * 1 when LEN bytes at P are a plain number MySQL reads as one literal:
 * -?digits[.digits], and with EXP an exponent e[+-]digits after it.
 */
static int
my_is_number(const char *p, size_t len, int exp)
{
	const char	*e = p + len;
	int		 digits = 0;

	if (p < e && *p == '-')
		p++;
	for (; p < e && isdigit((unsigned char)*p); p++)
		digits = 1;
	if (p < e && *p == '.') {
		for (p++; p < e && isdigit((unsigned char)*p); p++)
			digits = 1;
	}
	if (!digits)
		return 0;
	if (exp && p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			p++;
		if (p == e || !isdigit((unsigned char)*p))
			return 0;
		while (p < e && isdigit((unsigned char)*p))
			p++;
	}
	return p == e;
}

/* 1 for the families whose keys compare as bytes, not by value. */
static int
my_fam_bytes(enum type_family fam)
{
	return fam == TF_TEXT || fam == TF_BINARY || fam == TF_JSON ||
	    fam == TF_UUID || fam == TF_OTHER;
}

/* 1 for a character set whose bytes order as UTF-8 does. */
static int
my_charset_utf8(const char *cs)
{
	return cs != NULL && (strcmp(cs, "utf8mb4") == 0 ||
	    strcmp(cs, "utf8mb3") == 0 || strcmp(cs, "utf8") == 0 ||
	    strcmp(cs, "ascii") == 0);
}

/* 1 when a collation compares bytes: no case folding, no PAD SPACE. */
static int
my_collation_exact(const char *coll)
{
	size_t	len;

	if (coll == NULL)
		return 0;
	if (strcmp(coll, "binary") == 0)
		return 1;
	len = strlen(coll);
	return (len > 10 && strcmp(coll + len - 10, "_nopad_bin") == 0) ||
	    (len > 9 && strcmp(coll + len - 9, "_0900_bin") == 0);
}

/* ---- errors ---- */

/* The ps_err code of a failed statement's error number. */
static enum ps_err
my_err_code(struct my_conn *mc, unsigned int no)
{
	switch (no) {
	case MY_ER_DUP_KEY:
	case MY_ER_DUP_ENTRY:
	case MY_ER_DUP_ENTRY_WITH_KEY_NAME:
	case MY_ER_DUP_UNIQUE:
	case MY_ER_NO_REFERENCED_ROW:
	case MY_ER_ROW_IS_REFERENCED:
	case MY_ER_ROW_IS_REFERENCED_2:
	case MY_ER_NO_REFERENCED_ROW_2:
	case MY_ER_FOREIGN_DUPLICATE_KEY:
	case MY_ER_FOREIGN_DUP_WITH_CHILD:
	case MY_ER_FOREIGN_DUP_WITHOUT_CHILD:
	case MY_ER_BAD_NULL:
	case MY_ER_NO_DEFAULT_FOR_FIELD:
	case MY_ER_NO_DEFAULT_FOR_VIEW_FIELD:
	case MY_ER_CHECK_CONSTRAINT_VIOLATED:
	case MY_ER_CONSTRAINT_FAILED:
		return PS_ERR_CONSTRAINT;
	case MY_ER_DATA_TOO_LONG:
	case MY_ER_WARN_DATA_OUT_OF_RANGE:
	case MY_ER_WARN_DATA_TRUNCATED:
	case MY_ER_TRUNCATED_WRONG_VALUE:
	case MY_ER_TRUNCATED_WRONG_VALUE_FOR_FIELD:
	case MY_ER_ILLEGAL_VALUE_FOR_TYPE:
	case MY_ER_WRONG_VALUE_FOR_TYPE:
	case MY_ER_DATA_OUT_OF_RANGE:
	case MY_ER_INVALID_JSON_TEXT:
	case MY_ER_NET_PACKET_TOO_LARGE:
		return PS_ERR_VALUE;
	case MY_ER_QUERY_INTERRUPTED:
	case MY_ER_CONNECTION_KILLED:
		return PS_ERR_CANCELLED;
	case MY_ER_NO_SUCH_TABLE:
	case MY_ER_BAD_DB:
		return PS_ERR_NOT_FOUND;
	default:
		break;
	}
	if (no >= MY_CR_MIN && no <= MY_CR_MAX)
		return mc != NULL && mc->cancelled ? PS_ERR_CANCELLED :
		    PS_ERR_CONNECT;
	return PS_ERR_DB;
}

/*
 * Set ERR from session DB's last error: "connection 'C', table 'T': msg"
 * (TABLE may be NULL).
 */
static void
my_set_err(struct ps_error *err, struct my_conn *mc, MYSQL *db,
    const char *table)
{
	unsigned int	no;

	if (err == NULL)
		return;
	no = mysql_errno(db);
	if (table != NULL)
		ps_error_set(err, my_err_code(mc, no), "connection '%s', table "
		    "'%s': %s", mc->name, table, mysql_error(db));
	else
		ps_error_set(err, my_err_code(mc, no), "connection '%s': %s",
		    mc->name, mysql_error(db));
	err->native = (int)no;
	snprintf(err->sqlstate, sizeof err->sqlstate, "%s",
	    mysql_sqlstate(db));
}

/* ---- queries ---- */

/* Run SQL (LEN bytes) on DB; 0 or -1 (the error is on DB). */
static int
my_query(MYSQL *db, const char *sql, size_t len)
{
	return mysql_real_query(db, sql, (unsigned long)len) == 0 ? 0 : -1;
}

/*
 * Run a query that returns rows on the main session and read them all.
 * -1 with ERR set (naming TABLE when not NULL).
 */
static int
my_select(struct my_conn *mc, const struct strbuf *sql, const char *table,
    MYSQL_RES **res, struct ps_error *err)
{
	*res = NULL;
	if (my_query(mc->db, sql->buf, sql->len) != 0 ||
	    (*res = mysql_store_result(mc->db)) == NULL) {
		my_set_err(err, mc, mc->db, table);
		return -1;
	}
	return 0;
}

/* Append "'v'" for a catalogue value, or DATABASE() for NULL. */
static void
my_add_schema(struct strbuf *sb, MYSQL *db, const char *schema)
{
	if (schema == NULL)
		sb_addstr(sb, "DATABASE()");
	else
		my_add_string(sb, db, schema, strlen(schema));
}

/*
 * " WHERE TABLE_SCHEMA = ... AND TABLE_NAME = ..." for an information_schema
 * view whose schema column is SCOL.
 */
static void
my_add_is_where(struct strbuf *sb, MYSQL *db, const char *scol,
    const struct my_tref *tr)
{
	sb_addf(sb, " WHERE %s = ", scol);
	my_add_schema(sb, db, tr->schema);
	sb_addstr(sb, " AND TABLE_NAME = ");
	my_add_string(sb, db, tr->name, strlen(tr->name));
}

/*
 * Resolve TABLE into TR (allocated; free with my_tref_free).  "db.t" is
 * table t of database db when the current database holds no table "db.t"
 * and database db exists.  Returns 0, or -1 when the catalogue could not be
 * read.
 */
static int
my_tref(struct my_conn *mc, const char *table, struct my_tref *tr,
    struct ps_error *err)
{
	struct strbuf	 sql = STRBUF_INIT;
	MYSQL_RES	*res = NULL;
	MYSQL_ROW	 row;
	const char	*dot;
	int		 rc = -1;

	tr->schema = NULL;
	tr->name = NULL;
	if ((dot = strchr(table, '.')) == NULL || dot == table ||
	    dot[1] == '\0') {
		tr->name = xstrdup(table);
		return 0;
	}
	sb_addstr(&sql, "SELECT (SELECT COUNT(*) FROM information_schema."
	    "TABLES WHERE TABLE_SCHEMA = DATABASE() AND TABLE_NAME = ");
	my_add_string(&sql, mc->db, table, strlen(table));
	sb_addstr(&sql, "), (SELECT COUNT(*) FROM information_schema.SCHEMATA "
	    "WHERE SCHEMA_NAME = ");
	my_add_string(&sql, mc->db, table, (size_t)(dot - table));
	sb_addch(&sql, ')');
	if (my_select(mc, &sql, table, &res, err) != 0)
		goto out;
	row = mysql_fetch_row(res);
	if (row != NULL && row[0] != NULL && row[1] != NULL &&
	    strcmp(row[0], "0") == 0 && strcmp(row[1], "0") != 0) {
		tr->schema = xstrndup(table, (size_t)(dot - table));
		tr->name = xstrdup(dot + 1);
	} else
		tr->name = xstrdup(table);
	rc = 0;
out:
	if (res != NULL)
		mysql_free_result(res);
	sb_free(&sql);
	return rc;
}

/* ---- table information for writes and scans ---- */

static void
my_tinfo_free(struct my_tinfo *ti)
{
	int	i;

	if (ti == NULL)
		return;
	free(ti->table);
	my_tref_free(&ti->tr);
	util_strvn_free(ti->cols, ti->ncols);
	util_strvn_free(ti->charset, ti->ncols);
	util_strvn_free(ti->collation, ti->ncols);
	free(ti->notnull);
	util_strvn_free(ti->dtype, ti->ncols);
	for (i = 0; i < ti->nuniq; i++)
		util_strvn_free(ti->uniq[i].cols, ti->uniq[i].ncols);
	free(ti->uniq);
	free(ti);
}

static void
my_tinfo_clear(struct my_conn *mc)
{
	struct my_tinfo	*ti, *next;

	for (ti = mc->tinfo; ti != NULL; ti = next) {
		next = ti->next;
		my_tinfo_free(ti);
	}
	mc->tinfo = NULL;
}

/* The index of column NAME in TI, or -1. */
static int
my_tinfo_col(const struct my_tinfo *ti, const char *name)
{
	int	i;

	for (i = 0; i < ti->ncols; i++)
		if (strcmp(ti->cols[i], name) == 0)
			return i;
	return -1;
}

/* Read the columns and unique indexes of TI->tr. */
static int
my_tinfo_read(struct my_conn *mc, struct my_tinfo *ti, struct ps_error *err)
{
	struct strbuf	 sql = STRBUF_INIT;
	MYSQL_RES	*res = NULL;
	MYSQL_ROW	 row;
	struct my_uniq	*u = NULL;
	char		*last = NULL;
	int		 rc = -1, cap = 0, skip = 0;

	sb_addstr(&sql, "SELECT COLUMN_NAME, CHARACTER_SET_NAME, "
	    "COLLATION_NAME, IS_NULLABLE, TABLE_NAME, DATA_TYPE FROM "
	    "information_schema.COLUMNS");
	my_add_is_where(&sql, mc->db, "TABLE_SCHEMA", &ti->tr);
	sb_addstr(&sql, " ORDER BY ORDINAL_POSITION");
	if (my_select(mc, &sql, ti->table, &res, err) != 0)
		goto out;
	while ((row = mysql_fetch_row(res)) != NULL) {
		if (row[0] == NULL || row[4] == NULL ||
		    strcmp(row[4], ti->tr.name) != 0)
			continue;
		if (ti->ncols == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			ti->cols = xreallocarray(ti->cols, (size_t)cap,
			    sizeof *ti->cols);
			ti->charset = xreallocarray(ti->charset, (size_t)cap,
			    sizeof *ti->charset);
			ti->collation = xreallocarray(ti->collation,
			    (size_t)cap, sizeof *ti->collation);
			ti->notnull = xreallocarray(ti->notnull, (size_t)cap,
			    sizeof *ti->notnull);
			ti->dtype = xreallocarray(ti->dtype, (size_t)cap,
			    sizeof *ti->dtype);
		}
		ti->cols[ti->ncols] = xstrdup(row[0]);
		ti->charset[ti->ncols] = xstrdup(row[1]);
		ti->collation[ti->ncols] = xstrdup(row[2]);
		ti->notnull[ti->ncols] = row[3] != NULL &&
		    strcmp(row[3], "NO") == 0;
		ti->dtype[ti->ncols] = xstrdup(row[5] != NULL ? row[5] : "");
		ti->ncols++;
	}
	mysql_free_result(res);
	res = NULL;
	if (ti->ncols == 0) {
		ps_error_set(err, PS_ERR_NOT_FOUND, "table '%s' does not exist "
		    "on connection '%s'", ti->table, mc->name);
		goto out;
	}

	sb_reset(&sql);
	sb_addstr(&sql, "SELECT INDEX_NAME, COLUMN_NAME, SUB_PART, TABLE_NAME "
	    "FROM information_schema.STATISTICS");
	my_add_is_where(&sql, mc->db, "TABLE_SCHEMA", &ti->tr);
	sb_addstr(&sql, " AND NON_UNIQUE = 0 ORDER BY INDEX_NAME <> 'PRIMARY', "
	    "INDEX_NAME, SEQ_IN_INDEX");
	if (my_select(mc, &sql, ti->table, &res, err) != 0)
		goto out;
	while ((row = mysql_fetch_row(res)) != NULL) {
		if (row[0] == NULL || row[3] == NULL ||
		    strcmp(row[3], ti->tr.name) != 0)
			continue;
		if (last == NULL || strcmp(last, row[0]) != 0) {
			if (u != NULL && skip) {
				util_strvn_free(u->cols, u->ncols);
				ti->nuniq--;
			}
			free(last);
			last = xstrdup(row[0]);
			ti->uniq = xreallocarray(ti->uniq,
			    (size_t)ti->nuniq + 1, sizeof *ti->uniq);
			u = &ti->uniq[ti->nuniq++];
			memset(u, 0, sizeof *u);
			skip = 0;
		}
		/* A prefix or an expression does not make the column unique. */
		if (row[1] == NULL || row[2] != NULL) {
			skip = 1;
			continue;
		}
		u->cols = xreallocarray(u->cols, (size_t)u->ncols + 1,
		    sizeof *u->cols);
		u->cols[u->ncols++] = xstrdup(row[1]);
	}
	if (u != NULL && skip) {
		util_strvn_free(u->cols, u->ncols);
		ti->nuniq--;
	}
	rc = 0;
out:
	free(last);
	if (res != NULL)
		mysql_free_result(res);
	sb_free(&sql);
	return rc;
}

/* The cached information of TABLE, read on first use. */
static struct my_tinfo *
my_tinfo_get(struct my_conn *mc, const char *table, struct ps_error *err)
{
	struct my_tinfo	*ti;

	for (ti = mc->tinfo; ti != NULL; ti = ti->next)
		if (strcmp(ti->table, table) == 0)
			return ti;
	ti = xcalloc(1, sizeof *ti);
	ti->table = xstrdup(table);
	if (my_tref(mc, table, &ti->tr, err) != 0 ||
	    my_tinfo_read(mc, ti, err) != 0) {
		my_tinfo_free(ti);
		return NULL;
	}
	ti->next = mc->tinfo;
	mc->tinfo = ti;
	return ti;
}

/*
 * Whether key column NAME (family FAM) needs a byte comparison besides
 * "=": a character column whose collation folds case or pads spaces.
 * Without information (TI NULL, column unknown) it is assumed to.
 */
static int
my_col_folds(const struct my_tinfo *ti, const char *name,
    enum type_family fam)
{
	int	i;

	if (fam != TF_TEXT && fam != TF_JSON && fam != TF_OTHER)
		return 0;
	if (ti == NULL || (i = my_tinfo_col(ti, name)) < 0)
		return 1;
	if (ti->charset[i] == NULL)
		return 0;	/* not a character column */
	return !my_collation_exact(ti->collation[i]);
}

/* The character set of column NAME, or NULL. */
static const char *
my_col_charset(const struct my_tinfo *ti, const char *name)
{
	int	i;

	if (ti == NULL || (i = my_tinfo_col(ti, name)) < 0)
		return NULL;
	return ti->charset[i];
}

/* Append the bytes of column NAME as UTF-8: CAST(`k` AS BINARY). */
static void
my_add_col_bytes(struct strbuf *sb, const struct my_tinfo *ti,
    const char *name)
{
	const char	*cs = my_col_charset(ti, name);

	sb_addstr(sb, "CAST(");
	if (cs != NULL && !my_charset_utf8(cs)) {
		sb_addstr(sb, "CONVERT(");
		my_quote_ident(sb, name);
		sb_addstr(sb, " USING utf8mb4)");
	} else
		my_quote_ident(sb, name);
	sb_addstr(sb, " AS BINARY)");
}

/*
 * Whether the batch's key can be written with ON DUPLICATE KEY UPDATE:
 * the primary key or a unique index has exactly the key columns, and they
 * are all NOT NULL (the guard against updating another key sets one of
 * them to NULL).
 */
static int
my_tinfo_upsert_ok(const struct my_tinfo *ti, char *const *cols, int nkey)
{
	const struct my_uniq	*u;
	int			 i, k, j, found;

	for (i = 0; i < nkey; i++) {
		if ((j = my_tinfo_col(ti, cols[i])) < 0 || !ti->notnull[j])
			return 0;
	}
	for (k = 0; k < ti->nuniq; k++) {
		u = &ti->uniq[k];
		if (u->ncols != nkey)
			continue;
		found = 1;
		for (i = 0; i < nkey && found; i++) {
			found = 0;
			for (j = 0; j < u->ncols; j++)
				if (strcmp(u->cols[j], cols[i]) == 0)
					found = 1;
		}
		if (found)
			return 1;
	}
	return 0;
}

/* ---- DSN ---- */

static void
my_dsn_free(struct my_dsn *d)
{
	free(d->host);
	free(d->user);
	my_wipe(d->password);
	free(d->password);
	free(d->database);
	free(d->socket);
	free(d->ssl_ca);
	free(d->ssl_capath);
	free(d->ssl_cert);
	free(d->ssl_key);
	free(d->ssl_cipher);
	free(d->ssl_crl);
	free(d->ssl_crlpath);
	free(d->tls_version);
	memset(d, 0, sizeof *d);
}

/* Percent-decode LEN bytes at P; NULL when an escape is malformed. */
static char *
my_pct_decode(const char *p, size_t len)
{
	char	*out, *o;
	size_t	 i;
	int	 hi, lo;

	out = o = xmalloc(len + 1);
	for (i = 0; i < len; i++) {
		if (p[i] != '%') {
			*o++ = p[i];
			continue;
		}
		if (i + 2 >= len)
			goto bad;
		hi = isxdigit((unsigned char)p[i + 1]) ?
		    (isdigit((unsigned char)p[i + 1]) ? p[i + 1] - '0' :
		    (tolower((unsigned char)p[i + 1]) - 'a' + 10)) : -1;
		lo = isxdigit((unsigned char)p[i + 2]) ?
		    (isdigit((unsigned char)p[i + 2]) ? p[i + 2] - '0' :
		    (tolower((unsigned char)p[i + 2]) - 'a' + 10)) : -1;
		if (hi < 0 || lo < 0)
			goto bad;
		*o++ = (char)(hi * 16 + lo);
		i += 2;
	}
	*o = '\0';
	return out;
bad:
	free(out);
	return NULL;
}

/* 1 when KEY (LEN bytes) is NAME, '-' and '_' alike, any case. */
static int
my_key_is(const char *key, size_t len, const char *name)
{
	size_t	i;
	int	a, b;

	if (strlen(name) != len)
		return 0;
	for (i = 0; i < len; i++) {
		a = tolower((unsigned char)key[i]);
		b = (unsigned char)name[i];
		if (a == '_')
			a = '-';
		if (a != b)
			return 0;
	}
	return 1;
}

/*
 * Set DSN parameter KEY (KLEN bytes) to VALUE (taken over).  -1 with
 * PS_ERR_CONFIG for an unknown key or a bad value.
 */
static int
my_dsn_set(struct my_dsn *d, const char *conn, const char *key, size_t klen,
    char *value, struct ps_error *err)
{
	static const struct {
		const char	*name;
		size_t		 off;
	} strs[] = {
		{ "host", offsetof(struct my_dsn, host) },
		{ "user", offsetof(struct my_dsn, user) },
		{ "username", offsetof(struct my_dsn, user) },
		{ "password", offsetof(struct my_dsn, password) },
		{ "passwd", offsetof(struct my_dsn, password) },
		{ "pwd", offsetof(struct my_dsn, password) },
		{ "database", offsetof(struct my_dsn, database) },
		{ "dbname", offsetof(struct my_dsn, database) },
		{ "db", offsetof(struct my_dsn, database) },
		{ "socket", offsetof(struct my_dsn, socket) },
		{ "unix-socket", offsetof(struct my_dsn, socket) },
		{ "ssl-ca", offsetof(struct my_dsn, ssl_ca) },
		{ "ssl-capath", offsetof(struct my_dsn, ssl_capath) },
		{ "ssl-cert", offsetof(struct my_dsn, ssl_cert) },
		{ "ssl-key", offsetof(struct my_dsn, ssl_key) },
		{ "ssl-cipher", offsetof(struct my_dsn, ssl_cipher) },
		{ "ssl-crl", offsetof(struct my_dsn, ssl_crl) },
		{ "ssl-crlpath", offsetof(struct my_dsn, ssl_crlpath) },
		{ "tls-version", offsetof(struct my_dsn, tls_version) },
	};
	static const char *const modes[] = {
		"disabled", "preferred", "required", "verify-ca",
		"verify-identity"
	};
	char		**slot;
	long long	  port;
	size_t		  i;

	for (i = 0; i < nitems(strs); i++) {
		if (!my_key_is(key, klen, strs[i].name))
			continue;
		slot = (char **)(void *)((char *)d + strs[i].off);
		if (*slot != NULL && slot == &d->password)
			my_wipe(*slot);
		free(*slot);
		*slot = value;
		return 0;
	}
	if (my_key_is(key, klen, "port")) {
		if (util_parse_int(value, 1, 65535, &port) != 0) {
			ps_error_set(err, PS_ERR_CONFIG, "connection '%s': "
			    "bad port '%s' in the DSN (expected 1-65535)", conn,
			    value);
			free(value);
			return -1;
		}
		d->port = (unsigned int)port;
		free(value);
		return 0;
	}
	if (my_key_is(key, klen, "ssl-mode") ||
	    my_key_is(key, klen, "sslmode")) {
		for (i = 0; i < nitems(modes); i++) {
			if (my_key_is(value, strlen(value), modes[i])) {
				d->ssl_mode = MY_SSL_DISABLED + (int)i;
				free(value);
				return 0;
			}
		}
		ps_error_set(err, PS_ERR_CONFIG, "connection '%s': bad ssl-mode "
		    "'%s' in the DSN (expected DISABLED, PREFERRED, REQUIRED, "
		    "VERIFY_CA or VERIFY_IDENTITY)", conn, value);
		free(value);
		return -1;
	}
	ps_error_set(err, PS_ERR_CONFIG, "connection '%s': unknown DSN "
	    "parameter '%.*s' (expected host, port, user, password, database, "
	    "socket, ssl-mode, ssl-ca, ssl-capath, ssl-cert, ssl-key, "
	    "ssl-cipher, ssl-crl, ssl-crlpath or tls-version)", conn,
	    (int)klen, key);
	free(value);
	return -1;
}

/* Parse "mysql://user:pw@host:port/db?k=v&k=v" (REST follows "://"). */
static int
my_dsn_uri(struct my_dsn *d, const char *conn, const char *rest,
    struct ps_error *err)
{
	const char	*auth, *authend, *at = NULL, *p, *colon, *hend, *q;
	const char	*key, *eq, *end;
	char		*v;

	auth = rest;
	authend = auth + strcspn(auth, "/?#");
	for (p = auth; p < authend; p++)
		if (*p == '@')
			at = p;
	if (at != NULL) {
		colon = memchr(auth, ':', (size_t)(at - auth));
		if ((v = my_pct_decode(auth, (size_t)((colon != NULL ? colon :
		    at) - auth))) == NULL)
			goto bad;
		if (*v != '\0')
			d->user = v;
		else
			free(v);
		if (colon != NULL) {
			if ((v = my_pct_decode(colon + 1,
			    (size_t)(at - colon - 1))) == NULL)
				goto bad;
			d->password = v;
		}
		auth = at + 1;
	}
	/* Host: "[v6]" or a name, then an optional ":port". */
	if (*auth == '[') {
		if ((hend = memchr(auth, ']', (size_t)(authend - auth))) ==
		    NULL)
			goto bad;
		d->host = xstrndup(auth + 1, (size_t)(hend - auth - 1));
		p = hend + 1;
	} else {
		colon = memchr(auth, ':', (size_t)(authend - auth));
		hend = colon != NULL ? colon : authend;
		if (hend > auth) {
			if ((v = my_pct_decode(auth, (size_t)(hend - auth))) ==
			    NULL)
				goto bad;
			/* A path is a socket ("%2Frun%2Fmysqld.sock"). */
			if (v[0] == '/')
				d->socket = v;
			else
				d->host = v;
		}
		p = hend;
	}
	if (p < authend) {
		if (*p != ':')
			goto bad;
		if (my_dsn_set(d, conn, "port", 4, xstrndup(p + 1,
		    (size_t)(authend - p - 1)), err) != 0)
			return -1;
	}
	p = authend;
	if (*p == '/') {
		q = p + 1 + strcspn(p + 1, "?#");
		if (q > p + 1) {
			if ((v = my_pct_decode(p + 1, (size_t)(q - p - 1))) ==
			    NULL)
				goto bad;
			d->database = v;
		}
		p = q;
	}
	if (*p == '?') {
		p++;
		while (*p != '\0' && *p != '#') {
			key = p;
			end = key + strcspn(key, "&#");
			eq = memchr(key, '=', (size_t)(end - key));
			if (eq == NULL) {
				if (end > key)
					goto bad;
			} else {
				if ((v = my_pct_decode(eq + 1,
				    (size_t)(end - eq - 1))) == NULL)
					goto bad;
				if (my_dsn_set(d, conn, key,
				    (size_t)(eq - key), v, err) != 0)
					return -1;
			}
			p = *end == '&' ? end + 1 : end;
		}
	}
	return 0;
bad:
	ps_error_set(err, PS_ERR_CONFIG, "connection '%s': malformed MySQL "
	    "URI (expected mysql://user@host:port/database?ssl-mode=...)",
	    conn);
	return -1;
}

/* Parse "host=h port=3306 user='a b'" (quotes with backslash escapes). */
static int
my_dsn_kv(struct my_dsn *d, const char *conn, const char *p,
    struct ps_error *err)
{
	struct strbuf	 v = STRBUF_INIT;
	const char	*key;
	size_t		 klen;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (*p == '\0')
			break;
		key = p;
		while (*p != '\0' && *p != '=' && !isspace((unsigned char)*p))
			p++;
		klen = (size_t)(p - key);
		while (isspace((unsigned char)*p))
			p++;
		if (*p != '=' || klen == 0) {
			ps_error_set(err, PS_ERR_CONFIG, "connection '%s': "
			    "malformed DSN near '%.*s' (expected key=value "
			    "pairs such as host=... port=... user=... "
			    "database=...)", conn, (int)(klen > 0 ? klen : 1),
			    key);
			sb_free(&v);
			return -1;
		}
		p++;
		while (isspace((unsigned char)*p))
			p++;
		sb_reset(&v);
		if (*p == '\'') {
			for (p++; *p != '\0' && *p != '\''; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				sb_addch(&v, *p);
			}
			if (*p != '\'') {
				ps_error_set(err, PS_ERR_CONFIG, "connection "
				    "'%s': unterminated quoted value for '%.*s' "
				    "in the DSN", conn, (int)klen, key);
				sb_free(&v);
				return -1;
			}
			p++;
		} else {
			for (; *p != '\0' && !isspace((unsigned char)*p); p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
				sb_addch(&v, *p);
			}
		}
		if (my_dsn_set(d, conn, key, klen, xstrdup(sb_str(&v)),
		    err) != 0) {
			my_wipe(v.buf);
			sb_free(&v);
			return -1;
		}
	}
	if (v.buf != NULL)
		my_wipe(v.buf);
	sb_free(&v);
	return 0;
}

static int
my_dsn_parse(struct my_dsn *d, const char *conn, const char *dsn,
    struct ps_error *err)
{
	memset(d, 0, sizeof *d);
	if (dsn == NULL)
		dsn = "";
	if (strncasecmp(dsn, "mysql://", 8) == 0)
		return my_dsn_uri(d, conn, dsn + 8, err);
	if (strncasecmp(dsn, "mariadb://", 10) == 0)
		return my_dsn_uri(d, conn, dsn + 10, err);
	if (strstr(dsn, "://") != NULL) {
		ps_error_set(err, PS_ERR_CONFIG, "connection '%s': a MySQL URI "
		    "starts with mysql:// or mariadb://", conn);
		return -1;
	}
	if (*dsn != '\0' && strchr(dsn, '=') == NULL) {
		ps_error_set(err, PS_ERR_CONFIG, "connection '%s': malformed "
		    "MySQL DSN (expected mysql://user@host:port/database or "
		    "host=... port=... user=... database=...)", conn);
		return -1;
	}
	return my_dsn_kv(d, conn, dsn, err);
}

/* ---- connections ---- */

static int
my_global_init(struct ps_error *err)
{
	if (mysql_library_init(0, NULL, NULL) != 0) {
		ps_error_set(err, PS_ERR_INTERNAL, "the MySQL client library "
		    "could not be initialised");
		return -1;
	}
	return 0;
}

/* Pass the DSN's TLS settings to the library. */
static void
my_ssl_options(MYSQL *db, const struct my_dsn *d)
{
	static const struct {
		enum mysql_option	 opt;
		size_t			 off;
	} files[] = {
		{ MYSQL_OPT_SSL_CA, offsetof(struct my_dsn, ssl_ca) },
		{ MYSQL_OPT_SSL_CAPATH, offsetof(struct my_dsn, ssl_capath) },
		{ MYSQL_OPT_SSL_CERT, offsetof(struct my_dsn, ssl_cert) },
		{ MYSQL_OPT_SSL_KEY, offsetof(struct my_dsn, ssl_key) },
		{ MYSQL_OPT_SSL_CIPHER, offsetof(struct my_dsn, ssl_cipher) },
		{ MYSQL_OPT_SSL_CRL, offsetof(struct my_dsn, ssl_crl) },
		{ MYSQL_OPT_SSL_CRLPATH, offsetof(struct my_dsn, ssl_crlpath) },
		{ MYSQL_OPT_TLS_VERSION, offsetof(struct my_dsn, tls_version) },
	};
	const char	*v;
	size_t		 i;
#ifdef MARIADB_PACKAGE_VERSION_ID
	my_bool		 on = 1;
#else
	unsigned int	 mode;
#endif

	if (d->ssl_mode == MY_SSL_DISABLED) {
#ifndef MARIADB_PACKAGE_VERSION_ID
		mode = SSL_MODE_DISABLED;
		mysql_options(db, MYSQL_OPT_SSL_MODE, &mode);
#endif
		return;
	}
	for (i = 0; i < nitems(files); i++) {
		v = *(char *const *)(const void *)((const char *)d +
		    files[i].off);
		if (v != NULL)
			mysql_options(db, files[i].opt, v);
	}
#ifdef MARIADB_PACKAGE_VERSION_ID
	/* Connector/C: TLS is used when any TLS option is set. */
	if (d->ssl_mode >= MY_SSL_REQUIRED)
		mysql_options(db, MYSQL_OPT_SSL_ENFORCE, &on);
	if (d->ssl_mode >= MY_SSL_VERIFY_CA)
		mysql_options(db, MYSQL_OPT_SSL_VERIFY_SERVER_CERT, &on);
#else
	switch (d->ssl_mode) {
	case MY_SSL_PREFERRED:
		mode = SSL_MODE_PREFERRED;
		break;
	case MY_SSL_REQUIRED:
		mode = SSL_MODE_REQUIRED;
		break;
	case MY_SSL_VERIFY_CA:
		mode = SSL_MODE_VERIFY_CA;
		break;
	case MY_SSL_VERIFY_IDENTITY:
		mode = SSL_MODE_VERIFY_IDENTITY;
		break;
	default:
		return;
	}
	mysql_options(db, MYSQL_OPT_SSL_MODE, &mode);
#endif
}

/* The ps_err code of a failed connect. */
static enum ps_err
my_connect_code(unsigned int no)
{
	switch (no) {
	case MY_ER_ACCESS_DENIED:
	case MY_ER_DBACCESS_DENIED:
	case MY_ER_ACCESS_DENIED_NO_PASSWORD:
	case MY_ER_NOT_SUPPORTED_AUTH_MODE:
	case MY_ER_MUST_CHANGE_PASSWORD:
	case 3118:	/* MySQL: account is locked */
	case 4151:	/* MariaDB: account is locked */
		return PS_ERR_AUTH;
	case MY_ER_BAD_DB:
		return PS_ERR_NOT_FOUND;
	default:
		return PS_ERR_CONNECT;
	}
}

/*
 * Open one session with D's parameters and set it up; NULL with ERR set.
 * The main session may run several statements in one call (exec) and
 * counts matched rather than changed rows (an UPDATE that finds its row
 * unchanged still found it).
 */
static MYSQL *
my_open(struct my_conn *mc, const struct my_dsn *d, const char *password,
    int timeout_s, int reader, struct ps_error *err)
{
	MYSQL		*db;
	unsigned int	 t, no;
	unsigned long	 flags;
	char		 set[256];

	if ((db = mysql_init(NULL)) == NULL) {
		ps_error_set(err, PS_ERR_INTERNAL, "connection '%s': the MySQL "
		    "client library is out of memory", mc->name);
		return NULL;
	}
	if (timeout_s > 0) {
		t = (unsigned int)timeout_s;
		mysql_options(db, MYSQL_OPT_CONNECT_TIMEOUT, &t);
	}
	t = MY_READ_TIMEOUT;
	mysql_options(db, MYSQL_OPT_READ_TIMEOUT, &t);
	t = MY_WRITE_TIMEOUT;
	mysql_options(db, MYSQL_OPT_WRITE_TIMEOUT, &t);
	t = 0;
	mysql_options(db, MYSQL_OPT_LOCAL_INFILE, &t);
	mysql_options(db, MYSQL_SET_CHARSET_NAME, "utf8mb4");
	/* ~/.my.cnf and friends: a password, a socket, TLS files... */
	mysql_options(db, MYSQL_READ_DEFAULT_GROUP, "client");
	my_ssl_options(db, d);

	flags = reader ? 0 : CLIENT_MULTI_STATEMENTS | CLIENT_FOUND_ROWS;
	if (mysql_real_connect(db, d->host, d->user, password, d->database,
	    d->port, d->socket, flags) == NULL) {
		/* The library's messages never hold the password. */
		no = mysql_errno(db);
		ps_error_set(err, my_connect_code(no), "connection '%s': %s",
		    mc->name, mysql_error(db));
		if (err != NULL) {
			err->native = (int)no;
			snprintf(err->sqlstate, sizeof err->sqlstate, "%s",
			    mysql_sqlstate(db));
		}
		mysql_close(db);
		return NULL;
	}
	/*
	 * Connector/C's MYSQL_OPT_SSL_ENFORCE alone still accepts a server
	 * without TLS: refuse an unencrypted session here.
	 */
	if (d->ssl_mode >= MY_SSL_REQUIRED &&
	    mysql_get_ssl_cipher(db) == NULL) {
		ps_error_set(err, PS_ERR_CONNECT, "connection '%s': ssl-mode "
		    "requires TLS, but the server does not support it",
		    mc->name);
		mysql_close(db);
		return NULL;
	}
	/* The library keeps a copy for reconnecting, which is off. */
	my_wipe(db->passwd);
	my_wipe(db->options.password);

	if (reader)
		snprintf(set, sizeof set, "SET time_zone = '+00:00', sql_mode "
		    "= '%s', net_write_timeout = %d", MY_SQL_MODE,
		    MY_READER_NET_WRITE_TIMEOUT);
	else
		snprintf(set, sizeof set, "SET time_zone = '+00:00', sql_mode "
		    "= '%s', foreign_key_checks = 0", MY_SQL_MODE);
	if (mysql_set_character_set(db, "utf8mb4") != 0 ||
	    my_query(db, set, strlen(set)) != 0) {
		ps_error_set(err, PS_ERR_CONNECT, "connection '%s': setting up "
		    "the session: %s", mc->name, mysql_error(db));
		mysql_close(db);
		return NULL;
	}
	return db;
}

/* Read the server's version and max_allowed_packet after connecting. */
static void
my_server_info(struct my_conn *mc)
{
	struct strbuf	 sql = STRBUF_INIT;
	MYSQL_RES	*res = NULL;
	MYSQL_ROW	 row;
	const char	*info;
	long long	 v;
	size_t		 len;

	info = mysql_get_server_info(mc->db);
	if (info == NULL)
		info = "";
	mc->mariadb = strstr(info, "MariaDB") != NULL;
	mc->version = mysql_get_server_version(mc->db);
	len = strcspn(info, "-");
	xasprintf(&mc->version_str, "%s %.*s", mc->mariadb ? "MariaDB" :
	    "MySQL", (int)len, info);

	mc->max_packet = MY_PACKET_DEFAULT;
	sb_addstr(&sql, "SELECT @@max_allowed_packet");
	if (my_select(mc, &sql, NULL, &res, NULL) == 0 &&
	    (row = mysql_fetch_row(res)) != NULL && row[0] != NULL &&
	    util_parse_int(row[0], 4096, LLONG_MAX, &v) == 0) {
		if ((unsigned long long)v > MY_PACKET_MAX)
			v = MY_PACKET_MAX;
		/* Room for the packet header and rounding. */
		mc->max_packet = (size_t)v - 1024;
	}
	if (res != NULL)
		mysql_free_result(res);
	sb_free(&sql);
}

static int
my_connect(struct db_conn *c, const struct conn_conf *conf,
    const char *password, int timeout_s, struct ps_error *err)
{
	struct my_conn	*mc;
	struct my_dsn	 d;
	const char	*pw;
	int		 rc = -1;

	mc = xcalloc(1, sizeof *mc);
	mc->name = xstrdup(c->name);
	c->priv = mc;
	if (my_dsn_parse(&d, c->name, conf->dsn, err) != 0)
		goto out;
	/* The caller's password, else the DSN's, else option files. */
	pw = password != NULL ? password : d.password;
	if ((mc->db = my_open(mc, &d, pw, timeout_s, 0, err)) == NULL)
		goto out;
	if ((mc->rd = my_open(mc, &d, pw, timeout_s, 1, err)) == NULL)
		goto out;
	my_server_info(mc);
	rc = 0;
out:
	my_dsn_free(&d);
	return rc;
}

static void
my_close(struct db_conn *c)
{
	struct my_conn	*mc = c->priv;

	if (mc == NULL)
		return;
	if (mc->rdcur != NULL) {
		/* The cursor outlives us: it only frees its memory now. */
		mysql_free_result(mc->rdcur->res);
		mc->rdcur->res = NULL;
		mc->rdcur->mc = NULL;
		mc->rdcur->done = 1;
	}
	if (mc->rd != NULL)
		mysql_close(mc->rd);
	if (mc->db != NULL)
		mysql_close(mc->db);
	my_tinfo_clear(mc);
	free(mc->version_str);
	free(mc->name);
	free(mc);
	c->priv = NULL;
}

/*
 * Shut both sessions' sockets down from any thread: the statement waiting
 * on them fails at once, and the server rolls the transaction back.
 */
static int
my_cancel(struct db_conn *c)
{
	struct my_conn	*mc = c->priv;

	if (mc == NULL)
		return -1;
#ifdef MARIADB_PACKAGE_VERSION_ID
	mc->cancelled = 1;
	if (mc->db != NULL)
		mariadb_cancel(mc->db);
	if (mc->rd != NULL)
		mariadb_cancel(mc->rd);
	return 0;
#else
	return -1;
#endif
}

static char *
my_server_version(struct db_conn *c)
{
	struct my_conn	*mc = c->priv;

	return xstrdup(mc->version_str != NULL ? mc->version_str : "MySQL");
}

/* ---- catalogue ---- */

static int
my_strcmp_p(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
my_list_tables(struct db_conn *c, char ***names, int *n,
    struct ps_error *err)
{
	struct my_conn	*mc = c->priv;
	struct strbuf	 sql = STRBUF_INIT;
	MYSQL_RES	*res = NULL;
	MYSQL_ROW	 row;
	char		**v = NULL;
	int		 k = 0, cap = 0, rc = -1;

	*names = NULL;
	*n = 0;
	sb_addstr(&sql, "SELECT DATABASE()");
	if (my_select(mc, &sql, NULL, &res, err) != 0)
		goto fail;
	row = mysql_fetch_row(res);
	if (row == NULL || row[0] == NULL) {
		ps_error_set(err, PS_ERR_CONFIG, "connection '%s': no database "
		    "selected (name one in the DSN)", c->name);
		goto out;
	}
	mysql_free_result(res);
	res = NULL;
	sb_reset(&sql);
	sb_addstr(&sql, "SELECT TABLE_NAME FROM information_schema.TABLES "
	    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE IN "
	    "('BASE TABLE', 'SYSTEM VERSIONED')");
	if (my_select(mc, &sql, NULL, &res, err) != 0)
		goto fail;
	while ((row = mysql_fetch_row(res)) != NULL) {
		if (row[0] == NULL)
			continue;
		if (k + 1 >= cap) {
			cap = cap == 0 ? 16 : cap * 2;
			v = xreallocarray(v, (size_t)cap, sizeof *v);
		}
		v[k++] = xstrdup(row[0]);
		v[k] = NULL;
	}
	if (v == NULL)
		v = xcalloc(1, sizeof *v);
	qsort(v, (size_t)k, sizeof *v, my_strcmp_p);
	*names = v;
	*n = k;
	v = NULL;
	rc = 0;
	goto out;
fail:
	ps_error_prefix(err, "listing tables");
out:
	util_strvn_free(v, k);
	if (res != NULL)
		mysql_free_result(res);
	sb_free(&sql);
	return rc;
}

/* A long long from a catalogue cell; DFLT when NULL or unreadable. */
static long long
my_cell_ll(const char *s, long long dflt)
{
	long long	v;

	if (s == NULL || util_parse_int(s, LLONG_MIN, LLONG_MAX, &v) != 0)
		return dflt;
	return v;
}

/*
 * Family, length, precision and scale of CD from information_schema's
 * DATA_TYPE DT and COLUMN_TYPE CT and the numeric columns.
 */
static void
my_type_family(struct column_def *cd, const char *dt, const char *ct,
    long long charlen, long long numprec, long long numscale,
    long long dtprec)
{
	static const struct {
		const char		*name;
		enum type_family	 fam;
		int			 precision;
		int			 length;	/* -2: CHARACTER_MAXIMUM_LENGTH */
	} types[] = {
		{ "tinyint", TF_INTEGER, 1, -1 },
		{ "smallint", TF_INTEGER, 2, -1 },
		{ "mediumint", TF_INTEGER, 3, -1 },
		{ "int", TF_INTEGER, 4, -1 },
		{ "integer", TF_INTEGER, 4, -1 },
		{ "bigint", TF_INTEGER, 8, -1 },
		{ "year", TF_INTEGER, 2, -1 },
		{ "bool", TF_BOOLEAN, -1, -1 },
		{ "boolean", TF_BOOLEAN, -1, -1 },
		{ "float", TF_FLOAT, 4, -1 },
		{ "double", TF_FLOAT, 8, -1 },
		{ "real", TF_FLOAT, 8, -1 },
		{ "char", TF_TEXT, -1, -2 },
		{ "varchar", TF_TEXT, -1, -2 },
		{ "enum", TF_TEXT, -1, -2 },
		{ "set", TF_TEXT, -1, -2 },
		{ "tinytext", TF_TEXT, -1, 255 },
		{ "text", TF_TEXT, -1, 65535 },
		{ "mediumtext", TF_TEXT, -1, 16777215 },
		{ "longtext", TF_TEXT, -1, -1 },
		{ "binary", TF_BINARY, -1, -2 },
		{ "varbinary", TF_BINARY, -1, -2 },
		{ "tinyblob", TF_BINARY, -1, 255 },
		{ "blob", TF_BINARY, -1, 65535 },
		{ "mediumblob", TF_BINARY, -1, 16777215 },
		{ "longblob", TF_BINARY, -1, -1 },
		{ "date", TF_DATE, -1, -1 },
		{ "time", TF_TIME, -1, -1 },
		{ "datetime", TF_TIMESTAMP, -1, -1 },
		{ "timestamp", TF_TIMESTAMPTZ, -1, -1 },
		{ "json", TF_JSON, -1, -1 },
		{ "uuid", TF_UUID, -1, -1 },
	};
	size_t	i;

	cd->family = TF_OTHER;
	cd->length = cd->precision = cd->scale = -1;
	cd->is_unsigned = ct != NULL && strstr(ct, "unsigned") != NULL;
	if (dt == NULL)
		return;
	for (i = 0; i < nitems(types); i++) {
		if (strcasecmp(dt, types[i].name) != 0)
			continue;
		cd->family = types[i].fam;
		cd->precision = types[i].precision;
		if (types[i].length == -2)
			cd->length = charlen >= 0 && charlen <= INT_MAX ?
			    (int)charlen : -1;
		else
			cd->length = types[i].length;
		break;
	}
	switch (cd->family) {
	case TF_INTEGER:
		/* tinyint(1) is MySQL's BOOLEAN. */
		if (ct != NULL && strncasecmp(ct, "tinyint(1)", 10) == 0) {
			cd->family = TF_BOOLEAN;
			cd->precision = -1;
		}
		break;
	case TF_DECIMAL:
		break;
	case TF_TIME:
	case TF_TIMESTAMP:
	case TF_TIMESTAMPTZ:
		cd->scale = dtprec >= 0 && dtprec <= 9 ? (int)dtprec : 0;
		break;
	default:
		break;
	}
	if (strcasecmp(dt, "decimal") == 0 || strcasecmp(dt, "numeric") == 0) {
		cd->family = TF_DECIMAL;
		cd->precision = numprec > 0 && numprec <= INT_MAX ?
		    (int)numprec : -1;
		cd->scale = numscale >= 0 && numscale <= INT_MAX ?
		    (int)numscale : 0;
	}
}

/*
 * Read MySQL's quoted literal at P ('...' with '' and backslash escapes)
 * and append it with standard SQL quoting to SB.  0, or -1 when P is not
 * one whole literal.
 */
static int
my_requote(const char *p, struct strbuf *sb)
{
	struct strbuf	v = STRBUF_INIT;
	int		c;

	if (*p++ != '\'')
		return -1;
	for (;;) {
		if (*p == '\0')
			goto bad;
		if (*p == '\'') {
			if (p[1] != '\'')
				break;
			sb_addch(&v, '\'');
			p += 2;
			continue;
		}
		if (*p == '\\' && p[1] != '\0') {
			switch (p[1]) {
			case 'n':
				c = '\n';
				break;
			case 'r':
				c = '\r';
				break;
			case 't':
				c = '\t';
				break;
			case 'b':
				c = '\b';
				break;
			case 'Z':
				c = 0x1a;
				break;
			case '0':
				goto bad;	/* a NUL ends a C string */
			default:
				c = (unsigned char)p[1];
				break;
			}
			sb_addch(&v, c);
			p += 2;
			continue;
		}
		sb_addch(&v, *p++);
	}
	if (p[1] != '\0')
		goto bad;
	my_add_std_string(sb, v.buf != NULL ? v.buf : "", v.len);
	sb_free(&v);
	return 0;
bad:
	sb_free(&v);
	return -1;
}

/*
 * The default of CD as SQL text for the model: NULL when none (or DEFAULT
 * NULL), literals quoted the standard way, booleans TRUE/FALSE,
 * CURRENT_TIMESTAMP for current_timestamp(n).  RAW is COLUMN_DEFAULT,
 * EXTRA the EXTRA column (MySQL marks expressions DEFAULT_GENERATED and
 * gives literals unquoted; MariaDB quotes literals itself).
 */
static char *
my_default_norm(const struct my_conn *mc, const struct column_def *cd,
    const char *raw, const char *extra)
{
	struct strbuf	sb = STRBUF_INIT;

	if (raw == NULL || cd->autoincrement)
		return NULL;
	if (mc->mariadb && strcmp(raw, "NULL") == 0)
		return NULL;
	if (strncasecmp(raw, "current_timestamp", 17) == 0 &&
	    (raw[17] == '\0' || raw[17] == '('))
		return xstrdup("CURRENT_TIMESTAMP");
	if (cd->family == TF_BOOLEAN && strcmp(raw, "1") == 0)
		return xstrdup("TRUE");
	if (cd->family == TF_BOOLEAN && strcmp(raw, "0") == 0)
		return xstrdup("FALSE");
	if (mc->mariadb) {
		if (raw[0] == '\'') {
			if (my_requote(raw, &sb) != 0) {
				sb_free(&sb);
				return NULL;
			}
			return sb_detach(&sb);
		}
		return xstrdup(raw);
	}
	if ((extra != NULL && strstr(extra, "DEFAULT_GENERATED") != NULL) ||
	    cd->family == TF_INTEGER || cd->family == TF_DECIMAL ||
	    cd->family == TF_FLOAT)
		return xstrdup(raw);
	my_add_std_string(&sb, raw, strlen(raw));
	return sb_detach(&sb);
}

/* Columns of TR into TD (generated and system-versioning ones left out). */
static int
my_describe_columns(struct my_conn *mc, const char *table,
    const struct my_tref *tr, struct table_def *td, struct ps_error *err)
{
	struct strbuf		 sql = STRBUF_INIT;
	MYSQL_RES		*res = NULL;
	MYSQL_ROW		 row;
	struct column_def	*cd;
	const char		*extra;
	int			 cap = 0;

	sb_addstr(&sql, "SELECT COLUMN_NAME, DATA_TYPE, COLUMN_TYPE, "
	    "CHARACTER_MAXIMUM_LENGTH, NUMERIC_PRECISION, NUMERIC_SCALE, "
	    "DATETIME_PRECISION, IS_NULLABLE, COLUMN_DEFAULT, EXTRA, "
	    "TABLE_NAME FROM information_schema.COLUMNS");
	my_add_is_where(&sql, mc->db, "TABLE_SCHEMA", tr);
	sb_addstr(&sql, " ORDER BY ORDINAL_POSITION");
	if (my_select(mc, &sql, table, &res, err) != 0) {
		sb_free(&sql);
		return -1;
	}
	while ((row = mysql_fetch_row(res)) != NULL) {
		if (row[0] == NULL || row[10] == NULL ||
		    strcmp(row[10], tr->name) != 0)
			continue;
		extra = row[9] != NULL ? row[9] : "";
		if (strstr(extra, "VIRTUAL") != NULL ||
		    strstr(extra, "STORED") != NULL ||
		    strstr(extra, "PERSISTENT") != NULL ||
		    strstr(extra, "ROW START") != NULL ||
		    strstr(extra, "ROW END") != NULL)
			continue;
		if (td->ncols == cap) {
			cap = cap == 0 ? 16 : cap * 2;
			td->cols = xreallocarray(td->cols, (size_t)cap,
			    sizeof *td->cols);
		}
		cd = &td->cols[td->ncols++];
		memset(cd, 0, sizeof *cd);
		cd->name = xstrdup(row[0]);
		cd->type_name = xstrdup(row[2] != NULL ? row[2] : "");
		my_type_family(cd, row[1], row[2], my_cell_ll(row[3], -1),
		    my_cell_ll(row[4], -1), my_cell_ll(row[5], -1),
		    my_cell_ll(row[6], -1));
		cd->nullable = row[7] == NULL || strcmp(row[7], "NO") != 0;
		cd->autoincrement = strstr(extra, "auto_increment") != NULL;
		cd->default_expr = my_default_norm(mc, cd, row[8], extra);
	}
	mysql_free_result(res);
	sb_free(&sql);
	return 0;
}

/* MariaDB's JSON is a LONGTEXT with CHECK (json_valid(`col`)). */
static int
my_describe_json(struct my_conn *mc, const char *table,
    const struct my_tref *tr, struct table_def *td, struct ps_error *err)
{
	struct strbuf		 sql = STRBUF_INIT, want = STRBUF_INIT;
	MYSQL_RES		*res = NULL;
	MYSQL_ROW		 row;
	struct column_def	*cd;
	int			 i;

	for (i = 0; i < td->ncols; i++)
		if (strcasecmp(td->cols[i].type_name, "longtext") == 0)
			break;
	if (i == td->ncols)
		return 0;
	sb_addstr(&sql, "SELECT CHECK_CLAUSE, TABLE_NAME FROM "
	    "information_schema.CHECK_CONSTRAINTS");
	my_add_is_where(&sql, mc->db, "CONSTRAINT_SCHEMA", tr);
	if (my_select(mc, &sql, table, &res, err) != 0) {
		sb_free(&sql);
		return -1;
	}
	while ((row = mysql_fetch_row(res)) != NULL) {
		if (row[0] == NULL || row[1] == NULL ||
		    strcmp(row[1], tr->name) != 0)
			continue;
		for (i = 0; i < td->ncols; i++) {
			cd = &td->cols[i];
			if (cd->family != TF_TEXT ||
			    strcasecmp(cd->type_name, "longtext") != 0)
				continue;
			sb_reset(&want);
			sb_addstr(&want, "json_valid(");
			my_quote_ident(&want, cd->name);
			sb_addch(&want, ')');
			if (strcasecmp(row[0], want.buf) == 0) {
				cd->family = TF_JSON;
				cd->length = -1;
				free(cd->type_name);
				cd->type_name = xstrdup("json");
			}
		}
	}
	mysql_free_result(res);
	sb_free(&sql);
	sb_free(&want);
	return 0;
}

static int
my_idx_cmp(const void *a, const void *b)
{
	const struct index_def	*x = a, *y = b;

	return strcmp(x->name, y->name);
}

/* Primary key and unique indexes (whole columns only), by name. */
static int
my_describe_indexes(struct my_conn *mc, const char *table,
    const struct my_tref *tr, struct table_def *td, struct ps_error *err)
{
	struct strbuf	 sql = STRBUF_INIT;
	MYSQL_RES	*res = NULL;
	MYSQL_ROW	 row;
	struct index_def *ix = NULL;
	int		 skip = 0, pk = 0;

	sb_addstr(&sql, "SELECT INDEX_NAME, COLUMN_NAME, SUB_PART, TABLE_NAME "
	    "FROM information_schema.STATISTICS");
	my_add_is_where(&sql, mc->db, "TABLE_SCHEMA", tr);
	sb_addstr(&sql, " AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, "
	    "SEQ_IN_INDEX");
	if (my_select(mc, &sql, table, &res, err) != 0) {
		sb_free(&sql);
		return -1;
	}
	for (;;) {
		row = mysql_fetch_row(res);
		if (row != NULL && (row[0] == NULL || row[3] == NULL ||
		    strcmp(row[3], tr->name) != 0))
			continue;
		if (ix != NULL && (row == NULL || strcmp(ix->name, row[0]) !=
		    0)) {
			/* Close the index read so far. */
			if (skip || ix->ncols == 0) {
				util_strvn_free(ix->cols, ix->ncols);
				free(ix->name);
				td->nidx--;
			} else if (pk) {
				td->pk = ix->cols;
				td->npk = ix->ncols;
				free(ix->name);
				td->nidx--;
			}
			ix = NULL;
		}
		if (row == NULL)
			break;
		if (ix == NULL) {
			td->idx = xreallocarray(td->idx, (size_t)td->nidx + 1,
			    sizeof *td->idx);
			ix = &td->idx[td->nidx++];
			memset(ix, 0, sizeof *ix);
			ix->name = xstrdup(row[0]);
			ix->unique = 1;
			pk = strcmp(row[0], "PRIMARY") == 0;
			skip = 0;
		}
		if (row[1] == NULL || row[2] != NULL) {
			skip = 1;
			continue;
		}
		ix->cols = xreallocarray(ix->cols, (size_t)ix->ncols + 2,
		    sizeof *ix->cols);
		ix->cols[ix->ncols++] = xstrdup(row[1]);
		ix->cols[ix->ncols] = NULL;
	}
	mysql_free_result(res);
	sb_free(&sql);
	if (td->nidx == 0) {
		free(td->idx);
		td->idx = NULL;
	} else
		qsort(td->idx, (size_t)td->nidx, sizeof *td->idx, my_idx_cmp);
	return 0;
}

/* Foreign keys by constraint name, columns in key order. */
static int
my_describe_fks(struct my_conn *mc, const char *table,
    const struct my_tref *tr, struct table_def *td, struct ps_error *err)
{
	struct strbuf	 sql = STRBUF_INIT;
	MYSQL_RES	*res = NULL;
	MYSQL_ROW	 row;
	struct fk_def	*fk = NULL;

	sb_addstr(&sql, "SELECT CONSTRAINT_NAME, COLUMN_NAME, "
	    "REFERENCED_TABLE_SCHEMA, REFERENCED_TABLE_NAME, "
	    "REFERENCED_COLUMN_NAME, TABLE_SCHEMA, TABLE_NAME FROM "
	    "information_schema.KEY_COLUMN_USAGE");
	my_add_is_where(&sql, mc->db, "TABLE_SCHEMA", tr);
	sb_addstr(&sql, " AND REFERENCED_TABLE_NAME IS NOT NULL ORDER BY "
	    "CONSTRAINT_NAME, ORDINAL_POSITION");
	if (my_select(mc, &sql, table, &res, err) != 0) {
		sb_free(&sql);
		return -1;
	}
	while ((row = mysql_fetch_row(res)) != NULL) {
		if (row[0] == NULL || row[1] == NULL || row[3] == NULL ||
		    row[6] == NULL || strcmp(row[6], tr->name) != 0)
			continue;
		if (fk == NULL || strcmp(fk->name, row[0]) != 0) {
			td->fks = xreallocarray(td->fks, (size_t)td->nfk + 1,
			    sizeof *td->fks);
			fk = &td->fks[td->nfk++];
			memset(fk, 0, sizeof *fk);
			fk->name = xstrdup(row[0]);
			if (row[2] != NULL && row[5] != NULL &&
			    strcmp(row[2], row[5]) != 0)
				xasprintf(&fk->ref_table, "%s.%s", row[2],
				    row[3]);
			else
				fk->ref_table = xstrdup(row[3]);
		}
		fk->cols = xreallocarray(fk->cols, (size_t)fk->ncols + 2,
		    sizeof *fk->cols);
		fk->ref_cols = xreallocarray(fk->ref_cols,
		    (size_t)fk->ncols + 2, sizeof *fk->ref_cols);
		fk->cols[fk->ncols] = xstrdup(row[1]);
		fk->ref_cols[fk->ncols] = xstrdup(row[4]);
		fk->ncols++;
		fk->cols[fk->ncols] = NULL;
		fk->ref_cols[fk->ncols] = NULL;
	}
	mysql_free_result(res);
	sb_free(&sql);
	return 0;
}

static int
my_describe(struct db_conn *c, const char *table, struct table_def *td,
    struct ps_error *err)
{
	struct my_conn	*mc = c->priv;
	struct my_tref	 tr;

	memset(td, 0, sizeof *td);
	if (my_tref(mc, table, &tr, err) != 0)
		return -1;
	if (my_describe_columns(mc, table, &tr, td, err) != 0)
		goto fail;
	if (td->ncols == 0) {
		ps_error_set(err, PS_ERR_NOT_FOUND, "table '%s' does not exist "
		    "on connection '%s'", table, c->name);
		goto fail;
	}
	td->schema = xstrdup(tr.schema);
	td->name = xstrdup(tr.name);
	if (mc->mariadb && my_describe_json(mc, table, &tr, td, err) != 0)
		goto fail;
	if (my_describe_indexes(mc, table, &tr, td, err) != 0 ||
	    my_describe_fks(mc, table, &tr, td, err) != 0)
		goto fail;
	my_tref_free(&tr);
	return 0;
fail:
	my_tref_free(&tr);
	table_def_free(td);
	return -1;
}

static int64_t
my_estimate(struct db_conn *c, const char *table)
{
	struct my_conn	*mc = c->priv;
	struct strbuf	 sql = STRBUF_INIT;
	struct my_tref	 tr;
	MYSQL_RES	*res = NULL;
	MYSQL_ROW	 row;
	int64_t		 n = -1;

	if (my_tref(mc, table, &tr, NULL) != 0)
		return -1;
	sb_addstr(&sql, "SELECT TABLE_ROWS, TABLE_NAME FROM "
	    "information_schema.TABLES");
	my_add_is_where(&sql, mc->db, "TABLE_SCHEMA", &tr);
	if (my_select(mc, &sql, NULL, &res, NULL) == 0) {
		while ((row = mysql_fetch_row(res)) != NULL) {
			if (row[1] != NULL && strcmp(row[1], tr.name) == 0)
				n = my_cell_ll(row[0], -1);
		}
		mysql_free_result(res);
	}
	my_tref_free(&tr);
	sb_free(&sql);
	return n;
}

/* ---- literals and key conditions ---- */

/*
 * Append cell I of ROW as the literal MySQL should store for family FAM:
 * NULL; integers and decimals as plain numbers (so keys compare exactly,
 * not as doubles); booleans 1/0; binary as X'hex'; timestamptz without
 * its "+00" (the session is UTC); anything else, and any value that is
 * not what its family expects, as an escaped string (the server then
 * refuses what does not fit).
 */
static void
my_add_literal(struct strbuf *sb, MYSQL *db, const struct row *r, int i,
    enum type_family fam)
{
	const char	*p;
	size_t		 len;

	if (row_null(r, i)) {
		sb_addstr(sb, "NULL");
		return;
	}
	p = row_ptr(r, i);
	len = row_len(r, i);
	switch (fam) {
	case TF_INTEGER:
		if (my_is_int(p, len)) {
			sb_add(sb, p, len);
			return;
		}
		break;
	case TF_DECIMAL:
		if (my_is_number(p, len, 0)) {
			sb_add(sb, p, len);
			return;
		}
		break;
	case TF_FLOAT:
		if (my_is_number(p, len, 1)) {
			sb_add(sb, p, len);
			return;
		}
		break;
	case TF_BOOLEAN:
		if (len == 4 && memcmp(p, "true", 4) == 0) {
			sb_addch(sb, '1');
			return;
		}
		if (len == 5 && memcmp(p, "false", 5) == 0) {
			sb_addch(sb, '0');
			return;
		}
		break;
	case TF_BINARY:
		sb_addstr(sb, "X'");
		sb_addhex(sb, p, len);
		sb_addch(sb, '\'');
		return;
	case TF_TIMESTAMPTZ:
		if (len > 3 && memcmp(p + len - 3, "+00", 3) == 0)
			len -= 3;
		break;
	default:
		break;
	}
	my_add_string(sb, db, p, len);
}

/*
 * "`k1` = v1 AND ..." selecting the key of ROW (its first NKEY cells); a
 * key column whose collation folds also compares bytes, so "a" never
 * matches "A" or "a ".  With NOBYTES the collation's equality alone (to
 * find the row a duplicate-key error is about).
 */
static void
my_add_key_match(struct strbuf *sb, MYSQL *db, const struct my_tinfo *ti,
    char *const *cols, const enum type_family *fam, int nkey,
    const struct row *r, int nobytes)
{
	int	i;

	for (i = 0; i < nkey; i++) {
		if (i > 0)
			sb_addstr(sb, " AND ");
		my_quote_ident(sb, cols[i]);
		if (row_null(r, i)) {
			sb_addstr(sb, " IS NULL");
			continue;
		}
		sb_addstr(sb, " = ");
		my_add_literal(sb, db, r, i, fam[i]);
		if (nobytes || !my_col_folds(ti, cols[i], fam[i]))
			continue;
		sb_addstr(sb, " AND ");
		my_add_col_bytes(sb, ti, cols[i]);
		sb_addstr(sb, " = CAST(");
		my_add_literal(sb, db, r, i, fam[i]);
		sb_addstr(sb, " AS BINARY)");
	}
}

static void
my_add_collist(struct strbuf *sb, char *const *cols, int n)
{
	int	i;

	for (i = 0; i < n; i++) {
		if (i > 0)
			sb_addstr(sb, ", ");
		my_quote_ident(sb, cols[i]);
	}
}

/*
 * 1 when column I of TI is a string type whose index order is its bytes
 * in UTF-8: a binary string, or characters under a byte collation (not an
 * ENUM or SET, which sort by their members' positions).
 */
static int
my_col_bytewise(const struct my_tinfo *ti, int i)
{
	static const char *const strs[] = {
		"char", "varchar", "tinytext", "text", "mediumtext",
		"longtext", "binary", "varbinary", "tinyblob", "blob",
		"mediumblob", "longblob"
	};
	size_t	k;

	for (k = 0; k < nitems(strs); k++)
		if (strcasecmp(ti->dtype[i], strs[k]) == 0)
			break;
	if (k == nitems(strs))
		return 0;
	if (ti->charset[i] == NULL)
		return 1;
	return my_charset_utf8(ti->charset[i]) &&
	    my_collation_exact(ti->collation[i]);
}

/*
 * Append the ORDER BY term of key column NAME: the column itself when its
 * order is key_encode()'s (numbers, times, byte-ordered strings), else its
 * UTF-8 bytes.
 */
static void
my_add_order_col(struct strbuf *sb, const struct my_tinfo *ti,
    const char *name, enum type_family fam)
{
	int	i;

	i = my_tinfo_col(ti, name);
	if (!my_fam_bytes(fam) || (i >= 0 && my_col_bytewise(ti, i))) {
		my_quote_ident(sb, name);
		return;
	}
	my_add_col_bytes(sb, ti, name);
}

/* ---- scans ---- */

static void
my_cursor_free(struct db_cursor *cur)
{
	char	kill[64];
	int	killed = 0;

	if (cur == NULL)
		return;
	if (cur->res != NULL) {
		if (cur->streaming && !cur->done && cur->mc != NULL) {
			/*
			 * Stop the server sending the rest of the table,
			 * which mysql_free_result() would otherwise read.
			 */
			snprintf(kill, sizeof kill, "KILL QUERY %lu",
			    mysql_thread_id(cur->db));
			killed = mysql_query(cur->mc->db, kill) == 0;
		}
		mysql_free_result(cur->res);
		/*
		 * When the query had already ended, the kill may still be
		 * pending on the idle session: let a no-op take it.
		 */
		if (killed)
			(void)mysql_query(cur->db, "DO 0");
	}
	if (cur->mc != NULL && cur->mc->rdcur == cur)
		cur->mc->rdcur = NULL;
	util_strvn_free(cur->cols, cur->ncols);
	free(cur->fam);
	free(cur->float4);
	free(cur->table);
	free(cur->conn);
	sb_free(&cur->tmp);
	free(cur);
}

static int
my_scan(struct db_conn *c, const struct scan_spec *spec,
    struct db_cursor **out, struct ps_error *err)
{
	struct my_conn		*mc = c->priv;
	struct my_tinfo		*ti;
	struct db_cursor	*cur = NULL;
	struct strbuf		 sql = STRBUF_INIT;
	int			 i, j;

	*out = NULL;
	if (spec->ncols <= 0 || spec->nkey < 0 || spec->nkey > spec->ncols ||
	    (spec->key_eq != NULL && spec->nkey == 0)) {
		ps_error_set(err, PS_ERR_USAGE, "table '%s': scan of %d "
		    "columns with %d key columns", spec->table, spec->ncols,
		    spec->nkey);
		return -1;
	}
	if ((ti = my_tinfo_get(mc, spec->table, err)) == NULL)
		return -1;
	if (spec->key_eq == NULL && mc->rdcur != NULL) {
		ps_error_set(err, PS_ERR_INTERNAL, "connection '%s': table "
		    "'%s': another scan is still open", c->name, spec->table);
		return -1;
	}

	cur = xcalloc(1, sizeof *cur);
	cur->mc = mc;
	cur->table = xstrdup(spec->table);
	cur->conn = xstrdup(c->name);
	cur->ncols = spec->ncols;
	cur->cols = xcalloc((size_t)spec->ncols, sizeof *cur->cols);
	cur->fam = xcalloc((size_t)spec->ncols, sizeof *cur->fam);
	cur->float4 = xcalloc((size_t)spec->ncols, sizeof *cur->float4);
	sb_addstr(&sql, "SELECT ");
	for (i = 0; i < spec->ncols; i++) {
		cur->cols[i] = xstrdup(spec->cols[i]);
		cur->fam[i] = spec->fam[i];
		if (i > 0)
			sb_addstr(&sql, ", ");
		/*
		 * The server prints a FLOAT with 6 digits, which loses
		 * values: read it as a double and find its shortest float
		 * text here.
		 */
		j = my_tinfo_col(ti, spec->cols[i]);
		if (j >= 0 && strcasecmp(ti->dtype[j], "float") == 0 &&
		    spec->fam[i] == TF_FLOAT) {
			cur->float4[i] = 1;
			sb_addch(&sql, '(');
			my_quote_ident(&sql, spec->cols[i]);
			sb_addstr(&sql, " + 0e0)");
		} else
			my_quote_ident(&sql, spec->cols[i]);
	}
	sb_addstr(&sql, " FROM ");
	my_add_tref(&sql, &ti->tr);
	if (spec->key_eq != NULL) {
		/* One row: read whole on the main session. */
		sb_addstr(&sql, " WHERE ");
		my_add_key_match(&sql, mc->db, ti, spec->cols, spec->fam,
		    spec->nkey, spec->key_eq, 0);
		cur->db = mc->db;
		if (my_query(cur->db, sql.buf, sql.len) != 0 ||
		    (cur->res = mysql_store_result(cur->db)) == NULL)
			goto fail;
	} else {
		for (i = 0; i < spec->nkey; i++) {
			sb_addstr(&sql, i == 0 ? " ORDER BY " : ", ");
			my_add_order_col(&sql, ti, spec->cols[i],
			    spec->fam[i]);
		}
		cur->db = mc->rd;
		cur->streaming = 1;
		if (my_query(cur->db, sql.buf, sql.len) != 0 ||
		    (cur->res = mysql_use_result(cur->db)) == NULL)
			goto fail;
		mc->rdcur = cur;
	}
	sb_free(&sql);
	*out = cur;
	return 0;

fail:
	my_set_err(err, mc, cur->db, spec->table);
	sb_free(&sql);
	my_cursor_free(cur);
	return -1;
}

/*
 * The shortest text of the 4-byte float whose exact value the server
 * printed as a double in P (LEN bytes), into BUF; NULL when P is no number.
 */
static const char *
my_float4_text(const char *p, unsigned long len, char *buf, size_t size)
{
	char	 tmp[64], *end;
	double	 d;
	float	 f;
	int	 prec;

	if (len == 0 || len >= sizeof tmp)
		return NULL;
	memcpy(tmp, p, len);
	tmp[len] = '\0';
	d = strtod(tmp, &end);
	if (*end != '\0')
		return NULL;
	f = (float)d;
	for (prec = 1; prec <= 9; prec++) {
		snprintf(buf, size, "%.*g", prec, (double)f);
		if (strtof(buf, NULL) == f)
			break;
	}
	return buf;
}

/* Cell I (LEN bytes at P, NULL for SQL NULL) into ROW in canonical form. */
static int
my_next_cell(struct db_cursor *cur, struct row *r, int i, const char *p,
    unsigned long len, struct ps_error *err)
{
	char	fbuf[32];

	if (p == NULL) {
		row_set_null(r, i);
		return 0;
	}
	switch (cur->fam[i]) {
	case TF_TEXT:
	case TF_BINARY:
	case TF_OTHER:
		row_set(r, i, p, len);
		return 0;
	case TF_JSON:
		/* MariaDB keeps JSON as written: canonical form here. */
		break;
	case TF_INTEGER:
		/* The server prints integers canonically. */
		if (my_is_int(p, len) && (p[0] != '0' || len == 1) &&
		    (p[0] != '-' || (p[1] != '0' && len > 1))) {
			row_set(r, i, p, len);
			return 0;
		}
		break;
	case TF_BOOLEAN:
		if (len == 1 && (p[0] == '0' || p[0] == '1')) {
			row_set(r, i, p[0] == '1' ? "true" : "false",
			    p[0] == '1' ? 4 : 5);
			return 0;
		}
		break;
	case TF_FLOAT:
		if (cur->float4[i] &&
		    my_float4_text(p, len, fbuf, sizeof fbuf) != NULL) {
			p = fbuf;
			len = strlen(fbuf);
		}
		break;
	default:
		/* timestamptz without a zone is taken as UTC, as stored. */
		break;
	}
	if (row_set_canon(r, i, cur->fam[i], p, len, err) != 0) {
		ps_error_prefix(err, "connection '%s', table '%s', column '%s'",
		    cur->conn, cur->table, cur->cols[i]);
		return -1;
	}
	return 0;
}

static int
my_next(struct db_cursor *cur, struct row *r, struct ps_error *err)
{
	MYSQL_ROW	 row;
	unsigned long	*lens;
	unsigned int	 nf;
	int		 i;

	row_reset(r);
	if (cur->done)
		return 0;
	if (cur->res == NULL) {
		ps_error_set(err, PS_ERR_INTERNAL, "connection '%s', table "
		    "'%s': the scan outlived its connection", cur->conn,
		    cur->table);
		return -1;
	}
	if ((row = mysql_fetch_row(cur->res)) == NULL) {
		if (mysql_errno(cur->db) != 0) {
			if (cur->mc != NULL)
				my_set_err(err, cur->mc, cur->db, cur->table);
			else
				ps_error_set(err, PS_ERR_DB, "connection '%s', "
				    "table '%s': %s", cur->conn, cur->table,
				    mysql_error(cur->db));
			return -1;
		}
		/* The end: free the reader for the next scan now. */
		cur->done = 1;
		mysql_free_result(cur->res);
		cur->res = NULL;
		if (cur->mc != NULL && cur->mc->rdcur == cur)
			cur->mc->rdcur = NULL;
		return 0;
	}
	lens = mysql_fetch_lengths(cur->res);
	nf = mysql_num_fields(cur->res);
	for (i = 0; i < cur->ncols && (unsigned int)i < nf; i++)
		if (my_next_cell(cur, r, i, row[i], lens[i], err) != 0)
			return -1;
	return 1;
}

/* ---- transactions and writes ---- */

/* Run one statement without result on the main session. */
static int
my_run(struct my_conn *mc, const char *sql, size_t len, const char *table,
    struct ps_error *err)
{
	if (my_query(mc->db, sql, len) != 0) {
		my_set_err(err, mc, mc->db, table);
		return -1;
	}
	return 0;
}

static int
my_exec(struct db_conn *c, const char *sql, struct ps_error *err)
{
	struct my_conn	*mc = c->priv;
	MYSQL_RES	*res;
	int		 status;

	/* DDL may change what the cached table information says. */
	my_tinfo_clear(mc);
	if (my_query(mc->db, sql, strlen(sql)) != 0)
		goto fail;
	do {
		if ((res = mysql_store_result(mc->db)) != NULL)
			mysql_free_result(res);
		else if (mysql_field_count(mc->db) != 0)
			goto fail;
		if ((status = mysql_next_result(mc->db)) > 0)
			goto fail;
	} while (status == 0);
	return 0;
fail:
	my_set_err(err, mc, mc->db, NULL);
	return -1;
}

static int
my_begin(struct db_conn *c, struct ps_error *err)
{
	return my_run(c->priv, "START TRANSACTION", 17, NULL, err);
}

static int
my_commit(struct db_conn *c, struct ps_error *err)
{
	return my_run(c->priv, "COMMIT", 6, NULL, err);
}

static int
my_rollback(struct db_conn *c, struct ps_error *err)
{
	return my_run(c->priv, "ROLLBACK", 8, NULL, err);
}

/*
 * Hand a finished statement on: append it to OUT (render) or run it.  A
 * statement larger than max_allowed_packet is refused before it is sent
 * (the server would drop the connection).
 */
static int
my_emit(struct my_conn *mc, const char *table, const struct strbuf *stmt,
    struct strbuf *out, struct ps_error *err)
{
	if (out != NULL) {
		sb_add(out, stmt->buf, stmt->len);
		sb_addstr(out, ";\n");
		return 0;
	}
	if (stmt->len > mc->max_packet) {
		ps_error_set(err, PS_ERR_VALUE, "connection '%s', table '%s': "
		    "a statement of %zu bytes is larger than the server's "
		    "max_allowed_packet (%zu)", mc->name, table, stmt->len,
		    mc->max_packet);
		return -1;
	}
	return my_run(mc, stmt->buf, stmt->len, table, err);
}

/* "(v1, v2, ...)" of all the batch's columns of ROW. */
static void
my_add_tuple(struct strbuf *sb, MYSQL *db, const struct change_batch *b,
    const struct row *r)
{
	int	i;

	sb_addch(sb, '(');
	for (i = 0; i < b->ncols; i++) {
		if (i > 0)
			sb_addstr(sb, ", ");
		my_add_literal(sb, db, r, i, b->fam[i]);
	}
	sb_addch(sb, ')');
}

/* INSERT INTO t (cols) VALUES (...) */
static void
my_sql_insert(struct strbuf *sb, MYSQL *db, const struct my_tinfo *ti,
    const struct change_batch *b, const struct row *r)
{
	sb_addstr(sb, "INSERT INTO ");
	my_add_tref(sb, &ti->tr);
	sb_addstr(sb, " (");
	my_add_collist(sb, b->cols, b->ncols);
	sb_addstr(sb, ") VALUES ");
	if (r != NULL)
		my_add_tuple(sb, db, b, r);
}

/* UPDATE t SET nonkey = ... WHERE key */
static void
my_sql_update(struct strbuf *sb, MYSQL *db, const struct my_tinfo *ti,
    const struct change_batch *b, const struct row *r)
{
	int	i;

	sb_addstr(sb, "UPDATE ");
	my_add_tref(sb, &ti->tr);
	sb_addstr(sb, " SET ");
	for (i = b->nkey; i < b->ncols; i++) {
		if (i > b->nkey)
			sb_addstr(sb, ", ");
		my_quote_ident(sb, b->cols[i]);
		sb_addstr(sb, " = ");
		my_add_literal(sb, db, r, i, b->fam[i]);
	}
	sb_addstr(sb, " WHERE ");
	my_add_key_match(sb, db, ti, b->cols, b->fam, b->nkey, r, 0);
}

/*
 * INSERT INTO t (cols) SELECT ... FROM DUAL WHERE NOT EXISTS (the key):
 * the insert half of an update, as one statement (for render).
 */
static void
my_sql_insert_missing(struct strbuf *sb, MYSQL *db,
    const struct my_tinfo *ti, const struct change_batch *b,
    const struct row *r)
{
	int	i;

	sb_addstr(sb, "INSERT INTO ");
	my_add_tref(sb, &ti->tr);
	sb_addstr(sb, " (");
	my_add_collist(sb, b->cols, b->ncols);
	sb_addstr(sb, ") SELECT ");
	for (i = 0; i < b->ncols; i++) {
		if (i > 0)
			sb_addstr(sb, ", ");
		my_add_literal(sb, db, r, i, b->fam[i]);
	}
	sb_addstr(sb, " FROM DUAL WHERE NOT EXISTS (SELECT 1 FROM ");
	my_add_tref(sb, &ti->tr);
	sb_addstr(sb, " WHERE ");
	my_add_key_match(sb, db, ti, b->cols, b->fam, b->nkey, r, 0);
	sb_addch(sb, ')');
}

/* SELECT 1 / DELETE FROM t WHERE key */
static void
my_sql_where_key(struct strbuf *sb, MYSQL *db, const struct my_tinfo *ti,
    const char *verb, const struct change_batch *b, const struct row *r)
{
	sb_addstr(sb, verb);
	my_add_tref(sb, &ti->tr);
	sb_addstr(sb, " WHERE ");
	my_add_key_match(sb, db, ti, b->cols, b->fam, b->nkey, r, 0);
}

/*
 * After a duplicate-key error writing ROW: look for the row whose key the
 * collation holds equal to ROW's, and name both keys in ERR (which holds
 * the server's message).
 */
static void
my_dup_detail(struct my_conn *mc, const struct my_tinfo *ti,
    const struct change_batch *b, const struct row *r, struct ps_error *err)
{
	struct strbuf	 sql = STRBUF_INIT, mine = STRBUF_INIT;
	struct strbuf	 theirs = STRBUF_INIT;
	MYSQL_RES	*res = NULL;
	MYSQL_ROW	 row;
	unsigned long	*lens;
	struct row	 other;
	char		 msg[sizeof err->msg];
	int		 i, same, found = 0;

	if (err == NULL)
		return;
	snprintf(msg, sizeof msg, "%s", err->msg);
	key_json(r, b->nkey, b->cols, b->fam, &mine);
	row_init(&other, b->nkey);

	sb_addstr(&sql, "SELECT ");
	my_add_collist(&sql, b->cols, b->nkey);
	sb_addstr(&sql, " FROM ");
	my_add_tref(&sql, &ti->tr);
	sb_addstr(&sql, " WHERE ");
	my_add_key_match(&sql, mc->db, ti, b->cols, b->fam, b->nkey, r, 1);
	sb_addstr(&sql, " LIMIT 10");
	if (my_query(mc->db, sql.buf, sql.len) == 0 &&
	    (res = mysql_store_result(mc->db)) != NULL) {
		while (!found && (row = mysql_fetch_row(res)) != NULL) {
			lens = mysql_fetch_lengths(res);
			same = 1;
			row_reset(&other);
			for (i = 0; i < b->nkey; i++) {
				if (row[i] == NULL) {
					same = 0;
					continue;
				}
				row_set(&other, i, row[i], lens[i]);
				if (row_null(r, i) || row_len(r, i) != lens[i] ||
				    memcmp(row_ptr(r, i), row[i], lens[i]) != 0)
					same = 0;
			}
			if (!same) {
				key_json(&other, b->nkey, b->cols, b->fam,
				    &theirs);
				found = 1;
			}
		}
		mysql_free_result(res);
	}
	if (found)
		ps_error_set(err, PS_ERR_CONSTRAINT, "%s (key %s collides with "
		    "existing key %s, which the column's collation holds "
		    "equal)", msg, sb_str(&mine), sb_str(&theirs));
	else
		ps_error_set(err, err->code, "%s (writing key %s)", msg,
		    sb_str(&mine));
	err->native = MY_ER_DUP_ENTRY;
	snprintf(err->sqlstate, sizeof err->sqlstate, "23000");
	row_free(&other);
	sb_free(&sql);
	sb_free(&mine);
	sb_free(&theirs);
}

/* Run an INSERT of ROW; a duplicate key is explained. */
static int
my_insert_row(struct my_conn *mc, const struct my_tinfo *ti,
    const struct change_batch *b, const struct row *r, struct strbuf *sql,
    struct ps_error *err)
{
	unsigned int	no;

	sb_reset(sql);
	my_sql_insert(sql, mc->db, ti, b, r);
	if (my_emit(mc, b->table, sql, NULL, err) == 0)
		return 0;
	no = mysql_errno(mc->db);
	if (no == MY_ER_DUP_ENTRY || no == MY_ER_DUP_ENTRY_WITH_KEY_NAME)
		my_dup_detail(mc, ti, b, r, err);
	return -1;
}

/*
 * Change K of B as plain statements: run them, or with OUT append them as
 * text (an update then reads UPDATE and INSERT ... WHERE NOT EXISTS).
 */
static int
my_apply_row(struct my_conn *mc, const struct my_tinfo *ti,
    const struct change_batch *b, size_t k, struct strbuf *out,
    struct ps_error *err)
{
	const struct change	*ch = &b->ch[k];
	struct strbuf		 sql = STRBUF_INIT;
	MYSQL_RES		*res;
	int			 rc = -1, found;

	switch (ch->op) {
	case CH_INSERT:
		if (out != NULL) {
			my_sql_insert(&sql, mc->db, ti, b, &ch->row);
			rc = my_emit(mc, b->table, &sql, out, err);
		} else
			rc = my_insert_row(mc, ti, b, &ch->row, &sql, err);
		break;
	case CH_UPDATE:
		if (out != NULL) {
			if (b->nkey < b->ncols) {
				my_sql_update(&sql, mc->db, ti, b, &ch->row);
				my_emit(mc, b->table, &sql, out, err);
				sb_reset(&sql);
			}
			my_sql_insert_missing(&sql, mc->db, ti, b, &ch->row);
			rc = my_emit(mc, b->table, &sql, out, err);
			break;
		}
		if (b->nkey < b->ncols) {
			my_sql_update(&sql, mc->db, ti, b, &ch->row);
			if (my_emit(mc, b->table, &sql, NULL, err) != 0)
				break;
			/* CLIENT_FOUND_ROWS: rows matched, changed or not. */
			found = mysql_affected_rows(mc->db) > 0;
		} else {
			my_sql_where_key(&sql, mc->db, ti, "SELECT 1 FROM ", b,
			    &ch->row);
			sb_addstr(&sql, " LIMIT 1");
			if (my_query(mc->db, sql.buf, sql.len) != 0 ||
			    (res = mysql_store_result(mc->db)) == NULL) {
				my_set_err(err, mc, mc->db, b->table);
				break;
			}
			found = mysql_num_rows(res) > 0;
			mysql_free_result(res);
		}
		rc = found ? 0 : my_insert_row(mc, ti, b, &ch->row, &sql, err);
		break;
	case CH_DELETE:
		my_sql_where_key(&sql, mc->db, ti, "DELETE FROM ", b, &ch->row);
		rc = my_emit(mc, b->table, &sql, out, err);
		break;
	}
	sb_free(&sql);
	return rc;
}

/*
 * The key column the ON DUPLICATE KEY guard sets to NULL: not a TIMESTAMP
 * (timestamptz), where NULL may mean "now" (explicit_defaults_for_timestamp
 * off).  -1 when there is none.
 */
static int
my_upsert_guard(const struct change_batch *b)
{
	int	i;

	for (i = 0; i < b->nkey; i++)
		if (b->fam[i] != TF_TIMESTAMPTZ)
			return i;
	return -1;
}

/*
 * " ON DUPLICATE KEY UPDATE `k1` = IF(<the row found has our key, byte
 * for byte>, `k1`, NULL), `c` = VALUES(`c`), ...": setting a NOT NULL key
 * column to NULL fails the statement when the duplicate is another key
 * (folded by the collation, or a different unique index).
 */
static void
my_add_upsert_tail(struct strbuf *sb, const struct my_tinfo *ti,
    const struct change_batch *b)
{
	int	i, g;

	g = my_upsert_guard(b);

	sb_addstr(sb, " ON DUPLICATE KEY UPDATE ");
	my_quote_ident(sb, b->cols[g]);
	sb_addstr(sb, " = IF(");
	for (i = 0; i < b->nkey; i++) {
		if (i > 0)
			sb_addstr(sb, " AND ");
		if (my_col_folds(ti, b->cols[i], b->fam[i])) {
			sb_addstr(sb, "CAST(");
			my_quote_ident(sb, b->cols[i]);
			sb_addstr(sb, " AS BINARY) = CAST(VALUES(");
			my_quote_ident(sb, b->cols[i]);
			sb_addstr(sb, ") AS BINARY)");
		} else {
			my_quote_ident(sb, b->cols[i]);
			sb_addstr(sb, " <=> VALUES(");
			my_quote_ident(sb, b->cols[i]);
			sb_addch(sb, ')');
		}
	}
	sb_addstr(sb, ", ");
	my_quote_ident(sb, b->cols[g]);
	sb_addstr(sb, ", NULL)");
	for (i = b->nkey; i < b->ncols; i++) {
		sb_addstr(sb, ", ");
		my_quote_ident(sb, b->cols[i]);
		sb_addstr(sb, " = VALUES(");
		my_quote_ident(sb, b->cols[i]);
		sb_addch(sb, ')');
	}
}

/* One key of a multi-row DELETE: "v" for "k IN (...)", else "(match)". */
static void
my_add_delete_term(struct strbuf *sb, MYSQL *db, const struct my_tinfo *ti,
    const struct change_batch *b, const struct row *r, int in)
{
	if (in) {
		my_add_literal(sb, db, r, 0, b->fam[0]);
		return;
	}
	sb_addch(sb, '(');
	my_add_key_match(sb, db, ti, b->cols, b->fam, b->nkey, r, 0);
	sb_addch(sb, ')');
}

/*
 * The batch as set-based statements, each at most max_allowed_packet:
 * runs of inserts and updates as INSERT ... ON DUPLICATE KEY UPDATE, runs
 * of deletes as one DELETE, in the batch's order.  Runs them, or appends
 * them to OUT.  On failure *FAILED is SIZE_MAX, or the row that alone
 * does not fit in a statement.
 */
static int
my_apply_sets(struct my_conn *mc, const struct my_tinfo *ti,
    const struct change_batch *b, struct strbuf *out, size_t *failed,
    struct ps_error *err)
{
	struct strbuf	 stmt = STRBUF_INIT, tail = STRBUF_INIT;
	struct strbuf	 term = STRBUF_INIT;
	size_t		 k, head, rows;
	int		 del, in, rc = -1;

	in = b->nkey == 1 && !my_col_folds(ti, b->cols[0], b->fam[0]);
	sb_reset(&tail);
	my_add_upsert_tail(&tail, ti, b);
	k = 0;
	while (k < b->n) {
		del = b->ch[k].op == CH_DELETE;
		sb_reset(&stmt);
		if (del) {
			sb_addstr(&stmt, "DELETE FROM ");
			my_add_tref(&stmt, &ti->tr);
			sb_addstr(&stmt, " WHERE ");
			if (in) {
				my_quote_ident(&stmt, b->cols[0]);
				sb_addstr(&stmt, " IN (");
			}
		} else
			my_sql_insert(&stmt, mc->db, ti, b, NULL);
		head = stmt.len;
		rows = 0;
		for (; k < b->n && (b->ch[k].op == CH_DELETE) == del; k++) {
			sb_reset(&term);
			if (del)
				my_add_delete_term(&term, mc->db, ti, b,
				    &b->ch[k].row, in);
			else
				my_add_tuple(&term, mc->db, b, &b->ch[k].row);
			if (head + term.len + tail.len + 2 > mc->max_packet) {
				*failed = k;
				ps_error_set(err, PS_ERR_VALUE, "connection "
				    "'%s', table '%s': a row of %zu bytes does "
				    "not fit in the server's max_allowed_packet "
				    "(%zu)", mc->name, b->table, term.len,
				    mc->max_packet);
				goto out;
			}
			if (rows > 0 && stmt.len + 4 + term.len + tail.len + 2 >
			    mc->max_packet)
				break;
			if (rows > 0)
				sb_addstr(&stmt, del && !in ? " OR " : ", ");
			sb_add(&stmt, term.buf, term.len);
			rows++;
		}
		if (del && in)
			sb_addch(&stmt, ')');
		else if (!del)
			sb_add(&stmt, tail.buf, tail.len);
		if (my_emit(mc, b->table, &stmt, out, err) != 0) {
			*failed = SIZE_MAX;
			goto out;
		}
	}
	rc = 0;
out:
	sb_free(&stmt);
	sb_free(&tail);
	sb_free(&term);
	return rc;
}

static int
my_apply(struct db_conn *c, const struct change_batch *b, size_t *failed,
    struct ps_error *err)
{
	struct my_conn	*mc = c->priv;
	struct my_tinfo	*ti;
	size_t		 k;

	*failed = 0;
	if (b->n == 0)
		return 0;
	if (b->ncols <= 0 || b->nkey <= 0 || b->nkey > b->ncols) {
		ps_error_set(err, PS_ERR_USAGE, "table '%s': %d columns with "
		    "%d key columns cannot be written", b->table, b->ncols,
		    b->nkey);
		return -1;
	}
	if ((ti = my_tinfo_get(mc, b->table, err)) == NULL)
		return -1;
	if (b->n > 1 && my_upsert_guard(b) >= 0 &&
	    my_tinfo_upsert_ok(ti, b->cols, b->nkey))
		return my_apply_sets(mc, ti, b, NULL, failed, err);
	for (k = 0; k < b->n; k++) {
		if (my_apply_row(mc, ti, b, k, NULL, err) != 0) {
			*failed = k;
			return -1;
		}
	}
	return 0;
}

static void
my_render(struct db_conn *c, const struct change_batch *b,
    struct strbuf *out)
{
	struct my_conn	*mc = c->priv;
	struct my_tinfo	*ti, none;
	size_t		 k, failed;

	if (b->n == 0 || b->nkey <= 0 || b->nkey > b->ncols)
		return;
	if ((ti = my_tinfo_get(mc, b->table, NULL)) == NULL) {
		/* No such table yet (a dry run creates it): assume nothing. */
		memset(&none, 0, sizeof none);
		none.tr.name = (char *)b->table;
		ti = &none;
	}
	if (b->n > 1 && my_upsert_guard(b) >= 0 &&
	    my_tinfo_upsert_ok(ti, b->cols, b->nkey)) {
		(void)my_apply_sets(mc, ti, b, out, &failed, NULL);
		return;
	}
	for (k = 0; k < b->n; k++)
		(void)my_apply_row(mc, ti, b, k, out, NULL);
}

/* ---- DDL ---- */

/* The collation of created tables: bytes, no padding, where there is one. */
static const char *
my_ddl_collation(const struct my_conn *mc)
{
	if (mc->mariadb)
		return mc->version >= 100202 ? "utf8mb4_nopad_bin" :
		    "utf8mb4_bin";
	return mc->version >= 80017 ? "utf8mb4_0900_bin" : "utf8mb4_bin";
}

/* 1 when column NAME is in the model's primary key or a unique index. */
static int
my_ddl_keycol(const struct table_def *m, const char *name)
{
	int	i, k;

	for (i = 0; i < m->npk; i++)
		if (strcmp(m->pk[i], name) == 0)
			return 1;
	for (k = 0; k < m->nidx; k++) {
		if (!m->idx[k].unique)
			continue;
		for (i = 0; i < m->idx[k].ncols; i++)
			if (strcmp(m->idx[k].cols[i], name) == 0)
				return 1;
	}
	return 0;
}

/*
 * The one column that may be AUTO_INCREMENT: an integer marked so that
 * leads the primary key or a unique index (MySQL wants it indexed).  -1
 * when none.
 */
static int
my_ddl_autoinc(const struct table_def *m)
{
	const struct column_def	*cd;
	int			 i, k, lead;

	for (i = 0; i < m->ncols; i++) {
		cd = &m->cols[i];
		if (!cd->autoincrement || cd->family != TF_INTEGER)
			continue;
		lead = m->npk > 0 && strcmp(m->pk[0], cd->name) == 0;
		for (k = 0; k < m->nidx && !lead; k++)
			lead = m->idx[k].unique && m->idx[k].ncols > 0 &&
			    strcmp(m->idx[k].cols[0], cd->name) == 0;
		if (lead)
			return i;
	}
	return -1;
}

/* VARCHAR length of a key text column (its index must fit 3072 bytes). */
static int
my_ddl_keylen(const struct column_def *cd)
{
	int	max;

	max = cd->family == TF_BINARY ? MY_INDEX_BYTES : MY_INDEX_BYTES / 4;
	return cd->length > 0 && cd->length <= max ? cd->length : 255;
}

/* Bytes a VARCHAR/VARBINARY of CD counts against the row's 65,535. */
static long
my_ddl_cost(const struct column_def *cd, int len)
{
	return (cd->family == TF_BINARY ? (long)len : 4L * len) + 2;
}

struct my_ddl_cand {
	int	col;
	long	cost;
};

static int
my_ddl_cand_cmp(const void *a, const void *b)
{
	const struct my_ddl_cand	*x = a, *y = b;

	if (x->cost != y->cost)
		return x->cost < y->cost ? -1 : 1;
	return x->col - y->col;
}

/*
 * Decide which text and binary columns of M are VARCHAR/VARBINARY
 * (INROW[i] set) within the row's VARCHAR budget: key columns always,
 * then the others shortest first while they fit; the rest become TEXT or
 * BLOB types.
 */
static void
my_ddl_plan(const struct table_def *m, int *inrow)
{
	const struct column_def	*cd;
	struct my_ddl_cand	*cand;
	long			 budget = MY_ROW_BYTES - 64;
	int			 i, n = 0, max;

	cand = xcalloc((size_t)m->ncols + 1, sizeof *cand);
	for (i = 0; i < m->ncols; i++) {
		cd = &m->cols[i];
		inrow[i] = 0;
		if (cd->family != TF_TEXT && cd->family != TF_BINARY &&
		    cd->family != TF_OTHER) {
			budget -= 16;
			continue;
		}
		if (my_ddl_keycol(m, cd->name)) {
			inrow[i] = 1;
			budget -= my_ddl_cost(cd, my_ddl_keylen(cd));
			continue;
		}
		/* A TEXT or BLOB counts 12 bytes in the row. */
		budget -= 12;
		max = cd->family == TF_BINARY ? 65532 : 16383;
		if (cd->family == TF_OTHER || cd->length <= 0 ||
		    cd->length > max)
			continue;
		cand[n].col = i;
		cand[n].cost = my_ddl_cost(cd, cd->length);
		n++;
	}
	qsort(cand, (size_t)n, sizeof *cand, my_ddl_cand_cmp);
	for (i = 0; i < n; i++) {
		if (cand[i].cost - 12 > budget)
			break;
		budget -= cand[i].cost - 12;
		inrow[cand[i].col] = 1;
	}
	free(cand);
}

/*
 * Append the MySQL type of model column CD: KEYCOL for a key or unique
 * column, INROW when it may be a VARCHAR/VARBINARY.  -1 with
 * PS_ERR_UNSUPPORTED when MySQL has no such type.
 */
static int
my_ddl_type(struct strbuf *sb, const struct my_conn *mc,
    const struct table_def *m, const struct column_def *cd, int keycol,
    int inrow, struct ps_error *err)
{
	static const char *const ints[] = {
		"BIGINT", "TINYINT", "SMALLINT", "MEDIUMINT", "INT"
	};
	int	len, scale, maxscale;

	switch (cd->family) {
	case TF_INTEGER:
		sb_addstr(sb, ints[cd->precision >= 1 && cd->precision <= 4 ?
		    cd->precision : 0]);
		if (cd->is_unsigned)
			sb_addstr(sb, " UNSIGNED");
		return 0;
	case TF_DECIMAL:
		maxscale = mc->mariadb ? 38 : 30;
		if (cd->precision < 0) {
			sb_addstr(sb, "DECIMAL(65,30)");
			return 0;
		}
		scale = cd->scale > 0 ? cd->scale : 0;
		if (cd->precision == 0 || cd->precision > 65 ||
		    scale > maxscale || scale > cd->precision) {
			ps_error_set(err, PS_ERR_UNSUPPORTED, "table '%s', "
			    "column '%s': decimal(%d,%d) does not fit MySQL's "
			    "DECIMAL (at most 65 digits, %d after the point)",
			    m->name, cd->name, cd->precision, scale, maxscale);
			return -1;
		}
		sb_addf(sb, "DECIMAL(%d,%d)", cd->precision, scale);
		return 0;
	case TF_FLOAT:
		sb_addstr(sb, cd->precision == 4 ? "FLOAT" : "DOUBLE");
		return 0;
	case TF_BOOLEAN:
		sb_addstr(sb, "TINYINT(1)");
		return 0;
	case TF_TEXT:
	case TF_OTHER:
		len = keycol ? my_ddl_keylen(cd) : cd->length;
		if (keycol || inrow)
			sb_addf(sb, "VARCHAR(%d)", len);
		else if (len > 0 && len <= 65535)
			sb_addstr(sb, "TEXT");
		else if (len > 0 && len <= 16777215)
			sb_addstr(sb, "MEDIUMTEXT");
		else
			sb_addstr(sb, "LONGTEXT");
		return 0;
	case TF_BINARY:
		len = keycol ? my_ddl_keylen(cd) : cd->length;
		if (keycol || inrow)
			sb_addf(sb, "VARBINARY(%d)", len);
		else if (len > 0 && len <= 65535)
			sb_addstr(sb, "BLOB");
		else if (len > 0 && len <= 16777215)
			sb_addstr(sb, "MEDIUMBLOB");
		else
			sb_addstr(sb, "LONGBLOB");
		return 0;
	case TF_DATE:
		sb_addstr(sb, "DATE");
		return 0;
	case TF_TIME:
	case TF_TIMESTAMP:
	case TF_TIMESTAMPTZ:
		scale = cd->scale >= 0 && cd->scale <= 6 ? cd->scale : 6;
		sb_addf(sb, "%s(%d)", cd->family == TF_TIME ? "TIME" :
		    cd->family == TF_TIMESTAMP ? "DATETIME" : "TIMESTAMP",
		    scale);
		return 0;
	case TF_JSON:
		sb_addstr(sb, "JSON");
		return 0;
	case TF_UUID:
		if (!mc->mariadb || mc->version < 100700) {
			ps_error_set(err, PS_ERR_UNSUPPORTED, "table '%s', "
			    "column '%s': uuid needs MariaDB 10.7 or later "
			    "(the server is %s)", m->name, cd->name,
			    mc->version_str);
			return -1;
		}
		sb_addstr(sb, "UUID");
		return 0;
	default:
		sb_addstr(sb, "LONGTEXT");
		return 0;
	}
}

/*
 * Append " DEFAULT ..." for CD's default when it is a plain literal: a
 * number, a quoted string (a PostgreSQL "::type" cast after it dropped),
 * TRUE/FALSE, NULL, or for timestamps CURRENT_TIMESTAMP.  Strings are
 * escaped again for MySQL, and given as an expression to TEXT, BLOB and
 * JSON columns (MySQL takes only expressions there).
 */
static void
my_ddl_default(struct strbuf *sb, MYSQL *db, const struct column_def *cd,
    const char *type)
{
	struct strbuf	 v = STRBUF_INIT;
	const char	*p, *q, *e;
	size_t		 len;
	int		 lob, scale;

	if ((p = cd->default_expr) == NULL || cd->autoincrement)
		return;
	len = strlen(p);
	for (;;) {
		while (len > 0 && isspace((unsigned char)*p)) {
			p++;
			len--;
		}
		while (len > 0 && isspace((unsigned char)p[len - 1]))
			len--;
		if (len < 2 || p[0] != '(' || p[len - 1] != ')')
			break;
		p++;
		len -= 2;
	}
	if (len == 0)
		return;
	e = p + len;
	lob = strstr(type, "TEXT") != NULL || strstr(type, "BLOB") != NULL ||
	    strcmp(type, "JSON") == 0;
	if (len == 4 && strncasecmp(p, "NULL", 4) == 0) {
		if (cd->nullable)
			sb_addstr(sb, " DEFAULT NULL");
		return;
	}
	if ((len == 4 && strncasecmp(p, "TRUE", 4) == 0) ||
	    (len == 5 && strncasecmp(p, "FALSE", 5) == 0)) {
		sb_addstr(sb, len == 4 ? " DEFAULT 1" : " DEFAULT 0");
		return;
	}
	if ((cd->family == TF_TIMESTAMP || cd->family == TF_TIMESTAMPTZ) &&
	    ((len >= 17 && strncasecmp(p, "CURRENT_TIMESTAMP", 17) == 0 &&
	    (len == 17 || p[17] == '(')) || (len == 5 &&
	    strncasecmp(p, "now()", 5) == 0))) {
		scale = cd->scale >= 0 && cd->scale <= 6 ? cd->scale : 6;
		sb_addf(sb, " DEFAULT CURRENT_TIMESTAMP(%d)", scale);
		return;
	}
	if (my_is_number(p[0] == '+' ? p + 1 : p, p[0] == '+' ? len - 1 : len,
	    1)) {
		if (cd->family == TF_INTEGER || cd->family == TF_DECIMAL ||
		    cd->family == TF_FLOAT || cd->family == TF_BOOLEAN)
			sb_addf(sb, " DEFAULT %.*s", (int)len, p);
		return;
	}
	if (p[0] != '\'')
		return;
	/* A quoted string with '' inside, then nothing or a "::type". */
	for (q = p + 1; q < e; q++) {
		if (*q != '\'') {
			sb_addch(&v, *q);
			continue;
		}
		if (q + 1 < e && q[1] == '\'') {
			sb_addch(&v, '\'');
			q++;
			continue;
		}
		break;
	}
	if (q >= e || (q + 1 < e && (q + 2 >= e || q[1] != ':' ||
	    q[2] != ':'))) {
		sb_free(&v);
		return;
	}
	if (cd->family == TF_BOOLEAN && (strcasecmp(sb_str(&v), "t") == 0 ||
	    strcasecmp(sb_str(&v), "true") == 0 ||
	    strcasecmp(sb_str(&v), "f") == 0 ||
	    strcasecmp(sb_str(&v), "false") == 0)) {
		sb_addstr(sb, tolower((unsigned char)v.buf[0]) == 't' ?
		    " DEFAULT 1" : " DEFAULT 0");
		sb_free(&v);
		return;
	}
	sb_addstr(sb, lob ? " DEFAULT (" : " DEFAULT ");
	my_add_string(sb, db, sb_str(&v), v.len);
	if (lob)
		sb_addch(sb, ')');
	sb_free(&v);
}

/*
 * Append the definition of model column CD: name, type, [CHARACTER SET
 * CS COLLATE CO,] nullability, default, AUTO_INCREMENT.
 */
static int
my_ddl_coldef(struct strbuf *sb, const struct my_conn *mc,
    const struct table_def *m, const struct column_def *cd, int keycol,
    int inrow, int autoinc, const char *cs, const char *coll,
    struct ps_error *err)
{
	char	*type;
	size_t	 tpos;
	int	 notnull;

	my_quote_ident(sb, cd->name);
	sb_addch(sb, ' ');
	tpos = sb->len;
	if (my_ddl_type(sb, mc, m, cd, keycol, inrow, err) != 0)
		return -1;
	if (cs != NULL && coll != NULL && (cd->family == TF_TEXT ||
	    cd->family == TF_OTHER))
		sb_addf(sb, " CHARACTER SET %s COLLATE %s", cs, coll);
	notnull = !cd->nullable || autoinc;
	if (notnull)
		sb_addstr(sb, " NOT NULL");
	else if (cd->family == TF_TIMESTAMPTZ)
		sb_addstr(sb, " NULL");	/* no implicit default */
	if (autoinc) {
		sb_addstr(sb, " AUTO_INCREMENT");
		return 0;
	}
	/* The type just written decides how a default is spelled. */
	type = xstrndup(sb->buf + tpos, sb->len - tpos);
	my_ddl_default(sb, mc->db, cd, type);
	free(type);
	return 0;
}

/* The primary key columns of TABLE on this server, for a foreign key. */
static int
my_ddl_parent_pk(struct my_conn *mc, const char *table, char ***cols)
{
	struct my_tinfo	*ti;

	*cols = NULL;
	if ((ti = my_tinfo_get(mc, table, NULL)) == NULL || ti->nuniq == 0)
		return 0;
	*cols = ti->uniq[0].cols;
	return ti->uniq[0].ncols;
}

/* ", FOREIGN KEY (cols) REFERENCES parent (cols)" for each usable key. */
static void
my_ddl_fks(struct strbuf *sb, struct my_conn *mc, const struct table_def *m)
{
	const struct fk_def	*fk;
	struct my_tref		 tr;
	char			**refs;
	int			 k, i, nref;

	for (k = 0; k < m->nfk; k++) {
		fk = &m->fks[k];
		if (fk->ncols <= 0 || fk->ref_table == NULL)
			continue;
		refs = fk->ref_cols;
		nref = fk->ncols;
		for (i = 0; refs != NULL && i < fk->ncols; i++)
			if (refs[i] == NULL)
				refs = NULL;
		if (refs == NULL) {
			/* The parent's primary key: ours, or the server's. */
			if (strcmp(fk->ref_table, m->name) == 0) {
				refs = m->pk;
				nref = m->npk;
			} else
				nref = my_ddl_parent_pk(mc, fk->ref_table,
				    &refs);
		}
		if (refs == NULL || nref != fk->ncols)
			continue;
		if (my_tref(mc, fk->ref_table, &tr, NULL) != 0)
			continue;
		sb_addstr(sb, ", FOREIGN KEY (");
		my_add_collist(sb, fk->cols, fk->ncols);
		sb_addstr(sb, ") REFERENCES ");
		if (tr.schema == NULL && m->schema != NULL &&
		    strchr(fk->ref_table, '.') == NULL) {
			my_quote_ident(sb, m->schema);
			sb_addch(sb, '.');
		}
		my_add_tref(sb, &tr);
		sb_addstr(sb, " (");
		my_add_collist(sb, refs, nref);
		sb_addch(sb, ')');
		my_tref_free(&tr);
	}
}

static int
my_ddl(struct db_conn *c, enum ddl_op op, const struct table_def *m,
    int col, struct strbuf *sb, struct ps_error *err)
{
	struct my_conn		*mc = c->priv;
	struct my_tinfo		*ti;
	const struct index_def	*ix;
	struct my_tref		 tr;
	const char		*cs = NULL, *coll = NULL;
	size_t			 start = sb->len;
	int			*inrow = NULL;
	int			 i, k, j, autoinc, rc = -1;

	tr.schema = m->schema;
	tr.name = m->name;
	autoinc = my_ddl_autoinc(m);
	switch (op) {
	case DDL_ADD_COLUMN:
	case DDL_WIDEN_COLUMN:
		if (col < 0 || col >= m->ncols) {
			ps_error_set(err, PS_ERR_USAGE, "table '%s': no column "
			    "%d to %s", m->name, col, op == DDL_ADD_COLUMN ?
			    "add" : "widen");
			return -1;
		}
		if (op == DDL_WIDEN_COLUMN) {
			/* Keep the column's character set and collation. */
			if (m->schema != NULL) {
				char	*full;

				xasprintf(&full, "%s.%s", m->schema, m->name);
				ti = my_tinfo_get(mc, full, NULL);
				free(full);
			} else
				ti = my_tinfo_get(mc, m->name, NULL);
			if (ti != NULL &&
			    (i = my_tinfo_col(ti, m->cols[col].name)) >= 0) {
				cs = ti->charset[i];
				coll = ti->collation[i];
			}
		}
		sb_addstr(sb, "ALTER TABLE ");
		my_add_tref(sb, &tr);
		sb_addstr(sb, op == DDL_ADD_COLUMN ? " ADD COLUMN " :
		    " MODIFY COLUMN ");
		/* Outside CREATE the row budget is unknown: 255 stays in row. */
		if (my_ddl_coldef(sb, mc, m, &m->cols[col],
		    op == DDL_WIDEN_COLUMN && my_ddl_keycol(m,
		    m->cols[col].name), m->cols[col].length > 0 &&
		    m->cols[col].length <= 255, op == DDL_WIDEN_COLUMN &&
		    autoinc == col, cs, coll, err) != 0)
			goto out;
		sb_addstr(sb, ";\n");
		rc = 0;
		goto out;
	case DDL_CREATE_TABLE:
		break;
	default:
		ps_error_set(err, PS_ERR_UNSUPPORTED, "table '%s': DDL "
		    "operation %d is not supported on MySQL", m->name, op);
		return -1;
	}
	if (m->ncols <= 0) {
		ps_error_set(err, PS_ERR_USAGE, "table '%s': no columns to "
		    "create", m->name);
		return -1;
	}
	inrow = xcalloc((size_t)m->ncols, sizeof *inrow);
	my_ddl_plan(m, inrow);
	sb_addstr(sb, "CREATE TABLE ");
	my_add_tref(sb, &tr);
	sb_addstr(sb, " (");
	for (i = 0; i < m->ncols; i++) {
		if (i > 0)
			sb_addstr(sb, ", ");
		if (my_ddl_coldef(sb, mc, m, &m->cols[i],
		    my_ddl_keycol(m, m->cols[i].name), inrow[i], autoinc == i,
		    NULL, NULL, err) != 0)
			goto out;
	}
	if (m->npk > 0) {
		sb_addstr(sb, ", PRIMARY KEY (");
		my_add_collist(sb, m->pk, m->npk);
		sb_addch(sb, ')');
	}
	for (k = 0; k < m->nidx; k++) {
		ix = &m->idx[k];
		if (!ix->unique || ix->ncols <= 0)
			continue;
		if (ix->ncols == m->npk) {
			for (j = 0; j < ix->ncols; j++)
				if (strcmp(ix->cols[j], m->pk[j]) != 0)
					break;
			if (j == ix->ncols)
				continue;
		}
		sb_addstr(sb, ", UNIQUE (");
		my_add_collist(sb, ix->cols, ix->ncols);
		sb_addch(sb, ')');
	}
	my_ddl_fks(sb, mc, m);
	sb_addf(sb, ") ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=%s;\n",
	    my_ddl_collation(mc));
	rc = 0;
out:
	if (rc != 0)
		sb_truncate(sb, start);
	free(inrow);
	return rc;
}

const struct db_ops db_mysql_ops = {
	.version = DB_OPS_VERSION,
	.name = "mysql",
	.global_init = my_global_init,
	.connect = my_connect,
	.close = my_close,
	.cancel = my_cancel,
	.server_version = my_server_version,
	.list_tables = my_list_tables,
	.describe = my_describe,
	.begin = my_begin,
	.commit = my_commit,
	.rollback = my_rollback,
	.scan = my_scan,
	.next = my_next,
	.cursor_free = my_cursor_free,
	.apply = my_apply,
	.render = my_render,
	.exec = my_exec,
	.ddl = my_ddl,
	.quote_ident = my_quote_ident,
	.after_write = NULL,
	.estimate = my_estimate,
};
