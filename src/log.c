/*
 * projsync - log.c: messages for people.  Errors print as "projsync:
 * MESSAGE", warnings as "projsync: warning: MESSAGE", information and debug
 * output plain; anything above the current level is dropped.  A sink set by
 * the UI receives the formatted text instead of stderr.
 */
#include "projsync/common.h"
#include "projsync/log.h"

#include <stdarg.h>
#include <stdlib.h>

static enum log_level	  log_level = LOG_INFO;
static void		(*log_sink)(enum log_level, const char *, void *);
static void		 *log_sink_arg;

void
log_set_level(enum log_level level)
{
	if (level < LOG_ERROR)
		level = LOG_ERROR;
	if (level > LOG_DEBUG)
		level = LOG_DEBUG;
	log_level = level;
}

enum log_level
log_get_level(void)
{
	return log_level;
}

const char *
log_level_name(enum log_level level)
{
	switch (level) {
	case LOG_ERROR:
		return "error";
	case LOG_WARN:
		return "warn";
	case LOG_INFO:
		return "info";
	case LOG_DEBUG:
		return "debug";
	}
	return "unknown";
}

void
log_set_sink(void (*sink)(enum log_level, const char *, void *), void *arg)
{
	log_sink = sink;
	log_sink_arg = sink != NULL ? arg : NULL;
}

void
log_msg(enum log_level level, const char *fmt, ...)
{
	va_list	 ap;
	char	*text;

	if (level > log_level)
		return;
	va_start(ap, fmt);
	xvasprintf(&text, fmt, ap);
	va_end(ap);

	if (log_sink != NULL)
		log_sink(level, text, log_sink_arg);
	else {
		switch (level) {
		case LOG_ERROR:
			fprintf(stderr, "projsync: %s\n", text);
			break;
		case LOG_WARN:
			fprintf(stderr, "projsync: warning: %s\n", text);
			break;
		default:
			fprintf(stderr, "%s\n", text);
			break;
		}
		fflush(stderr);
	}
	free(text);
}
