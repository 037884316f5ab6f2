/*
 * projsync - error.h: structured errors.  Functions return 0 on success and
 * -1 on failure, filling the struct ps_error they were given (when it is not
 * NULL).  The code also decides the command line's exit status.
 */
#ifndef PROJSYNC_ERROR_H
#define PROJSYNC_ERROR_H

/* X(name, exit status, short description) */
#define PS_ERRORS \
	X(PS_OK,		0, "success") \
	X(PS_ERR_USAGE,		2, "usage error") \
	X(PS_ERR_CONFIG,	1, "configuration error") \
	X(PS_ERR_NOT_FOUND,	1, "not found") \
	X(PS_ERR_CONNECT,	1, "connection failed") \
	X(PS_ERR_AUTH,		1, "authentication failed") \
	X(PS_ERR_DB,		1, "database error") \
	X(PS_ERR_CONSTRAINT,	1, "constraint violation") \
	X(PS_ERR_VALUE,		1, "invalid value") \
	X(PS_ERR_SCHEMA,	1, "schema error") \
	X(PS_ERR_NO_KEY,	1, "no usable key") \
	X(PS_ERR_UNSUPPORTED,	1, "unsupported") \
	X(PS_ERR_IO,		1, "I/O error") \
	X(PS_ERR_STALE,		1, "stale") \
	X(PS_ERR_CANCELLED,	1, "cancelled") \
	X(PS_ERR_INTERNAL,	1, "internal error")

enum ps_err {
#define X(n, e, d) n,
	PS_ERRORS
#undef X
};

struct ps_error {
	enum ps_err	code;
	char		sqlstate[6];	/* SQLSTATE when the server gave one */
	int		native;		/* the client library's own code */
	char		msg[512];	/* one line, no trailing newline */
};

/* Set code and a printf-style message; sqlstate and native are cleared. */
void		 ps_error_set(struct ps_error *, enum ps_err, const char *, ...)
		    __attribute__((format(printf, 3, 4)));
/* Prefix the message with "PREFIX: " (e.g. a table or file name). */
void		 ps_error_prefix(struct ps_error *, const char *, ...)
		    __attribute__((format(printf, 2, 3)));
void		 ps_error_clear(struct ps_error *);
const char	*ps_err_name(enum ps_err);	/* "PS_ERR_STALE" */
const char	*ps_err_text(enum ps_err);	/* "stale" */
int		 ps_err_exit(enum ps_err);	/* 0, 1 or 2 */

#endif
