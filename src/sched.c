/*
 * projsync - sched.c: schedule rules and their occurrences in local time:
 * checking a rule from the command line or the configuration, the next and
 * the previous occurrence around an instant, and a rule's description.
 *
 * DESIGN
 *
 * Dates are counted as civil day numbers (days since 1970-01-01 in the
 * proleptic Gregorian calendar) and local clock readings as "wall seconds":
 * the day number times 86400 plus the seconds into the day, as if the local
 * zone were UTC.  localtime_r() turns an instant into wall seconds, and the
 * UTC offset at an instant is its wall seconds less the instant.
 *
 * An occurrence on a date is the first instant whose wall seconds reach the
 * rule's time on that date.  To find it, sched_local_to_utc() gathers the
 * offsets in force a day either side of the wall time and at each candidate
 * instant (wall time less an offset), and takes the earliest candidate whose
 * local clock reads exactly that wall time: the only one on a normal day,
 * the first of two when the clocks go back.  When no candidate reads it, the
 * time falls in a gap (the clocks go forward), and a binary search between
 * the candidates finds the first instant after the gap.  Occurrences so
 * defined never go backwards from one date to the next, so sched_next()
 * walks the dates forward from just before AFTER and takes the first
 * occurrence past it, and sched_prev() walks them backward.  Both walks are
 * bounded (no two occurrences of a rule are more than 31 days apart), so
 * neither can loop forever, and sched_next() returns only times past AFTER.
 */
#include "projsync/common.h"
#include "projsync/conf.h"
#include "projsync/sched.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#define SCHED_DAY	86400
#define SCHED_SPAN	70	/* days walked: over twice the longest gap */
#define SCHED_LIMIT	1e11	/* seconds either side of the epoch */

static const char *const sched_weekdays[] = {
	"sun", "mon", "tue", "wed", "thu", "fri", "sat"
};
static const char *const sched_weekdays_long[] = {
	"sunday", "monday", "tuesday", "wednesday", "thursday", "friday",
	"saturday"
};
static const char *const sched_everys[] = {
	"daily", "weekly", "monthly"
};

#define SCHED_WEEKDAYS_EXPECTED	"mon, tue, wed, thu, fri, sat or sun"
#define SCHED_TIME_EXPECTED	"HH:MM, 00:00 to 23:59"

/* Floor division of A by a positive B. */
static int64_t
sched_floor_div(int64_t a, int64_t b)
{
	return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/* The civil day number of Y-M-D (M 1..12, D 1..31). */
static int64_t
sched_days_from_civil(int64_t y, int m, int d)
{
	int64_t	era, yoe, doy, doe;

	y -= m <= 2;
	era = sched_floor_div(y, 400);
	yoe = y - era * 400;
	doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

/* The date of civil day number Z. */
static void
sched_civil_from_days(int64_t z, int64_t *y, int *m, int *d)
{
	int64_t	era, doe, yoe, doy, mp;

	z += 719468;
	era = sched_floor_div(z, 146097);
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = yoe + era * 400 + (*m <= 2);
}

/* 0 Sunday .. 6 Saturday for civil day number Z (day 0 was a Thursday). */
static int
sched_weekday(int64_t z)
{
	return (int)((z % 7 + 11) % 7);
}

static int
sched_month_length(int64_t y, int m)
{
	static const int	len[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
		return 29;
	return len[m - 1];
}

/* The local clock at instant T as wall seconds; -1 if localtime_r fails. */
static int
sched_wall(time_t t, int64_t *out)
{
	struct tm	tm;

	if (localtime_r(&t, &tm) == NULL)
		return -1;
	*out = sched_days_from_civil((int64_t)tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday) * SCHED_DAY +
	    tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec;
	return 0;
}

/*
 * The first instant whose local clock reads wall seconds W or later, in
 * *OUT (see DESIGN); -1 if the local clock cannot be read around W.
 */
static int
sched_local_to_utc(int64_t w, time_t *out)
{
	int64_t	offs[8], off, wall, t, best, lo, hi, a, b, m;
	int	n, i, j, found;

	/* The offsets a day either side, then at each candidate instant. */
	n = 0;
	for (i = 0; i < 2; i++) {
		t = i == 0 ? w - SCHED_DAY : w + SCHED_DAY;
		if (sched_wall((time_t)t, &wall) != 0)
			return -1;
		if (n == 0 || offs[0] != wall - t)
			offs[n++] = wall - t;
	}
	for (i = 0; i < n; i++) {
		t = w - offs[i];
		if (sched_wall((time_t)t, &wall) != 0)
			return -1;
		off = wall - t;
		for (j = 0; j < n && offs[j] != off; j++)
			;
		if (j == n && n < (int)nitems(offs))
			offs[n++] = off;
	}

	/* The earliest candidate that reads W exactly. */
	found = 0;
	best = lo = hi = 0;
	for (i = 0; i < n; i++) {
		t = w - offs[i];
		if (sched_wall((time_t)t, &wall) != 0)
			return -1;
		if (wall == w && (!found || t < best)) {
			best = t;
			found = 1;
		}
		if (i == 0 || offs[i] < lo)
			lo = offs[i];
		if (i == 0 || offs[i] > hi)
			hi = offs[i];
	}
	if (found) {
		*out = (time_t)best;
		return 0;
	}

	/*
	 * W falls in a gap: at A the clock reads less than W, at B more, so
	 * the first instant reading W or later lies in (A, B].
	 */
	a = w - hi;
	b = w - lo;
	if (sched_wall((time_t)a, &wall) != 0 || wall >= w)
		return -1;
	if (sched_wall((time_t)b, &wall) != 0 || wall < w)
		return -1;
	while (b - a > 1) {
		m = a + (b - a) / 2;
		if (sched_wall((time_t)m, &wall) != 0)
			return -1;
		if (wall >= w)
			b = m;
		else
			a = m;
	}
	*out = (time_t)b;
	return 0;
}

/* 1 if RULE's fields are all in range. */
static int
sched_rule_ok(const struct sched_rule *r)
{
	if (r == NULL || r->hour < 0 || r->hour > 23 || r->minute < 0 ||
	    r->minute > 59)
		return 0;
	switch (r->every) {
	case SCHED_DAILY:
		return 1;
	case SCHED_WEEKLY:
		return r->weekday >= 0 && r->weekday <= 6;
	case SCHED_MONTHLY:
		return r->day >= 1 && r->day <= 31;
	}
	return 0;
}

/* 1 if RULE runs on civil day number Z. */
static int
sched_matches(const struct sched_rule *r, int64_t z)
{
	int64_t	y;
	int	m, d, last;

	switch (r->every) {
	case SCHED_DAILY:
		return 1;
	case SCHED_WEEKLY:
		return sched_weekday(z) == r->weekday;
	case SCHED_MONTHLY:
		sched_civil_from_days(z, &y, &m, &d);
		last = sched_month_length(y, m);
		return d == (r->day < last ? r->day : last);
	}
	return 0;
}

/*
 * Check the arguments of sched_next or sched_prev and find the civil day
 * number of the local date at T in *Z; -1 if they do not check out.
 */
static int
sched_start(const struct sched_rule *r, double t, int64_t *z)
{
	int64_t	wall;

	if (!sched_rule_ok(r) || !isfinite(t) || fabs(t) > SCHED_LIMIT)
		return -1;
	if (sizeof (time_t) < 8 && fabs(t) > 2147483647.0 - 3 * SCHED_DAY)
		return -1;
	tzset();
	if (sched_wall((time_t)floor(t), &wall) != 0)
		return -1;
	*z = sched_floor_div(wall, SCHED_DAY);
	return 0;
}

/* RULE's occurrence on civil day number Z, in *OUT; -1 on failure. */
static int
sched_occurrence(const struct sched_rule *r, int64_t z, time_t *out)
{
	return sched_local_to_utc(z * SCHED_DAY + r->hour * 3600 +
	    r->minute * 60, out);
}

double
sched_next(const struct sched_rule *r, double after)
{
	int64_t	z0, z;
	time_t	t;

	if (sched_start(r, after, &z0) != 0)
		return NAN;
	for (z = z0 - 2; z <= z0 + SCHED_SPAN; z++) {
		if (!sched_matches(r, z))
			continue;
		if (sched_occurrence(r, z, &t) != 0)
			return NAN;
		if ((double)t > after)
			return (double)t;
	}
	return NAN;
}

double
sched_prev(const struct sched_rule *r, double at_or_before)
{
	int64_t	z0, z;
	time_t	t;

	if (sched_start(r, at_or_before, &z0) != 0)
		return NAN;
	for (z = z0 + 2; z >= z0 - SCHED_SPAN; z--) {
		if (!sched_matches(r, z))
			continue;
		if (sched_occurrence(r, z, &t) != 0)
			return NAN;
		if ((double)t <= at_or_before)
			return (double)t;
	}
	return NAN;
}

/*
 * S for an error message: at most 40 bytes (then "..."), control characters
 * as '?', so the message stays one short line.  LEN is at least 8.  Returns
 * BUF.
 */
static const char *
sched_quote(const char *s, char *buf, size_t len)
{
	size_t	i, max;

	max = len - 4;
	if (max > 40)
		max = 40;
	for (i = 0; s[i] != '\0' && i < max; i++) {
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			buf[i] = '?';
		else
			buf[i] = s[i];
	}
	if (s[i] != '\0') {
		memcpy(buf + i, "...", 3);
		i += 3;
	}
	buf[i] = '\0';
	return buf;
}

/* The weekday named S ("mon", "Monday", ...) as 0..6, or -1. */
static int
sched_parse_weekday(const char *s)
{
	int	i;

	for (i = 0; i < (int)nitems(sched_weekdays); i++) {
		if (strcasecmp(s, sched_weekdays[i]) == 0 ||
		    strcasecmp(s, sched_weekdays_long[i]) == 0)
			return i;
	}
	return -1;
}

/* Parse exactly "HH:MM" (00:00 to 23:59); -1 if S is anything else. */
static int
sched_parse_time(const char *s, int *hour, int *minute)
{
	int	i;

	for (i = 0; i < 5; i++) {
		if (i == 2 ? s[i] != ':' : (s[i] < '0' || s[i] > '9'))
			return -1;
	}
	if (s[5] != '\0')
		return -1;
	*hour = (s[0] - '0') * 10 + (s[1] - '0');
	*minute = (s[3] - '0') * 10 + (s[4] - '0');
	if (*hour > 23 || *minute > 59)
		return -1;
	return 0;
}

/*
 * The checks behind sched_rule_parse and sched_rule_from_conf.  OPT goes
 * before each setting's name ("--" on the command line), WHO before the
 * whole message ("schedule 'nightly': " for the configuration).
 */
static int
sched_check(const char *every, const char *at, const char *on, int day,
    struct sched_rule *out, struct ps_error *err, const char *opt,
    const char *who)
{
	struct sched_rule	r;
	char			q[48];
	int			i;

	memset(&r, 0, sizeof r);
	if (every == NULL || *every == '\0') {
		ps_error_set(err, PS_ERR_USAGE, "%s%severy is missing "
		    "(expected daily, weekly or monthly)", who, opt);
		return -1;
	}
	for (i = 0; i < (int)nitems(sched_everys); i++) {
		if (strcasecmp(every, sched_everys[i]) == 0)
			break;
	}
	if (i == (int)nitems(sched_everys)) {
		ps_error_set(err, PS_ERR_USAGE, "%s%severy: unknown period "
		    "'%s' (expected daily, weekly or monthly)", who, opt,
		    sched_quote(every, q, sizeof q));
		return -1;
	}
	r.every = (enum sched_every)i;

	if (at == NULL || *at == '\0') {
		ps_error_set(err, PS_ERR_USAGE, "%s%sat is missing (expected "
		    SCHED_TIME_EXPECTED ")", who, opt);
		return -1;
	}
	if (sched_parse_time(at, &r.hour, &r.minute) != 0) {
		ps_error_set(err, PS_ERR_USAGE, "%s%sat: '%s' is not a time of "
		    "day (expected " SCHED_TIME_EXPECTED ")", who, opt,
		    sched_quote(at, q, sizeof q));
		return -1;
	}

	if (r.every == SCHED_WEEKLY) {
		if (on == NULL) {
			ps_error_set(err, PS_ERR_USAGE, "%sa weekly schedule "
			    "needs %son (" SCHED_WEEKDAYS_EXPECTED ")", who,
			    opt);
			return -1;
		}
		if ((r.weekday = sched_parse_weekday(on)) == -1) {
			ps_error_set(err, PS_ERR_USAGE, "%s%son: unknown "
			    "weekday '%s' (expected " SCHED_WEEKDAYS_EXPECTED
			    ")", who, opt, sched_quote(on, q, sizeof q));
			return -1;
		}
	} else if (on != NULL) {
		ps_error_set(err, PS_ERR_USAGE, "%s%son applies to weekly "
		    "schedules only", who, opt);
		return -1;
	}

	if (r.every == SCHED_MONTHLY) {
		if (day == 0) {
			ps_error_set(err, PS_ERR_USAGE, "%sa monthly schedule "
			    "needs %sday (1 to 31)", who, opt);
			return -1;
		}
		if (day < 1 || day > 31) {
			ps_error_set(err, PS_ERR_USAGE, "%s%sday: %d is not a "
			    "day of the month (expected 1 to 31)", who, opt,
			    day);
			return -1;
		}
		r.day = day;
	} else if (day != 0) {
		ps_error_set(err, PS_ERR_USAGE, "%s%sday applies to monthly "
		    "schedules only", who, opt);
		return -1;
	}
	*out = r;
	return 0;
}

int
sched_rule_parse(const char *every, const char *at, const char *on, int day,
    struct sched_rule *r, struct ps_error *err)
{
	return sched_check(every, at, on, day, r, err, "--", "");
}

int
sched_rule_from_conf(const struct schedule_conf *s, struct sched_rule *r,
    struct ps_error *err)
{
	char	 q[48];
	char	*who;
	int	 rc;

	if (s->name != NULL)
		xasprintf(&who, "schedule '%s': ",
		    sched_quote(s->name, q, sizeof q));
	else
		who = xstrdup("schedule: ");
	rc = sched_check(s->every, s->at, s->on, s->day, r, err, "", who);
	free(who);
	return rc;
}

const char *
sched_describe(const struct sched_rule *r, char *buf, size_t len)
{
	if (len == 0)
		return buf;
	switch (r->every) {
	case SCHED_WEEKLY:
		snprintf(buf, len, "weekly on %s at %02d:%02d",
		    sched_weekday_name(r->weekday), r->hour, r->minute);
		break;
	case SCHED_MONTHLY:
		snprintf(buf, len, "monthly on day %d%s at %02d:%02d", r->day,
		    r->day == 31 ? " (last day)" : "", r->hour, r->minute);
		break;
	default:
		snprintf(buf, len, "%s at %02d:%02d",
		    sched_every_name(r->every), r->hour, r->minute);
		break;
	}
	return buf;
}

const char *
sched_every_name(enum sched_every every)
{
	if ((int)every < 0 || (int)every >= (int)nitems(sched_everys))
		return "?";
	return sched_everys[every];
}

const char *
sched_weekday_name(int weekday)
{
	if (weekday < 0 || weekday >= (int)nitems(sched_weekdays))
		return "?";
	return sched_weekdays[weekday];
}
