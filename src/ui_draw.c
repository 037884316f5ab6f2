/*
 * projsync - ui_draw.c: every view draws through these helpers: colour
 * roles (attributes only under NO_COLOR), UTF-8 text clipped and padded by
 * display width, lines that fall back to ASCII where the terminal has no
 * line drawing, progress bars, and the formatters for counts, durations and
 * times.
 */
#include "projsync/common.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <wchar.h>

#include <curses.h>

#include "ui_int.h"

static int	ui_attrs[UI_C__COUNT];

void
ui_draw_init(int no_color)
{
	static const struct {
		enum ui_color	role;
		short		fg;
		short		bg;
		int		attr;	/* added to the colour */
		int		mono;	/* without colour */
	} roles[] = {
		{ UI_C_NORMAL,		-1,		-1, 0, A_NORMAL },
		{ UI_C_TITLE,		COLOR_WHITE,	COLOR_BLUE, A_BOLD,
		    A_REVERSE },
		{ UI_C_FOOTER,		COLOR_BLACK,	COLOR_CYAN, 0,
		    A_REVERSE },
		{ UI_C_FOOTER_KEY,	COLOR_WHITE,	COLOR_CYAN, A_BOLD,
		    A_REVERSE | A_BOLD },
		{ UI_C_HEADER,		COLOR_YELLOW,	-1, A_BOLD, A_BOLD },
		{ UI_C_SELECTED,	COLOR_BLACK,	COLOR_CYAN, 0,
		    A_REVERSE },
		{ UI_C_DIM,		COLOR_BLUE,	-1, A_BOLD, A_DIM },
		{ UI_C_OK,		COLOR_GREEN,	-1, 0, A_NORMAL },
		{ UI_C_WARN,		COLOR_YELLOW,	-1, A_BOLD, A_BOLD },
		{ UI_C_ERROR,		COLOR_RED,	-1, A_BOLD, A_BOLD },
		{ UI_C_DIFF_SOURCE,	COLOR_CYAN,	-1, 0, A_NORMAL },
		{ UI_C_DIFF_TARGET,	COLOR_MAGENTA,	-1, 0, A_NORMAL },
		{ UI_C_DIFF_CHANGED,	COLOR_RED,	-1, A_BOLD, A_BOLD },
		{ UI_C_MARK,		COLOR_YELLOW,	-1, A_BOLD, A_BOLD },
		{ UI_C_BAR,		COLOR_BLACK,	COLOR_GREEN, 0,
		    A_REVERSE },
	};
	size_t	i;
	int	color;

	color = !no_color && has_colors();
	if (color) {
		start_color();
		use_default_colors();
	}
	for (i = 0; i < nitems(roles); i++) {
		if (!color) {
			ui_attrs[roles[i].role] = roles[i].mono;
			continue;
		}
		init_pair((short)(i + 1), roles[i].fg, roles[i].bg);
		ui_attrs[roles[i].role] = (int)COLOR_PAIR(i + 1) |
		    roles[i].attr;
	}
}

int
ui_attr(enum ui_color c)
{
	return c < UI_C__COUNT ? ui_attrs[c] : (int)A_NORMAL;
}

/*
 * Decode one character of S (LEN bytes left): its wide character and
 * display width (0 for a combining mark, 1 for a control or invalid byte,
 * which shows as '?').  Returns the bytes used.
 */
static size_t
ui_next_char(const char *s, size_t len, wchar_t *wc, int *width)
{
	mbstate_t	st;
	size_t		n;
	int		w;

	memset(&st, 0, sizeof st);
	n = mbrtowc(wc, s, len, &st);
	if (n == (size_t)-1 || n == (size_t)-2 || n == 0) {
		*wc = L'?';
		*width = 1;
		return 1;
	}
	if (*wc < 32 || *wc == 127) {
		*wc = L'?';
		*width = 1;
		return n;
	}
	w = wcwidth(*wc);
	if (w < 0) {
		*wc = L'?';
		w = 1;
	}
	*width = w;
	return n;
}

int
ui_text_width(const char *s)
{
	size_t	len, n;
	wchar_t	wc;
	int	w, total = 0;

	if (s == NULL)
		return 0;
	len = strlen(s);
	while (len > 0) {
		n = ui_next_char(s, len, &wc, &w);
		total += w;
		s += n;
		len -= n;
	}
	return total;
}

int
ui_draw_text(int y, int x, int width, enum ui_color role, const char *s,
    int pad)
{
	size_t	len, n;
	wchar_t	wc, out[2];
	int	w, used = 0, attr = ui_attr(role), limit;

	if (width <= 0)
		return 0;
	if (s == NULL)
		s = "";
	/* A text too wide keeps one column for the cut mark. */
	limit = ui_text_width(s) > width ? width - 1 : width;
	len = strlen(s);
	attron(attr);
	move(y, x);
	while (len > 0) {
		n = ui_next_char(s, len, &wc, &w);
		if (used + w > limit)
			break;
		out[0] = wc;
		out[1] = L'\0';
		if (w > 0 || used > 0)
			addnwstr(out, 1);
		used += w;
		s += n;
		len -= n;
	}
	if (limit < width) {
		while (used < limit) {
			addch(' ');
			used++;
		}
		addch('~');
		used++;
	}
	while (pad && used < width) {
		addch(' ');
		used++;
	}
	attroff(attr);
	return used;
}

int
ui_draw_fmt(int y, int x, int width, enum ui_color role, int pad,
    const char *fmt, ...)
{
	va_list	 ap;
	char	*s;
	int	 n;

	va_start(ap, fmt);
	xvasprintf(&s, fmt, ap);
	va_end(ap);
	n = ui_draw_text(y, x, width, role, s, pad);
	free(s);
	return n;
}

void
ui_draw_right(int y, int x, int width, enum ui_color role, const char *s)
{
	int	w = ui_text_width(s);

	if (w > width)
		w = width;
	ui_draw_text(y, x + width - w, w, role, s, 0);
}

void
ui_draw_hline(int y, int x, int w)
{
	if (w > 0)
		mvhline(y, x, ACS_HLINE, w);
}

void
ui_draw_vline(int y, int x, int h)
{
	if (h > 0)
		mvvline(y, x, ACS_VLINE, h);
}

void
ui_draw_blank(int y, int x, int w, enum ui_color role)
{
	ui_draw_text(y, x, w, role, "", 1);
}

void
ui_draw_bar(int y, int x, int w, double frac)
{
	char	pct[16];
	int	inner, fill, i;

	if (w < 8)
		return;
	if (frac < 0)
		snprintf(pct, sizeof pct, "   ?");
	else {
		if (frac > 1)
			frac = 1;
		snprintf(pct, sizeof pct, "%3d%%", (int)(frac * 100));
	}
	inner = w - 2 - 1 - (int)strlen(pct);
	fill = frac < 0 ? 0 : (int)(frac * inner + 0.5);
	move(y, x);
	addch('[');
	attron(ui_attr(UI_C_BAR));
	for (i = 0; i < fill; i++)
		addch('#');
	attroff(ui_attr(UI_C_BAR));
	for (; i < inner; i++)
		addch(frac < 0 ? '.' : ' ');
	addch(']');
	addch(' ');
	addstr(pct);
}

const char *
ui_fmt_count(int64_t v, char *buf, size_t len)
{
	char		 tmp[32];
	int		 n, i, o = 0, neg = v < 0;
	unsigned long long u;

	u = neg ? (unsigned long long)(-(v + 1)) + 1 :
	    (unsigned long long)v;
	n = snprintf(tmp, sizeof tmp, "%llu", u);
	if (neg && o < (int)len - 1)
		buf[o++] = '-';
	for (i = 0; i < n && o < (int)len - 1; i++) {
		if (i > 0 && (n - i) % 3 == 0 && o < (int)len - 1)
			buf[o++] = ',';
		if (o < (int)len - 1)
			buf[o++] = tmp[i];
	}
	buf[o] = '\0';
	return buf;
}

const char *
ui_fmt_duration(double s, char *buf, size_t len)
{
	long	t;

	if (s < 0)
		s = 0;
	if (s < 10)
		snprintf(buf, len, "%.1fs", s);
	else if (s < 3600) {
		t = (long)s;
		snprintf(buf, len, "%ldm %02lds", t / 60, t % 60);
	} else {
		t = (long)s;
		snprintf(buf, len, "%ldh %02ldm", t / 3600, t / 60 % 60);
	}
	return buf;
}

const char *
ui_fmt_time(double t, char *buf, size_t len)
{
	struct tm	tm;
	time_t		tt = (time_t)t;

	if (t <= 0 || localtime_r(&tt, &tm) == NULL) {
		snprintf(buf, len, "-");
		return buf;
	}
	strftime(buf, len, "%Y-%m-%d %H:%M", &tm);
	return buf;
}

const char *
ui_status_label(enum job_status st)
{
	switch (st) {
	case JOB_RUNNING:
		return "running";
	case JOB_COMPLETED:
		return "completed";
	case JOB_COMPLETED_WITH_CONFLICTS:
		return "conflicts";
	case JOB_COMPLETED_WITH_ERRORS:
		return "errors";
	case JOB_FAILED:
		return "failed";
	case JOB_CANCELLED:
		return "cancelled";
	}
	return "?";
}

enum ui_color
ui_status_color(enum job_status st)
{
	switch (st) {
	case JOB_COMPLETED:
		return UI_C_OK;
	case JOB_COMPLETED_WITH_CONFLICTS:
	case JOB_CANCELLED:
	case JOB_RUNNING:
		return UI_C_WARN;
	case JOB_COMPLETED_WITH_ERRORS:
	case JOB_FAILED:
		return UI_C_ERROR;
	}
	return UI_C_NORMAL;
}
