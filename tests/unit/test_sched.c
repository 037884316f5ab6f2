/*
 * projsync - test_sched.c: schedule rules (every parse error, the
 * configuration's form, descriptions) and their occurrences in local time:
 * daily, weekly and monthly rules around their times, month ends and leap
 * years, year rollover, both daylight saving transitions in several zones,
 * sched_prev against sched_next, and a year of occurrences in a row.
 */
#include "projsync/common.h"

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "projsync/conf.h"
#include "projsync/sched.h"

/*
 * 1 if ZONE's file is installed.  "UTC0" is a POSIX TZ string and needs no
 * file.
 */
static int
have_zone(const char *zone)
{
	char	path[256];

	if (strcmp(zone, "UTC0") == 0)
		return 1;
	snprintf(path, sizeof path, "/usr/share/zoneinfo/%s", zone);
	return access(path, R_OK) == 0;
}

static void
set_zone(const char *zone)
{
	setenv("TZ", zone, 1);
	tzset();
}

/*
 * Switch to ZONE and return 0, or say so and return -1 when its zone file
 * is missing: the caller then returns, passing without checking anything.
 * (cmocka's skip() writes "not ok # SKIP", which automake's TAP driver
 * counts as a failure.)
 */
static int
use_zone(const char *zone)
{
	if (!have_zone(zone)) {
		print_message("# zone %s is not installed; case skipped\n",
		    zone);
		return -1;
	}
	set_zone(zone);
	return 0;
}

/* T as "YYYY-MM-DD HH:MM:SS +HHMM" in the current zone, in BUF. */
static const char *
fmt(double t, char *buf, size_t len)
{
	struct tm	tm;
	time_t		tt;

	if (isnan(t)) {
		snprintf(buf, len, "nan");
		return buf;
	}
	tt = (time_t)t;
	if (localtime_r(&tt, &tm) == NULL ||
	    strftime(buf, len, "%Y-%m-%d %H:%M:%S %z", &tm) == 0)
		snprintf(buf, len, "%.0f", t);
	return buf;
}

/*
 * The instant of "YYYY-MM-DD HH:MM[:SS]" in the current zone, or at an
 * explicit UTC offset with " +HH:MM" or " -HH:MM" after it.  Without an
 * offset the local time must exist and be unambiguous (the test fails
 * otherwise), so times around a transition give their offset.
 */
static double
lt(const char *s)
{
	struct tm	tm, back;
	time_t		t, u;
	int		n, used, sec, oh, om, i;
	char		sign;
	static const int	near[] = {
		-7200, -3600, -1800, 1800, 3600, 7200
	};

	memset(&tm, 0, sizeof tm);
	sec = 0;
	n = sscanf(s, "%d-%d-%d %d:%d%n", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday, &tm.tm_hour, &tm.tm_min, &used);
	if (n != 5)
		fail_msg("bad time '%s'", s);
	if (s[used] == ':') {
		if (sscanf(s + used, ":%2d%n", &sec, &n) != 1)
			fail_msg("bad seconds in '%s'", s);
		used += n;
	}
	tm.tm_sec = sec;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	if (s[used] == ' ') {
		if (sscanf(s + used, " %c%d:%d", &sign, &oh, &om) != 3 ||
		    (sign != '+' && sign != '-'))
			fail_msg("bad offset in '%s'", s);
		t = timegm(&tm);
		if (sign == '-')
			return (double)t + oh * 3600 + om * 60;
		return (double)t - oh * 3600 - om * 60;
	}
	if (s[used] != '\0')
		fail_msg("bad time '%s'", s);
	tm.tm_isdst = -1;
	back = tm;
	t = mktime(&back);
	if (t == (time_t)-1 || localtime_r(&t, &back) == NULL ||
	    back.tm_year != tm.tm_year || back.tm_mon != tm.tm_mon ||
	    back.tm_mday != tm.tm_mday || back.tm_hour != tm.tm_hour ||
	    back.tm_min != tm.tm_min || back.tm_sec != tm.tm_sec)
		fail_msg("'%s' does not exist here; give an offset", s);
	for (i = 0; i < (int)nitems(near); i++) {
		u = t + near[i];
		if (localtime_r(&u, &back) != NULL &&
		    back.tm_mday == tm.tm_mday && back.tm_hour == tm.tm_hour &&
		    back.tm_min == tm.tm_min && back.tm_sec == tm.tm_sec)
			fail_msg("'%s' is ambiguous here; give an offset", s);
	}
	return (double)t;
}

/* Fail at FILE:LINE unless GOT is the instant WANT (as lt() reads it). */
static void
check_time(double got, const char *want, const char *file, int line)
{
	char	gb[64], wb[64];
	double	w;

	w = lt(want);
	if (isnan(got) || got != w) {
		print_error("got %s, want %s\n", fmt(got, gb, sizeof gb),
		    fmt(w, wb, sizeof wb));
		_fail(file, line);
	}
}
#define assert_at(got, want) check_time((got), (want), __FILE__, __LINE__)

/* The rule for EVERY, AT, ON, DAY, which must check out. */
static struct sched_rule
rule(const char *every, const char *at, const char *on, int day)
{
	struct sched_rule	r;
	struct ps_error		err;

	memset(&err, 0, sizeof err);
	if (sched_rule_parse(every, at, on, day, &r, &err) != 0)
		fail_msg("rule refused: %s", err.msg);
	return r;
}

static void
test_parse(void **state)
{
	struct sched_rule	r;
	struct ps_error		err;
	char			buf[64];

	(void)state;
	memset(&err, 0, sizeof err);
	assert_int_equal(sched_rule_parse("daily", "02:30", NULL, 0, &r, &err),
	    0);
	assert_int_equal(r.every, SCHED_DAILY);
	assert_int_equal(r.hour, 2);
	assert_int_equal(r.minute, 30);
	assert_int_equal(r.weekday, 0);
	assert_int_equal(r.day, 0);
	assert_string_equal(sched_describe(&r, buf, sizeof buf),
	    "daily at 02:30");

	r = rule("weekly", "00:00", "mon", 0);
	assert_int_equal(r.every, SCHED_WEEKLY);
	assert_int_equal(r.weekday, 1);
	assert_int_equal(r.hour, 0);
	assert_int_equal(r.minute, 0);
	assert_string_equal(sched_describe(&r, buf, sizeof buf),
	    "weekly on mon at 00:00");
	assert_int_equal(rule("weekly", "23:59", "Monday", 0).weekday, 1);
	assert_int_equal(rule("weekly", "23:59", "SUN", 0).weekday, 0);
	assert_int_equal(rule("weekly", "23:59", "sunday", 0).weekday, 0);
	assert_int_equal(rule("weekly", "23:59", "Saturday", 0).weekday, 6);
	assert_int_equal(rule("weekly", "23:59", "wEdNeSdAy", 0).weekday, 3);
	assert_int_equal(rule("WEEKLY", "12:00", "thu", 0).every, SCHED_WEEKLY);
	r = rule("weekly", "23:59", "Sat", 0);
	assert_int_equal(r.hour, 23);
	assert_int_equal(r.minute, 59);
	assert_string_equal(sched_describe(&r, buf, sizeof buf),
	    "weekly on sat at 23:59");

	r = rule("monthly", "02:30", NULL, 31);
	assert_int_equal(r.every, SCHED_MONTHLY);
	assert_int_equal(r.day, 31);
	assert_int_equal(r.weekday, 0);
	assert_string_equal(sched_describe(&r, buf, sizeof buf),
	    "monthly on day 31 (last day) at 02:30");
	r = rule("Monthly", "07:05", NULL, 1);
	assert_string_equal(sched_describe(&r, buf, sizeof buf),
	    "monthly on day 1 at 07:05");

	/* Truncated to the buffer. */
	r = rule("daily", "02:30", NULL, 0);
	assert_string_equal(sched_describe(&r, buf, 6), "daily");

	assert_string_equal(sched_weekday_name(0), "sun");
	assert_string_equal(sched_weekday_name(1), "mon");
	assert_string_equal(sched_weekday_name(2), "tue");
	assert_string_equal(sched_weekday_name(3), "wed");
	assert_string_equal(sched_weekday_name(4), "thu");
	assert_string_equal(sched_weekday_name(5), "fri");
	assert_string_equal(sched_weekday_name(6), "sat");
	assert_string_equal(sched_weekday_name(7), "?");
	assert_string_equal(sched_weekday_name(-1), "?");
	assert_string_equal(sched_every_name(SCHED_DAILY), "daily");
	assert_string_equal(sched_every_name(SCHED_WEEKLY), "weekly");
	assert_string_equal(sched_every_name(SCHED_MONTHLY), "monthly");
	assert_string_equal(sched_every_name((enum sched_every)3), "?");
}

static void
test_parse_errors(void **state)
{
	static const struct {
		const char	*every;
		const char	*at;
		const char	*on;
		int		 day;
		const char	*msg;
	} bad[] = {
		{ NULL, "02:30", NULL, 0,
		  "--every is missing (expected daily, weekly or monthly)" },
		{ "", "02:30", NULL, 0,
		  "--every is missing (expected daily, weekly or monthly)" },
		{ "hourly", "02:30", NULL, 0, "--every: unknown period "
		  "'hourly' (expected daily, weekly or monthly)" },
		{ "daily ", "02:30", NULL, 0, "--every: unknown period "
		  "'daily ' (expected daily, weekly or monthly)" },
		{ "da\nily", "02:30", NULL, 0, "--every: unknown period "
		  "'da?ily' (expected daily, weekly or monthly)" },
		{ "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx",
		  "02:30", NULL, 0, "--every: unknown period "
		  "'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx...' (expected "
		  "daily, weekly or monthly)" },
		{ "daily", NULL, NULL, 0,
		  "--at is missing (expected HH:MM, 00:00 to 23:59)" },
		{ "daily", "", NULL, 0,
		  "--at is missing (expected HH:MM, 00:00 to 23:59)" },
		{ "daily", "2:30", NULL, 0, "--at: '2:30' is not a time of "
		  "day (expected HH:MM, 00:00 to 23:59)" },
		{ "daily", "02:3", NULL, 0, "--at: '02:3' is not a time of "
		  "day (expected HH:MM, 00:00 to 23:59)" },
		{ "daily", "24:00", NULL, 0, "--at: '24:00' is not a time of "
		  "day (expected HH:MM, 00:00 to 23:59)" },
		{ "daily", "23:60", NULL, 0, "--at: '23:60' is not a time of "
		  "day (expected HH:MM, 00:00 to 23:59)" },
		{ "daily", "02:30:00", NULL, 0, "--at: '02:30:00' is not a "
		  "time of day (expected HH:MM, 00:00 to 23:59)" },
		{ "daily", "0230", NULL, 0, "--at: '0230' is not a time of "
		  "day (expected HH:MM, 00:00 to 23:59)" },
		{ "daily", "02-30", NULL, 0, "--at: '02-30' is not a time of "
		  "day (expected HH:MM, 00:00 to 23:59)" },
		{ "daily", " 2:30", NULL, 0, "--at: ' 2:30' is not a time of "
		  "day (expected HH:MM, 00:00 to 23:59)" },
		{ "daily", "+2:30", NULL, 0, "--at: '+2:30' is not a time of "
		  "day (expected HH:MM, 00:00 to 23:59)" },
		{ "daily", "02:30 ", NULL, 0, "--at: '02:30 ' is not a time "
		  "of day (expected HH:MM, 00:00 to 23:59)" },
		{ "daily", "ab:cd", NULL, 0, "--at: 'ab:cd' is not a time of "
		  "day (expected HH:MM, 00:00 to 23:59)" },
		{ "weekly", "02:30", NULL, 0, "a weekly schedule needs --on "
		  "(mon, tue, wed, thu, fri, sat or sun)" },
		{ "weekly", "02:30", "", 0, "--on: unknown weekday '' "
		  "(expected mon, tue, wed, thu, fri, sat or sun)" },
		{ "weekly", "02:30", "mo", 0, "--on: unknown weekday 'mo' "
		  "(expected mon, tue, wed, thu, fri, sat or sun)" },
		{ "weekly", "02:30", "mondays", 0, "--on: unknown weekday "
		  "'mondays' (expected mon, tue, wed, thu, fri, sat or sun)" },
		{ "weekly", "02:30", "1", 0, "--on: unknown weekday '1' "
		  "(expected mon, tue, wed, thu, fri, sat or sun)" },
		{ "daily", "02:30", "mon", 0,
		  "--on applies to weekly schedules only" },
		{ "monthly", "02:30", "mon", 5,
		  "--on applies to weekly schedules only" },
		{ "daily", "02:30", NULL, 5,
		  "--day applies to monthly schedules only" },
		{ "weekly", "02:30", "mon", 5,
		  "--day applies to monthly schedules only" },
		{ "weekly", "02:30", "mon", -1,
		  "--day applies to monthly schedules only" },
		{ "monthly", "02:30", NULL, 0,
		  "a monthly schedule needs --day (1 to 31)" },
		{ "monthly", "02:30", NULL, 32, "--day: 32 is not a day of "
		  "the month (expected 1 to 31)" },
		{ "monthly", "02:30", NULL, -1, "--day: -1 is not a day of "
		  "the month (expected 1 to 31)" },
	};
	struct sched_rule	r, keep;
	struct ps_error		err;
	size_t			i;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		memset(&r, 0x5a, sizeof r);
		keep = r;
		memset(&err, 0, sizeof err);
		if (sched_rule_parse(bad[i].every, bad[i].at, bad[i].on,
		    bad[i].day, &r, &err) != -1)
			fail_msg("case %zu accepted", i);
		assert_int_equal(err.code, PS_ERR_USAGE);
		assert_string_equal(err.msg, bad[i].msg);
		assert_null(strchr(err.msg, '\n'));
		assert_memory_equal(&r, &keep, sizeof r);
	}
	/* A NULL error is allowed. */
	assert_int_equal(sched_rule_parse("hourly", "02:30", NULL, 0, &r,
	    NULL), -1);
}

static void
test_from_conf(void **state)
{
	struct schedule_conf	c;
	struct sched_rule	r;
	struct ps_error		err;

	(void)state;
	memset(&c, 0, sizeof c);
	memset(&err, 0, sizeof err);
	c.name = (char *)"nightly";
	c.every = (char *)"weekly";
	c.at = (char *)"02:30";
	c.on = (char *)"sun";
	assert_int_equal(sched_rule_from_conf(&c, &r, &err), 0);
	assert_int_equal(r.every, SCHED_WEEKLY);
	assert_int_equal(r.weekday, 0);
	assert_int_equal(r.hour, 2);
	assert_int_equal(r.minute, 30);

	c.on = NULL;
	assert_int_equal(sched_rule_from_conf(&c, &r, &err), -1);
	assert_int_equal(err.code, PS_ERR_USAGE);
	assert_string_equal(err.msg, "schedule 'nightly': a weekly schedule "
	    "needs on (mon, tue, wed, thu, fri, sat or sun)");

	c.every = (char *)"daily";
	c.day = 5;
	assert_int_equal(sched_rule_from_conf(&c, &r, &err), -1);
	assert_string_equal(err.msg, "schedule 'nightly': day applies to "
	    "monthly schedules only");

	c.every = (char *)"monthly";
	c.at = (char *)"25:00";
	assert_int_equal(sched_rule_from_conf(&c, &r, &err), -1);
	assert_string_equal(err.msg, "schedule 'nightly': at: '25:00' is not "
	    "a time of day (expected HH:MM, 00:00 to 23:59)");

	c.at = (char *)"02:30";
	c.day = 31;
	assert_int_equal(sched_rule_from_conf(&c, &r, &err), 0);
	assert_int_equal(r.day, 31);

	c.name = NULL;
	c.every = NULL;
	assert_int_equal(sched_rule_from_conf(&c, &r, &err), -1);
	assert_string_equal(err.msg, "schedule: every is missing (expected "
	    "daily, weekly or monthly)");
}

static void
test_daily(void **state)
{
	struct sched_rule	r;

	(void)state;
	if (use_zone("UTC0") != 0)
		return;
	r = rule("daily", "02:30", NULL, 0);
	/* Before, just before, exactly at (strictly after) and after. */
	assert_at(sched_next(&r, lt("2027-03-10 01:00")), "2027-03-10 02:30");
	assert_at(sched_next(&r, lt("2027-03-10 02:29:59")),
	    "2027-03-10 02:30");
	assert_at(sched_next(&r, lt("2027-03-10 02:30") - 0.5),
	    "2027-03-10 02:30");
	assert_at(sched_next(&r, lt("2027-03-10 02:30")), "2027-03-11 02:30");
	assert_at(sched_next(&r, lt("2027-03-10 02:30") + 0.5),
	    "2027-03-11 02:30");
	assert_at(sched_next(&r, lt("2027-03-10 23:59:59")),
	    "2027-03-11 02:30");
	assert_at(sched_next(&r, lt("2027-03-10 00:00")), "2027-03-10 02:30");

	assert_at(sched_prev(&r, lt("2027-03-10 02:30")), "2027-03-10 02:30");
	assert_at(sched_prev(&r, lt("2027-03-10 02:30") + 0.5),
	    "2027-03-10 02:30");
	assert_at(sched_prev(&r, lt("2027-03-10 02:29:59")),
	    "2027-03-09 02:30");
	assert_at(sched_prev(&r, lt("2027-03-10 12:00")), "2027-03-10 02:30");

	r = rule("daily", "00:00", NULL, 0);
	assert_at(sched_next(&r, lt("2027-03-10 00:00")), "2027-03-11 00:00");
	assert_at(sched_next(&r, lt("2027-03-09 23:59:59")),
	    "2027-03-10 00:00");
	r = rule("daily", "23:59", NULL, 0);
	assert_at(sched_next(&r, lt("2027-03-10 23:58")), "2027-03-10 23:59");
	assert_at(sched_next(&r, lt("2027-03-10 23:59")), "2027-03-11 23:59");
}

/* Local time, not UTC, in summer and in winter. */
static void
test_daily_local(void **state)
{
	struct sched_rule	r;
	double			t;

	(void)state;
	r = rule("daily", "02:30", NULL, 0);
	if (use_zone("Europe/Berlin") == 0) {
		assert_at(sched_next(&r, lt("2027-06-15 01:00")),
		    "2027-06-15 02:30 +02:00");
		assert_at(sched_next(&r, lt("2027-01-15 03:00")),
		    "2027-01-16 02:30 +01:00");
	}
	if (use_zone("America/New_York") == 0) {
		assert_at(sched_next(&r, lt("2027-06-15 01:00")),
		    "2027-06-15 02:30 -04:00");
		assert_at(sched_next(&r, lt("2027-01-15 03:00")),
		    "2027-01-16 02:30 -05:00");
	}
	/* A change of TZ counts at once, without a tzset() by the caller. */
	if (have_zone("Europe/Berlin")) {
		set_zone("UTC0");
		setenv("TZ", "Europe/Berlin", 1);
		/* 2027-01-15 08:00 UTC. */
		t = sched_next(&r, 1800000000.0);
		set_zone("Europe/Berlin");
		assert_at(t, "2027-01-16 02:30 +01:00");
	}
}

static void
test_weekly(void **state)
{
	/* After Wednesday 2027-03-10 12:00, i.e. past that day's 02:30. */
	static const char *const after_noon[7] = {
		"2027-03-14 02:30", "2027-03-15 02:30", "2027-03-16 02:30",
		"2027-03-17 02:30", "2027-03-11 02:30", "2027-03-12 02:30",
		"2027-03-13 02:30"
	};
	/* Before, at 01:00 that Wednesday. */
	static const char *const after_early[7] = {
		"2027-03-14 02:30", "2027-03-15 02:30", "2027-03-16 02:30",
		"2027-03-10 02:30", "2027-03-11 02:30", "2027-03-12 02:30",
		"2027-03-13 02:30"
	};
	static const char *const names[7] = {
		"Sunday", "mon", "TUE", "wednesday", "thu", "Fri", "sat"
	};
	struct sched_rule	r;
	struct tm		tm;
	time_t			tt;
	double			t;
	int			w;

	(void)state;
	if (use_zone("UTC0") != 0)
		return;
	for (w = 0; w < 7; w++) {
		r = rule("weekly", "02:30", names[w], 0);
		assert_int_equal(r.weekday, w);
		t = sched_next(&r, lt("2027-03-10 12:00"));
		assert_at(t, after_noon[w]);
		tt = (time_t)t;
		assert_non_null(localtime_r(&tt, &tm));
		assert_int_equal(tm.tm_wday, w);
		assert_at(sched_next(&r, lt("2027-03-10 01:00")),
		    after_early[w]);
		/* Then a week later; between the two, prev is the first. */
		assert_true(sched_next(&r, t) == t + 7 * 86400);
		assert_true(sched_prev(&r, t + 7 * 86400 - 1) == t);
		assert_true(sched_prev(&r, t) == t);
	}
	/* Wrap to the next week from the same weekday. */
	r = rule("weekly", "02:30", "wed", 0);
	assert_at(sched_next(&r, lt("2027-03-10 02:30")), "2027-03-17 02:30");
	assert_at(sched_prev(&r, lt("2027-03-10 02:29")), "2027-03-03 02:30");
}

static void
test_monthly(void **state)
{
	struct sched_rule	r;

	(void)state;
	if (use_zone("UTC0") != 0)
		return;
	/* Day 31 is the last day of every month. */
	r = rule("monthly", "02:30", NULL, 31);
	assert_at(sched_next(&r, lt("2027-04-01 00:00")), "2027-04-30 02:30");
	assert_at(sched_next(&r, lt("2027-04-30 02:30")), "2027-05-31 02:30");
	assert_at(sched_next(&r, lt("2027-06-01 00:00")), "2027-06-30 02:30");
	assert_at(sched_next(&r, lt("2027-06-30 02:30")), "2027-07-31 02:30");
	assert_at(sched_next(&r, lt("2027-09-01 00:00")), "2027-09-30 02:30");
	assert_at(sched_next(&r, lt("2027-11-01 00:00")), "2027-11-30 02:30");
	assert_at(sched_next(&r, lt("2027-02-01 00:00")), "2027-02-28 02:30");
	assert_at(sched_next(&r, lt("2027-02-28 02:30")), "2027-03-31 02:30");
	assert_at(sched_next(&r, lt("2028-02-01 00:00")), "2028-02-29 02:30");
	assert_at(sched_next(&r, lt("2028-02-28 02:30")), "2028-02-29 02:30");
	assert_at(sched_prev(&r, lt("2027-03-15 00:00")), "2027-02-28 02:30");
	assert_at(sched_prev(&r, lt("2028-03-31 02:29")), "2028-02-29 02:30");

	/* Days 29 and 30 run on February's last day. */
	r = rule("monthly", "02:30", NULL, 30);
	assert_at(sched_next(&r, lt("2027-02-01 00:00")), "2027-02-28 02:30");
	assert_at(sched_next(&r, lt("2027-02-28 02:30")), "2027-03-30 02:30");
	assert_at(sched_next(&r, lt("2028-02-01 00:00")), "2028-02-29 02:30");
	assert_at(sched_next(&r, lt("2027-04-01 00:00")), "2027-04-30 02:30");
	assert_at(sched_next(&r, lt("2027-05-01 00:00")), "2027-05-30 02:30");
	r = rule("monthly", "02:30", NULL, 29);
	assert_at(sched_next(&r, lt("2027-02-01 00:00")), "2027-02-28 02:30");
	assert_at(sched_next(&r, lt("2027-02-28 02:30")), "2027-03-29 02:30");
	assert_at(sched_next(&r, lt("2028-02-01 00:00")), "2028-02-29 02:30");
	assert_at(sched_next(&r, lt("2028-02-29 02:30")), "2028-03-29 02:30");
	/* The Gregorian leap rule: 2100 is not a leap year, 2000 was. */
	assert_at(sched_next(&r, lt("2100-02-01 00:00")), "2100-02-28 02:30");
	assert_at(sched_next(&r, lt("2000-02-01 00:00")), "2000-02-29 02:30");
	/* Day 28 stays on the 28th in a leap year. */
	r = rule("monthly", "02:30", NULL, 28);
	assert_at(sched_next(&r, lt("2028-02-01 00:00")), "2028-02-28 02:30");
	assert_at(sched_next(&r, lt("2028-02-28 02:30")), "2028-03-28 02:30");

	r = rule("monthly", "02:30", NULL, 1);
	assert_at(sched_next(&r, lt("2027-01-31 12:00")), "2027-02-01 02:30");
	assert_at(sched_next(&r, lt("2027-02-01 02:30")), "2027-03-01 02:30");
	assert_at(sched_prev(&r, lt("2027-02-01 02:29")), "2027-01-01 02:30");
	r = rule("monthly", "02:30", NULL, 15);
	assert_at(sched_next(&r, lt("2027-03-15 02:29")), "2027-03-15 02:30");
	assert_at(sched_next(&r, lt("2027-03-15 02:30")), "2027-04-15 02:30");
}

static void
test_rollover(void **state)
{
	struct sched_rule	r;

	(void)state;
	if (use_zone("UTC0") != 0)
		return;
	r = rule("daily", "23:59", NULL, 0);
	assert_at(sched_next(&r, lt("2027-12-31 23:59")), "2028-01-01 23:59");
	r = rule("daily", "00:00", NULL, 0);
	assert_at(sched_next(&r, lt("2027-12-31 23:59")), "2028-01-01 00:00");
	assert_at(sched_prev(&r, lt("2027-12-31 23:59")), "2027-12-31 00:00");
	r = rule("daily", "02:30", NULL, 0);
	assert_at(sched_next(&r, lt("2027-04-30 23:00")), "2027-05-01 02:30");
	assert_at(sched_next(&r, lt("2028-02-28 23:00")), "2028-02-29 02:30");
	assert_at(sched_next(&r, lt("2027-02-28 23:00")), "2027-03-01 02:30");
	assert_at(sched_prev(&r, lt("2028-01-01 01:00")), "2027-12-31 02:30");

	r = rule("monthly", "02:30", NULL, 31);
	assert_at(sched_next(&r, lt("2027-12-31 02:30")), "2028-01-31 02:30");
	assert_at(sched_prev(&r, lt("2028-01-15 00:00")), "2027-12-31 02:30");
	r = rule("monthly", "02:30", NULL, 15);
	assert_at(sched_next(&r, lt("2027-12-20 00:00")), "2028-01-15 02:30");

	/* 2027-12-31 is a Friday. */
	r = rule("weekly", "02:30", "fri", 0);
	assert_at(sched_next(&r, lt("2027-12-31 03:00")), "2028-01-07 02:30");
	assert_at(sched_next(&r, lt("2027-12-29 00:00")), "2027-12-31 02:30");
	assert_at(sched_prev(&r, lt("2028-01-06 00:00")), "2027-12-31 02:30");

	/* Before the epoch. */
	r = rule("daily", "02:30", NULL, 0);
	assert_at(sched_next(&r, lt("1950-06-01 12:00")), "1950-06-02 02:30");
	assert_at(sched_prev(&r, lt("1950-06-01 12:00")), "1950-06-01 02:30");
	assert_at(sched_next(&r, lt("1969-12-31 23:00")), "1970-01-01 02:30");
}

static void
test_dst_berlin(void **state)
{
	struct sched_rule	r;

	(void)state;
	if (use_zone("Europe/Berlin") != 0)
		return;
	/*
	 * 2026-03-29: 02:00 CET becomes 03:00 CEST.  02:30 does not exist
	 * and runs once, at 03:00.
	 */
	r = rule("daily", "02:30", NULL, 0);
	assert_at(sched_next(&r, lt("2026-03-28 12:00")),
	    "2026-03-29 03:00 +02:00");
	assert_at(sched_next(&r, lt("2026-03-29 01:59:59 +01:00")),
	    "2026-03-29 03:00 +02:00");
	assert_at(sched_next(&r, lt("2026-03-29 03:00 +02:00")),
	    "2026-03-30 02:30 +02:00");
	assert_at(sched_next(&r, lt("2026-03-28 02:30 +01:00")),
	    "2026-03-29 03:00 +02:00");
	assert_at(sched_prev(&r, lt("2026-03-29 12:00")),
	    "2026-03-29 03:00 +02:00");
	assert_at(sched_prev(&r, lt("2026-03-29 03:00 +02:00")),
	    "2026-03-29 03:00 +02:00");
	assert_at(sched_prev(&r, lt("2026-03-29 01:59:59 +01:00")),
	    "2026-03-28 02:30 +01:00");
	/* The gap's edges. */
	r = rule("daily", "02:00", NULL, 0);
	assert_at(sched_next(&r, lt("2026-03-28 12:00")),
	    "2026-03-29 03:00 +02:00");
	r = rule("daily", "02:59", NULL, 0);
	assert_at(sched_next(&r, lt("2026-03-28 12:00")),
	    "2026-03-29 03:00 +02:00");
	r = rule("daily", "01:59", NULL, 0);
	assert_at(sched_next(&r, lt("2026-03-28 12:00")),
	    "2026-03-29 01:59 +01:00");
	r = rule("daily", "03:00", NULL, 0);
	assert_at(sched_next(&r, lt("2026-03-28 12:00")),
	    "2026-03-29 03:00 +02:00");

	/*
	 * 2026-10-25: 03:00 CEST becomes 02:00 CET, so 02:30 comes twice
	 * and runs once, at the first.
	 */
	r = rule("daily", "02:30", NULL, 0);
	assert_at(sched_next(&r, lt("2026-10-24 12:00")),
	    "2026-10-25 02:30 +02:00");
	assert_at(sched_next(&r, lt("2026-10-25 02:30 +02:00")),
	    "2026-10-26 02:30 +01:00");
	assert_at(sched_next(&r, lt("2026-10-25 02:45 +02:00")),
	    "2026-10-26 02:30 +01:00");
	assert_at(sched_next(&r, lt("2026-10-25 02:10 +01:00")),
	    "2026-10-26 02:30 +01:00");
	assert_at(sched_next(&r, lt("2026-10-25 02:30 +01:00")),
	    "2026-10-26 02:30 +01:00");
	assert_at(sched_prev(&r, lt("2026-10-25 02:45 +01:00")),
	    "2026-10-25 02:30 +02:00");
	assert_at(sched_prev(&r, lt("2026-10-25 02:30 +01:00")),
	    "2026-10-25 02:30 +02:00");
	r = rule("daily", "03:00", NULL, 0);
	assert_at(sched_next(&r, lt("2026-10-24 12:00")),
	    "2026-10-25 03:00 +01:00");
	r = rule("daily", "02:00", NULL, 0);
	assert_at(sched_next(&r, lt("2026-10-24 12:00")),
	    "2026-10-25 02:00 +02:00");
	assert_at(sched_next(&r, lt("2026-10-25 02:00 +02:00")),
	    "2026-10-26 02:00 +01:00");
}

static void
test_dst_new_york(void **state)
{
	struct sched_rule	r;

	(void)state;
	if (use_zone("America/New_York") != 0)
		return;
	/* 2026-03-08: 02:00 EST becomes 03:00 EDT. */
	r = rule("daily", "02:30", NULL, 0);
	assert_at(sched_next(&r, lt("2026-03-07 12:00")),
	    "2026-03-08 03:00 -04:00");
	assert_at(sched_next(&r, lt("2026-03-08 03:00 -04:00")),
	    "2026-03-09 02:30 -04:00");
	assert_at(sched_prev(&r, lt("2026-03-08 04:00")),
	    "2026-03-08 03:00 -04:00");
	assert_at(sched_prev(&r, lt("2026-03-08 01:59 -05:00")),
	    "2026-03-07 02:30 -05:00");

	/* 2026-11-01: 02:00 EDT becomes 01:00 EST; 01:30 runs once. */
	r = rule("daily", "01:30", NULL, 0);
	assert_at(sched_next(&r, lt("2026-10-31 12:00")),
	    "2026-11-01 01:30 -04:00");
	assert_at(sched_next(&r, lt("2026-11-01 01:30 -04:00")),
	    "2026-11-02 01:30 -05:00");
	assert_at(sched_next(&r, lt("2026-11-01 01:10 -05:00")),
	    "2026-11-02 01:30 -05:00");
	assert_at(sched_next(&r, lt("2026-11-01 01:29:59 -04:00")),
	    "2026-11-01 01:30 -04:00");
	assert_at(sched_prev(&r, lt("2026-11-01 01:45 -05:00")),
	    "2026-11-01 01:30 -04:00");
	assert_at(sched_prev(&r, lt("2026-11-01 01:29 -04:00")),
	    "2026-10-31 01:30 -04:00");
	/* 02:30 exists once that day. */
	r = rule("daily", "02:30", NULL, 0);
	assert_at(sched_next(&r, lt("2026-10-31 12:00")),
	    "2026-11-01 02:30 -05:00");
}

static void
test_dst_lord_howe(void **state)
{
	struct sched_rule	r;

	(void)state;
	if (use_zone("Australia/Lord_Howe") != 0)
		return;
	/* 2026-10-04: 02:00 +10:30 becomes 02:30 +11:00. */
	r = rule("daily", "02:15", NULL, 0);
	assert_at(sched_next(&r, lt("2026-10-03 12:00")),
	    "2026-10-04 02:30 +11:00");
	assert_at(sched_next(&r, lt("2026-10-04 02:30 +11:00")),
	    "2026-10-05 02:15 +11:00");
	assert_at(sched_prev(&r, lt("2026-10-04 01:59 +10:30")),
	    "2026-10-03 02:15 +10:30");
	r = rule("daily", "02:30", NULL, 0);
	assert_at(sched_next(&r, lt("2026-10-03 12:00")),
	    "2026-10-04 02:30 +11:00");

	/* 2026-04-05: 02:00 +11:00 becomes 01:30 +10:30; 01:45 runs once. */
	r = rule("daily", "01:45", NULL, 0);
	assert_at(sched_next(&r, lt("2026-04-04 12:00")),
	    "2026-04-05 01:45 +11:00");
	assert_at(sched_next(&r, lt("2026-04-05 01:45 +11:00")),
	    "2026-04-06 01:45 +10:30");
	assert_at(sched_next(&r, lt("2026-04-05 01:40 +10:30")),
	    "2026-04-06 01:45 +10:30");
	assert_at(sched_prev(&r, lt("2026-04-05 01:50 +10:30")),
	    "2026-04-05 01:45 +11:00");
}

static void
test_dst_skipped_day(void **state)
{
	struct sched_rule	r;

	(void)state;
	/* Samoa skipped Friday 2011-12-30, going from -10:00 to +14:00. */
	if (use_zone("Pacific/Apia") != 0)
		return;
	r = rule("daily", "02:30", NULL, 0);
	assert_at(sched_next(&r, lt("2011-12-29 12:00")),
	    "2011-12-31 00:00 +14:00");
	assert_at(sched_next(&r, lt("2011-12-31 00:00 +14:00")),
	    "2011-12-31 02:30 +14:00");
	assert_at(sched_prev(&r, lt("2011-12-31 01:00 +14:00")),
	    "2011-12-31 00:00 +14:00");
	assert_at(sched_prev(&r, lt("2011-12-29 23:59 -10:00")),
	    "2011-12-29 02:30 -10:00");
	r = rule("weekly", "02:30", "fri", 0);
	assert_at(sched_next(&r, lt("2011-12-29 12:00")),
	    "2011-12-31 00:00 +14:00");
	assert_at(sched_next(&r, lt("2011-12-31 00:00 +14:00")),
	    "2012-01-06 02:30 +14:00");
}

static void
test_dst_weekly_monthly(void **state)
{
	struct sched_rule	r;

	(void)state;
	if (use_zone("Europe/Berlin") != 0)
		return;
	r = rule("weekly", "02:30", "sun", 0);
	assert_at(sched_next(&r, lt("2026-03-27 12:00")),
	    "2026-03-29 03:00 +02:00");
	assert_at(sched_next(&r, lt("2026-03-29 03:00 +02:00")),
	    "2026-04-05 02:30 +02:00");
	assert_at(sched_next(&r, lt("2026-10-24 12:00")),
	    "2026-10-25 02:30 +02:00");
	assert_at(sched_next(&r, lt("2026-10-25 02:30 +02:00")),
	    "2026-11-01 02:30 +01:00");
	r = rule("monthly", "02:30", NULL, 29);
	assert_at(sched_next(&r, lt("2026-03-01 00:00")),
	    "2026-03-29 03:00 +02:00");
	assert_at(sched_next(&r, lt("2026-03-29 03:00 +02:00")),
	    "2026-04-29 02:30 +02:00");
	assert_at(sched_prev(&r, lt("2026-04-29 02:29")),
	    "2026-03-29 03:00 +02:00");
}

/* The zones the property tests walk (missing ones are left out). */
static const char *const zones[] = {
	"UTC0", "Europe/Berlin", "America/New_York", "Australia/Lord_Howe",
	"Pacific/Apia"
};

static uint64_t
lcg(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/* Check sched_next and sched_prev around T for R; see test_prev_next. */
static void
check_around(const struct sched_rule *r, double t)
{
	char	tb[64];
	double	n, p;

	n = sched_next(r, t);
	p = sched_prev(r, t);
	if (isnan(n) || isnan(p) || !(n > t) || !(p <= t) ||
	    n - t > 33 * 86400 || t - p > 33 * 86400 ||
	    sched_prev(r, n) != n || sched_next(r, p) != n ||
	    sched_prev(r, n - 0.5) != p || !(sched_next(r, n) > n))
		fail_msg("around %s (%s): prev %.0f, next %.0f",
		    fmt(t, tb, sizeof tb), getenv("TZ"), p, n);
}

static void
test_prev_next(void **state)
{
	static const char *const windows[][2] = {
		{ "2026-03-06 00:00", "2026-03-10 00:00" },
		{ "2026-03-27 00:00", "2026-04-07 00:00" },
		{ "2026-10-02 00:00", "2026-10-06 00:00" },
		{ "2026-10-23 00:00", "2026-10-27 00:00" },
		{ "2026-10-30 00:00", "2026-11-03 00:00" },
		{ "2011-12-28 00:00", "2012-01-02 00:00" },
	};
	struct sched_rule	rules[7];
	uint64_t		seed;
	double			t, end;
	size_t			z, i, k;

	(void)state;
	rules[0] = rule("daily", "02:30", NULL, 0);
	rules[1] = rule("daily", "01:30", NULL, 0);
	rules[2] = rule("daily", "00:00", NULL, 0);
	rules[3] = rule("weekly", "02:15", "sun", 0);
	rules[4] = rule("monthly", "02:30", NULL, 31);
	rules[5] = rule("monthly", "01:45", NULL, 29);
	rules[6] = rule("weekly", "23:59", "fri", 0);

	/* Between two occurrences, prev is the earlier one. */
	if (use_zone("UTC0") != 0)
		return;
	assert_at(sched_prev(&rules[4], lt("2027-05-15 00:00")),
	    "2027-04-30 02:30");
	assert_at(sched_next(&rules[4], lt("2027-05-15 00:00")),
	    "2027-05-31 02:30");

	for (z = 0; z < nitems(zones); z++) {
		if (!have_zone(zones[z])) {
			print_message("# zone %s is not installed\n", zones[z]);
			continue;
		}
		set_zone(zones[z]);
		for (k = 0; k < nitems(rules); k++) {
			/* Random times from 2010 to 2030. */
			seed = 42 + k;
			for (i = 0; i < 150; i++) {
				t = 1262304000.0 + (double)(lcg(&seed) %
				    631152000);
				check_around(&rules[k], t);
				check_around(&rules[k], t + 0.25);
			}
			/* Every 37 minutes around the transitions. */
			for (i = 0; i < nitems(windows); i++) {
				end = lt(windows[i][1]);
				for (t = lt(windows[i][0]); t < end;
				    t += 37 * 60)
					check_around(&rules[k], t);
			}
		}
	}
}

static int
month_length(int year, int month)
{
	static const int	len[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	if (month == 2 && year % 4 == 0 && (year % 100 != 0 ||
	    year % 400 == 0))
		return 29;
	return len[month - 1];
}

/*
 * Check that occurrence T of R falls on a day R runs on, at R's time, or
 * at the first instant after a gap that swallowed R's time.
 */
static void
check_local(const struct sched_rule *r, double t)
{
	struct tm	tm, before;
	time_t		tt, tb;
	char		buf[64];
	int		mins, want, last;

	tt = (time_t)t;
	tb = tt - 1;
	assert_non_null(localtime_r(&tt, &tm));
	assert_non_null(localtime_r(&tb, &before));
	if (r->every == SCHED_WEEKLY && tm.tm_wday != r->weekday)
		fail_msg("%s is not on weekday %d", fmt(t, buf, sizeof buf),
		    r->weekday);
	if (r->every == SCHED_MONTHLY) {
		last = month_length(tm.tm_year + 1900, tm.tm_mon + 1);
		if (tm.tm_mday != (r->day < last ? r->day : last))
			fail_msg("%s is not on day %d", fmt(t, buf, sizeof buf),
			    r->day);
	}
	mins = tm.tm_hour * 60 + tm.tm_min;
	want = r->hour * 60 + r->minute;
	if (mins == want && tm.tm_sec == 0)
		return;
	/* A gap: the second before still read earlier on the same day. */
	if (mins > want && before.tm_mday == tm.tm_mday &&
	    before.tm_hour * 60 + before.tm_min < want)
		return;
	fail_msg("%s is not at %02d:%02d", fmt(t, buf, sizeof buf), r->hour,
	    r->minute);
}

static void
test_year(void **state)
{
	static const struct {
		const char	*every;
		const char	*at;
		const char	*on;
		int		 day;
		int		 runs[2];	/* in 2027, in 2028 */
	} cases[] = {
		{ "daily", "02:30", NULL, 0, { 365, 366 } },
		{ "daily", "01:30", NULL, 0, { 365, 366 } },
		{ "daily", "02:15", NULL, 0, { 365, 366 } },
		{ "daily", "00:00", NULL, 0, { 365, 366 } },
		/* 2027 starts on a Friday; 2028, a leap year, on a Saturday. */
		{ "weekly", "02:30", "fri", 0, { 53, 52 } },
		{ "weekly", "02:30", "sun", 0, { 52, 53 } },
		{ "weekly", "23:59", "sat", 0, { 52, 53 } },
		{ "weekly", "02:30", "mon", 0, { 52, 52 } },
		{ "monthly", "02:30", NULL, 31, { 12, 12 } },
		{ "monthly", "01:30", NULL, 29, { 12, 12 } },
		{ "monthly", "00:00", NULL, 1, { 12, 12 } },
	};
	struct sched_rule	r;
	struct tm		tm;
	time_t			tt;
	double			t, n, end;
	size_t			z, c;
	int			y, i, runs, yday;

	(void)state;
	for (z = 0; z < nitems(zones) - 1; z++) {
		if (!have_zone(zones[z])) {
			print_message("# zone %s is not installed\n", zones[z]);
			continue;
		}
		set_zone(zones[z]);
		for (c = 0; c < nitems(cases); c++) {
			r = rule(cases[c].every, cases[c].at, cases[c].on,
			    cases[c].day);
			for (y = 2027; y <= 2028; y++) {
				t = (y == 2027 ? lt("2027-01-01 00:00") :
				    lt("2028-01-01 00:00")) - 1;
				end = y == 2027 ? lt("2028-01-01 00:00") :
				    lt("2029-01-01 00:00");
				runs = 0;
				yday = -1;
				for (i = 0; i < 400; i++) {
					n = sched_next(&r, t);
					if (!(n > t))
						fail_msg("%s: %s %s: not after",
						    zones[z], cases[c].every,
						    cases[c].at);
					if (n < end) {
						runs++;
						check_local(&r, n);
						tt = (time_t)n;
						assert_non_null(localtime_r(&tt,
						    &tm));
						assert_true(tm.tm_yday > yday);
						yday = tm.tm_yday;
					}
					t = n;
				}
				assert_true(t >= end);
				if (runs != cases[c].runs[y - 2027])
					fail_msg("%s: %s %s in %d: %d runs",
					    zones[z], cases[c].every,
					    cases[c].at, y, runs);
			}
		}
	}
}

static void
test_bad_args(void **state)
{
	struct sched_rule	r, bad;

	(void)state;
	if (use_zone("UTC0") != 0)
		return;
	r = rule("daily", "02:30", NULL, 0);
	assert_true(isnan(sched_next(&r, NAN)));
	assert_true(isnan(sched_next(&r, INFINITY)));
	assert_true(isnan(sched_next(&r, -INFINITY)));
	assert_true(isnan(sched_next(&r, 1e12)));
	assert_true(isnan(sched_prev(&r, -1e12)));
	assert_true(isnan(sched_prev(&r, NAN)));
	assert_false(isnan(sched_next(&r, 9e10)));
	assert_false(isnan(sched_prev(&r, -9e10)));
	assert_true(isnan(sched_next(NULL, 0)));

	bad = r;
	bad.hour = 24;
	assert_true(isnan(sched_next(&bad, 0)));
	bad = r;
	bad.minute = -1;
	assert_true(isnan(sched_prev(&bad, 0)));
	bad = r;
	bad.every = (enum sched_every)3;
	assert_true(isnan(sched_next(&bad, 0)));
	bad = rule("weekly", "02:30", "mon", 0);
	bad.weekday = 7;
	assert_true(isnan(sched_next(&bad, 0)));
	bad = rule("monthly", "02:30", NULL, 1);
	bad.day = 0;
	assert_true(isnan(sched_next(&bad, 0)));
	bad.day = 32;
	assert_true(isnan(sched_prev(&bad, 0)));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_parse_errors),
		cmocka_unit_test(test_from_conf),
		cmocka_unit_test(test_daily),
		cmocka_unit_test(test_daily_local),
		cmocka_unit_test(test_weekly),
		cmocka_unit_test(test_monthly),
		cmocka_unit_test(test_rollover),
		cmocka_unit_test(test_dst_berlin),
		cmocka_unit_test(test_dst_new_york),
		cmocka_unit_test(test_dst_lord_howe),
		cmocka_unit_test(test_dst_skipped_day),
		cmocka_unit_test(test_dst_weekly_monthly),
		cmocka_unit_test(test_prev_next),
		cmocka_unit_test(test_year),
		cmocka_unit_test(test_bad_args),
	};

	return cmocka_run_group_tests_name("sched", tests, NULL, NULL);
}
