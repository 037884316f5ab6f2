/*
 * projsync - util.h: small helpers shared by every front end: paths, time,
 * the OS user, lists given on the command line.
 */
#ifndef PROJSYNC_UTIL_H
#define PROJSYNC_UTIL_H

#include "projsync/common.h"

/* Seconds since the epoch as a double; PROJSYNC_NOW (epoch seconds) overrides. */
double	 util_now(void);
/* Monotonic seconds, for durations and rates. */
double	 util_monotonic(void);
/* "2026-11-24T19:34:22Z" for an epoch time (UTC); returns BUF. */
char	*util_iso8601(double, char *, size_t);
/* The OS user name (getpwuid, else $USER, else the uid as text); static. */
const char *util_os_user(void);
/* mkdir -p of the directory part of PATH (mode 0700 for new folders). */
int	 util_mkdir_parent(const char *, struct ps_error *);
int	 util_mkdir_p(const char *, int mode, struct ps_error *);
/* $XDG_CONFIG_HOME/projsync/projsync.conf etc.; the caller frees. */
char	*util_default_config_path(void);
char	*util_default_history_path(void);
char	*util_default_demo_dir(void);
/*
 * Split "a,b , c" into trimmed, non-empty items; returns the count and sets
 * *OUT (NULL-terminated array, free with util_strv_free).
 */
int	 util_split_list(const char *, char ***);
void	 util_strv_free(char **);
/* Free the N strings of V (entries may be NULL), then V; NULL V is fine. */
void	 util_strvn_free(char **, int n);
int	 util_strv_contains(char *const *, const char *);
/*
 * The shortest decimal text that reads back as exactly D, laid out as
 * JavaScript does ("0.1", "100", "-0", "1e+21", "1e-7"), with '.' as the
 * decimal point whatever the locale; "nan", "inf" or "-inf" for those.  LEN
 * should be at least 32.  Returns BUF.
 */
char	*util_fmt_double(double, char *, size_t);
/* Parse a whole decimal integer in [MIN, MAX]; -1 if not. */
int	 util_parse_int(const char *, long long, long long, long long *);

#endif
