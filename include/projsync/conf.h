/*
 * projsync - conf.h: the configuration file (libconfig syntax, SPEC section
 * 2): connections, defaults, per-table settings, schedules, notifications and
 * history retention.  Loaded whole, changed in memory, written back
 * atomically (temporary file, fsync, rename) with mode 0600.
 */
#ifndef PROJSYNC_CONF_H
#define PROJSYNC_CONF_H

#include "projsync/common.h"

struct conn_conf {
	char	*name;
	char	*type;		/* canonical: "postgresql", "mysql", "sqlite" */
	char	*dsn;
	char	*password_env;	/* NULL when unset */
	char	*password;	/* NULL when unset; never printed */
};

struct table_conf {
	char	 *name;
	char	 *timestamp_column;	/* NULL when unset */
	char	**key_columns;		/* NULL-terminated, NULL when unset */
	int	  nkey_columns;
};

struct defaults_conf {
	char	*direction;	/* "one-way" or "bidirectional" */
	char	*strategy;	/* "manual", "source-wins", ... */
	int	 batch_size;	/* 1000 */
	int	 schema_validation;	/* 1 */
	int	 auto_migrate;	/* 0 */
	double	 clock_skew;	/* seconds, 0 */
	int	 connect_timeout;	/* seconds, 10 */
};

struct schedule_conf {
	char	*name;
	char	*source;
	char	*target;
	char	*every;		/* "daily", "weekly", "monthly" */
	char	*at;		/* "HH:MM" */
	char	*on;		/* weekday for weekly: "mon".."sun"; NULL */
	int	 day;		/* 1-31 for monthly; 0 */
	char	*strategy;	/* NULL: defaults */
	char	*direction;	/* NULL: defaults */
	int	 enabled;
	/*
	 * Sync options, as "schedule add" takes them (SPEC section 7); the
	 * zero value of each means "as the defaults say".
	 */
	char	**tables;		/* NULL-terminated; NULL: every table */
	char	**exclude;		/* NULL-terminated; NULL: none */
	char	 *timestamp_column;	/* NULL */
	int	  batch_size;		/* 0: defaults */
	int	  no_schema_check;	/* schema_validation = false */
	int	  auto_migrate;		/* auto_migrate = true */
	int	  single_transaction;
	int	  stop_on_error;
};

struct notify_conf {
	int	 on_failure;	/* 1 */
	int	 on_conflicts;	/* 1 */
	int	 on_success;	/* 0 */
	int	 bell;		/* 1 */
	char	*command;	/* NULL or "" when unset */
};

struct conf {
	char			*path;	/* the file this came from / goes to */
	int			 nconns;
	struct conn_conf	*conns;
	struct defaults_conf	 defaults;
	int			 ntables;
	struct table_conf	*tables;
	int			 nschedules;
	struct schedule_conf	*schedules;
	struct notify_conf	 notify;
	int			 retention_days;	/* 90 */
};

/*
 * Load PATH (NULL: util_default_config_path()).  A missing file gives the
 * defaults (nothing is created until
 * conf_save).  A file that holds a plain password and is readable by group or
 * others is refused with PS_ERR_CONFIG: "FILE: ... (chmod 600 FILE)".  Syntax
 * and type errors are "FILE:LINE: what was expected".  Unknown connection
 * types, duplicate names and bad values are refused the same way.
 */
int	conf_load(const char *path, struct conf **, struct ps_error *);
/* Write to conf->path atomically, mode 0600, creating folders. */
int	conf_save(const struct conf *, struct ps_error *);
void	conf_free(struct conf *);

const struct conn_conf	*conf_conn_find(const struct conf *, const char *);
const struct table_conf	*conf_table_find(const struct conf *, const char *);
/*
 * Add a connection; TYPE may be an alias.  -1 with PS_ERR_USAGE for an
 * unknown type, an empty or duplicate name, or an empty DSN.
 */
int	conf_conn_add(struct conf *, const char *name, const char *type,
	    const char *dsn, const char *password_env, struct ps_error *);
/*
 * Remove a connection: PS_ERR_NOT_FOUND when there is none by that name,
 * PS_ERR_USAGE when a schedule still uses it.
 */
int	conf_conn_remove(struct conf *, const char *name, struct ps_error *);

const struct schedule_conf *conf_schedule_find(const struct conf *,
	    const char *);
/*
 * Add a copy of SCHED (the caller keeps its own).  The same rules as the
 * file apply: a unique non-empty name, known source and target connections
 * that differ, every = daily|weekly|monthly, at = HH:MM, on (mon..sun) only
 * and always for weekly, day (1-31) only and always for monthly, a known
 * strategy and direction.  -1 with PS_ERR_USAGE naming what is wrong.
 */
int	conf_schedule_add(struct conf *, const struct schedule_conf *,
	    struct ps_error *);
int	conf_schedule_remove(struct conf *, const char *, struct ps_error *);
void	conf_schedule_free(struct schedule_conf *);	/* members only */

/* 1 for a strategy ("manual", "source-wins", ...) or direction name. */
int	conf_strategy_valid(const char *);
int	conf_direction_valid(const char *);

/* "pg" -> "postgresql", "mariadb" -> "mysql", ...; NULL when unknown. */
const char *conn_type_canonical(const char *);
/* The DSN with any password in it replaced by "****"; the caller frees. */
char	*dsn_mask(const char *type, const char *dsn);
/*
 * The connection's password: $password_env if set (an unset variable is an
 * error naming it), else the password setting, else NULL (the client
 * library's own sources).  *OUT is strdup'd; the caller frees (and should
 * clear it).
 */
int	conn_password(const struct conn_conf *, char **out, struct ps_error *);

#endif
