/*
 * projsync - log.h: messages for people on stderr ("projsync: ..."), with a
 * verbosity set by -q and -v.  Job logs that belong in the history go through
 * the engine's events instead.
 */
#ifndef PROJSYNC_LOG_H
#define PROJSYNC_LOG_H

enum log_level { LOG_ERROR, LOG_WARN, LOG_INFO, LOG_DEBUG };

void	log_set_level(enum log_level);
enum log_level log_get_level(void);
const char *log_level_name(enum log_level);	/* "error", "warn", ... */
void	log_msg(enum log_level, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
/* Send messages to a callback instead of stderr (the UI); NULL restores. */
void	log_set_sink(void (*)(enum log_level, const char *, void *), void *);

#endif
