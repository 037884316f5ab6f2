/*
 * projsync - test_value.c: canonical values of every type family (what
 * PostgreSQL, MySQL/MariaDB and SQLite print, and what must be refused),
 * float round trips, key encoding order, row digests, rows and the JSON and
 * display forms of a cell.
 */
#include "projsync/common.h"

#include <float.h>
#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <setjmp.h>
#include <cmocka.h>

#include <xxhash.h>

#include "projsync/value.h"

#define PREFIX		"keep:"
#define PREFIX_LEN	5

/* value_canon(FAM, IN) must give WANT, appended after what OUT held. */
static void
canon_ok(enum type_family fam, const char *in, size_t len, const char *want,
    int line)
{
	struct strbuf	sb = STRBUF_INIT;
	struct ps_error	err;

	ps_error_clear(&err);
	sb_addstr(&sb, PREFIX);
	if (value_canon(fam, in, len, &sb, &err) != 0)
		fail_msg("line %d: %s \"%s\" refused: %s", line, tf_name(fam),
		    in, err.msg);
	if (sb.len != PREFIX_LEN + strlen(want) ||
	    memcmp(sb.buf, PREFIX, PREFIX_LEN) != 0 ||
	    strcmp(sb.buf + PREFIX_LEN, want) != 0)
		fail_msg("line %d: %s \"%s\" gave \"%s\", want \"%s\"", line,
		    tf_name(fam), in, sb.buf, want);
	sb_free(&sb);
}

/* value_canon(FAM, IN) must fail with PS_ERR_VALUE and leave OUT alone. */
static void
canon_bad(enum type_family fam, const char *in, const char *why, int line)
{
	struct strbuf	 sb = STRBUF_INIT;
	struct ps_error	 err;
	char		*want;

	ps_error_clear(&err);
	sb_addstr(&sb, PREFIX);
	if (value_canon(fam, in, strlen(in), &sb, &err) != -1)
		fail_msg("line %d: %s \"%s\" accepted as \"%s\"", line,
		    tf_name(fam), in, sb.buf);
	if (err.code != PS_ERR_VALUE)
		fail_msg("line %d: error code %s", line, ps_err_name(err.code));
	if (strcmp(sb_str(&sb), PREFIX) != 0)
		fail_msg("line %d: output changed to \"%s\"", line, sb.buf);
	xasprintf(&want, "invalid %s value \"%s\"%s%s", tf_name(fam), in,
	    why != NULL ? ": " : "", why != NULL ? why : "");
	if (strcmp(err.msg, want) != 0)
		fail_msg("line %d: message \"%s\", want \"%s\"", line, err.msg,
		    want);
	free(want);
	sb_free(&sb);
}

#define OK(f, in, want)	canon_ok(f, in, strlen(in), want, __LINE__)
#define BAD(f, in)	canon_bad(f, in, NULL, __LINE__)
#define RANGE(f, in)	canon_bad(f, in, "out of range", __LINE__)

static void
test_family_names(void **state)
{
	int	i;

	(void)state;
	for (i = 0; i < TF__COUNT; i++)
		assert_int_equal(tf_from_name(tf_name(i)), i);
	assert_string_equal(tf_name(TF_INTEGER), "integer");
	assert_string_equal(tf_name(TF_TIMESTAMPTZ),
	    "timestamp with time zone");
	assert_string_equal(tf_name(TF_UUID), "uuid");
	assert_int_equal(tf_from_name("TIMESTAMP"), TF_TIMESTAMP);
	assert_int_equal(tf_from_name("timestamptz"), TF_TIMESTAMPTZ);
	assert_int_equal(tf_from_name("varchar"), -1);
	assert_int_equal(tf_from_name(""), -1);
	assert_int_equal(tf_from_name(NULL), -1);
}

static void
test_canon_integer(void **state)
{
	(void)state;
	OK(TF_INTEGER, "0", "0");
	OK(TF_INTEGER, "7", "7");
	OK(TF_INTEGER, "007", "7");
	OK(TF_INTEGER, "-0", "0");
	OK(TF_INTEGER, "+0", "0");
	OK(TF_INTEGER, "+5", "5");
	OK(TF_INTEGER, "-000123", "-123");
	OK(TF_INTEGER, "-42", "-42");
	OK(TF_INTEGER, "9223372036854775807", "9223372036854775807");
	OK(TF_INTEGER, "-9223372036854775808", "-9223372036854775808");
	OK(TF_INTEGER, "9223372036854775808", "9223372036854775808");
	OK(TF_INTEGER, "18446744073709551615", "18446744073709551615");
	OK(TF_INTEGER, "000018446744073709551615", "18446744073709551615");

	BAD(TF_INTEGER, "12a");
	BAD(TF_INTEGER, "");
	BAD(TF_INTEGER, "-");
	BAD(TF_INTEGER, "+");
	BAD(TF_INTEGER, "--1");
	BAD(TF_INTEGER, " 1");
	BAD(TF_INTEGER, "1 ");
	BAD(TF_INTEGER, "1.0");
	BAD(TF_INTEGER, "1e3");
	BAD(TF_INTEGER, "0x10");
	BAD(TF_INTEGER, "1,000");
	RANGE(TF_INTEGER, "18446744073709551616");
	RANGE(TF_INTEGER, "-9223372036854775809");
	RANGE(TF_INTEGER, "99999999999999999999999");
}

static void
test_canon_int64(void **state)
{
	struct strbuf	sb = STRBUF_INIT;

	(void)state;
	value_canon_int64(INT64_MIN, &sb);
	sb_addch(&sb, ' ');
	value_canon_int64(-1, &sb);
	sb_addch(&sb, ' ');
	value_canon_int64(0, &sb);
	sb_addch(&sb, ' ');
	value_canon_int64(INT64_MAX, &sb);
	sb_addch(&sb, ' ');
	value_canon_uint64(UINT64_MAX, &sb);
	sb_addch(&sb, ' ');
	value_canon_uint64(0, &sb);
	assert_string_equal(sb.buf, "-9223372036854775808 -1 0 "
	    "9223372036854775807 18446744073709551615 0");
	sb_free(&sb);
}

static void
test_canon_decimal(void **state)
{
	(void)state;
	OK(TF_DECIMAL, "1.50", "1.5");
	OK(TF_DECIMAL, "-0.00", "0");
	OK(TF_DECIMAL, "-0.0", "0");
	OK(TF_DECIMAL, "0", "0");
	OK(TF_DECIMAL, "000.000", "0");
	OK(TF_DECIMAL, "0e10", "0");
	OK(TF_DECIMAL, ".5", "0.5");
	OK(TF_DECIMAL, "-.5", "-0.5");
	OK(TF_DECIMAL, "5.", "5");
	OK(TF_DECIMAL, "+1.5", "1.5");
	OK(TF_DECIMAL, "1e3", "1000");
	OK(TF_DECIMAL, "1.5E-2", "0.015");
	OK(TF_DECIMAL, "1.23e+2", "123");
	OK(TF_DECIMAL, "123.456e1", "1234.56");
	OK(TF_DECIMAL, "10e-1", "1");
	OK(TF_DECIMAL, "-1.5e-5", "-0.000015");
	OK(TF_DECIMAL, "100", "100");
	OK(TF_DECIMAL, "0100.00", "100");
	OK(TF_DECIMAL, "0.10", "0.1");
	OK(TF_DECIMAL, "-99999.99", "-99999.99");
	OK(TF_DECIMAL, "12345678901234567890.123456789",
	    "12345678901234567890.123456789");
	OK(TF_DECIMAL, "0.000000000000000000000000000001",
	    "0.000000000000000000000000000001");
	OK(TF_DECIMAL, "NaN", "nan");
	OK(TF_DECIMAL, "Infinity", "inf");
	OK(TF_DECIMAL, "-Infinity", "-inf");
	OK(TF_DECIMAL, "inf", "inf");

	BAD(TF_DECIMAL, "");
	BAD(TF_DECIMAL, ".");
	BAD(TF_DECIMAL, "-");
	BAD(TF_DECIMAL, "--1");
	BAD(TF_DECIMAL, "1.2.3");
	BAD(TF_DECIMAL, "1e");
	BAD(TF_DECIMAL, "1e+");
	BAD(TF_DECIMAL, "e5");
	BAD(TF_DECIMAL, " 1");
	BAD(TF_DECIMAL, "1 ");
	BAD(TF_DECIMAL, "1,5");
	BAD(TF_DECIMAL, "0x1");
	BAD(TF_DECIMAL, "abc");
	BAD(TF_DECIMAL, "Infinit");
	RANGE(TF_DECIMAL, "1e999999");
	RANGE(TF_DECIMAL, "1e-999999");
}

static void
test_canon_float(void **state)
{
	(void)state;
	OK(TF_FLOAT, "1.5e+300", "1.5e+300");
	OK(TF_FLOAT, "1.5e300", "1.5e+300");
	OK(TF_FLOAT, "1.5E+300", "1.5e+300");
	OK(TF_FLOAT, "1e-5", "1e-5");
	OK(TF_FLOAT, "0.00001", "1e-5");
	OK(TF_FLOAT, "1e16", "1e+16");
	OK(TF_FLOAT, "Infinity", "inf");
	OK(TF_FLOAT, "-Infinity", "-inf");
	OK(TF_FLOAT, "inf", "inf");
	OK(TF_FLOAT, "-Inf", "-inf");
	OK(TF_FLOAT, "NaN", "nan");
	OK(TF_FLOAT, "nan", "nan");
	OK(TF_FLOAT, "-0", "0");
	OK(TF_FLOAT, "-0.0", "0");
	OK(TF_FLOAT, "0.1", "0.1");
	OK(TF_FLOAT, "1.0", "1");
	OK(TF_FLOAT, "100", "100");
	OK(TF_FLOAT, "3.14", "3.14");
	OK(TF_FLOAT, "-2.5", "-2.5");
	OK(TF_FLOAT, ".25", "0.25");
	OK(TF_FLOAT, "0.30000000000000004", "0.30000000000000004");
	OK(TF_FLOAT, "123456789012345678", "1.2345678901234568e+17");
	OK(TF_FLOAT, "1.7976931348623157e308", "1.7976931348623157e+308");
	/* The same double from different texts is the same bytes. */
	OK(TF_FLOAT, "0.1000000000000000055511151231257827", "0.1");
	OK(TF_FLOAT, "1e-300", "1e-300");
	OK(TF_FLOAT, "1.0E-300", "1e-300");

	BAD(TF_FLOAT, "");
	BAD(TF_FLOAT, "abc");
	BAD(TF_FLOAT, "0x1p3");
	BAD(TF_FLOAT, " 1");
	BAD(TF_FLOAT, "1 ");
	BAD(TF_FLOAT, "1.2.3");
	BAD(TF_FLOAT, "infinit");
	BAD(TF_FLOAT, "nan(123)");
	BAD(TF_FLOAT, "1e");
	RANGE(TF_FLOAT, "1e999");
	RANGE(TF_FLOAT, "-1e309");
}

/* Canonical text of D reads back to D, and is its own canonical form. */
static void
float_round_trip(double d, int line)
{
	struct strbuf	sb = STRBUF_INIT;
	double		back;

	value_canon_double(d, &sb);
	back = strtod(sb.buf, NULL);
	if (memcmp(&back, &d, sizeof d) != 0)
		fail_msg("line %d: %.17g gave \"%s\" which reads %.17g", line,
		    d, sb.buf, back);
	canon_ok(TF_FLOAT, sb.buf, sb.len, sb.buf, line);
	sb_free(&sb);
}

static void
test_float_round_trip(void **state)
{
	struct strbuf	sb = STRBUF_INIT;
	double		two53p1;

	(void)state;
	two53p1 = 9007199254740992.0 + 1.0;
	float_round_trip(0.1, __LINE__);
	float_round_trip(1e-300, __LINE__);
	float_round_trip(DBL_MAX, __LINE__);
	float_round_trip(-DBL_MAX, __LINE__);
	float_round_trip(DBL_MIN, __LINE__);
	float_round_trip(5e-324, __LINE__);
	float_round_trip(two53p1, __LINE__);
	float_round_trip(9007199254740993.0, __LINE__);
	float_round_trip(1.0 / 3.0, __LINE__);
	float_round_trip(2.0 / 3.0, __LINE__);
	float_round_trip(123456789.125, __LINE__);
	float_round_trip(1e23, __LINE__);
	float_round_trip(-1.5e-310, __LINE__);
	float_round_trip(0.1 + 0.2, __LINE__);

	value_canon_double(-0.0, &sb);
	sb_addch(&sb, ' ');
	value_canon_double(INFINITY, &sb);
	sb_addch(&sb, ' ');
	value_canon_double(-INFINITY, &sb);
	sb_addch(&sb, ' ');
	value_canon_double(NAN, &sb);
	sb_addch(&sb, ' ');
	value_canon_double(0.1, &sb);
	sb_addch(&sb, ' ');
	value_canon_double(DBL_MAX, &sb);
	sb_addch(&sb, ' ');
	value_canon_double(1e-5, &sb);
	assert_string_equal(sb.buf,
	    "0 inf -inf nan 0.1 1.7976931348623157e+308 1e-5");
	sb_free(&sb);
}

/* D as the engines might print it, in the style numbered F. */
static void
format_double(char *buf, size_t len, int f, double d)
{
	switch (f) {
	case 0:
		snprintf(buf, len, "%.3f", d);
		break;
	case 1:
		snprintf(buf, len, "%.15g", d);
		break;
	case 2:
		snprintf(buf, len, "%.17g", d);
		break;
	case 3:
		snprintf(buf, len, "%.6e", d);
		break;
	case 4:
		snprintf(buf, len, "%.1f", d);
		break;
	case 5:
		snprintf(buf, len, "%.12g", d);
		break;
	case 6:
		snprintf(buf, len, "%.0f", d);
		break;
	default:
		snprintf(buf, len, "%.20f", d);
		break;
	}
}

/*
 * Whatever text a double comes from, value_canon() gives the bytes of
 * value_canon_double() (short decimals take a path without conversion).
 */
static void
test_float_same_bytes(void **state)
{
	struct strbuf	 a = STRBUF_INIT, b = STRBUF_INIT;
	struct ps_error	 err;
	uint64_t	 x = 88172645463325252ULL, bits;
	double		 d;
	char		 text[512];
	int		 i, f;

	(void)state;
	for (i = 0; i < 20000; i++) {
		/* xorshift64: a fixed sequence of doubles of all magnitudes. */
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		if (i % 2 == 0) {
			bits = x;
			memcpy(&d, &bits, sizeof d);
			if (!isfinite(d))
				continue;
		} else
			d = (double)(int64_t)(x % 2000000001) / 1000.0 - 1e6 +
			    (double)(i % 7) * 1e-4;
		for (f = 0; f < 8; f++) {
			format_double(text, sizeof text, f, d);
			sb_reset(&a);
			sb_reset(&b);
			if (value_canon(TF_FLOAT, text, strlen(text), &a,
			    &err) != 0)
				fail_msg("\"%s\": %s", text, err.msg);
			value_canon_double(strtod(text, NULL), &b);
			if (strcmp(sb_str(&a), sb_str(&b)) != 0)
				fail_msg("\"%s\" gave \"%s\", the double "
				    "\"%s\"", text, sb_str(&a), sb_str(&b));
		}
	}
	sb_free(&a);
	sb_free(&b);
}

static void
test_canon_boolean(void **state)
{
	(void)state;
	OK(TF_BOOLEAN, "t", "true");
	OK(TF_BOOLEAN, "f", "false");
	OK(TF_BOOLEAN, "true", "true");
	OK(TF_BOOLEAN, "false", "false");
	OK(TF_BOOLEAN, "TRUE", "true");
	OK(TF_BOOLEAN, "False", "false");
	OK(TF_BOOLEAN, "T", "true");
	OK(TF_BOOLEAN, "1", "true");
	OK(TF_BOOLEAN, "0", "false");
	OK(TF_BOOLEAN, "yes", "true");
	OK(TF_BOOLEAN, "No", "false");
	OK(TF_BOOLEAN, "y", "true");
	OK(TF_BOOLEAN, "n", "false");
	OK(TF_BOOLEAN, "on", "true");
	OK(TF_BOOLEAN, "OFF", "false");

	BAD(TF_BOOLEAN, "");
	BAD(TF_BOOLEAN, "2");
	BAD(TF_BOOLEAN, "-1");
	BAD(TF_BOOLEAN, "10");
	BAD(TF_BOOLEAN, "tru");
	BAD(TF_BOOLEAN, "truee");
	BAD(TF_BOOLEAN, " true");
	BAD(TF_BOOLEAN, "true ");
}

static void
test_canon_date(void **state)
{
	(void)state;
	OK(TF_DATE, "2021-01-01", "2021-01-01");
	OK(TF_DATE, "2021/1/1", "2021-01-01");
	OK(TF_DATE, "2021/12/31", "2021-12-31");
	OK(TF_DATE, "2021-1-5", "2021-01-05");
	OK(TF_DATE, "2000-02-29", "2000-02-29");
	OK(TF_DATE, "2024-02-29", "2024-02-29");
	OK(TF_DATE, "0001-01-01", "0001-01-01");
	OK(TF_DATE, "9999-12-31", "9999-12-31");
	OK(TF_DATE, "infinity", "infinity");
	OK(TF_DATE, "-infinity", "-infinity");

	BAD(TF_DATE, "");
	BAD(TF_DATE, "2021-02-29");
	BAD(TF_DATE, "1900-02-29");
	BAD(TF_DATE, "2021-04-31");
	BAD(TF_DATE, "2021-00-10");
	BAD(TF_DATE, "2021-13-01");
	BAD(TF_DATE, "2021-01-00");
	BAD(TF_DATE, "2021-01-32");
	BAD(TF_DATE, "2021-01/01");
	BAD(TF_DATE, "2021-001-01");
	BAD(TF_DATE, "20210101");
	BAD(TF_DATE, "21-01-01");
	BAD(TF_DATE, "12021-01-01");
	BAD(TF_DATE, "2021-01-01 00:00:00");
	BAD(TF_DATE, " 2021-01-01");
	BAD(TF_DATE, "2021-01-01 BC");
	BAD(TF_DATE, "0000-00-00");
}

static void
test_canon_time(void **state)
{
	(void)state;
	OK(TF_TIME, "13:05:09.120000", "13:05:09.12");
	OK(TF_TIME, "13:05:09", "13:05:09");
	OK(TF_TIME, "9:05:09", "09:05:09");
	OK(TF_TIME, "13:05", "13:05:00");
	OK(TF_TIME, "00:00:00.000", "00:00:00");
	OK(TF_TIME, "00:00:00.000001", "00:00:00.000001");
	OK(TF_TIME, "23:59:59.123456789", "23:59:59.123456789");
	OK(TF_TIME, "24:00:00", "24:00:00");
	/* MySQL TIME is a duration. */
	OK(TF_TIME, "-01:30:00", "-01:30:00");
	OK(TF_TIME, "-00:00:00", "00:00:00");
	OK(TF_TIME, "100:00:00", "100:00:00");
	OK(TF_TIME, "838:59:59", "838:59:59");

	BAD(TF_TIME, "");
	BAD(TF_TIME, "13");
	BAD(TF_TIME, "13:5");
	BAD(TF_TIME, "1:2:3");
	BAD(TF_TIME, "13:60:00");
	BAD(TF_TIME, "13:05:60");
	BAD(TF_TIME, "839:00:00");
	BAD(TF_TIME, "13:05:09.");
	BAD(TF_TIME, "13:05:09.1234567891");
	BAD(TF_TIME, "13:05:09 ");
	BAD(TF_TIME, "ab:cd:ef");
	BAD(TF_TIME, "13:05:09+02");
}

static void
test_canon_timestamp(void **state)
{
	(void)state;
	OK(TF_TIMESTAMP, "2021-01-01 00:00:00", "2021-01-01 00:00:00");
	OK(TF_TIMESTAMP, "2021-01-01T00:00:00.500", "2021-01-01 00:00:00.5");
	OK(TF_TIMESTAMP, "2021-01-01t00:00:00", "2021-01-01 00:00:00");
	OK(TF_TIMESTAMP, "2021/1/1", "2021-01-01 00:00:00");
	OK(TF_TIMESTAMP, "2021-01-01", "2021-01-01 00:00:00");
	OK(TF_TIMESTAMP, "2021-01-01 10:00", "2021-01-01 10:00:00");
	OK(TF_TIMESTAMP, "2021-01-01 9:05:01", "2021-01-01 09:05:01");
	OK(TF_TIMESTAMP, "2021-01-01 00:00:00.000000", "2021-01-01 00:00:00");
	OK(TF_TIMESTAMP, "2021-01-01 00:00:00.123456789",
	    "2021-01-01 00:00:00.123456789");
	OK(TF_TIMESTAMP, "2000-02-29 23:59:59.999999",
	    "2000-02-29 23:59:59.999999");
	/* A zone is applied: sessions run in UTC. */
	OK(TF_TIMESTAMP, "2021-01-01 10:00:00Z", "2021-01-01 10:00:00");
	OK(TF_TIMESTAMP, "2021-01-01 10:00:00+02:00", "2021-01-01 08:00:00");
	OK(TF_TIMESTAMP, "infinity", "infinity");
	OK(TF_TIMESTAMP, "-infinity", "-infinity");

	BAD(TF_TIMESTAMP, "");
	BAD(TF_TIMESTAMP, "2021-13-01 00:00:00");
	BAD(TF_TIMESTAMP, "2021-02-29 00:00:00");
	BAD(TF_TIMESTAMP, "2021-01-01 24:00:00");
	BAD(TF_TIMESTAMP, "2021-01-01 10:60:00");
	BAD(TF_TIMESTAMP, "2021-01-01  10:00:00");
	BAD(TF_TIMESTAMP, "2021-01-01 10:00:00.1234567890");
	BAD(TF_TIMESTAMP, "2021-01-01 10:00:00 ");
	BAD(TF_TIMESTAMP, "2021-01-01 10:00:00.");
	BAD(TF_TIMESTAMP, " 2021-01-01");
	BAD(TF_TIMESTAMP, "2021-01-01x");
	BAD(TF_TIMESTAMP, "2021-01-01 ");
	BAD(TF_TIMESTAMP, "2021-01-01 BC");
	BAD(TF_TIMESTAMP, "21-01-01 00:00:00");
	BAD(TF_TIMESTAMP, "0000-00-00 00:00:00");
}

static void
test_canon_timestamptz(void **state)
{
	(void)state;
	OK(TF_TIMESTAMPTZ, "2021-01-01 10:00:00+02", "2021-01-01 08:00:00+00");
	OK(TF_TIMESTAMPTZ, "2021-01-01 10:00:00+02:00",
	    "2021-01-01 08:00:00+00");
	OK(TF_TIMESTAMPTZ, "2021-01-01 10:00:00+0530",
	    "2021-01-01 04:30:00+00");
	OK(TF_TIMESTAMPTZ, "2021-01-01 10:00:00Z", "2021-01-01 10:00:00+00");
	OK(TF_TIMESTAMPTZ, "2021-01-01T10:00:00z", "2021-01-01 10:00:00+00");
	OK(TF_TIMESTAMPTZ, "2021-01-01 20:00:00-08", "2021-01-02 04:00:00+00");
	OK(TF_TIMESTAMPTZ, "2021-01-01 00:30:00.25+01",
	    "2020-12-31 23:30:00.25+00");
	OK(TF_TIMESTAMPTZ, "2020-02-29 23:00:00-02", "2020-03-01 01:00:00+00");
	OK(TF_TIMESTAMPTZ, "2021-01-01 10:00:00 +02:00",
	    "2021-01-01 08:00:00+00");
	OK(TF_TIMESTAMPTZ, "1900-01-01 00:00:00+00:09:21",
	    "1899-12-31 23:50:39+00");
	OK(TF_TIMESTAMPTZ, "2021-01-01 08:00:00+00", "2021-01-01 08:00:00+00");
	OK(TF_TIMESTAMPTZ, "2021-01-01 08:00:00.500000+00",
	    "2021-01-01 08:00:00.5+00");
	/* No zone: UTC. */
	OK(TF_TIMESTAMPTZ, "2021-01-01 08:00:00", "2021-01-01 08:00:00+00");
	OK(TF_TIMESTAMPTZ, "2021-01-01", "2021-01-01 00:00:00+00");
	OK(TF_TIMESTAMPTZ, "infinity", "infinity");

	BAD(TF_TIMESTAMPTZ, "2021-01-01 10:00:00+2");
	BAD(TF_TIMESTAMPTZ, "2021-01-01 10:00:00+24");
	BAD(TF_TIMESTAMPTZ, "2021-01-01 10:00:00+02:60");
	BAD(TF_TIMESTAMPTZ, "2021-01-01 10:00:00+02:0");
	BAD(TF_TIMESTAMPTZ, "2021-01-01 10:00:00UTC");
	BAD(TF_TIMESTAMPTZ, "2021-01-01 10:00:00+");
	BAD(TF_TIMESTAMPTZ, "2021-01-01+02");
	RANGE(TF_TIMESTAMPTZ, "9999-12-31 23:00:00-02");
	RANGE(TF_TIMESTAMPTZ, "0000-01-01 00:00:00+01");
}

static void
test_canon_uuid(void **state)
{
	(void)state;
	OK(TF_UUID, "550e8400-e29b-41d4-a716-446655440000",
	    "550e8400-e29b-41d4-a716-446655440000");
	OK(TF_UUID, "550E8400-E29B-41D4-A716-446655440000",
	    "550e8400-e29b-41d4-a716-446655440000");
	OK(TF_UUID, "{550e8400-e29b-41d4-a716-446655440000}",
	    "550e8400-e29b-41d4-a716-446655440000");
	OK(TF_UUID, "550e8400e29b41d4a716446655440000",
	    "550e8400-e29b-41d4-a716-446655440000");
	OK(TF_UUID, "{550E8400E29B41D4A716446655440000}",
	    "550e8400-e29b-41d4-a716-446655440000");

	BAD(TF_UUID, "");
	BAD(TF_UUID, "550e8400-e29b-41d4-a716-44665544000");
	BAD(TF_UUID, "550e8400-e29b-41d4-a716-44665544000g");
	BAD(TF_UUID, "{550e8400-e29b-41d4-a716-446655440000");
	BAD(TF_UUID, "550e8400e-29b-41d4-a716-446655440000");
	BAD(TF_UUID, "550e8400-e29b41d4-a716-4466554400000");
	BAD(TF_UUID, "550e8400e29b41d4a71644665544000");
	BAD(TF_UUID, " 550e8400e29b41d4a716446655440000");
}

static void
test_canon_bytes(void **state)
{
	(void)state;
	OK(TF_TEXT, "  a b  ", "  a b  ");
	OK(TF_TEXT, "", "");
	OK(TF_TEXT, "Caf\xc3\xa9 \xf0\x9f\x98\x80",
	    "Caf\xc3\xa9 \xf0\x9f\x98\x80");
	OK(TF_OTHER, "(1,2)", "(1,2)");
	OK(TF_BINARY, "\\x00", "\\x00");
}

/* JSON: the same document from jsonb, json, MySQL and SQLite is one text. */
static void
test_canon_json(void **state)
{
	(void)state;
	OK(TF_JSON, "{\"a\": 1}", "{\"a\":1}");
	/* jsonb's spacing and key order against a hand-written text. */
	OK(TF_JSON, "{\"b\": [1, 2.50, {\"y\": null, \"x\": true}], \"a\": \"s\"}",
	    "{\"a\":\"s\",\"b\":[1,2.5,{\"x\":true,\"y\":null}]}");
	OK(TF_JSON, " {\n\t\"b\":false , \"a\" : -0.0 } ",
	    "{\"a\":0,\"b\":false}");
	/* The last of duplicate names counts, as in jsonb. */
	OK(TF_JSON, "{\"k\": 1, \"k\": 2}", "{\"k\":2}");
	/* Escapes: \u of a letter, a surrogate pair, a control character. */
	OK(TF_JSON, "\"\\u0041\\ud83d\\ude00\\u0001\\/\"",
	    "\"A\xf0\x9f\x98\x80\\u0001/\"");
	OK(TF_JSON, "[1e2, 1E-2, -0.50]", "[100,0.01,-0.5]");
	OK(TF_JSON, "[]", "[]");
	OK(TF_JSON, "{}", "{}");
	/* Names sort by bytes: "B" < "a" < "é". */
	OK(TF_JSON, "{\"\xc3\xa9\":1,\"a\":2,\"B\":3}",
	    "{\"B\":3,\"a\":2,\"\xc3\xa9\":1}");
	/* Not JSON: kept as it is. */
	OK(TF_JSON, "{not json", "{not json");
	OK(TF_JSON, "[1,]", "[1,]");
	OK(TF_JSON, "\"a\" trailing", "\"a\" trailing");
}

static void
test_canon_nul_bytes(void **state)
{
	static const char	 bin[] = { 'a', 0, 1, (char)0xff, 0 };
	struct strbuf		 sb = STRBUF_INIT;
	struct ps_error		 err;

	(void)state;
	assert_int_equal(value_canon(TF_BINARY, bin, sizeof bin, &sb, &err),
	    0);
	assert_int_equal(sb.len, sizeof bin);
	assert_memory_equal(sb.buf, bin, sizeof bin);
	sb_reset(&sb);
	assert_int_equal(value_canon(TF_TEXT, bin, 3, &sb, &err), 0);
	assert_int_equal(sb.len, 3);
	assert_memory_equal(sb.buf, bin, 3);
	sb_free(&sb);
}

static void
test_bad_value_message(void **state)
{
	struct strbuf	sb = STRBUF_INIT;
	struct ps_error	err;
	char		long_value[200];

	(void)state;
	/* Control bytes are shown as '?', long values are shortened. */
	assert_int_equal(value_canon(TF_INTEGER, "1\n2", 3, &sb, &err), -1);
	assert_string_equal(err.msg, "invalid integer value \"1?2\"");
	memset(long_value, '9', sizeof long_value);
	long_value[0] = 'x';
	assert_int_equal(value_canon(TF_INTEGER, long_value,
	    sizeof long_value, &sb, &err), -1);
	assert_int_equal(err.code, PS_ERR_VALUE);
	assert_non_null(strstr(err.msg, "...\""));
	assert_true(strlen(err.msg) < 100);
	assert_int_equal(sb.len, 0);
	sb_free(&sb);
}

static void
test_epoch_us(void **state)
{
	int64_t	us;

	(void)state;
	assert_int_equal(value_epoch_us(TF_DATE, "1970-01-01", 10, &us), 0);
	assert_int_equal(us, 0);
	assert_int_equal(value_epoch_us(TF_DATE, "2000-02-29", 10, &us), 0);
	assert_int_equal(us, INT64_C(951782400000000));
	assert_int_equal(value_epoch_us(TF_TIMESTAMP,
	    "2021-01-01 00:00:00.5", 21, &us), 0);
	assert_int_equal(us, INT64_C(1609459200500000));
	assert_int_equal(value_epoch_us(TF_TIMESTAMP,
	    "2021-01-01 00:00:00.123456789", 29, &us), 0);
	assert_int_equal(us, INT64_C(1609459200123456));
	assert_int_equal(value_epoch_us(TF_TIMESTAMP,
	    "1969-12-31 23:59:59.999999", 26, &us), 0);
	assert_int_equal(us, -1);
	assert_int_equal(value_epoch_us(TF_TIMESTAMPTZ,
	    "2021-01-01 08:00:00+00", 22, &us), 0);
	assert_int_equal(us, INT64_C(1609488000000000));
	assert_int_equal(value_epoch_us(TF_TIMESTAMPTZ,
	    "2021-01-01 10:00:00+02", 22, &us), 0);
	assert_int_equal(us, INT64_C(1609488000000000));
	assert_int_equal(value_epoch_us(TF_INTEGER, "1609459200", 10, &us), 0);
	assert_int_equal(us, INT64_C(1609459200000000));
	assert_int_equal(value_epoch_us(TF_INTEGER, "-1", 2, &us), 0);
	assert_int_equal(us, -1000000);

	assert_int_equal(value_epoch_us(TF_TEXT, "2021-01-01", 10, &us), -1);
	assert_int_equal(value_epoch_us(TF_TIMESTAMP, "yesterday", 9, &us),
	    -1);
	assert_int_equal(value_epoch_us(TF_TIMESTAMP, "infinity", 8, &us), -1);
	assert_int_equal(value_epoch_us(TF_INTEGER, "1.5", 3, &us), -1);
	assert_int_equal(value_epoch_us(TF_INTEGER, "18446744073709551615",
	    20, &us), -1);
}

/* ---- rows ---- */

static void
test_row_basics(void **state)
{
	struct row	 r, c;
	struct ps_error	 err;
	size_t		 cap;
	char		*buf;

	(void)state;
	row_init(&r, 4);
	assert_int_equal(r.ncols, 4);
	assert_true(row_null(&r, 0) && row_null(&r, 3));
	assert_null(row_ptr(&r, 0));

	row_set(&r, 0, "abc", 3);
	row_set_str(&r, 1, "");
	row_set(&r, 2, "x\0y", 3);
	row_set_str(&r, 3, NULL);
	assert_string_equal(row_ptr(&r, 0), "abc");
	assert_int_equal(row_len(&r, 0), 3);
	assert_false(row_null(&r, 1));
	assert_string_equal(row_ptr(&r, 1), "");
	assert_int_equal(row_len(&r, 2), 3);
	assert_memory_equal(row_ptr(&r, 2), "x\0y", 4);
	assert_true(row_null(&r, 3));

	/* A value taken from the row's own buffer. */
	row_set(&r, 3, row_ptr(&r, 0), row_len(&r, 0));
	assert_string_equal(row_ptr(&r, 3), "abc");
	row_set_null(&r, 0);
	assert_true(row_null(&r, 0));

	/* row_set_canon: canonical, or the cell untouched on failure. */
	assert_int_equal(row_set_canon(&r, 1, TF_DECIMAL, "1.50", 4, &err), 0);
	assert_string_equal(row_ptr(&r, 1), "1.5");
	assert_int_equal(row_len(&r, 1), 3);
	cap = r.data.len;
	assert_int_equal(row_set_canon(&r, 1, TF_INTEGER, "x", 1, &err), -1);
	assert_int_equal(err.code, PS_ERR_VALUE);
	assert_string_equal(err.msg, "invalid integer value \"x\"");
	assert_int_equal(r.data.len, cap);
	assert_string_equal(row_ptr(&r, 1), "1.5");
	assert_int_equal(row_set_canon(&r, 0, TF_TEXT, row_ptr(&r, 3), 3,
	    &err), 0);
	assert_string_equal(row_ptr(&r, 0), "abc");

	/* Copy into a fresh (zeroed) row, then into one of another width. */
	memset(&c, 0, sizeof c);
	row_copy(&c, &r);
	assert_int_equal(c.ncols, 4);
	assert_true(row_equal_range(&c, &r, 0, 4));
	assert_string_equal(row_ptr(&c, 3), "abc");
	assert_ptr_not_equal(row_ptr(&c, 3), row_ptr(&r, 3));
	row_free(&c);
	row_init(&c, 2);
	row_set_str(&c, 0, "zzz");
	row_copy(&c, &r);
	assert_int_equal(c.ncols, 4);
	assert_true(row_equal_range(&c, &r, 0, 4));
	row_free(&c);

	/* row_reset keeps the memory: the same values need no new buffer. */
	row_reset(&r);
	assert_true(row_null(&r, 0) && row_null(&r, 1) && row_null(&r, 2));
	assert_int_equal(r.data.len, 0);
	buf = r.data.buf;
	cap = r.data.cap;
	row_set_str(&r, 0, "abc");
	row_set_str(&r, 1, "1.5");
	assert_ptr_equal(r.data.buf, buf);
	assert_int_equal(r.data.cap, cap);
	row_free(&r);
	assert_null(r.cells);
	assert_null(r.data.buf);

	row_init(&r, 0);
	row_init(&c, 0);
	row_copy(&c, &r);
	assert_true(row_equal_range(&c, &r, 0, 0));
	row_free(&c);
	row_free(&r);
}

static void
test_row_equal_range(void **state)
{
	struct row	a, b;

	(void)state;
	row_init(&a, 4);
	row_init(&b, 4);
	row_set_str(&a, 0, "k");
	row_set_str(&b, 0, "k");
	row_set_str(&a, 1, "x");
	row_set_str(&b, 1, "x");
	assert_true(row_equal_range(&a, &b, 0, 4));	/* NULL = NULL */
	row_set_str(&a, 2, "");
	assert_false(row_equal_range(&a, &b, 0, 4));	/* "" != NULL */
	assert_false(row_equal_range(&b, &a, 2, 1));
	assert_true(row_equal_range(&a, &b, 0, 2));
	row_set_str(&b, 2, "");
	assert_true(row_equal_range(&a, &b, 0, 4));
	row_set(&a, 3, "a\0b", 3);
	row_set(&b, 3, "a\0c", 3);
	assert_false(row_equal_range(&a, &b, 3, 1));
	row_set(&b, 3, "a\0b", 3);
	assert_true(row_equal_range(&a, &b, 3, 1));
	row_set(&b, 3, "a", 1);
	assert_false(row_equal_range(&a, &b, 3, 1));
	/* A cell set twice holds its last value. */
	row_set_str(&b, 1, "y");
	row_set_str(&b, 1, "x");
	row_set(&b, 3, "a\0b", 3);
	assert_true(row_equal_range(&a, &b, 0, 4));
	row_free(&a);
	row_free(&b);
}

/* ---- keys ---- */

/* The key of one cell holding VALUE, read through value_canon(). */
static void
key_of(enum type_family fam, const char *in, size_t len, struct strbuf *out,
    int line)
{
	struct row	r;
	struct ps_error	err;

	row_init(&r, 1);
	if (row_set_canon(&r, 0, fam, in, len, &err) != 0)
		fail_msg("line %d: %s", line, err.msg);
	sb_reset(out);
	if (key_encode(&r, 1, &fam, out, &err) != 0)
		fail_msg("line %d: key_encode: %s", line, err.msg);
	row_free(&r);
}

/* VALS (LENS, or strlen when NULL) must encode in increasing order. */
static void
check_order(enum type_family fam, const char *const *vals,
    const size_t *lens, size_t n, int line)
{
	struct strbuf	*k;
	size_t		 i, j;

	k = xcalloc(n, sizeof *k);
	for (i = 0; i < n; i++)
		key_of(fam, vals[i], lens != NULL ? lens[i] : strlen(vals[i]),
		    &k[i], line);
	for (i = 0; i < n; i++) {
		for (j = i + 1; j < n; j++) {
			if (key_cmp(k[i].buf, k[i].len, k[j].buf,
			    k[j].len) >= 0)
				fail_msg("line %d: %s key of #%zu \"%s\" is "
				    "not below #%zu \"%s\"", line,
				    tf_name(fam), i, vals[i], j, vals[j]);
			if (key_cmp(k[j].buf, k[j].len, k[i].buf,
			    k[i].len) <= 0)
				fail_msg("line %d: key_cmp is not "
				    "antisymmetric", line);
		}
		assert_int_equal(key_cmp(k[i].buf, k[i].len, k[i].buf,
		    k[i].len), 0);
	}
	for (i = 0; i < n; i++)
		sb_free(&k[i]);
	free(k);
}

#define ORDER(f, v)	check_order(f, v, NULL, nitems(v), __LINE__)

/* A and B give the same key. */
static void
same_key(enum type_family fam, const char *a, const char *b, int line)
{
	struct strbuf	ka = STRBUF_INIT, kb = STRBUF_INIT;

	key_of(fam, a, strlen(a), &ka, line);
	key_of(fam, b, strlen(b), &kb, line);
	if (key_cmp(ka.buf, ka.len, kb.buf, kb.len) != 0)
		fail_msg("line %d: keys of \"%s\" and \"%s\" differ", line, a,
		    b);
	sb_free(&ka);
	sb_free(&kb);
}

static void
test_key_order_numbers(void **state)
{
	static const char *const ints[] = {
		"-9223372036854775808", "-9223372036854775807", "-1000",
		"-256", "-255", "-1", "0", "1", "255", "256", "65536",
		"9223372036854775807", "9223372036854775808",
		"18446744073709551614", "18446744073709551615"
	};
	static const char *const decs[] = {
		"-inf", "-1e10", "-100", "-10.5", "-10", "-2", "-1.25", "-1.2",
		"-1", "-0.5", "-0.001", "0", "0.001", "0.01", "0.1", "0.15",
		"0.2", "1", "1.000001", "1.5", "9.99", "10", "10.01", "100",
		"1e10", "inf", "nan"
	};
	static const char *const floats[] = {
		"-inf", "-1e300", "-10", "-1.5", "-1e-300", "-5e-324", "0",
		"5e-324", "1e-300", "0.1", "0.30000000000000004", "1",
		"1.0000000000000002", "1.5", "2", "10", "1e300", "inf", "nan"
	};

	(void)state;
	ORDER(TF_INTEGER, ints);
	ORDER(TF_DECIMAL, decs);
	ORDER(TF_FLOAT, floats);
	same_key(TF_DECIMAL, "1.5", "1.50", __LINE__);
	same_key(TF_DECIMAL, "0", "-0.00", __LINE__);
	same_key(TF_DECIMAL, "1e3", "1000", __LINE__);
	same_key(TF_FLOAT, "-0", "0", __LINE__);
	same_key(TF_FLOAT, "0.1", "1e-1", __LINE__);
	same_key(TF_INTEGER, "007", "7", __LINE__);
}

static void
test_key_order_text(void **state)
{
	static const char *const texts[] = {
		"", "A", "B", "Z", "a", "a\0", "a\0\0", "a\0b", "a\1", "a ",
		"ab", "abc", "b", "z", "\x7f", "\xc3\xa9", "\xe2\x82\xac",
		"\xf0\x9f\x98\x80"
	};
	static const size_t text_lens[] = {
		0, 1, 1, 1, 1, 2, 3, 3, 2, 2, 2, 3, 1, 1, 1, 2, 3, 4
	};
	static const char *const bins[] = {
		"", "\0", "\0\0", "\0\1", "\1", "\xfe", "\xff", "\xff\0",
		"\xff\xff"
	};
	static const size_t bin_lens[] = { 0, 1, 2, 2, 1, 1, 1, 2, 2 };

	(void)state;
	check_order(TF_TEXT, texts, text_lens, nitems(texts), __LINE__);
	check_order(TF_BINARY, bins, bin_lens, nitems(bins), __LINE__);
	check_order(TF_JSON, texts, text_lens, nitems(texts), __LINE__);
}

static void
test_key_order_other_families(void **state)
{
	static const char *const bools[] = { "f", "t" };
	static const char *const bools2[] = { "false", "1" };
	static const char *const times[] = {
		"-100:00:00", "-01:00:00", "-00:00:00.5", "00:00:00",
		"00:00:00.000001", "00:00:00.5", "09:00:00",
		"23:59:59.999999999",
		"24:00:00", "100:00:00", "838:59:59"
	};
	static const char *const dates[] = {
		"-infinity", "0001-01-01", "1999-12-31", "2000-01-01",
		"2000/1/2", "2021-01-01", "9999-12-31", "infinity"
	};
	static const char *const stamps[] = {
		"-infinity", "2021-01-01", "2021-01-01 00:00:00.000001",
		"2021-01-01 00:00:00.1", "2021-01-01 00:00:00.25",
		"2021-01-01 00:00:00.5", "2021-01-01 00:00:01",
		"2021-01-01 23:59:59.999999", "2021-01-02", "infinity"
	};
	static const char *const stamptz[] = {
		"2021-01-01 09:00:00+02", "2021-01-01 07:00:00.5",
		"2021-01-01 08:00:00.51+01", "2021-01-01 07:00:00.55Z",
		"2021-01-01 07:00:01+00", "2021-01-01 00:00:00-08"
	};
	static const char *const uuids[] = {
		"00000000-0000-0000-0000-000000000000",
		"0000000A-0000-0000-0000-000000000000",
		"{550e8400-e29b-41d4-a716-446655440000}",
		"550E8400E29B41D4A716446655440001",
		"ffffffff-ffff-ffff-ffff-ffffffffffff"
	};

	(void)state;
	ORDER(TF_BOOLEAN, bools);
	ORDER(TF_BOOLEAN, bools2);
	ORDER(TF_TIME, times);
	ORDER(TF_DATE, dates);
	ORDER(TF_TIMESTAMP, stamps);
	ORDER(TF_TIMESTAMPTZ, stamptz);
	ORDER(TF_UUID, uuids);
	same_key(TF_TIMESTAMPTZ, "2021-01-01 10:00:00+02",
	    "2021-01-01T08:00:00Z", __LINE__);
	same_key(TF_BOOLEAN, "t", "yes", __LINE__);
}

/* The key of a two-column row (integer, text). */
static void
key2(const char *a, const char *b, struct strbuf *out)
{
	static const enum type_family	 fam[] = { TF_INTEGER, TF_TEXT };
	struct row			 r;
	struct ps_error			 err;

	row_init(&r, 3);
	row_set_str(&r, 0, a);
	row_set_str(&r, 1, b);
	/* Cells past NKEY are not part of the key, NULL or not. */
	sb_reset(out);
	assert_int_equal(key_encode(&r, 2, fam, out, &err), 0);
	row_free(&r);
}

static void
test_key_composite(void **state)
{
	static const char *const pairs[][2] = {
		{ "-5", "z" }, { "0", "" }, { "0", "a" }, { "0", "a\x01" },
		{ "1", "b" }, { "2", "a" }, { "2", "ab" }, { "10", "" }
	};
	struct strbuf	 k[nitems(pairs)];
	size_t		 i, j;

	(void)state;
	for (i = 0; i < nitems(pairs); i++) {
		sb_init(&k[i]);
		key2(pairs[i][0], pairs[i][1], &k[i]);
	}
	for (i = 0; i < nitems(pairs); i++)
		for (j = i + 1; j < nitems(pairs); j++)
			if (key_cmp(k[i].buf, k[i].len, k[j].buf,
			    k[j].len) >= 0)
				fail_msg("(%s,%s) is not below (%s,%s)",
				    pairs[i][0], pairs[i][1], pairs[j][0],
				    pairs[j][1]);
	for (i = 0; i < nitems(pairs); i++)
		sb_free(&k[i]);
}

static void
test_key_composite_text(void **state)
{
	static const enum type_family	 fam[] = { TF_TEXT, TF_TEXT };
	struct row			 r;
	struct strbuf			 a = STRBUF_INIT, b = STRBUF_INIT;
	struct ps_error			 err;

	(void)state;
	/* ("a","z") < ("ab","a"): column by column, not by concatenation. */
	row_init(&r, 2);
	row_set_str(&r, 0, "a");
	row_set_str(&r, 1, "z");
	assert_int_equal(key_encode(&r, 2, fam, &a, &err), 0);
	row_reset(&r);
	row_set_str(&r, 0, "ab");
	row_set_str(&r, 1, "a");
	assert_int_equal(key_encode(&r, 2, fam, &b, &err), 0);
	assert_true(key_cmp(a.buf, a.len, b.buf, b.len) < 0);
	assert_true(key_cmp(b.buf, b.len, a.buf, a.len) > 0);

	/* ("a\0", "") and ("a", "\0") differ. */
	row_reset(&r);
	row_set(&r, 0, "a\0", 2);
	row_set(&r, 1, "", 0);
	sb_reset(&a);
	assert_int_equal(key_encode(&r, 2, fam, &a, &err), 0);
	row_reset(&r);
	row_set(&r, 0, "a", 1);
	row_set(&r, 1, "\0", 1);
	sb_reset(&b);
	assert_int_equal(key_encode(&r, 2, fam, &b, &err), 0);
	assert_int_not_equal(key_cmp(a.buf, a.len, b.buf, b.len), 0);
	row_free(&r);
	sb_free(&a);
	sb_free(&b);
}

static void
test_key_errors(void **state)
{
	static const enum type_family	 fam[] = { TF_INTEGER, TF_TEXT };
	struct row			 r;
	struct strbuf			 out = STRBUF_INIT;
	struct ps_error			 err;

	(void)state;
	row_init(&r, 2);
	row_set_str(&r, 0, "1");
	sb_addstr(&out, "keep");
	assert_int_equal(key_encode(&r, 2, fam, &out, &err), -1);
	assert_int_equal(err.code, PS_ERR_VALUE);
	assert_string_equal(err.msg, "key column 2 is NULL");
	assert_string_equal(sb_str(&out), "keep");
	assert_int_equal(out.len, 4);

	row_set_str(&r, 0, "x1");
	row_set_str(&r, 1, "a");
	assert_int_equal(key_encode(&r, 2, fam, &out, &err), -1);
	assert_int_equal(err.code, PS_ERR_VALUE);
	assert_string_equal(err.msg,
	    "key column 1: invalid integer value \"x1\"");
	assert_int_equal(out.len, 4);

	/* Only the first NKEY cells count. */
	row_set_null(&r, 1);
	row_set_str(&r, 0, "5");
	assert_int_equal(key_encode(&r, 1, fam, &out, &err), 0);
	assert_true(out.len > 4);
	row_free(&r);
	sb_free(&out);
}

static void
test_key_cmp(void **state)
{
	(void)state;
	assert_int_equal(key_cmp("", 0, "", 0), 0);
	assert_true(key_cmp("", 0, "a", 1) < 0);
	assert_true(key_cmp("a", 1, "", 0) > 0);
	assert_true(key_cmp("ab", 2, "b", 1) < 0);
	assert_true(key_cmp("\x7f", 1, "\x80", 1) < 0);
	assert_true(key_cmp("a\0", 2, "a", 1) > 0);
	assert_int_equal(key_cmp("a\0b", 3, "a\0b", 3), 0);
}

/* ---- digests ---- */

static void
digest_of(const struct row *r, int from, int n, uint64_t seed,
    unsigned char *out)
{
	row_digest(r, from, n, seed, out);
}

static void
test_digest(void **state)
{
	struct row	a, b;
	unsigned char	da[DIGEST_LEN], db[DIGEST_LEN];
	char		 id[] = "id", name[] = "name", title[] = "title";
	char		 idname[] = "idname", name2[] = "name";
	char		*names1[] = { id, name };
	char		*names2[] = { id, title };
	char		*names3[] = { idname };
	char		*names4[] = { id, name2 };
	uint64_t	seed;

	(void)state;
	seed = digest_seed(names1, 2);
	assert_true(seed == digest_seed(names4, 2));
	assert_true(seed != digest_seed(names2, 2));
	assert_true(seed != digest_seed(names3, 1));
	assert_true(seed != digest_seed(names1, 1));

	row_init(&a, 2);
	row_init(&b, 2);
	row_set_str(&a, 0, "ab");
	row_set_str(&a, 1, "c");
	row_set_str(&b, 0, "ab");
	row_set_str(&b, 1, "c");
	digest_of(&a, 0, 2, seed, da);
	digest_of(&b, 0, 2, seed, db);
	assert_memory_equal(da, db, DIGEST_LEN);

	/* The same row built differently (a cell overwritten) digests alike. */
	row_reset(&b);
	row_set_str(&b, 1, "zzz");
	row_set_str(&b, 0, "ab");
	row_set_str(&b, 1, "c");
	digest_of(&b, 0, 2, seed, db);
	assert_memory_equal(da, db, DIGEST_LEN);

	/* The seed counts. */
	digest_of(&a, 0, 2, seed + 1, db);
	assert_memory_not_equal(da, db, DIGEST_LEN);

	/* Cell boundaries count: ("ab","c") != ("a","bc"). */
	row_reset(&b);
	row_set_str(&b, 0, "a");
	row_set_str(&b, 1, "bc");
	digest_of(&b, 0, 2, seed, db);
	assert_memory_not_equal(da, db, DIGEST_LEN);

	/* NULL and empty differ, also in either cell. */
	row_reset(&a);
	row_reset(&b);
	row_set_str(&a, 0, "");
	row_set_null(&b, 0);
	digest_of(&a, 0, 1, seed, da);
	digest_of(&b, 0, 1, seed, db);
	assert_memory_not_equal(da, db, DIGEST_LEN);
	row_set_null(&a, 1);
	row_set_str(&b, 1, "");
	digest_of(&a, 0, 2, seed, da);
	digest_of(&b, 0, 2, seed, db);
	assert_memory_not_equal(da, db, DIGEST_LEN);

	/* A range: cells 1..1 of A are cell 0 of B. */
	row_reset(&a);
	row_reset(&b);
	row_set_str(&a, 0, "k");
	row_set_str(&a, 1, "v");
	row_set_str(&b, 0, "v");
	row_set_str(&b, 1, "other");
	digest_of(&a, 1, 1, seed, da);
	digest_of(&b, 0, 1, seed, db);
	assert_memory_equal(da, db, DIGEST_LEN);
	digest_of(&b, 0, 2, seed, db);
	assert_memory_not_equal(da, db, DIGEST_LEN);
	row_free(&a);
	row_free(&b);
}

/*
 * Rows longer than the digest's buffer are streamed; the digest is still
 * XXH3-128 over each cell's 8-byte little-endian length (all ones for
 * NULL) and bytes.
 */
static void
test_digest_long_rows(void **state)
{
	static const size_t	 sizes[] = { 10, 5000, 0, 4090, 70000 };
	struct row		 r;
	struct strbuf		 ser = STRBUF_INIT;
	unsigned char		 got[DIGEST_LEN], len8[8];
	XXH128_canonical_t	 want;
	char			*big;
	size_t			 i, j;
	uint64_t		 n;

	(void)state;
	big = xmalloc(70000);
	for (i = 0; i < 70000; i++)
		big[i] = (char)(i * 7);
	row_init(&r, (int)nitems(sizes) + 1);
	for (i = 0; i < nitems(sizes); i++)
		row_set(&r, (int)i, big, sizes[i]);
	for (i = 0; i <= nitems(sizes); i++) {
		n = i < nitems(sizes) ? sizes[i] : UINT64_MAX;
		for (j = 0; j < 8; j++)
			len8[j] = (unsigned char)(n >> (j * 8));
		sb_add(&ser, len8, 8);
		if (i < nitems(sizes))
			sb_add(&ser, big, sizes[i]);
	}
	XXH128_canonicalFromHash(&want,
	    XXH3_128bits_withSeed(ser.buf, ser.len, 42));
	row_digest(&r, 0, r.ncols, 42, got);
	assert_memory_equal(got, want.digest, DIGEST_LEN);

	/* And a short row the same way, hashed in one call. */
	sb_reset(&ser);
	for (j = 0; j < 8; j++)
		len8[j] = (unsigned char)((uint64_t)10 >> (j * 8));
	sb_add(&ser, len8, 8);
	sb_add(&ser, big, 10);
	XXH128_canonicalFromHash(&want,
	    XXH3_128bits_withSeed(ser.buf, ser.len, 42));
	row_digest(&r, 0, 1, 42, got);
	assert_memory_equal(got, want.digest, DIGEST_LEN);

	row_free(&r);
	sb_free(&ser);
	free(big);
}

/* ---- JSON and display ---- */

static void
test_json_display(void **state)
{
	static const enum type_family	 fam[] = {
		TF_INTEGER, TF_TEXT, TF_BINARY, TF_TEXT, TF_TEXT
	};
	char				 n0[] = "id", n1[] = "na\"me";
	char				 n2[] = "data";
	char				*names[] = { n0, n1, n2 };
	struct row			 r;
	struct strbuf			 sb = STRBUF_INIT;

	(void)state;
	row_init(&r, 5);
	row_set_str(&r, 0, "42");
	row_set_str(&r, 1, "a\"b\\c\n\t\x01\x7f \xc3\xa9 \xf0\x9f\x98\x80 "
	    "\xff\xc3");
	row_set(&r, 2, "\0\1\xff", 3);
	row_set_str(&r, 3, "");

	value_json(&r, 0, TF_INTEGER, &sb);
	assert_string_equal(sb.buf, "\"42\"");
	sb_reset(&sb);
	value_json(&r, 1, TF_TEXT, &sb);
	assert_string_equal(sb.buf, "\"a\\\"b\\\\c\\n\\t\\u0001\x7f "
	    "\xc3\xa9 \xf0\x9f\x98\x80 \\u00ff\\u00c3\"");
	sb_reset(&sb);
	value_json(&r, 2, TF_BINARY, &sb);
	assert_string_equal(sb.buf, "\"\\\\x0001ff\"");
	sb_reset(&sb);
	value_json(&r, 4, TF_TEXT, &sb);
	assert_string_equal(sb.buf, "null");
	sb_reset(&sb);
	row_set(&r, 4, "a\0b", 3);
	value_json(&r, 4, TF_TEXT, &sb);
	assert_string_equal(sb.buf, "\"a\\u0000b\"");
	sb_reset(&sb);
	/* A surrogate and an overlong form are not valid UTF-8. */
	row_set_str(&r, 4, "\xed\xa0\x80\xc0\xaf");
	value_json(&r, 4, TF_TEXT, &sb);
	assert_string_equal(sb.buf,
	    "\"\\u00ed\\u00a0\\u0080\\u00c0\\u00af\"");
	sb_reset(&sb);

	key_json(&r, 3, names, fam, &sb);
	assert_string_equal(sb.buf, "{\"id\":\"42\",\"na\\\"me\":"
	    "\"a\\\"b\\\\c\\n\\t\\u0001\x7f \xc3\xa9 \xf0\x9f\x98\x80 "
	    "\\u00ff\\u00c3\",\"data\":\"\\\\x0001ff\"}");
	sb_reset(&sb);
	key_json(&r, 1, names, fam, &sb);
	assert_string_equal(sb.buf, "{\"id\":\"42\"}");
	sb_reset(&sb);

	value_display(&r, 0, TF_INTEGER, &sb);
	sb_addch(&sb, '|');
	value_display(&r, 2, TF_BINARY, &sb);
	sb_addch(&sb, '|');
	value_display(&r, 3, TF_TEXT, &sb);
	sb_addch(&sb, '|');
	row_set_null(&r, 3);
	value_display(&r, 3, TF_TEXT, &sb);
	sb_addch(&sb, '|');
	row_set_str(&r, 3, "two words ");
	value_display(&r, 3, TF_TEXT, &sb);
	assert_string_equal(sb.buf, "42|\\x0001ff||NULL|two words ");
	row_free(&r);
	sb_free(&sb);
}

/* A REAL read from a decimal column: the fast path agrees with "%.15g". */
static void
test_decimal_from_double(void **state)
{
	static const struct {
		double		 v;
		const char	*want;
	} cases[] = {
		{ 0.0, "0" }, { -0.0, "0" }, { 12.0, "12" }, { 1.5, "1.5" },
		{ 0.1, "0.1" }, { -99999.99, "-99999.99" }, { 0.0001, "0.0001" },
		{ 0.00001234, "0.00001234" }, { 1e15, "1000000000000000" },
		{ 123456789.123, "123456789.123" }, { 2.675, "2.675" },
		{ 1.0 / 3, "0.333333333333333" }, { 1e20, "100000000000000000000" },
	};
	struct strbuf	a = STRBUF_INIT, b = STRBUF_INIT;
	char		buf[64];
	size_t		i;
	long		k;
	int		n;
	double		v;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		sb_reset(&a);
		value_canon_decimal_double(cases[i].v, &a);
		assert_string_equal(sb_str(&a), cases[i].want);
	}
	srand(7);
	for (k = 0; k < 200000; k++) {
		v = k % 3 == 0 ? (rand() % 10000000) / 100.0 :
		    k % 3 == 1 ? ldexp((double)rand(), -(rand() % 60)) :
		    -(double)rand() * rand() / (1 + rand() % 1000);
		sb_reset(&a);
		sb_reset(&b);
		value_canon_decimal_double(v, &a);
		n = snprintf(buf, sizeof buf, "%.15g", v);
		assert_int_equal(value_canon(TF_DECIMAL, buf, (size_t)n, &b,
		    NULL), 0);
		if (strcmp(sb_str(&a), sb_str(&b)) != 0)
			fail_msg("%.17g: %s, want %s", v, sb_str(&a),
			    sb_str(&b));
	}
	sb_free(&a);
	sb_free(&b);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_family_names),
		cmocka_unit_test(test_canon_integer),
		cmocka_unit_test(test_canon_int64),
		cmocka_unit_test(test_canon_decimal),
		cmocka_unit_test(test_canon_float),
		cmocka_unit_test(test_float_round_trip),
		cmocka_unit_test(test_float_same_bytes),
		cmocka_unit_test(test_canon_boolean),
		cmocka_unit_test(test_canon_date),
		cmocka_unit_test(test_canon_time),
		cmocka_unit_test(test_canon_timestamp),
		cmocka_unit_test(test_canon_timestamptz),
		cmocka_unit_test(test_canon_uuid),
		cmocka_unit_test(test_canon_bytes),
		cmocka_unit_test(test_canon_json),
		cmocka_unit_test(test_canon_nul_bytes),
		cmocka_unit_test(test_bad_value_message),
		cmocka_unit_test(test_epoch_us),
		cmocka_unit_test(test_row_basics),
		cmocka_unit_test(test_row_equal_range),
		cmocka_unit_test(test_key_order_numbers),
		cmocka_unit_test(test_key_order_text),
		cmocka_unit_test(test_key_order_other_families),
		cmocka_unit_test(test_key_composite),
		cmocka_unit_test(test_key_composite_text),
		cmocka_unit_test(test_key_errors),
		cmocka_unit_test(test_key_cmp),
		cmocka_unit_test(test_digest),
		cmocka_unit_test(test_digest_long_rows),
		cmocka_unit_test(test_json_display),
		cmocka_unit_test(test_decimal_from_double),
	};

	cmocka_set_message_output(CM_OUTPUT_TAP);
	return cmocka_run_group_tests_name("value", tests, NULL, NULL);
}
