/*
 * projsync - conf.c: the configuration file (SPEC section 2).  conf_load
 * reads it with libconfig and checks every known setting's type and value,
 * naming the file, the line and the setting in each error; unknown settings
 * are accepted and ignored, so a newer file still loads.  conf_save writes
 * the whole configuration back as libconfig text (every section, defaults
 * included) through a temporary file in the same folder, fsync and rename,
 * with mode 0600.  Also here: connection types and their aliases, passwords
 * and masking them in DSNs.
 *
 * The file is written by hand rather than with config_write(): libconfig 1.5
 * prints floats with six digits and would lose clock_skew precision.  The
 * string escapes written (\" \\ \n \r \t \f and \xNN for other control
 * bytes) are exactly those libconfig's scanner reads back, and every other
 * byte is written as it is, so any string without a NUL round-trips.
 */
#include "projsync/common.h"
#include "projsync/conf.h"
#include "projsync/util.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <libconfig.h>

static const struct {
	const char	*name;
	const char	*canonical;
} conn_types[] = {
	{ "postgresql",	"postgresql" },
	{ "postgres",	"postgresql" },
	{ "pg",		"postgresql" },
	{ "mysql",	"mysql" },
	{ "mariadb",	"mysql" },
	{ "sqlite",	"sqlite" },
	{ "sqlite3",	"sqlite" },
};
#define CONN_TYPES_EXPECTED	"postgresql, mysql or sqlite"

static const char *const conf_strategies[] = {
	"manual", "source-wins", "target-wins", "newer-wins", "ignore", NULL
};
#define STRATEGIES_EXPECTED \
	"manual, source-wins, target-wins, newer-wins or ignore"

static const char *const conf_directions[] = {
	"one-way", "bidirectional", NULL
};
#define DIRECTIONS_EXPECTED	"one-way or bidirectional"

static const char *const conf_weekdays[] = {
	"mon", "tue", "wed", "thu", "fri", "sat", "sun", NULL
};
#define WEEKDAYS_EXPECTED	"mon, tue, wed, thu, fri, sat or sun"

/* Where an error was found while loading: the file and the setting. */
struct conf_ctx {
	const char	*path;
	struct ps_error	*err;
};

const char *
conn_type_canonical(const char *type)
{
	size_t	i;

	if (type == NULL)
		return NULL;
	for (i = 0; i < nitems(conn_types); i++) {
		if (strcasecmp(type, conn_types[i].name) == 0)
			return conn_types[i].canonical;
	}
	return NULL;
}

static int
conf_in_list(const char *const *list, const char *s)
{
	if (s == NULL)
		return 0;
	for (; *list != NULL; list++) {
		if (strcmp(*list, s) == 0)
			return 1;
	}
	return 0;
}

int
conf_strategy_valid(const char *s)
{
	return conf_in_list(conf_strategies, s);
}

int
conf_direction_valid(const char *s)
{
	return conf_in_list(conf_directions, s);
}

/* A name may not be empty or hold control characters. */
static int
conf_name_ok(const char *s)
{
	if (s == NULL || *s == '\0')
		return 0;
	for (; *s != '\0'; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	}
	return 1;
}

/* An environment variable name: [A-Za-z_][A-Za-z0-9_]*. */
static int
conf_env_name_ok(const char *s)
{
	if (s == NULL || (!isalpha((unsigned char)*s) && *s != '_'))
		return 0;
	for (s++; *s != '\0'; s++) {
		if (!isalnum((unsigned char)*s) && *s != '_')
			return 0;
	}
	return 1;
}

/* "HH:MM" from 00:00 to 23:59. */
static int
conf_time_ok(const char *s)
{
	if (s == NULL || strlen(s) != 5 || s[2] != ':')
		return 0;
	if (!isdigit((unsigned char)s[0]) || !isdigit((unsigned char)s[1]) ||
	    !isdigit((unsigned char)s[3]) || !isdigit((unsigned char)s[4]))
		return 0;
	if ((s[0] - '0') * 10 + (s[1] - '0') > 23)
		return 0;
	if (s[3] > '5')
		return 0;
	return 1;
}

static char **
conf_strv_dup(char *const *v)
{
	char	**copy;
	size_t	  n, i;

	if (v == NULL)
		return NULL;
	for (n = 0; v[n] != NULL; n++)
		;
	copy = xcalloc(n + 1, sizeof *copy);
	for (i = 0; i < n; i++)
		copy[i] = xstrdup(v[i]);
	return copy;
}

static void
conf_conn_free(struct conn_conf *c)
{
	free(c->name);
	free(c->type);
	free(c->dsn);
	free(c->password_env);
	if (c->password != NULL) {
		explicit_bzero(c->password, strlen(c->password));
		free(c->password);
	}
	memset(c, 0, sizeof *c);
}

static void
conf_table_free(struct table_conf *t)
{
	free(t->name);
	free(t->timestamp_column);
	util_strv_free(t->key_columns);
	memset(t, 0, sizeof *t);
}

void
conf_schedule_free(struct schedule_conf *s)
{
	if (s == NULL)
		return;
	free(s->name);
	free(s->source);
	free(s->target);
	free(s->every);
	free(s->at);
	free(s->on);
	free(s->strategy);
	free(s->direction);
	util_strv_free(s->tables);
	util_strv_free(s->exclude);
	free(s->timestamp_column);
	memset(s, 0, sizeof *s);
}

void
conf_free(struct conf *conf)
{
	int	i;

	if (conf == NULL)
		return;
	free(conf->path);
	for (i = 0; i < conf->nconns; i++)
		conf_conn_free(&conf->conns[i]);
	free(conf->conns);
	free(conf->defaults.direction);
	free(conf->defaults.strategy);
	for (i = 0; i < conf->ntables; i++)
		conf_table_free(&conf->tables[i]);
	free(conf->tables);
	for (i = 0; i < conf->nschedules; i++)
		conf_schedule_free(&conf->schedules[i]);
	free(conf->schedules);
	free(conf->notify.command);
	free(conf);
}

/* A configuration holding only the defaults, for PATH. */
static struct conf *
conf_new(const char *path)
{
	struct conf	*conf;

	conf = xcalloc(1, sizeof *conf);
	conf->path = xstrdup(path);
	conf->defaults.direction = xstrdup("one-way");
	conf->defaults.strategy = xstrdup("manual");
	conf->defaults.batch_size = 1000;
	conf->defaults.schema_validation = 1;
	conf->defaults.auto_migrate = 0;
	conf->defaults.clock_skew = 0;
	conf->defaults.connect_timeout = 10;
	conf->notify.on_failure = 1;
	conf->notify.on_conflicts = 1;
	conf->notify.on_success = 0;
	conf->notify.bell = 1;
	conf->notify.command = xstrdup("");
	conf->retention_days = 90;
	return conf;
}

/* Loading. */

/* Fail with "FILE:LINE: WHERE: MESSAGE" for the line of setting S. */
static int PS_PRINTF(4, 5)
conf_fail(struct conf_ctx *ctx, const config_setting_t *s, const char *where,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*msg;

	va_start(ap, fmt);
	xvasprintf(&msg, fmt, ap);
	va_end(ap);
	ps_error_set(ctx->err, PS_ERR_CONFIG, "%s:%u: %s: %s", ctx->path,
	    s != NULL ? config_setting_source_line(s) : 0u, where, msg);
	free(msg);
	return -1;
}

/*
 * The member KEY of GROUP, NULL when absent; WHERE_KEY is set to
 * "WHERE.KEY" for messages (the caller frees).
 */
static config_setting_t *
conf_member(config_setting_t *group, const char *where, const char *key,
    char **where_key)
{
	if (*where == '\0')
		*where_key = xstrdup(key);
	else
		xasprintf(where_key, "%s.%s", where, key);
	return config_setting_get_member(group, key);
}

/*
 * Read the string KEY of GROUP into *OUT (replacing what was there).  A
 * missing setting is an error when REQUIRED, else leaves *OUT alone.  An
 * empty string is refused unless EMPTY_OK.
 */
static int
conf_get_string(struct conf_ctx *ctx, config_setting_t *group,
    const char *where, const char *key, int required, int empty_ok,
    char **out)
{
	config_setting_t	*s;
	char			*wk = NULL;
	const char		*v;
	int			 rc = -1;

	s = conf_member(group, where, key, &wk);
	if (s == NULL) {
		if (required) {
			conf_fail(ctx, group, where, "missing %s (a string)",
			    key);
			goto out;
		}
		rc = 0;
		goto out;
	}
	if (config_setting_type(s) != CONFIG_TYPE_STRING) {
		conf_fail(ctx, s, wk, "expected a string in double quotes");
		goto out;
	}
	v = config_setting_get_string(s);
	if (!empty_ok && *v == '\0') {
		conf_fail(ctx, s, wk, "must not be empty");
		goto out;
	}
	free(*out);
	*out = xstrdup(v);
	rc = 0;
out:
	free(wk);
	return rc;
}

/* Read the boolean KEY of GROUP into *OUT when present. */
static int
conf_get_bool(struct conf_ctx *ctx, config_setting_t *group,
    const char *where, const char *key, int *out)
{
	config_setting_t	*s;
	char			*wk = NULL;
	int			 rc = -1;

	if ((s = conf_member(group, where, key, &wk)) == NULL) {
		rc = 0;
		goto out;
	}
	if (config_setting_type(s) != CONFIG_TYPE_BOOL) {
		conf_fail(ctx, s, wk, "expected true or false");
		goto out;
	}
	*out = config_setting_get_bool(s) ? 1 : 0;
	rc = 0;
out:
	free(wk);
	return rc;
}

/* Read the integer KEY of GROUP, in [MIN, MAX], into *OUT when present. */
static int
conf_get_int(struct conf_ctx *ctx, config_setting_t *group,
    const char *where, const char *key, long long min, long long max,
    int *out)
{
	config_setting_t	*s;
	char			*wk = NULL;
	long long		 v;
	int			 rc = -1;

	if ((s = conf_member(group, where, key, &wk)) == NULL) {
		rc = 0;
		goto out;
	}
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(s);
		break;
	case CONFIG_TYPE_INT64:
		v = config_setting_get_int64(s);
		break;
	default:
		conf_fail(ctx, s, wk, "expected a whole number");
		goto out;
	}
	if (v < min || v > max) {
		if (max >= INT_MAX)
			conf_fail(ctx, s, wk, "%lld is too small (expected "
			    "%lld or more)", v, min);
		else
			conf_fail(ctx, s, wk, "%lld is out of range (expected "
			    "%lld to %lld)", v, min, max);
		goto out;
	}
	*out = (int)v;
	rc = 0;
out:
	free(wk);
	return rc;
}

/* Read the number KEY of GROUP, finite and in [MIN, MAX], when present. */
static int
conf_get_double(struct conf_ctx *ctx, config_setting_t *group,
    const char *where, const char *key, double min, double max, double *out)
{
	config_setting_t	*s;
	char			*wk = NULL;
	double			 v;
	int			 rc = -1;

	if ((s = conf_member(group, where, key, &wk)) == NULL) {
		rc = 0;
		goto out;
	}
	switch (config_setting_type(s)) {
	case CONFIG_TYPE_INT:
		v = config_setting_get_int(s);
		break;
	case CONFIG_TYPE_INT64:
		v = (double)config_setting_get_int64(s);
		break;
	case CONFIG_TYPE_FLOAT:
		v = config_setting_get_float(s);
		break;
	default:
		conf_fail(ctx, s, wk, "expected a number");
		goto out;
	}
	if (!isfinite(v) || v < min || v > max) {
		conf_fail(ctx, s, wk, "%g is out of range (expected %g to %g)",
		    v, min, max);
		goto out;
	}
	*out = v;
	rc = 0;
out:
	free(wk);
	return rc;
}

/*
 * Read KEY of GROUP, an array or list of non-empty strings, into *OUT
 * (NULL-terminated) and *N when present.  An empty array leaves both unset.
 */
static int
conf_get_strv(struct conf_ctx *ctx, config_setting_t *group,
    const char *where, const char *key, char ***out, int *n)
{
	config_setting_t	 *s, *e;
	char			 *wk = NULL, *we = NULL;
	char			**v = NULL;
	const char		 *str;
	int			  len, i, rc = -1;

	if ((s = conf_member(group, where, key, &wk)) == NULL) {
		rc = 0;
		goto out;
	}
	if (config_setting_type(s) != CONFIG_TYPE_ARRAY &&
	    config_setting_type(s) != CONFIG_TYPE_LIST) {
		conf_fail(ctx, s, wk, "expected an array of strings "
		    "[\"a\", \"b\"]");
		goto out;
	}
	len = config_setting_length(s);
	if (len == 0) {
		rc = 0;
		goto out;
	}
	v = xcalloc((size_t)len + 1, sizeof *v);
	for (i = 0; i < len; i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		free(we);
		xasprintf(&we, "%s[%d]", wk, i);
		if (config_setting_type(e) != CONFIG_TYPE_STRING) {
			conf_fail(ctx, e, we, "expected a string in double "
			    "quotes");
			goto out;
		}
		str = config_setting_get_string(e);
		if (*str == '\0') {
			conf_fail(ctx, e, we, "must not be empty");
			goto out;
		}
		v[i] = xstrdup(str);
	}
	util_strv_free(*out);
	*out = v;
	v = NULL;
	if (n != NULL)
		*n = len;
	rc = 0;
out:
	util_strv_free(v);
	free(we);
	free(wk);
	return rc;
}

/*
 * The top-level setting NAME when present: a group (LIST 0) or a list of
 * groups (LIST 1).  Anything else is an error.
 */
static int
conf_section(struct conf_ctx *ctx, config_t *cfg, const char *name, int list,
    config_setting_t **out)
{
	config_setting_t	*s, *e;
	char			*we;
	int			 i;

	*out = NULL;
	if ((s = config_lookup(cfg, name)) == NULL)
		return 0;
	if (!list) {
		if (config_setting_type(s) != CONFIG_TYPE_GROUP)
			return conf_fail(ctx, s, name, "expected a group "
			    "{ setting = value; ... }");
		*out = s;
		return 0;
	}
	if (config_setting_type(s) != CONFIG_TYPE_LIST)
		return conf_fail(ctx, s, name, "expected a list of groups "
		    "( { ... }, { ... } )");
	for (i = 0; i < config_setting_length(s); i++) {
		e = config_setting_get_elem(s, (unsigned int)i);
		if (config_setting_type(e) != CONFIG_TYPE_GROUP) {
			xasprintf(&we, "%s[%d]", name, i);
			conf_fail(ctx, e, we, "expected a group "
			    "{ setting = value; ... }");
			free(we);
			return -1;
		}
	}
	*out = s;
	return 0;
}

/* The line of member KEY of GROUP, else of GROUP itself. */
static unsigned int
conf_line(config_setting_t *group, const char *key)
{
	config_setting_t	*s;

	if (key != NULL && (s = config_setting_get_member(group, key)) != NULL)
		return config_setting_source_line(s);
	return config_setting_source_line(group);
}

static int
conf_load_connections(struct conf_ctx *ctx, config_t *cfg, struct conf *conf)
{
	config_setting_t	*list, *g, *s;
	struct conn_conf	*c;
	char			*where = NULL, *wk = NULL, *type = NULL;
	const char		*canon;
	int			 n, i, j, rc = -1;

	if (conf_section(ctx, cfg, "connections", 1, &list) != 0)
		return -1;
	if (list == NULL || (n = config_setting_length(list)) == 0)
		return 0;
	conf->conns = xcalloc((size_t)n, sizeof *conf->conns);
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(list, (unsigned int)i);
		free(where);
		xasprintf(&where, "connections[%d]", i);
		c = &conf->conns[i];
		conf->nconns++;
		free(type);
		type = NULL;
		if (conf_get_string(ctx, g, where, "name", 1, 0,
		    &c->name) != 0 ||
		    conf_get_string(ctx, g, where, "type", 1, 0, &type) != 0 ||
		    conf_get_string(ctx, g, where, "dsn", 1, 0, &c->dsn) != 0 ||
		    conf_get_string(ctx, g, where, "password_env", 0, 0,
		    &c->password_env) != 0 ||
		    conf_get_string(ctx, g, where, "password", 0, 1,
		    &c->password) != 0)
			goto out;
		free(wk);
		s = conf_member(g, where, "name", &wk);
		if (!conf_name_ok(c->name)) {
			conf_fail(ctx, s, wk, "a connection name may not "
			    "hold control characters");
			goto out;
		}
		for (j = 0; j < i; j++) {
			if (strcmp(conf->conns[j].name, c->name) != 0)
				continue;
			conf_fail(ctx, s, wk, "duplicate connection name "
			    "'%s' (first at line %u)", c->name, conf_line(
			    config_setting_get_elem(list, (unsigned int)j),
			    "name"));
			goto out;
		}
		if ((canon = conn_type_canonical(type)) == NULL) {
			free(wk);
			s = conf_member(g, where, "type", &wk);
			conf_fail(ctx, s, wk, "unknown connection type '%s' "
			    "(expected " CONN_TYPES_EXPECTED ")", type);
			goto out;
		}
		c->type = xstrdup(canon);
		if (c->password_env != NULL &&
		    !conf_env_name_ok(c->password_env)) {
			free(wk);
			s = conf_member(g, where, "password_env", &wk);
			conf_fail(ctx, s, wk, "'%s' is not an environment "
			    "variable name", c->password_env);
			goto out;
		}
	}
	rc = 0;
out:
	free(type);
	free(wk);
	free(where);
	return rc;
}

static int
conf_load_defaults(struct conf_ctx *ctx, config_t *cfg, struct conf *conf)
{
	config_setting_t	*g, *s;
	struct defaults_conf	*d = &conf->defaults;
	char			*wk = NULL;
	int			 rc = -1;

	if (conf_section(ctx, cfg, "defaults", 0, &g) != 0)
		return -1;
	if (g == NULL)
		return 0;
	if (conf_get_string(ctx, g, "defaults", "direction", 0, 0,
	    &d->direction) != 0 ||
	    conf_get_string(ctx, g, "defaults", "strategy", 0, 0,
	    &d->strategy) != 0 ||
	    conf_get_int(ctx, g, "defaults", "batch_size", 1, INT_MAX,
	    &d->batch_size) != 0 ||
	    conf_get_bool(ctx, g, "defaults", "schema_validation",
	    &d->schema_validation) != 0 ||
	    conf_get_bool(ctx, g, "defaults", "auto_migrate",
	    &d->auto_migrate) != 0 ||
	    conf_get_double(ctx, g, "defaults", "clock_skew", 0, 86400,
	    &d->clock_skew) != 0 ||
	    conf_get_int(ctx, g, "defaults", "connect_timeout", 1, 3600,
	    &d->connect_timeout) != 0)
		goto out;
	if (!conf_direction_valid(d->direction)) {
		s = conf_member(g, "defaults", "direction", &wk);
		conf_fail(ctx, s, wk, "unknown direction '%s' (expected "
		    DIRECTIONS_EXPECTED ")", d->direction);
		goto out;
	}
	if (!conf_strategy_valid(d->strategy)) {
		s = conf_member(g, "defaults", "strategy", &wk);
		conf_fail(ctx, s, wk, "unknown strategy '%s' (expected "
		    STRATEGIES_EXPECTED ")", d->strategy);
		goto out;
	}
	rc = 0;
out:
	free(wk);
	return rc;
}

static int
conf_load_tables(struct conf_ctx *ctx, config_t *cfg, struct conf *conf)
{
	config_setting_t	*list, *g, *s;
	struct table_conf	*t;
	char			*where = NULL, *wk = NULL;
	int			 n, i, j, rc = -1;

	if (conf_section(ctx, cfg, "tables", 1, &list) != 0)
		return -1;
	if (list == NULL || (n = config_setting_length(list)) == 0)
		return 0;
	conf->tables = xcalloc((size_t)n, sizeof *conf->tables);
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(list, (unsigned int)i);
		free(where);
		xasprintf(&where, "tables[%d]", i);
		t = &conf->tables[i];
		conf->ntables++;
		if (conf_get_string(ctx, g, where, "name", 1, 0,
		    &t->name) != 0 ||
		    conf_get_string(ctx, g, where, "timestamp_column", 0, 0,
		    &t->timestamp_column) != 0 ||
		    conf_get_strv(ctx, g, where, "key_columns",
		    &t->key_columns, &t->nkey_columns) != 0)
			goto out;
		for (j = 0; j < i; j++) {
			if (strcmp(conf->tables[j].name, t->name) != 0)
				continue;
			free(wk);
			s = conf_member(g, where, "name", &wk);
			conf_fail(ctx, s, wk,
			    "duplicate table '%s' (first at line %u)",
			    t->name, conf_line(config_setting_get_elem(list,
			    (unsigned int)j), "name"));
			goto out;
		}
	}
	rc = 0;
out:
	free(wk);
	free(where);
	return rc;
}

/*
 * Check schedule S against the rules (and against the first UPTO schedules
 * of CONF for a duplicate name).  Returns NULL when it is fine, else the
 * setting that is wrong, with the reason in MSG.
 */
static const char *
conf_schedule_check(const struct conf *conf, const struct schedule_conf *s,
    int upto, char *msg, size_t len)
{
	int	i;

	if (!conf_name_ok(s->name)) {
		snprintf(msg, len, "a schedule needs a name without control "
		    "characters");
		return "name";
	}
	for (i = 0; i < upto; i++) {
		if (strcmp(conf->schedules[i].name, s->name) == 0) {
			snprintf(msg, len, "duplicate schedule name '%s'",
			    s->name);
			return "name";
		}
	}
	if (s->source == NULL || conf_conn_find(conf, s->source) == NULL) {
		snprintf(msg, len, "unknown connection '%s'",
		    s->source != NULL ? s->source : "");
		return "source";
	}
	if (s->target == NULL || conf_conn_find(conf, s->target) == NULL) {
		snprintf(msg, len, "unknown connection '%s'",
		    s->target != NULL ? s->target : "");
		return "target";
	}
	if (strcmp(s->source, s->target) == 0) {
		snprintf(msg, len, "source and target are the same "
		    "connection '%s'", s->target);
		return "target";
	}
	if (s->every == NULL || (strcmp(s->every, "daily") != 0 &&
	    strcmp(s->every, "weekly") != 0 &&
	    strcmp(s->every, "monthly") != 0)) {
		snprintf(msg, len, "unknown period '%s' (expected daily, "
		    "weekly or monthly)", s->every != NULL ? s->every : "");
		return "every";
	}
	if (!conf_time_ok(s->at)) {
		snprintf(msg, len, "'%s' is not a time of day (expected HH:MM, "
		    "00:00 to 23:59)", s->at != NULL ? s->at : "");
		return "at";
	}
	if (strcmp(s->every, "weekly") == 0) {
		if (s->on == NULL) {
			snprintf(msg, len, "a weekly schedule needs on = "
			    "\"mon\" (" WEEKDAYS_EXPECTED ")");
			return "on";
		}
		if (!conf_in_list(conf_weekdays, s->on)) {
			snprintf(msg, len, "unknown weekday '%s' (expected "
			    WEEKDAYS_EXPECTED ")", s->on);
			return "on";
		}
	} else if (s->on != NULL) {
		snprintf(msg, len, "a weekday is only for weekly schedules");
		return "on";
	}
	if (strcmp(s->every, "monthly") == 0) {
		if (s->day < 1 || s->day > 31) {
			snprintf(msg, len, "a monthly schedule needs day = 1 "
			    "to 31");
			return "day";
		}
	} else if (s->day != 0) {
		snprintf(msg, len, "a day of the month is only for monthly "
		    "schedules");
		return "day";
	}
	if (s->strategy != NULL && !conf_strategy_valid(s->strategy)) {
		snprintf(msg, len, "unknown strategy '%s' (expected "
		    STRATEGIES_EXPECTED ")", s->strategy);
		return "strategy";
	}
	if (s->direction != NULL && !conf_direction_valid(s->direction)) {
		snprintf(msg, len, "unknown direction '%s' (expected "
		    DIRECTIONS_EXPECTED ")", s->direction);
		return "direction";
	}
	if (s->batch_size < 0) {
		snprintf(msg, len, "%d is too small (expected 1 or more)",
		    s->batch_size);
		return "batch_size";
	}
	return NULL;
}

static int
conf_load_schedules(struct conf_ctx *ctx, config_t *cfg, struct conf *conf)
{
	config_setting_t	*list, *g, *m;
	struct schedule_conf	*s;
	char			*where = NULL, *wk = NULL, msg[256];
	const char		*bad;
	int			 n, i, validation, rc = -1;

	if (conf_section(ctx, cfg, "schedules", 1, &list) != 0)
		return -1;
	if (list == NULL || (n = config_setting_length(list)) == 0)
		return 0;
	conf->schedules = xcalloc((size_t)n, sizeof *conf->schedules);
	for (i = 0; i < n; i++) {
		g = config_setting_get_elem(list, (unsigned int)i);
		free(where);
		xasprintf(&where, "schedules[%d]", i);
		s = &conf->schedules[i];
		conf->nschedules++;
		s->enabled = 1;
		validation = 1;
		if (conf_get_string(ctx, g, where, "name", 1, 0,
		    &s->name) != 0 ||
		    conf_get_string(ctx, g, where, "source", 1, 0,
		    &s->source) != 0 ||
		    conf_get_string(ctx, g, where, "target", 1, 0,
		    &s->target) != 0 ||
		    conf_get_string(ctx, g, where, "every", 1, 0,
		    &s->every) != 0 ||
		    conf_get_string(ctx, g, where, "at", 1, 0, &s->at) != 0 ||
		    conf_get_string(ctx, g, where, "on", 0, 0, &s->on) != 0 ||
		    conf_get_int(ctx, g, where, "day", 1, 31, &s->day) != 0 ||
		    conf_get_string(ctx, g, where, "strategy", 0, 0,
		    &s->strategy) != 0 ||
		    conf_get_string(ctx, g, where, "direction", 0, 0,
		    &s->direction) != 0 ||
		    conf_get_bool(ctx, g, where, "enabled", &s->enabled) != 0 ||
		    conf_get_strv(ctx, g, where, "tables", &s->tables,
		    NULL) != 0 ||
		    conf_get_strv(ctx, g, where, "exclude", &s->exclude,
		    NULL) != 0 ||
		    conf_get_string(ctx, g, where, "timestamp_column", 0, 0,
		    &s->timestamp_column) != 0 ||
		    conf_get_int(ctx, g, where, "batch_size", 1, INT_MAX,
		    &s->batch_size) != 0 ||
		    conf_get_bool(ctx, g, where, "schema_validation",
		    &validation) != 0 ||
		    conf_get_bool(ctx, g, where, "auto_migrate",
		    &s->auto_migrate) != 0 ||
		    conf_get_bool(ctx, g, where, "single_transaction",
		    &s->single_transaction) != 0 ||
		    conf_get_bool(ctx, g, where, "stop_on_error",
		    &s->stop_on_error) != 0)
			goto out;
		s->no_schema_check = !validation;
		if ((bad = conf_schedule_check(conf, s, i, msg,
		    sizeof msg)) != NULL) {
			free(wk);
			if ((m = conf_member(g, where, bad, &wk)) == NULL)
				m = g;
			conf_fail(ctx, m, wk, "%s", msg);
			goto out;
		}
	}
	rc = 0;
out:
	free(wk);
	free(where);
	return rc;
}

static int
conf_load_rest(struct conf_ctx *ctx, config_t *cfg, struct conf *conf)
{
	config_setting_t	*g;

	if (conf_section(ctx, cfg, "notifications", 0, &g) != 0)
		return -1;
	if (g != NULL && (
	    conf_get_bool(ctx, g, "notifications", "on_failure",
	    &conf->notify.on_failure) != 0 ||
	    conf_get_bool(ctx, g, "notifications", "on_conflicts",
	    &conf->notify.on_conflicts) != 0 ||
	    conf_get_bool(ctx, g, "notifications", "on_success",
	    &conf->notify.on_success) != 0 ||
	    conf_get_bool(ctx, g, "notifications", "bell",
	    &conf->notify.bell) != 0 ||
	    conf_get_string(ctx, g, "notifications", "command", 0, 1,
	    &conf->notify.command) != 0))
		return -1;

	if (conf_section(ctx, cfg, "history", 0, &g) != 0)
		return -1;
	if (g != NULL && conf_get_int(ctx, g, "history", "retention_days", 1,
	    1000000, &conf->retention_days) != 0)
		return -1;
	return 0;
}

/* Parse the open file FP (named PATH) with libconfig, '.' as decimal point. */
static int
conf_parse(config_t *cfg, FILE *fp, const char *path, struct ps_error *err)
{
	locale_t	c_locale, old = (locale_t)0;
	int		ok;

	c_locale = newlocale(LC_NUMERIC_MASK, "C", (locale_t)0);
	if (c_locale != (locale_t)0)
		old = uselocale(c_locale);
	ok = config_read(cfg, fp);
	if (c_locale != (locale_t)0) {
		uselocale(old);
		freelocale(c_locale);
	}
	if (ok)
		return 0;
	if (config_error_type(cfg) == CONFIG_ERR_FILE_IO)
		ps_error_set(err, PS_ERR_CONFIG, "%s: cannot read: %s", path,
		    config_error_text(cfg));
	else
		ps_error_set(err, PS_ERR_CONFIG, "%s:%d: %s", path,
		    config_error_line(cfg), config_error_text(cfg));
	return -1;
}

int
conf_load(const char *path, struct conf **out, struct ps_error *err)
{
	struct conf	*conf = NULL;
	struct conf_ctx	 ctx;
	struct stat	 sb;
	config_t	 cfg;
	FILE		*fp = NULL;
	char		*defpath = NULL;
	int		 fd = -1, i, plain = 0, rc = -1;

	*out = NULL;
	config_init(&cfg);
	if (path == NULL)
		path = defpath = util_default_config_path();
	conf = conf_new(path);
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT) {
			rc = 0;
			goto out;
		}
		ps_error_set(err, PS_ERR_CONFIG, "%s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (fstat(fd, &sb) != 0) {
		ps_error_set(err, PS_ERR_CONFIG, "%s: %s", path,
		    strerror(errno));
		goto out;
	}
	if (S_ISDIR(sb.st_mode)) {
		ps_error_set(err, PS_ERR_CONFIG, "%s: is a folder, not a "
		    "configuration file", path);
		goto out;
	}
	if ((fp = fdopen(fd, "r")) == NULL) {
		ps_error_set(err, PS_ERR_CONFIG, "%s: %s", path,
		    strerror(errno));
		goto out;
	}
	fd = -1;
	if (conf_parse(&cfg, fp, path, err) != 0)
		goto out;

	ctx.path = path;
	ctx.err = err;
	if (conf_load_connections(&ctx, &cfg, conf) != 0 ||
	    conf_load_defaults(&ctx, &cfg, conf) != 0 ||
	    conf_load_tables(&ctx, &cfg, conf) != 0 ||
	    conf_load_schedules(&ctx, &cfg, conf) != 0 ||
	    conf_load_rest(&ctx, &cfg, conf) != 0)
		goto out;

	for (i = 0; i < conf->nconns; i++) {
		if (conf->conns[i].password != NULL)
			plain = 1;
	}
	if (plain && (sb.st_mode & 077) != 0) {
		ps_error_set(err, PS_ERR_CONFIG, "%s: holds a plain password "
		    "and is readable by others; run: chmod 600 %s", path,
		    path);
		goto out;
	}
	rc = 0;
out:
	if (fp != NULL)
		fclose(fp);
	if (fd != -1)
		close(fd);
	config_destroy(&cfg);
	free(defpath);
	if (rc == 0)
		*out = conf;
	else
		conf_free(conf);
	return rc;
}

/* Saving. */

/* Write S as a libconfig string literal. */
static void
conf_put_string(FILE *fp, const char *s)
{
	const unsigned char	*p;

	fputc('"', fp);
	for (p = (const unsigned char *)(s != NULL ? s : ""); *p != '\0';
	    p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", fp);
			break;
		case '\\':
			fputs("\\\\", fp);
			break;
		case '\n':
			fputs("\\n", fp);
			break;
		case '\r':
			fputs("\\r", fp);
			break;
		case '\t':
			fputs("\\t", fp);
			break;
		case '\f':
			fputs("\\f", fp);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f)
				fprintf(fp, "\\x%02X", *p);
			else
				fputc(*p, fp);
			break;
		}
	}
	fputc('"', fp);
}

static void
conf_put_str(FILE *fp, const char *indent, const char *key, const char *v)
{
	fprintf(fp, "%s%s = ", indent, key);
	conf_put_string(fp, v);
	fputs(";\n", fp);
}

static void
conf_put_bool(FILE *fp, const char *indent, const char *key, int v)
{
	fprintf(fp, "%s%s = %s;\n", indent, key, v ? "true" : "false");
}

static void
conf_put_strv(FILE *fp, const char *indent, const char *key, char **v)
{
	int	i;

	if (v == NULL || v[0] == NULL)
		return;
	fprintf(fp, "%s%s = [ ", indent, key);
	for (i = 0; v[i] != NULL; i++) {
		if (i > 0)
			fputs(", ", fp);
		conf_put_string(fp, v[i]);
	}
	fputs(" ];\n", fp);
}

/* Write the whole configuration as libconfig text. */
static void
conf_write(FILE *fp, const struct conf *conf)
{
	const struct conn_conf		*c;
	const struct table_conf		*t;
	const struct schedule_conf	*s;
	const char			*in = "    ";
	char				 num[64];
	int				 i;

	fputs("# projsync configuration (libconfig syntax).\n"
	    "# projsync rewrites this file when settings change; "
	    "comments are not kept.\n\n", fp);

	fputs("connections = (", fp);
	for (i = 0; i < conf->nconns; i++) {
		c = &conf->conns[i];
		fputs(i == 0 ? "\n  {\n" : ",\n  {\n", fp);
		conf_put_str(fp, in, "name", c->name);
		conf_put_str(fp, in, "type", c->type);
		conf_put_str(fp, in, "dsn", c->dsn);
		if (c->password_env != NULL)
			conf_put_str(fp, in, "password_env", c->password_env);
		if (c->password != NULL)
			conf_put_str(fp, in, "password", c->password);
		fputs("  }", fp);
	}
	fputs(conf->nconns > 0 ? "\n);\n\n" : ");\n\n", fp);

	in = "  ";
	fputs("defaults = {\n", fp);
	conf_put_str(fp, in, "direction", conf->defaults.direction);
	conf_put_str(fp, in, "strategy", conf->defaults.strategy);
	fprintf(fp, "%sbatch_size = %d;\n", in, conf->defaults.batch_size);
	conf_put_bool(fp, in, "schema_validation",
	    conf->defaults.schema_validation);
	conf_put_bool(fp, in, "auto_migrate", conf->defaults.auto_migrate);
	util_fmt_double(conf->defaults.clock_skew, num, sizeof num - 2);
	if (strpbrk(num, ".e") == NULL)
		strcat(num, ".0");
	fprintf(fp, "%sclock_skew = %s;\n", in, num);
	fprintf(fp, "%sconnect_timeout = %d;\n", in,
	    conf->defaults.connect_timeout);
	fputs("};\n\n", fp);

	in = "    ";
	fputs("tables = (", fp);
	for (i = 0; i < conf->ntables; i++) {
		t = &conf->tables[i];
		fputs(i == 0 ? "\n  {\n" : ",\n  {\n", fp);
		conf_put_str(fp, in, "name", t->name);
		if (t->timestamp_column != NULL)
			conf_put_str(fp, in, "timestamp_column",
			    t->timestamp_column);
		conf_put_strv(fp, in, "key_columns", t->key_columns);
		fputs("  }", fp);
	}
	fputs(conf->ntables > 0 ? "\n);\n\n" : ");\n\n", fp);

	fputs("schedules = (", fp);
	for (i = 0; i < conf->nschedules; i++) {
		s = &conf->schedules[i];
		fputs(i == 0 ? "\n  {\n" : ",\n  {\n", fp);
		conf_put_str(fp, in, "name", s->name);
		conf_put_str(fp, in, "source", s->source);
		conf_put_str(fp, in, "target", s->target);
		conf_put_str(fp, in, "every", s->every);
		conf_put_str(fp, in, "at", s->at);
		if (s->on != NULL)
			conf_put_str(fp, in, "on", s->on);
		if (s->day != 0)
			fprintf(fp, "%sday = %d;\n", in, s->day);
		if (s->strategy != NULL)
			conf_put_str(fp, in, "strategy", s->strategy);
		if (s->direction != NULL)
			conf_put_str(fp, in, "direction", s->direction);
		conf_put_bool(fp, in, "enabled", s->enabled);
		conf_put_strv(fp, in, "tables", s->tables);
		conf_put_strv(fp, in, "exclude", s->exclude);
		if (s->timestamp_column != NULL)
			conf_put_str(fp, in, "timestamp_column",
			    s->timestamp_column);
		if (s->batch_size > 0)
			fprintf(fp, "%sbatch_size = %d;\n", in, s->batch_size);
		if (s->no_schema_check)
			conf_put_bool(fp, in, "schema_validation", 0);
		if (s->auto_migrate)
			conf_put_bool(fp, in, "auto_migrate", 1);
		if (s->single_transaction)
			conf_put_bool(fp, in, "single_transaction", 1);
		if (s->stop_on_error)
			conf_put_bool(fp, in, "stop_on_error", 1);
		fputs("  }", fp);
	}
	fputs(conf->nschedules > 0 ? "\n);\n\n" : ");\n\n", fp);

	in = "  ";
	fputs("notifications = {\n", fp);
	conf_put_bool(fp, in, "on_failure", conf->notify.on_failure);
	conf_put_bool(fp, in, "on_conflicts", conf->notify.on_conflicts);
	conf_put_bool(fp, in, "on_success", conf->notify.on_success);
	conf_put_bool(fp, in, "bell", conf->notify.bell);
	conf_put_str(fp, in, "command", conf->notify.command);
	fputs("};\n\n", fp);

	fprintf(fp, "history = {\n%sretention_days = %d;\n};\n", in,
	    conf->retention_days);
}

/* fsync the folder holding PATH so a rename in it is durable. */
static void
conf_sync_folder(const char *path)
{
	char	*dir;
	char	*slash;
	int	 fd;

	dir = xstrdup(path);
	if ((slash = strrchr(dir, '/')) == NULL) {
		free(dir);
		dir = xstrdup(".");
	} else if (slash == dir)
		slash[1] = '\0';
	else
		*slash = '\0';
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) != -1) {
		(void)fsync(fd);
		close(fd);
	}
	free(dir);
}

int
conf_save(const struct conf *conf, struct ps_error *err)
{
	FILE	*fp = NULL;
	char	*tmp = NULL;
	int	 fd = -1, rc = -1;

	if (conf->path == NULL || *conf->path == '\0') {
		ps_error_set(err, PS_ERR_CONFIG, "no configuration file to "
		    "write");
		return -1;
	}
	if (util_mkdir_parent(conf->path, err) != 0) {
		ps_error_prefix(err, "%s", conf->path);
		return -1;
	}
	xasprintf(&tmp, "%s.XXXXXX", conf->path);
	if ((fd = mkstemp(tmp)) == -1) {
		ps_error_set(err, PS_ERR_IO, "%s: cannot create a temporary "
		    "file: %s", conf->path, strerror(errno));
		free(tmp);
		return -1;
	}
	if (fchmod(fd, 0600) != 0) {
		ps_error_set(err, PS_ERR_IO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	if ((fp = fdopen(fd, "w")) == NULL) {
		ps_error_set(err, PS_ERR_IO, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	fd = -1;
	conf_write(fp, conf);
	if (fflush(fp) != 0 || ferror(fp) || fsync(fileno(fp)) != 0) {
		ps_error_set(err, PS_ERR_IO, "%s: writing: %s", tmp,
		    strerror(errno));
		goto out;
	}
	if (fclose(fp) != 0) {
		fp = NULL;
		ps_error_set(err, PS_ERR_IO, "%s: writing: %s", tmp,
		    strerror(errno));
		goto out;
	}
	fp = NULL;
	if (rename(tmp, conf->path) != 0) {
		ps_error_set(err, PS_ERR_IO, "%s: %s", conf->path,
		    strerror(errno));
		goto out;
	}
	conf_sync_folder(conf->path);
	rc = 0;
out:
	if (fp != NULL)
		fclose(fp);
	if (fd != -1)
		close(fd);
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

/* Lookups and changes. */

const struct conn_conf *
conf_conn_find(const struct conf *conf, const char *name)
{
	int	i;

	if (conf == NULL || name == NULL)
		return NULL;
	for (i = 0; i < conf->nconns; i++) {
		if (strcmp(conf->conns[i].name, name) == 0)
			return &conf->conns[i];
	}
	return NULL;
}

const struct table_conf *
conf_table_find(const struct conf *conf, const char *name)
{
	int	i;

	if (conf == NULL || name == NULL)
		return NULL;
	for (i = 0; i < conf->ntables; i++) {
		if (strcmp(conf->tables[i].name, name) == 0)
			return &conf->tables[i];
	}
	return NULL;
}

const struct schedule_conf *
conf_schedule_find(const struct conf *conf, const char *name)
{
	int	i;

	if (conf == NULL || name == NULL)
		return NULL;
	for (i = 0; i < conf->nschedules; i++) {
		if (strcmp(conf->schedules[i].name, name) == 0)
			return &conf->schedules[i];
	}
	return NULL;
}

int
conf_conn_add(struct conf *conf, const char *name, const char *type,
    const char *dsn, const char *password_env, struct ps_error *err)
{
	struct conn_conf	*c;
	const char		*canon;

	if (!conf_name_ok(name)) {
		ps_error_set(err, PS_ERR_USAGE, "a connection needs a name "
		    "without control characters");
		return -1;
	}
	if (conf_conn_find(conf, name) != NULL) {
		ps_error_set(err, PS_ERR_USAGE, "connection '%s' already "
		    "exists", name);
		return -1;
	}
	if ((canon = conn_type_canonical(type)) == NULL) {
		ps_error_set(err, PS_ERR_USAGE, "unknown connection type '%s' "
		    "(expected " CONN_TYPES_EXPECTED ")",
		    type != NULL ? type : "");
		return -1;
	}
	if (dsn == NULL || *dsn == '\0') {
		ps_error_set(err, PS_ERR_USAGE, "connection '%s': the DSN is "
		    "empty", name);
		return -1;
	}
	if (password_env != NULL && !conf_env_name_ok(password_env)) {
		ps_error_set(err, PS_ERR_USAGE, "connection '%s': '%s' is not "
		    "an environment variable name", name, password_env);
		return -1;
	}
	conf->conns = xreallocarray(conf->conns, (size_t)conf->nconns + 1,
	    sizeof *conf->conns);
	c = &conf->conns[conf->nconns++];
	memset(c, 0, sizeof *c);
	c->name = xstrdup(name);
	c->type = xstrdup(canon);
	c->dsn = xstrdup(dsn);
	c->password_env = xstrdup(password_env);
	return 0;
}

int
conf_conn_remove(struct conf *conf, const char *name, struct ps_error *err)
{
	const struct conn_conf	*c;
	int			 i, idx;

	if ((c = conf_conn_find(conf, name)) == NULL) {
		ps_error_set(err, PS_ERR_NOT_FOUND, "unknown connection '%s'",
		    name != NULL ? name : "");
		return -1;
	}
	for (i = 0; i < conf->nschedules; i++) {
		if (strcmp(conf->schedules[i].source, name) == 0 ||
		    strcmp(conf->schedules[i].target, name) == 0) {
			ps_error_set(err, PS_ERR_USAGE, "connection '%s' is "
			    "used by schedule '%s'; remove the schedule first",
			    name, conf->schedules[i].name);
			return -1;
		}
	}
	idx = (int)(c - conf->conns);
	conf_conn_free(&conf->conns[idx]);
	memmove(&conf->conns[idx], &conf->conns[idx + 1],
	    (size_t)(conf->nconns - idx - 1) * sizeof *conf->conns);
	conf->nconns--;
	if (conf->nconns == 0) {
		free(conf->conns);
		conf->conns = NULL;
	}
	return 0;
}

int
conf_schedule_add(struct conf *conf, const struct schedule_conf *sched,
    struct ps_error *err)
{
	struct schedule_conf	*s;
	const char		*bad;
	char			 msg[256];

	if ((bad = conf_schedule_check(conf, sched, conf->nschedules, msg,
	    sizeof msg)) != NULL) {
		if (conf_name_ok(sched->name))
			ps_error_set(err, PS_ERR_USAGE, "schedule '%s': %s: %s",
			    sched->name, bad, msg);
		else
			ps_error_set(err, PS_ERR_USAGE, "schedule: %s", msg);
		return -1;
	}
	conf->schedules = xreallocarray(conf->schedules,
	    (size_t)conf->nschedules + 1, sizeof *conf->schedules);
	s = &conf->schedules[conf->nschedules++];
	memset(s, 0, sizeof *s);
	s->name = xstrdup(sched->name);
	s->source = xstrdup(sched->source);
	s->target = xstrdup(sched->target);
	s->every = xstrdup(sched->every);
	s->at = xstrdup(sched->at);
	s->on = xstrdup(sched->on);
	s->day = sched->day;
	s->strategy = xstrdup(sched->strategy);
	s->direction = xstrdup(sched->direction);
	s->enabled = sched->enabled;
	s->tables = conf_strv_dup(sched->tables);
	s->exclude = conf_strv_dup(sched->exclude);
	s->timestamp_column = xstrdup(sched->timestamp_column);
	s->batch_size = sched->batch_size;
	s->no_schema_check = sched->no_schema_check;
	s->auto_migrate = sched->auto_migrate;
	s->single_transaction = sched->single_transaction;
	s->stop_on_error = sched->stop_on_error;
	return 0;
}

int
conf_schedule_remove(struct conf *conf, const char *name,
    struct ps_error *err)
{
	const struct schedule_conf	*s;
	int				 idx;

	if ((s = conf_schedule_find(conf, name)) == NULL) {
		ps_error_set(err, PS_ERR_NOT_FOUND, "unknown schedule '%s'",
		    name != NULL ? name : "");
		return -1;
	}
	idx = (int)(s - conf->schedules);
	conf_schedule_free(&conf->schedules[idx]);
	memmove(&conf->schedules[idx], &conf->schedules[idx + 1],
	    (size_t)(conf->nschedules - idx - 1) * sizeof *conf->schedules);
	conf->nschedules--;
	if (conf->nschedules == 0) {
		free(conf->schedules);
		conf->schedules = NULL;
	}
	return 0;
}

/* Passwords. */

int
conn_password(const struct conn_conf *c, char **out, struct ps_error *err)
{
	const char	*v;

	*out = NULL;
	if (c->password_env != NULL) {
		if ((v = getenv(c->password_env)) == NULL) {
			ps_error_set(err, PS_ERR_CONFIG, "connection '%s': "
			    "environment variable %s (password_env) is not "
			    "set", c->name, c->password_env);
			return -1;
		}
		*out = xstrdup(v);
	} else if (c->password != NULL)
		*out = xstrdup(c->password);
	return 0;
}

/* 1 when KEY (LEN bytes) names a password in a DSN. */
static int
dsn_is_password_key(const char *key, size_t len)
{
	static const char *const keys[] = { "password", "passwd", "pwd",
	    "sslpassword" };
	size_t			 i;

	for (i = 0; i < nitems(keys); i++) {
		if (len == strlen(keys[i]) && strncasecmp(key, keys[i],
		    len) == 0)
			return 1;
	}
	return 0;
}

/* Append the query string Q ("?a=b&password=x#f") with passwords masked. */
static void
dsn_mask_query(struct strbuf *sb, const char *q)
{
	const char	*key, *eq, *end;

	while (*q != '\0' && *q != '#') {
		sb_addch(sb, *q++);
		key = q;
		end = key + strcspn(key, "&#");
		eq = memchr(key, '=', (size_t)(end - key));
		if (eq != NULL &&
		    dsn_is_password_key(key, (size_t)(eq - key))) {
			sb_add(sb, key, (size_t)(eq - key + 1));
			sb_addstr(sb, "****");
		} else
			sb_add(sb, key, (size_t)(end - key));
		q = end;
	}
	sb_addstr(sb, q);
}

/*
 * Mask a URI DSN: the password of "scheme://user:password@host..." and
 * password parameters of the query.  A password holding unencoded '/', '?'
 * or '#' still ends at the last '@' (more is masked rather than less).
 */
static char *
dsn_mask_uri(const char *dsn, const char *rest)
{
	struct strbuf	 sb = STRBUF_INIT;
	const char	*at = NULL, *colon, *p, *authend;

	authend = rest + strcspn(rest, "/?#");
	for (p = rest; p < authend; p++) {
		if (*p == '@')
			at = p;
	}
	if (at == NULL) {
		at = strrchr(rest, '@');
		colon = strchr(rest, ':');
		if (at != NULL && (colon == NULL || colon > at))
			at = NULL;
	}
	if (at != NULL &&
	    (colon = memchr(rest, ':', (size_t)(at - rest))) != NULL) {
		sb_add(&sb, dsn, (size_t)(colon + 1 - dsn));
		sb_addstr(&sb, "****");
		p = at;
	} else
		p = dsn;
	authend = p + strcspn(p, "?#");
	sb_add(&sb, p, (size_t)(authend - p));
	dsn_mask_query(&sb, authend);
	return sb_detach(&sb);
}

/*
 * Mask a key=value DSN ("host=h password=secret", values optionally in
 * single quotes with backslash escapes, spaces allowed around '=').
 */
static char *
dsn_mask_kv(const char *dsn)
{
	struct strbuf	 sb = STRBUF_INIT;
	const char	*p = dsn, *key, *v;
	size_t		 keylen;
	int		 secret;

	while (*p != '\0') {
		while (isspace((unsigned char)*p))
			sb_addch(&sb, *p++);
		key = p;
		while (*p != '\0' && *p != '=' && !isspace((unsigned char)*p))
			p++;
		keylen = (size_t)(p - key);
		sb_add(&sb, key, keylen);
		while (isspace((unsigned char)*p))
			sb_addch(&sb, *p++);
		if (*p != '=')
			continue;
		sb_addch(&sb, *p++);
		while (isspace((unsigned char)*p))
			sb_addch(&sb, *p++);
		secret = dsn_is_password_key(key, keylen);
		v = p;
		if (*p == '\'') {
			for (p++; *p != '\0' && *p != '\''; p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
			}
			if (*p == '\'')
				p++;
		} else {
			for (; *p != '\0' && !isspace((unsigned char)*p); p++) {
				if (*p == '\\' && p[1] != '\0')
					p++;
			}
		}
		if (secret)
			sb_addstr(&sb, "****");
		else
			sb_add(&sb, v, (size_t)(p - v));
	}
	return sb_detach(&sb);
}

char *
dsn_mask(const char *type, const char *dsn)
{
	const char	*canon, *sep;

	if (dsn == NULL)
		return xstrdup("");
	canon = conn_type_canonical(type);
	if (canon != NULL && strcmp(canon, "sqlite") == 0)
		return xstrdup(dsn);
	if ((sep = strstr(dsn, "://")) != NULL)
		return dsn_mask_uri(dsn, sep + 3);
	return dsn_mask_kv(dsn);
}
