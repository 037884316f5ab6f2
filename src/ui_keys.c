/*
 * projsync - ui_keys.c: the keys every view shares (arrows and vi keys
 * alike) and key names for the footer and the help screen.
 */
#include "projsync/common.h"

#include <stdio.h>

#include <curses.h>

#include "ui_int.h"

enum ui_req
ui_key_req(int ch)
{
	switch (ch) {
	case KEY_UP:
	case 'k':
		return REQ_UP;
	case KEY_DOWN:
	case 'j':
		return REQ_DOWN;
	case KEY_LEFT:
	case 'h':
		return REQ_LEFT;
	case KEY_RIGHT:
	case 'l':
		return REQ_RIGHT;
	case KEY_PPAGE:
	case 2:		/* ^B */
		return REQ_PGUP;
	case KEY_NPAGE:
	case 6:		/* ^F */
	case ' ':
		return REQ_PGDN;
	case KEY_HOME:
	case 'g':
		return REQ_HOME;
	case KEY_END:
	case 'G':
		return REQ_END;
	case KEY_ENTER:
	case '\n':
	case '\r':
		return REQ_ENTER;
	case 'q':
	case 27:	/* Esc */
		return REQ_BACK;
	case '?':
	case KEY_F(1):
		return REQ_HELP;
	case '\t':
		return REQ_TAB;
	}
	return REQ_NONE;
}

const char *
ui_key_name(int ch, char *buf, size_t len)
{
	switch (ch) {
	case KEY_UP:
		return "Up";
	case KEY_DOWN:
		return "Down";
	case KEY_LEFT:
		return "Left";
	case KEY_RIGHT:
		return "Right";
	case KEY_ENTER:
	case '\n':
	case '\r':
		return "Enter";
	case 27:
		return "Esc";
	case '\t':
		return "Tab";
	case ' ':
		return "Space";
	}
	if (ch > 0 && ch < 32)
		snprintf(buf, len, "^%c", ch + '@');
	else if (ch >= 32 && ch < 127)
		snprintf(buf, len, "%c", ch);
	else
		snprintf(buf, len, "key %d", ch);
	return buf;
}

int
ui_cursor_move(int *cur, int n, int page, enum ui_req req)
{
	int	last = n > 0 ? n - 1 : 0;

	if (page < 1)
		page = 1;
	switch (req) {
	case REQ_UP:
		if (*cur > 0)
			(*cur)--;
		return 1;
	case REQ_DOWN:
		if (*cur < last)
			(*cur)++;
		return 1;
	case REQ_PGUP:
		*cur = *cur > page ? *cur - page : 0;
		return 1;
	case REQ_PGDN:
		*cur = *cur + page < last ? *cur + page : last;
		return 1;
	case REQ_HOME:
		*cur = 0;
		return 1;
	case REQ_END:
		*cur = last;
		return 1;
	default:
		return 0;
	}
}
