/*
 * projsync - error.c: struct ps_error and the table of error codes.
 */
#include "projsync/common.h"

#include <stdarg.h>
#include <string.h>

static const struct {
	const char	*name;
	int		 exit;
	const char	*text;
} ps_err_table[] = {
#define X(n, e, d) { #n, e, d },
	PS_ERRORS
#undef X
};

void
ps_error_clear(struct ps_error *err)
{
	if (err == NULL)
		return;
	memset(err, 0, sizeof *err);
}

void
ps_error_set(struct ps_error *err, enum ps_err code, const char *fmt, ...)
{
	va_list	ap;
	char	*p;

	if (err == NULL)
		return;
	err->code = code;
	err->sqlstate[0] = '\0';
	err->native = 0;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof err->msg, fmt, ap);
	va_end(ap);
	/* One line: fold newlines that libraries put in their messages. */
	for (p = err->msg; *p != '\0'; p++)
		if (*p == '\n' || *p == '\r')
			*p = ' ';
	while (p > err->msg && p[-1] == ' ')
		*--p = '\0';
}

void
ps_error_prefix(struct ps_error *err, const char *fmt, ...)
{
	va_list	ap;
	char	buf[sizeof err->msg];
	size_t	used, len;
	int	n;

	if (err == NULL)
		return;
	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	used = (size_t)n < sizeof buf - 3 ? (size_t)n : sizeof buf - 3;
	memcpy(buf + used, ": ", 2);
	used += 2;
	len = strlen(err->msg);
	if (len > sizeof buf - 1 - used)
		len = sizeof buf - 1 - used;
	memcpy(buf + used, err->msg, len);
	buf[used + len] = '\0';
	memcpy(err->msg, buf, sizeof buf);
}

const char *
ps_err_name(enum ps_err code)
{
	if ((size_t)code >= nitems(ps_err_table))
		return "PS_ERR_UNKNOWN";
	return ps_err_table[code].name;
}

const char *
ps_err_text(enum ps_err code)
{
	if ((size_t)code >= nitems(ps_err_table))
		return "unknown error";
	return ps_err_table[code].text;
}

int
ps_err_exit(enum ps_err code)
{
	if ((size_t)code >= nitems(ps_err_table))
		return 1;
	return ps_err_table[code].exit;
}
