/*
 * projsync - ui_help.c: the help screen: the keys every screen shares, then
 * the keys and the purpose of the screen it was opened from.
 */
#include "projsync/common.h"

#include <stdlib.h>
#include <string.h>

#include "ui_int.h"

struct help {
	const struct view_ops	*of;	/* the screen explained */
	int			 top;
	int			 nlines;
	char			**lines;
};

static const struct footer_key help_footer[] = {
	{ "Up/Down", "scroll" },
	{ "q", "back" },
	{ NULL, NULL }
};

static const char *const help_common[] = {
	"Keys on every screen",
	"  Up Down / k j      move",
	"  PgUp PgDn / ^B ^F  a page",
	"  Home End / g G     first, last",
	"  Enter              open, choose",
	"  q Esc              back (on the Dashboard: quit)",
	"  Q                  quit (asks first when a job runs)",
	"  ?                  this help",
	"  ^L                 redraw the screen",
	"",
};

static void
help_add(struct help *h, const char *s)
{
	h->lines = xreallocarray(h->lines, h->nlines + 1, sizeof *h->lines);
	h->lines[h->nlines++] = xstrdup(s);
}

/* Add TEXT cut into lines of at most WIDTH columns at spaces. */
static void
help_wrap(struct help *h, const char *text, int width)
{
	const char	*p = text, *brk;
	char		*line;
	int		 len;

	while (*p != '\0') {
		len = (int)strlen(p);
		if (len > width) {
			for (brk = p + width; brk > p && *brk != ' '; brk--)
				continue;
			len = brk > p ? (int)(brk - p) : width;
		}
		line = xstrndup(p, (size_t)len);
		help_add(h, line);
		free(line);
		p += len;
		while (*p == ' ')
			p++;
	}
}

static int
help_open(struct view *v, const void *arg)
{
	struct help		*h = v->priv;
	const struct view	*of = arg;
	const struct footer_key	*k;
	char			*s;
	size_t			 i;

	h->of = of != NULL ? of->ops : NULL;
	for (i = 0; i < nitems(help_common); i++)
		help_add(h, help_common[i]);
	if (h->of == NULL)
		return 0;
	xasprintf(&s, "%s", h->of->name);
	help_add(h, s);
	free(s);
	if (h->of->help != NULL)
		help_wrap(h, h->of->help, v->w > 4 ? v->w - 4 : 40);
	help_add(h, "");
	for (k = h->of->footer; k != NULL && k->key != NULL; k++) {
		xasprintf(&s, "  %-18s %s", k->key, k->label);
		help_add(h, s);
		free(s);
	}
	return 0;
}

static void
help_close(struct view *v)
{
	struct help	*h = v->priv;
	int		 i;

	for (i = 0; i < h->nlines; i++)
		free(h->lines[i]);
	free(h->lines);
}

static void
help_draw(struct view *v)
{
	struct help	*h = v->priv;
	int		 i, y = ui_body_top();

	for (i = 0; i < v->h && h->top + i < h->nlines; i++)
		ui_draw_text(y + i, 1, v->w - 1, h->lines[h->top + i][0] !=
		    ' ' && h->lines[h->top + i][0] != '\0' ? UI_C_HEADER :
		    UI_C_NORMAL, h->lines[h->top + i], 1);
}

static enum ui_result
help_key(struct view *v, int ch, enum ui_req req)
{
	struct help	*h = v->priv;
	int		 max = h->nlines - v->h;

	(void)ch;
	if (max < 0)
		max = 0;
	switch (req) {
	case REQ_UP:
		if (h->top > 0)
			h->top--;
		return UI_HANDLED;
	case REQ_DOWN:
		if (h->top < max)
			h->top++;
		return UI_HANDLED;
	case REQ_PGUP:
		h->top = h->top > v->h ? h->top - v->h : 0;
		return UI_HANDLED;
	case REQ_PGDN:
		h->top = h->top + v->h < max ? h->top + v->h : max;
		return UI_HANDLED;
	case REQ_HOME:
		h->top = 0;
		return UI_HANDLED;
	case REQ_END:
		h->top = max;
		return UI_HANDLED;
	case REQ_HELP:
	case REQ_BACK:
		return UI_CLOSE;
	default:
		return UI_IGNORED;
	}
}

const struct view_ops ui_help_ops = {
	.name = "Help",
	.priv_size = sizeof (struct help),
	.footer = help_footer,
	.open = help_open,
	.close = help_close,
	.draw = help_draw,
	.key = help_key,
	.help = "What each key does.",
};
