/*
 * projsync - sched.h: schedule arithmetic (SPEC section 9): a schedule's
 * rule (daily, weekly on a weekday or monthly on a day, at a local time),
 * checked from the command line or the configuration, and its occurrences
 * in the process's local time zone (TZ).
 *
 * An occurrence is the first instant on its date at which the local clock
 * reads the rule's time or later.  So:
 *
 * - A time that does not exist on a day (it falls in a daylight saving gap,
 *   e.g. 02:30 in Europe/Berlin on the last Sunday of March) runs once, at
 *   the first instant after the gap (03:00 local).
 * - A time that occurs twice on a day (the clocks go back, e.g. 01:30 in
 *   America/New_York on the first Sunday of November) runs once, at its
 *   first occurrence (01:30 EDT).
 * - A monthly rule on day N runs on day N, or on the month's last day when
 *   the month is shorter: day 31 is always the last day, and days 29 and 30
 *   run on February's last day (the 28th, or the 29th in a leap year).
 *
 * A daemon runs a schedule when sched_prev(now) is later than both its last
 * run and its creation time, so missed occurrences run once, not once per
 * miss.
 */
#ifndef PROJSYNC_SCHED_H
#define PROJSYNC_SCHED_H

#include "projsync/common.h"

struct schedule_conf;

enum sched_every {
	SCHED_DAILY,
	SCHED_WEEKLY,
	SCHED_MONTHLY
};

struct sched_rule {
	enum sched_every every;	/* daily, weekly or monthly */
	int	hour;		/* 0..23, local time */
	int	minute;		/* 0..59 */
	int	weekday;	/* 0 Sunday .. 6 Saturday, weekly; else 0 */
	int	day;		/* 1..31, monthly (31: last day); else 0 */
};

/*
 * Check a rule as "schedule add" takes it: EVERY is daily, weekly or monthly;
 * AT is exactly HH:MM, 00:00 to 23:59; ON (weekly only, and required there)
 * is a weekday, "mon".."sun" or the full name, in any case; DAY (monthly
 * only, and required there; 0 when not given) is 1 to 31.  EVERY in any case
 * too.  Fills RULE and returns 0, or returns -1 with PS_ERR_USAGE and a
 * one-line message naming the option ("--on applies to weekly schedules
 * only"); RULE is left alone on error.
 */
int	sched_rule_parse(const char *every, const char *at, const char *on,
	    int day, struct sched_rule *, struct ps_error *);
/*
 * The same for a schedule of the configuration; the message names the
 * schedule and the setting ("schedule 'nightly': on applies to weekly
 * schedules only").
 */
int	sched_rule_from_conf(const struct schedule_conf *,
	    struct sched_rule *, struct ps_error *);

/*
 * The first occurrence strictly after AFTER (epoch seconds), in local time;
 * a whole number of seconds.  NAN for a rule that does not check out, or an
 * AFTER that is not finite or further than 1e11 seconds from the epoch.
 */
double	sched_next(const struct sched_rule *, double after);
/*
 * The latest occurrence at or before AT_OR_BEFORE; NAN as for sched_next.
 * sched_prev(sched_next(t)) == sched_next(t), and sched_next(sched_prev(t))
 * == sched_next(t).
 */
double	sched_prev(const struct sched_rule *, double at_or_before);

/*
 * "daily at 02:30", "weekly on mon at 02:30", "monthly on day 31 (last day)
 * at 02:30", written to BUF (LEN bytes, truncated to fit); returns BUF.
 */
const char *sched_describe(const struct sched_rule *, char *buf, size_t len);
/* "daily", "weekly", "monthly": the configuration's names; "?" if unknown. */
const char *sched_every_name(enum sched_every);
/* "sun", "mon" .. "sat" for 0..6 (tm_wday); "?" out of range. */
const char *sched_weekday_name(int);

#endif
