/*
 * projsync - strbuf.c: growable byte buffers, always NUL-terminated.
 */
#include "projsync/common.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

void
sb_init(struct strbuf *sb)
{
	sb->buf = NULL;
	sb->len = 0;
	sb->cap = 0;
}

void
sb_free(struct strbuf *sb)
{
	free(sb->buf);
	sb_init(sb);
}

void
sb_reset(struct strbuf *sb)
{
	sb->len = 0;
	if (sb->buf != NULL)
		sb->buf[0] = '\0';
}

void
sb_grow(struct strbuf *sb, size_t more)
{
	size_t	need, cap;

	if (SIZE_MAX - sb->len < more + 1)
		fatalx("sb_grow: overflow");
	need = sb->len + more + 1;
	if (need <= sb->cap)
		return;
	cap = sb->cap < 64 ? 64 : sb->cap;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	sb->buf = xrealloc(sb->buf, cap);
	sb->cap = cap;
}

void
sb_add(struct strbuf *sb, const void *p, size_t len)
{
	sb_grow(sb, len);
	if (len != 0)
		memcpy(sb->buf + sb->len, p, len);
	sb->len += len;
	sb->buf[sb->len] = '\0';
}

void
sb_addstr(struct strbuf *sb, const char *s)
{
	sb_add(sb, s, strlen(s));
}

void
sb_addch(struct strbuf *sb, int c)
{
	sb_grow(sb, 1);
	sb->buf[sb->len++] = (char)c;
	sb->buf[sb->len] = '\0';
}

void
sb_vaddf(struct strbuf *sb, const char *fmt, va_list ap)
{
	va_list	ap2;
	int	n;

	va_copy(ap2, ap);
	sb_grow(sb, 64);
	n = vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap);
	if (n < 0)
		fatalx("sb_vaddf: bad format");
	if ((size_t)n >= sb->cap - sb->len) {
		sb_grow(sb, (size_t)n);
		vsnprintf(sb->buf + sb->len, sb->cap - sb->len, fmt, ap2);
	}
	va_end(ap2);
	sb->len += (size_t)n;
}

void
sb_addf(struct strbuf *sb, const char *fmt, ...)
{
	va_list	ap;

	va_start(ap, fmt);
	sb_vaddf(sb, fmt, ap);
	va_end(ap);
}

void
sb_truncate(struct strbuf *sb, size_t len)
{
	if (len < sb->len) {
		sb->len = len;
		sb->buf[len] = '\0';
	}
}

const char *
sb_str(const struct strbuf *sb)
{
	return sb->buf == NULL ? "" : sb->buf;
}

char *
sb_detach(struct strbuf *sb)
{
	char	*p;

	if (sb->buf == NULL)
		return xstrdup("");
	p = sb->buf;
	sb_init(sb);
	return p;
}

void
sb_addhex(struct strbuf *sb, const void *p, size_t len)
{
	static const char	 hex[] = "0123456789abcdef";
	const unsigned char	*u = p;
	size_t			 i;

	sb_grow(sb, len * 2);
	for (i = 0; i < len; i++) {
		sb->buf[sb->len++] = hex[u[i] >> 4];
		sb->buf[sb->len++] = hex[u[i] & 15];
	}
	sb->buf[sb->len] = '\0';
}
