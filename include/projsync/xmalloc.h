/*
 * projsync - xmalloc.h: allocation that never returns NULL.  Every function
 * aborts through fatalx() when memory runs out, so callers never check the
 * result.  A zero size is a bug and aborts too (except xfree/xstrdup(NULL)).
 */
#ifndef PROJSYNC_XMALLOC_H
#define PROJSYNC_XMALLOC_H

#include <stdarg.h>
#include <stddef.h>

void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);		/* xstrdup(NULL) returns NULL */
char	*xstrndup(const char *, size_t);
int	 xasprintf(char **, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
int	 xvasprintf(char **, const char *, va_list);

/* Print "projsync: MESSAGE" to stderr, run the die callback, abort(). */
void	 fatalx(const char *, ...)
	    __attribute__((format(printf, 1, 2), noreturn));
/* Called by fatalx() before it aborts (the UI sets it to endwin()). */
void	 fatal_set_callback(void (*)(void));

#endif
