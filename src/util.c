/*
 * projsync - util.c: small helpers shared by every front end: the clock
 * (with the PROJSYNC_NOW override), default paths under the XDG folders,
 * mkdir -p, the OS user and lists given on the command line.
 */
#include "projsync/common.h"
#include "projsync/util.h"

#include <sys/stat.h>

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <pwd.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

double
util_now(void)
{
	const char	*s;
	char		*end;
	double		 d;
	struct timespec	 ts;

	if ((s = getenv("PROJSYNC_NOW")) != NULL && *s != '\0') {
		errno = 0;
		d = strtod(s, &end);
		if (errno == 0 && *end == '\0' && isfinite(d))
			return d;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

double
util_monotonic(void)
{
	struct timespec	ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Write T (epoch seconds, UTC, whole seconds) as ISO 8601 into BUF. */
char *
util_iso8601(double t, char *buf, size_t len)
{
	time_t		secs;
	struct tm	tm;

	if (len == 0)
		return buf;
	if (!isfinite(t))
		t = 0;
	secs = (time_t)floor(t);
	if (gmtime_r(&secs, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		buf[0] = '\0';
	return buf;
}

const char *
util_os_user(void)
{
	static char	 name[256];
	struct passwd	*pw;
	const char	*s;

	if ((pw = getpwuid(getuid())) != NULL && pw->pw_name != NULL &&
	    *pw->pw_name != '\0')
		snprintf(name, sizeof name, "%s", pw->pw_name);
	else if ((s = getenv("USER")) != NULL && *s != '\0')
		snprintf(name, sizeof name, "%s", s);
	else
		snprintf(name, sizeof name, "%lu", (unsigned long)getuid());
	return name;
}

/*
 * mkdir(2) PATH unless a folder is already there (checked first, so an
 * existing folder on a read-only file system is fine).
 */
static int
util_mkdir_one(const char *path, int mode, struct ps_error *err)
{
	struct stat	sb;

	if (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode))
		return 0;
	if (mkdir(path, (mode_t)mode) == 0)
		return 0;
	if (errno != EEXIST) {
		ps_error_set(err, PS_ERR_IO, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (stat(path, &sb) != 0) {
		ps_error_set(err, PS_ERR_IO, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (!S_ISDIR(sb.st_mode)) {
		ps_error_set(err, PS_ERR_IO, "%s: not a folder", path);
		return -1;
	}
	return 0;
}

/*
 * Create PATH and every missing folder above it with MODE.  An existing
 * folder is fine; an existing non-folder is an error.
 */
int
util_mkdir_p(const char *path, int mode, struct ps_error *err)
{
	char	*copy = NULL, *p;
	size_t	 len;
	int	 rc = -1;

	if (path == NULL || *path == '\0') {
		ps_error_set(err, PS_ERR_IO, "cannot create a folder with "
		    "an empty name");
		return -1;
	}
	copy = xstrdup(path);
	len = strlen(copy);
	while (len > 1 && copy[len - 1] == '/')
		copy[--len] = '\0';
	for (p = copy + 1; *p != '\0'; p++) {
		if (*p != '/' || p[-1] == '/')
			continue;
		*p = '\0';
		if (util_mkdir_one(copy, mode, err) != 0)
			goto out;
		*p = '/';
	}
	if (util_mkdir_one(copy, mode, err) != 0)
		goto out;
	rc = 0;
out:
	free(copy);
	return rc;
}

/* Create the folder that will hold PATH (new folders get mode 0700). */
int
util_mkdir_parent(const char *path, struct ps_error *err)
{
	char	*dir;
	char	*slash;
	int	 rc;

	if (path == NULL || (slash = strrchr(path, '/')) == NULL)
		return 0;
	while (slash > path && slash[-1] == '/')
		slash--;
	if (slash == path)
		return 0;
	dir = xstrndup(path, (size_t)(slash - path));
	rc = util_mkdir_p(dir, 0700, err);
	free(dir);
	return rc;
}

/* The home folder: $HOME, else the password database, else "/". */
static const char *
util_home(void)
{
	const char	*s;
	struct passwd	*pw;

	if ((s = getenv("HOME")) != NULL && *s != '\0')
		return s;
	if ((pw = getpwuid(getuid())) != NULL && pw->pw_dir != NULL &&
	    *pw->pw_dir != '\0')
		return pw->pw_dir;
	return "/";
}

/*
 * $VAR/projsync/FILE when VAR is set to an absolute path (the XDG rule),
 * else ~/FALLBACK/projsync/FILE.  The caller frees.
 */
static char *
util_xdg_path(const char *var, const char *fallback, const char *file)
{
	const char	*base;
	char		*path;

	base = getenv(var);
	if (base != NULL && *base == '/')
		xasprintf(&path, "%s/projsync/%s", base, file);
	else
		xasprintf(&path, "%s/%s/projsync/%s", util_home(), fallback,
		    file);
	return path;
}

char *
util_default_config_path(void)
{
	return util_xdg_path("XDG_CONFIG_HOME", ".config", "projsync.conf");
}

char *
util_default_history_path(void)
{
	return util_xdg_path("XDG_DATA_HOME", ".local/share", "history.db");
}

char *
util_default_demo_dir(void)
{
	return util_xdg_path("XDG_DATA_HOME", ".local/share", "demo");
}

int
util_split_list(const char *s, char ***out)
{
	char		**v;
	const char	 *p, *start, *end;
	int		  n = 0, cap = 1;

	if (s != NULL) {
		for (p = s; *p != '\0'; p++) {
			if (*p == ',')
				cap++;
		}
	}
	v = xcalloc((size_t)cap + 1, sizeof *v);
	p = s;
	while (p != NULL) {
		start = p;
		while (*p != '\0' && *p != ',')
			p++;
		end = p;
		while (start < end && isspace((unsigned char)*start))
			start++;
		while (end > start && isspace((unsigned char)end[-1]))
			end--;
		if (end > start)
			v[n++] = xstrndup(start, (size_t)(end - start));
		if (*p == '\0')
			break;
		p++;
	}
	v[n] = NULL;
	*out = v;
	return n;
}

void
util_strvn_free(char **v, int n)
{
	int	i;

	if (v == NULL)
		return;
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
util_strv_free(char **v)
{
	char	**p;

	if (v == NULL)
		return;
	for (p = v; *p != NULL; p++)
		free(*p);
	free(v);
}

int
util_strv_contains(char *const *v, const char *s)
{
	if (v == NULL || s == NULL)
		return 0;
	for (; *v != NULL; v++) {
		if (strcmp(*v, s) == 0)
			return 1;
	}
	return 0;
}

/* Parse S as a whole decimal integer in [MIN, MAX]; 0 and *OUT, else -1. */
int
util_parse_int(const char *s, long long min, long long max, long long *out)
{
	char		*end;
	long long	 v;

	if (s == NULL || *s == '\0' || isspace((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoll(s, &end, 10);
	if (errno != 0 || *end != '\0' || v < min || v > max)
		return -1;
	if (out != NULL)
		*out = v;
	return 0;
}

/*
 * Format D with the fewest significant digits that read back exactly, laid
 * out as JavaScript does: plain decimals from 1e-6 up to 1e21 ("100",
 * "0.001"), an exponent outside that ("1e+21", "5e-324").  The round trip is
 * checked with strtod in the current locale (the one snprintf used); the
 * digits and exponent are then taken from that text, so the locale's
 * decimal point never reaches the output.
 */
char *
util_fmt_double(double d, char *buf, size_t len)
{
	struct strbuf	 sb = STRBUF_INIT;
	char		 tmp[64], digits[32], *e;
	int		 prec, k = 0, n, i;

	if (len == 0)
		return buf;
	if (isnan(d)) {
		snprintf(buf, len, "nan");
		return buf;
	}
	if (isinf(d)) {
		snprintf(buf, len, "%s", d < 0 ? "-inf" : "inf");
		return buf;
	}
	for (prec = 1; prec <= 17; prec++) {
		snprintf(tmp, sizeof tmp, "%.*e", prec - 1, d);
		if (strtod(tmp, NULL) == d)
			break;
	}
	/* tmp is "[-]D[.DDD]e[+-]XX": collect the digits and the exponent. */
	e = strchr(tmp, 'e');
	for (i = 0; &tmp[i] < e; i++) {
		if (isdigit((unsigned char)tmp[i]) &&
		    k < (int)sizeof digits - 1)
			digits[k++] = tmp[i];
	}
	while (k > 1 && digits[k - 1] == '0')
		k--;
	digits[k] = '\0';
	n = (int)strtol(e + 1, NULL, 10) + 1;	/* d = 0.DIGITS x 10^n */

	if (tmp[0] == '-')
		sb_addch(&sb, '-');
	if (digits[0] == '0')
		sb_addch(&sb, '0');
	else if (k <= n && n <= 21) {
		sb_add(&sb, digits, (size_t)k);
		for (i = k; i < n; i++)
			sb_addch(&sb, '0');
	} else if (0 < n && n <= 21) {
		sb_add(&sb, digits, (size_t)n);
		sb_addch(&sb, '.');
		sb_add(&sb, digits + n, (size_t)(k - n));
	} else if (-6 < n && n <= 0) {
		sb_add(&sb, "0.", 2);
		for (i = n; i < 0; i++)
			sb_addch(&sb, '0');
		sb_add(&sb, digits, (size_t)k);
	} else {
		sb_addch(&sb, digits[0]);
		if (k > 1) {
			sb_addch(&sb, '.');
			sb_add(&sb, digits + 1, (size_t)(k - 1));
		}
		sb_addf(&sb, "e%+d", n - 1);
	}
	snprintf(buf, len, "%s", sb_str(&sb));
	sb_free(&sb);
	return buf;
}
