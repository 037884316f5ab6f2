/*
 * projsync - strbuf.h: growable byte buffers.  The buffer is always kept
 * NUL-terminated past len (so text can be used as a C string), but may hold
 * NUL bytes inside (binary values).
 */
#ifndef PROJSYNC_STRBUF_H
#define PROJSYNC_STRBUF_H

#include <stdarg.h>
#include <stddef.h>

struct strbuf {
	char	*buf;	/* NULL until the first append */
	size_t	 len;
	size_t	 cap;
};
#define STRBUF_INIT { NULL, 0, 0 }

void	 sb_init(struct strbuf *);
void	 sb_free(struct strbuf *);		/* frees and re-inits */
void	 sb_reset(struct strbuf *);		/* len = 0, keeps memory */
void	 sb_grow(struct strbuf *, size_t);	/* room for N more bytes */
void	 sb_add(struct strbuf *, const void *, size_t);
void	 sb_addstr(struct strbuf *, const char *);
void	 sb_addch(struct strbuf *, int);
void	 sb_addf(struct strbuf *, const char *, ...)
	    __attribute__((format(printf, 2, 3)));
void	 sb_vaddf(struct strbuf *, const char *, va_list);
void	 sb_truncate(struct strbuf *, size_t);
/* The text, "" when empty; valid until the next change. */
const char *sb_str(const struct strbuf *);
/* Hand the buffer to the caller (never NULL) and re-init. */
char	*sb_detach(struct strbuf *);
/* Append LEN bytes as lowercase hex. */
void	 sb_addhex(struct strbuf *, const void *, size_t);

#endif
