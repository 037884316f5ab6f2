/*
 * projsync - value.c: type families, the canonical form of every family,
 * rows of cells, the order-preserving key encoding, row digests and the
 * JSON and display forms of a cell.
 */
#include "projsync/common.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <xxhash.h>

#include "projsync/value.h"

/* Decimals whose magnitude is beyond 10^DEC_MAX_EXP are refused. */
#define DEC_MAX_EXP	200000

/* Fraction digits kept for times and timestamps (nanoseconds). */
#define FRAC_MAX	9

/* Key encoding tags (see key_encode). */
#define KEY_INT_NEG	0x00
#define KEY_INT_POS	0x01
#define KEY_DEC_NINF	0x01
#define KEY_DEC_NEG	0x02
#define KEY_DEC_ZERO	0x03
#define KEY_DEC_POS	0x04
#define KEY_DEC_INF	0x05
#define KEY_DEC_NAN	0x06

/* A row digest buffers this much before it falls back to streaming. */
#define DIGEST_BUF	4096

static const char *const tf_names[TF__COUNT] = {
	"integer",
	"decimal",
	"float",
	"boolean",
	"text",
	"binary",
	"date",
	"time",
	"timestamp",
	"timestamp with time zone",
	"json",
	"uuid",
	"other"
};

/* A parsed decimal: value = 0.D x 10^E, D the digits [s, t) of ip + fp. */
struct decval {
	int		 neg;
	int		 special;	/* 0 finite, 1 infinity, 2 NaN */
	const char	*ip;		/* integer part digits */
	size_t		 ilen;
	const char	*fp;		/* fraction part digits */
	size_t		 flen;
	size_t		 s;		/* first significant digit */
	size_t		 t;		/* one past the last non-zero digit */
	long long	 e;		/* the adjusted exponent E */
};

/* A parsed date, time or timestamp. */
struct dtval {
	int	year;
	int	mon;
	int	day;
	int	hour;
	int	min;
	int	sec;
	int	nfrac;		/* fraction digits, trailing zeros dropped */
	char	frac[FRAC_MAX];
	int	has_zone;
	int	zone;		/* seconds east of UTC */
	int	neg;		/* a negative time (a MySQL duration) */
	int	inf;		/* 1 infinity, -1 -infinity */
};

const char *
tf_name(enum type_family fam)
{
	if ((unsigned)fam >= TF__COUNT)
		return "unknown";
	return tf_names[fam];
}

int
tf_from_name(const char *name)
{
	int	i;

	if (name == NULL)
		return -1;
	for (i = 0; i < TF__COUNT; i++)
		if (strcasecmp(name, tf_names[i]) == 0)
			return i;
	if (strcasecmp(name, "timestamptz") == 0)
		return TF_TIMESTAMPTZ;
	return -1;
}

/*
 * Fail with PS_ERR_VALUE: invalid FAMILY value "IN"[: WHY].  The value is
 * shortened and its control bytes shown as '?' so the message stays one
 * short line.
 */
static int
value_bad(struct ps_error *err, enum type_family fam, const char *in,
    size_t len, const char *why)
{
	char		show[72];
	size_t		i, n;
	unsigned char	c;

	n = len > 60 ? 60 : len;
	for (i = 0; i < n; i++) {
		c = (unsigned char)in[i];
		show[i] = (c < 0x20 || c == 0x7f) ? '?' : (char)c;
	}
	if (n < len) {
		memcpy(show + n, "...", 3);
		n += 3;
	}
	show[n] = '\0';
	ps_error_set(err, PS_ERR_VALUE, "invalid %s value \"%s\"%s%s",
	    tf_name(fam), show, why != NULL ? ": " : "",
	    why != NULL ? why : "");
	return -1;
}

static int
is_digit(int c)
{
	return c >= '0' && c <= '9';
}

/* IN (LEN bytes) equals the lowercase word WORD, ignoring case. */
static int
word_eq(const char *in, size_t len, const char *word)
{
	return strlen(word) == len && strncasecmp(in, word, len) == 0;
}

/*
 * Locale: snprintf and strtod follow LC_NUMERIC, which a program may set to
 * a locale whose decimal point is not '.'.  Float conversions switch this
 * thread to the C locale while they run.
 */
static locale_t		c_locale;
static pthread_once_t	c_locale_once = PTHREAD_ONCE_INIT;

static void
c_locale_init(void)
{
	c_locale = newlocale(LC_ALL_MASK, "C", (locale_t)0);
	if (c_locale == (locale_t)0)
		fatalx("newlocale: cannot create the C locale");
}

static locale_t
c_locale_enter(void)
{
	pthread_once(&c_locale_once, c_locale_init);
	return uselocale(c_locale);
}

static void
c_locale_leave(locale_t old)
{
	uselocale(old);
}

/* ---- integers ---- */

/*
 * Read [+-]digits.  Returns 0 with *NEG and *MAG, -1 when it is not an
 * integer, -2 when it is outside int64 .. uint64.
 */
static int
int_parse(const char *in, size_t len, int *neg, uint64_t *mag)
{
	size_t		i = 0;
	uint64_t	m = 0;
	int		over = 0, d;

	*neg = 0;
	if (len > 0 && (in[0] == '+' || in[0] == '-')) {
		*neg = in[0] == '-';
		i++;
	}
	if (i == len)
		return -1;
	for (; i < len; i++) {
		if (!is_digit(in[i]))
			return -1;
		d = in[i] - '0';
		if (m > (UINT64_MAX - (uint64_t)d) / 10)
			over = 1;
		else
			m = m * 10 + (uint64_t)d;
	}
	if (over)
		return -2;
	if (*neg && m > (uint64_t)INT64_MAX + 1)
		return -2;
	if (m == 0)
		*neg = 0;
	*mag = m;
	return 0;
}

static void
add_u64(struct strbuf *out, int neg, uint64_t v)
{
	char	tmp[24], *p;

	p = tmp + sizeof tmp;
	do {
		*--p = (char)('0' + v % 10);
		v /= 10;
	} while (v != 0);
	if (neg)
		*--p = '-';
	sb_add(out, p, (size_t)(tmp + sizeof tmp - p));
}

void
value_canon_int64(int64_t v, struct strbuf *out)
{
	if (v < 0)
		add_u64(out, 1, (uint64_t)(-(v + 1)) + 1);
	else
		add_u64(out, 0, (uint64_t)v);
}

void
value_canon_uint64(uint64_t v, struct strbuf *out)
{
	add_u64(out, 0, v);
}

static int
canon_integer(const char *in, size_t len, struct strbuf *out,
    struct ps_error *err)
{
	uint64_t	mag;
	int		neg, rc;

	rc = int_parse(in, len, &neg, &mag);
	if (rc != 0)
		return value_bad(err, TF_INTEGER, in, len,
		    rc == -2 ? "out of range" : NULL);
	add_u64(out, neg, mag);
	return 0;
}

/* ---- decimals ---- */

static int
dec_digit(const struct decval *d, size_t k)
{
	return k < d->ilen ? d->ip[k] : d->fp[k - d->ilen];
}

/*
 * Read [+-](digits[.digits]|.digits)[(e|E)[+-]digits], or NaN, Infinity,
 * inf.  Returns 0, -1 when it is not a decimal, -2 when out of range.
 */
static int
dec_parse(const char *in, size_t len, struct decval *d)
{
	const char	*p = in, *e = in + len;
	long long	 x = 0;
	size_t		 total;
	int		 xneg = 0, nx = 0;

	memset(d, 0, sizeof *d);
	if (p < e && (*p == '+' || *p == '-')) {
		d->neg = *p == '-';
		p++;
	}
	if (word_eq(p, (size_t)(e - p), "nan")) {
		d->special = 2;
		d->neg = 0;
		return 0;
	}
	if (word_eq(p, (size_t)(e - p), "infinity") ||
	    word_eq(p, (size_t)(e - p), "inf")) {
		d->special = 1;
		return 0;
	}
	d->ip = p;
	while (p < e && is_digit(*p))
		p++;
	d->ilen = (size_t)(p - d->ip);
	d->fp = p;
	if (p < e && *p == '.') {
		d->fp = ++p;
		while (p < e && is_digit(*p))
			p++;
		d->flen = (size_t)(p - d->fp);
	}
	if (d->ilen + d->flen == 0)
		return -1;
	if (p < e && (*p == 'e' || *p == 'E')) {
		p++;
		if (p < e && (*p == '+' || *p == '-'))
			xneg = *p++ == '-';
		for (; p < e && is_digit(*p); p++, nx++)
			if (x < 1000000000)
				x = x * 10 + (*p - '0');
		if (nx == 0)
			return -1;
		if (xneg)
			x = -x;
	}
	if (p != e)
		return -1;

	total = d->ilen + d->flen;
	for (d->s = 0; d->s < total && dec_digit(d, d->s) == '0'; d->s++)
		/* nothing */;
	if (d->s == total) {
		/* Zero, whatever its sign and exponent. */
		d->neg = 0;
		d->t = d->s;
		d->e = 0;
		return 0;
	}
	for (d->t = total; dec_digit(d, d->t - 1) == '0'; d->t--)
		/* nothing */;
	d->e = x + (long long)d->ilen - (long long)d->s;
	if (d->e > DEC_MAX_EXP || d->e < -DEC_MAX_EXP)
		return -2;
	return 0;
}

static void
dec_write(const struct decval *d, struct strbuf *out)
{
	size_t		 nsig, k, need;
	long long	 i;
	char		*p;

	if (d->special == 2) {
		sb_add(out, "nan", 3);
		return;
	}
	if (d->special == 1) {
		sb_addstr(out, d->neg ? "-inf" : "inf");
		return;
	}
	nsig = d->t - d->s;
	if (nsig == 0) {
		sb_addch(out, '0');
		return;
	}
	need = nsig + 3 + (size_t)(d->e < 0 ? -d->e : d->e);
	sb_grow(out, need);
	p = out->buf + out->len;
	if (d->neg)
		*p++ = '-';
	if (d->e <= 0) {
		*p++ = '0';
		*p++ = '.';
		for (i = d->e; i < 0; i++)
			*p++ = '0';
		for (k = d->s; k < d->t; k++)
			*p++ = (char)dec_digit(d, k);
	} else {
		for (k = 0; k < nsig; k++) {
			if ((long long)k == d->e)
				*p++ = '.';
			*p++ = (char)dec_digit(d, d->s + k);
		}
		for (i = (long long)nsig; i < d->e; i++)
			*p++ = '0';
	}
	out->len = (size_t)(p - out->buf);
	out->buf[out->len] = '\0';
}

static int
canon_decimal(const char *in, size_t len, struct strbuf *out,
    struct ps_error *err)
{
	struct decval	d;
	int		rc;

	rc = dec_parse(in, len, &d);
	if (rc != 0)
		return value_bad(err, TF_DECIMAL, in, len,
		    rc == -2 ? "out of range" : NULL);
	dec_write(&d, out);
	return 0;
}

/* ---- floats ---- */

/*
 * Read a float: decimal syntax as dec_parse, or inf, infinity, nan in any
 * case.  Returns 0 with *OUT, -1 when it is not a float, -2 when it is
 * beyond the range of a double.
 */
static int
float_parse(const char *in, size_t len, double *out)
{
	struct decval	 d;
	char		 small[128], *tmp, *end;
	locale_t	 old;
	double		 v;
	int		 rc;

	rc = dec_parse(in, len, &d);
	if (rc == -1)
		return -1;
	if (rc == 0 && d.special == 2) {
		*out = NAN;
		return 0;
	}
	if (rc == 0 && d.special == 1) {
		*out = d.neg ? -INFINITY : INFINITY;
		return 0;
	}
	if (rc == 0 && d.t == d.s) {
		*out = 0.0;
		return 0;
	}
	tmp = len < sizeof small ? small : xmalloc(len + 1);
	memcpy(tmp, in, len);
	tmp[len] = '\0';
	old = c_locale_enter();
	errno = 0;
	v = strtod(tmp, &end);
	c_locale_leave(old);
	rc = 0;
	if (end != tmp + len)
		rc = -1;
	else if (isinf(v))
		rc = -2;
	if (tmp != small)
		free(tmp);
	if (rc == 0)
		*out = v == 0.0 ? 0.0 : v;
	return rc;
}

void
value_canon_double(double v, struct strbuf *out)
{
	char		 buf[48], *p, *x;
	locale_t	 old;
	int		 prec;

	if (isnan(v)) {
		sb_add(out, "nan", 3);
		return;
	}
	if (isinf(v)) {
		sb_addstr(out, v > 0 ? "inf" : "-inf");
		return;
	}
	if (v == 0.0) {
		sb_addch(out, '0');
		return;
	}
	old = c_locale_enter();
	for (prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (strtod(buf, NULL) == v)
			break;
	}
	c_locale_leave(old);

	/* The exponent as e+N or e-N without leading zeros. */
	x = strchr(buf, 'e');
	if (x == NULL) {
		sb_addstr(out, buf);
		return;
	}
	sb_add(out, buf, (size_t)(x - buf) + 2);
	for (p = x + 2; *p == '0' && p[1] != '\0'; p++)
		/* nothing */;
	sb_addstr(out, p);
}

static int
canon_float(const char *in, size_t len, struct strbuf *out,
    struct ps_error *err)
{
	struct decval	d;
	double		v;
	int		rc;

	/*
	 * A plain decimal of at most DBL_DIG (15) significant digits that
	 * "%.15g" writes without an exponent (10^-4 <= |v| < 10^15) comes
	 * back from "%.15g" as its own digits, so its decimal canonical form
	 * is the float canonical form: no conversion needed.
	 */
	if (dec_parse(in, len, &d) == 0 && d.special == 0 && d.t > d.s &&
	    d.t - d.s <= 15 && d.e >= -3 && d.e <= 15) {
		dec_write(&d, out);
		return 0;
	}
	rc = float_parse(in, len, &v);
	if (rc != 0)
		return value_bad(err, TF_FLOAT, in, len,
		    rc == -2 ? "out of range" : NULL);
	value_canon_double(v, out);
	return 0;
}

int
value_parse_float(const char *in, size_t len, double *out)
{
	return float_parse(in, len, out) == 0 ? 0 : -1;
}

/* ---- booleans ---- */

/* 1 true, 0 false, -1 neither. */
static int
bool_parse(const char *in, size_t len)
{
	static const char *const yes[] = { "t", "true", "y", "yes", "on", "1" };
	static const char *const no[] = { "f", "false", "n", "no", "off", "0" };
	size_t	i;

	for (i = 0; i < nitems(yes); i++) {
		if (word_eq(in, len, yes[i]))
			return 1;
		if (word_eq(in, len, no[i]))
			return 0;
	}
	return -1;
}

static int
canon_boolean(const char *in, size_t len, struct strbuf *out,
    struct ps_error *err)
{
	int	b;

	b = bool_parse(in, len);
	if (b == -1)
		return value_bad(err, TF_BOOLEAN, in, len, NULL);
	if (b)
		sb_add(out, "true", 4);
	else
		sb_add(out, "false", 5);
	return 0;
}

/* ---- dates and times ---- */

static int
is_leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int
month_days(int y, int m)
{
	static const int	days[] = {
		31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31
	};

	return m == 2 && is_leap(y) ? 29 : days[m - 1];
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
days_from_civil(int y, int m, int d)
{
	int64_t	yy, era, yoe, doy, doe;

	yy = y - (m <= 2);
	era = (yy >= 0 ? yy : yy - 399) / 400;
	yoe = yy - era * 400;
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + doe - 719468;
}

static void
civil_from_days(int64_t z, int *y, int *m, int *d)
{
	int64_t	era, doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = z - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = (int)(doy - (153 * mp + 2) / 5 + 1);
	*m = (int)(mp < 10 ? mp + 3 : mp - 9);
	*y = (int)(yoe + era * 400 + (*m <= 2));
}

/* Read MIN to MAX digits at *PP. */
static int
rd_digits(const char **pp, const char *e, int min, int max, int *v)
{
	const char	*p = *pp;
	int		 n = 0, x = 0;

	while (p < e && n < max && is_digit(*p)) {
		x = x * 10 + (*p++ - '0');
		n++;
	}
	if (n < min)
		return -1;
	*pp = p;
	*v = x;
	return 0;
}

/* YYYY-M[M]-D[D] or YYYY/M[M]/D[D]. */
static int
parse_date(const char **pp, const char *e, struct dtval *dt)
{
	const char	*p = *pp;
	char		 sep;

	if (rd_digits(&p, e, 4, 4, &dt->year) != 0)
		return -1;
	if (p == e || (*p != '-' && *p != '/'))
		return -1;
	sep = *p++;
	if (rd_digits(&p, e, 1, 2, &dt->mon) != 0)
		return -1;
	if (p == e || *p != sep)
		return -1;
	p++;
	if (rd_digits(&p, e, 1, 2, &dt->day) != 0)
		return -1;
	if (dt->mon < 1 || dt->mon > 12 || dt->day < 1 ||
	    dt->day > month_days(dt->year, dt->mon))
		return -1;
	*pp = p;
	return 0;
}

/* H[H..]:MM[:SS[.fraction]], at most MAXH hour digits. */
static int
parse_hms(const char **pp, const char *e, struct dtval *dt, int maxh)
{
	const char	*p = *pp, *f;
	int		 n;

	if (rd_digits(&p, e, 1, maxh, &dt->hour) != 0)
		return -1;
	if (p == e || *p++ != ':')
		return -1;
	if (rd_digits(&p, e, 2, 2, &dt->min) != 0)
		return -1;
	if (p < e && *p == ':') {
		p++;
		if (rd_digits(&p, e, 2, 2, &dt->sec) != 0)
			return -1;
		if (p < e && *p == '.') {
			f = ++p;
			while (p < e && is_digit(*p))
				p++;
			n = (int)(p - f);
			if (n == 0 || n > FRAC_MAX)
				return -1;
			while (n > 0 && f[n - 1] == '0')
				n--;
			memcpy(dt->frac, f, (size_t)n);
			dt->nfrac = n;
		}
	}
	if (dt->min > 59 || dt->sec > 59)
		return -1;
	*pp = p;
	return 0;
}

/* Z, +HH, +HHMM, +HH:MM or +HH:MM:SS (or -). */
static int
parse_zone(const char **pp, const char *e, struct dtval *dt)
{
	const char	*p = *pp;
	int		 sign, h, m = 0, s = 0;

	if (p < e && (*p == 'Z' || *p == 'z')) {
		*pp = p + 1;
		dt->has_zone = 1;
		dt->zone = 0;
		return 0;
	}
	if (p == e || (*p != '+' && *p != '-'))
		return -1;
	sign = *p++ == '-' ? -1 : 1;
	if (rd_digits(&p, e, 2, 2, &h) != 0)
		return -1;
	if (p < e && *p == ':') {
		p++;
		if (rd_digits(&p, e, 2, 2, &m) != 0)
			return -1;
		if (p < e && *p == ':') {
			p++;
			if (rd_digits(&p, e, 2, 2, &s) != 0)
				return -1;
		}
	} else if (p < e && is_digit(*p)) {
		if (rd_digits(&p, e, 2, 2, &m) != 0)
			return -1;
	}
	if (h > 23 || m > 59 || s > 59)
		return -1;
	dt->has_zone = 1;
	dt->zone = sign * (h * 3600 + m * 60 + s);
	*pp = p;
	return 0;
}

static int
parse_infinity(const char *in, size_t len, struct dtval *dt)
{
	if (word_eq(in, len, "infinity") || word_eq(in, len, "+infinity")) {
		dt->inf = 1;
		return 1;
	}
	if (word_eq(in, len, "-infinity")) {
		dt->inf = -1;
		return 1;
	}
	return 0;
}

static int
dt_parse_date(const char *in, size_t len, struct dtval *dt)
{
	const char	*p = in;

	memset(dt, 0, sizeof *dt);
	if (parse_infinity(in, len, dt))
		return 0;
	if (parse_date(&p, in + len, dt) != 0 || p != in + len)
		return -1;
	return 0;
}

/*
 * A timestamp: a date, optionally followed by ' ' or 'T' and a time,
 * optionally followed by a zone (after an optional space).  A zone is
 * applied: the result is in UTC.  Returns 0, -1 if unreadable, -2 if the
 * result leaves years 0000..9999.
 */
static int
dt_parse_timestamp(const char *in, size_t len, struct dtval *dt)
{
	const char	*p = in, *e = in + len;
	int64_t		 secs, days;

	memset(dt, 0, sizeof *dt);
	if (parse_infinity(in, len, dt))
		return 0;
	if (parse_date(&p, e, dt) != 0)
		return -1;
	if (p == e)
		return 0;
	if (*p != ' ' && *p != 'T' && *p != 't')
		return -1;
	p++;
	if (parse_hms(&p, e, dt, 2) != 0 || dt->hour > 23)
		return -1;
	if (p < e && *p == ' ' && e - p > 1)
		p++;
	if (p < e && parse_zone(&p, e, dt) != 0)
		return -1;
	if (p != e)
		return -1;
	if (dt->has_zone && dt->zone != 0) {
		secs = days_from_civil(dt->year, dt->mon, dt->day) * 86400 +
		    dt->hour * 3600 + dt->min * 60 + dt->sec - dt->zone;
		days = secs >= 0 ? secs / 86400 : -((-secs + 86399) / 86400);
		secs -= days * 86400;
		civil_from_days(days, &dt->year, &dt->mon, &dt->day);
		dt->hour = (int)(secs / 3600);
		dt->min = (int)(secs / 60 % 60);
		dt->sec = (int)(secs % 60);
		if (dt->year < 0 || dt->year > 9999)
			return -2;
	}
	return 0;
}

/* [-]H[HH]:MM[:SS[.fraction]], hours up to 838 (MySQL TIME). */
static int
dt_parse_time(const char *in, size_t len, struct dtval *dt)
{
	const char	*p = in, *e = in + len;

	memset(dt, 0, sizeof *dt);
	if (p < e && *p == '-') {
		dt->neg = 1;
		p++;
	}
	if (parse_hms(&p, e, dt, 3) != 0 || p != e || dt->hour > 838)
		return -1;
	if (dt->hour == 0 && dt->min == 0 && dt->sec == 0 && dt->nfrac == 0)
		dt->neg = 0;
	return 0;
}

static char *
put2(char *p, int v)
{
	*p++ = (char)('0' + v / 10 % 10);
	*p++ = (char)('0' + v % 10);
	return p;
}

static char *
put_date(char *p, const struct dtval *dt)
{
	p = put2(p, dt->year / 100);
	p = put2(p, dt->year % 100);
	*p++ = '-';
	p = put2(p, dt->mon);
	*p++ = '-';
	return put2(p, dt->day);
}

static char *
put_time(char *p, const struct dtval *dt)
{
	if (dt->neg)
		*p++ = '-';
	if (dt->hour >= 100)
		*p++ = (char)('0' + dt->hour / 100);
	p = put2(p, dt->hour);
	*p++ = ':';
	p = put2(p, dt->min);
	*p++ = ':';
	p = put2(p, dt->sec);
	if (dt->nfrac > 0) {
		*p++ = '.';
		memcpy(p, dt->frac, (size_t)dt->nfrac);
		p += dt->nfrac;
	}
	return p;
}

static int
canon_datetime(enum type_family fam, const char *in, size_t len,
    struct strbuf *out, struct ps_error *err)
{
	struct dtval	 dt;
	char		 buf[64], *p = buf;
	int		 rc;

	switch (fam) {
	case TF_DATE:
		rc = dt_parse_date(in, len, &dt);
		break;
	case TF_TIME:
		rc = dt_parse_time(in, len, &dt);
		break;
	default:
		rc = dt_parse_timestamp(in, len, &dt);
		break;
	}
	if (rc != 0)
		return value_bad(err, fam, in, len,
		    rc == -2 ? "out of range" : NULL);
	if (dt.inf != 0) {
		sb_addstr(out, dt.inf > 0 ? "infinity" : "-infinity");
		return 0;
	}
	if (fam == TF_TIME)
		p = put_time(p, &dt);
	else {
		p = put_date(p, &dt);
		if (fam != TF_DATE) {
			*p++ = ' ';
			p = put_time(p, &dt);
		}
		if (fam == TF_TIMESTAMPTZ) {
			memcpy(p, "+00", 3);
			p += 3;
		}
	}
	sb_add(out, buf, (size_t)(p - buf));
	return 0;
}

/* Nanoseconds of a parsed time (signed). */
static int64_t
time_ns(const struct dtval *dt)
{
	int64_t	ns, f;
	int	i;

	f = 0;
	for (i = 0; i < FRAC_MAX; i++)
		f = f * 10 + (i < dt->nfrac ? dt->frac[i] - '0' : 0);
	ns = ((int64_t)dt->hour * 3600 + dt->min * 60 + dt->sec) *
	    INT64_C(1000000000) + f;
	return dt->neg ? -ns : ns;
}

int
value_epoch_us(enum type_family fam, const char *in, size_t len,
    int64_t *us)
{
	struct dtval	dt;
	uint64_t	mag;
	int64_t		secs, frac;
	int		neg, i;

	switch (fam) {
	case TF_INTEGER:
		if (int_parse(in, len, &neg, &mag) != 0)
			return -1;
		if (mag > (uint64_t)(INT64_MAX / 1000000))
			return -1;
		*us = (int64_t)mag * 1000000;
		if (neg)
			*us = -*us;
		return 0;
	case TF_DATE:
		if (dt_parse_date(in, len, &dt) != 0)
			return -1;
		break;
	case TF_TIMESTAMP:
	case TF_TIMESTAMPTZ:
		if (dt_parse_timestamp(in, len, &dt) != 0)
			return -1;
		break;
	default:
		return -1;
	}
	if (dt.inf != 0)
		return -1;
	secs = days_from_civil(dt.year, dt.mon, dt.day) * 86400 +
	    dt.hour * 3600 + dt.min * 60 + dt.sec;
	frac = 0;
	for (i = 0; i < 6; i++)
		frac = frac * 10 + (i < dt.nfrac ? dt.frac[i] - '0' : 0);
	*us = secs * 1000000 + frac;
	return 0;
}

/* ---- uuids ---- */

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static int
canon_uuid(const char *in, size_t len, struct strbuf *out,
    struct ps_error *err)
{
	static const char	 hex[] = "0123456789abcdef";
	const char		*p = in;
	char			 buf[36];
	size_t			 n = len, i, j;
	int			 dashes, v;

	if (n >= 2 && p[0] == '{' && p[n - 1] == '}') {
		p++;
		n -= 2;
	}
	if (n == 36)
		dashes = 1;
	else if (n == 32)
		dashes = 0;
	else
		return value_bad(err, TF_UUID, in, len, NULL);
	for (i = 0, j = 0; i < n; i++) {
		if (dashes && (i == 8 || i == 13 || i == 18 || i == 23)) {
			if (p[i] != '-')
				return value_bad(err, TF_UUID, in, len, NULL);
			buf[j++] = '-';
			continue;
		}
		if ((v = hexval((unsigned char)p[i])) == -1)
			return value_bad(err, TF_UUID, in, len, NULL);
		if (!dashes && (j == 8 || j == 13 || j == 18 || j == 23))
			buf[j++] = '-';
		buf[j++] = hex[v];
	}
	sb_add(out, buf, sizeof buf);
	return 0;
}

/* ---- value_canon ---- */

/* ---- JSON ---- */

/*
 * Canonical JSON: no insignificant white space, object members sorted by
 * the bytes of their (unescaped) names with the last of duplicate names
 * kept (as PostgreSQL's jsonb does), strings with the fewest escapes (\" \\
 * \b \f \n \r \t, other control characters as \u00XX, everything else as
 * UTF-8), numbers in canonical decimal form ("1.50" -> "1.5", "1e2" ->
 * "100").  So jsonb, json, MySQL JSON and SQLite text holding the same
 * document compare equal.
 */
struct jp {
	const char	*p;
	const char	*end;
	int		 depth;
};

static int	jp_value(struct jp *, struct strbuf *);

static void
jp_ws(struct jp *j)
{
	while (j->p < j->end && (*j->p == ' ' || *j->p == '\t' ||
	    *j->p == '\n' || *j->p == '\r'))
		j->p++;
}

static int
jp_hex4(const char *p, unsigned *out)
{
	unsigned	v = 0;
	int		i, c;

	for (i = 0; i < 4; i++) {
		c = (unsigned char)p[i];
		v <<= 4;
		if (c >= '0' && c <= '9')
			v |= (unsigned)(c - '0');
		else if (c >= 'a' && c <= 'f')
			v |= (unsigned)(c - 'a' + 10);
		else if (c >= 'A' && c <= 'F')
			v |= (unsigned)(c - 'A' + 10);
		else
			return -1;
	}
	*out = v;
	return 0;
}

static void
jp_utf8(struct strbuf *sb, unsigned cp)
{
	if (cp < 0x80)
		sb_addch(sb, (int)cp);
	else if (cp < 0x800) {
		sb_addch(sb, (int)(0xc0 | cp >> 6));
		sb_addch(sb, (int)(0x80 | (cp & 0x3f)));
	} else if (cp < 0x10000) {
		sb_addch(sb, (int)(0xe0 | cp >> 12));
		sb_addch(sb, (int)(0x80 | (cp >> 6 & 0x3f)));
		sb_addch(sb, (int)(0x80 | (cp & 0x3f)));
	} else {
		sb_addch(sb, (int)(0xf0 | cp >> 18));
		sb_addch(sb, (int)(0x80 | (cp >> 12 & 0x3f)));
		sb_addch(sb, (int)(0x80 | (cp >> 6 & 0x3f)));
		sb_addch(sb, (int)(0x80 | (cp & 0x3f)));
	}
}

/* A string's content, unescaped, into RAW (the opening quote is at j->p). */
static int
jp_string_raw(struct jp *j, struct strbuf *raw)
{
	unsigned	cp, lo;
	int		c;

	j->p++;
	while (j->p < j->end) {
		c = (unsigned char)*j->p;
		if (c == '"') {
			j->p++;
			return 0;
		}
		if (c < 0x20)
			return -1;
		if (c != '\\') {
			sb_addch(raw, c);
			j->p++;
			continue;
		}
		if (j->p + 1 >= j->end)
			return -1;
		c = (unsigned char)j->p[1];
		j->p += 2;
		switch (c) {
		case '"': sb_addch(raw, '"'); break;
		case '\\': sb_addch(raw, '\\'); break;
		case '/': sb_addch(raw, '/'); break;
		case 'b': sb_addch(raw, '\b'); break;
		case 'f': sb_addch(raw, '\f'); break;
		case 'n': sb_addch(raw, '\n'); break;
		case 'r': sb_addch(raw, '\r'); break;
		case 't': sb_addch(raw, '\t'); break;
		case 'u':
			if (j->end - j->p < 4 || jp_hex4(j->p, &cp) != 0)
				return -1;
			j->p += 4;
			if (cp >= 0xd800 && cp < 0xdc00) {
				if (j->end - j->p < 6 || j->p[0] != '\\' ||
				    j->p[1] != 'u' || jp_hex4(j->p + 2, &lo) != 0 ||
				    lo < 0xdc00 || lo > 0xdfff)
					return -1;
				j->p += 6;
				cp = 0x10000 + ((cp - 0xd800) << 10) +
				    (lo - 0xdc00);
			} else if (cp >= 0xdc00 && cp < 0xe000)
				return -1;
			jp_utf8(raw, cp);
			break;
		default:
			return -1;
		}
	}
	return -1;
}

static void
jp_quote(struct strbuf *out, const char *s, size_t len)
{
	size_t	i;
	int	c;

	sb_addch(out, '"');
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		switch (c) {
		case '"': sb_addstr(out, "\\\""); break;
		case '\\': sb_addstr(out, "\\\\"); break;
		case '\b': sb_addstr(out, "\\b"); break;
		case '\f': sb_addstr(out, "\\f"); break;
		case '\n': sb_addstr(out, "\\n"); break;
		case '\r': sb_addstr(out, "\\r"); break;
		case '\t': sb_addstr(out, "\\t"); break;
		default:
			if (c < 0x20)
				sb_addf(out, "\\u%04x", c);
			else
				sb_addch(out, c);
		}
	}
	sb_addch(out, '"');
}

struct jp_member {
	struct strbuf	name;	/* unescaped */
	struct strbuf	value;	/* canonical */
	size_t		seq;
};

static int
jp_member_cmp(const void *a, const void *b)
{
	const struct jp_member	*x = a, *y = b;
	size_t			 n = x->name.len < y->name.len ? x->name.len :
				    y->name.len;
	int			 c;

	c = n == 0 ? 0 : memcmp(x->name.buf, y->name.buf, n);
	if (c == 0 && x->name.len != y->name.len)
		c = x->name.len < y->name.len ? -1 : 1;
	if (c == 0)
		c = x->seq < y->seq ? -1 : x->seq > y->seq;
	return c;
}

static int
jp_object(struct jp *j, struct strbuf *out)
{
	struct jp_member	*m = NULL;
	size_t			 n = 0, cap = 0, i;
	int			 rc = -1, first = 1;

	j->p++;
	jp_ws(j);
	if (j->p < j->end && *j->p == '}') {
		j->p++;
		sb_addstr(out, "{}");
		return 0;
	}
	for (;;) {
		jp_ws(j);
		if (j->p >= j->end || *j->p != '"')
			goto out;
		if (n == cap) {
			cap = cap == 0 ? 8 : cap * 2;
			m = xreallocarray(m, cap, sizeof *m);
		}
		sb_init(&m[n].name);
		sb_init(&m[n].value);
		m[n].seq = n;
		n++;
		if (jp_string_raw(j, &m[n - 1].name) != 0)
			goto out;
		jp_ws(j);
		if (j->p >= j->end || *j->p != ':')
			goto out;
		j->p++;
		jp_ws(j);
		if (jp_value(j, &m[n - 1].value) != 0)
			goto out;
		jp_ws(j);
		if (j->p < j->end && *j->p == ',') {
			j->p++;
			continue;
		}
		if (j->p < j->end && *j->p == '}') {
			j->p++;
			break;
		}
		goto out;
	}
	qsort(m, n, sizeof *m, jp_member_cmp);
	sb_addch(out, '{');
	for (i = 0; i < n; i++) {
		/* Of duplicate names the last one counts. */
		if (i + 1 < n && m[i].name.len == m[i + 1].name.len &&
		    (m[i].name.len == 0 || memcmp(m[i].name.buf,
		    m[i + 1].name.buf, m[i].name.len) == 0))
			continue;
		if (!first)
			sb_addch(out, ',');
		first = 0;
		jp_quote(out, m[i].name.buf == NULL ? "" : m[i].name.buf,
		    m[i].name.len);
		sb_addch(out, ':');
		sb_add(out, m[i].value.buf == NULL ? "" : m[i].value.buf,
		    m[i].value.len);
	}
	sb_addch(out, '}');
	rc = 0;
out:
	for (i = 0; i < n; i++) {
		sb_free(&m[i].name);
		sb_free(&m[i].value);
	}
	free(m);
	return rc;
}

static int
jp_value(struct jp *j, struct strbuf *out)
{
	struct strbuf	 raw = STRBUF_INIT;
	const char	*start;
	int		 rc = -1, first = 1;

	if (++j->depth > 512)
		return -1;
	jp_ws(j);
	if (j->p >= j->end)
		goto out;
	switch (*j->p) {
	case '{':
		rc = jp_object(j, out);
		break;
	case '[':
		j->p++;
		sb_addch(out, '[');
		jp_ws(j);
		if (j->p < j->end && *j->p == ']') {
			j->p++;
			sb_addch(out, ']');
			rc = 0;
			break;
		}
		for (;;) {
			if (!first)
				sb_addch(out, ',');
			first = 0;
			if (jp_value(j, out) != 0)
				goto out;
			jp_ws(j);
			if (j->p < j->end && *j->p == ',') {
				j->p++;
				continue;
			}
			if (j->p < j->end && *j->p == ']') {
				j->p++;
				sb_addch(out, ']');
				rc = 0;
			}
			break;
		}
		break;
	case '"':
		if (jp_string_raw(j, &raw) == 0) {
			jp_quote(out, raw.buf == NULL ? "" : raw.buf, raw.len);
			rc = 0;
		}
		break;
	case 't':
	case 'f':
	case 'n':
		start = j->p;
		while (j->p < j->end && *j->p >= 'a' && *j->p <= 'z')
			j->p++;
		if ((j->p - start == 4 && (memcmp(start, "true", 4) == 0 ||
		    memcmp(start, "null", 4) == 0)) ||
		    (j->p - start == 5 && memcmp(start, "false", 5) == 0)) {
			sb_add(out, start, (size_t)(j->p - start));
			rc = 0;
		}
		break;
	default:
		start = j->p;
		while (j->p < j->end && (strchr("+-.eE", *j->p) != NULL ||
		    (*j->p >= '0' && *j->p <= '9')))
			j->p++;
		if (j->p == start)
			break;
		rc = canon_decimal(start, (size_t)(j->p - start), out, NULL);
		break;
	}
out:
	sb_free(&raw);
	j->depth--;
	return rc;
}

/* Canonical JSON of IN; a text that is not JSON is kept as it is. */
static int
canon_json(const char *in, size_t len, struct strbuf *out)
{
	struct jp	j;
	size_t		mark = out->len;

	j.p = in;
	j.end = in + len;
	j.depth = 0;
	if (jp_value(&j, out) == 0) {
		jp_ws(&j);
		if (j.p == j.end)
			return 0;
	}
	sb_truncate(out, mark);
	sb_add(out, in, len);
	return 0;
}

/* Two digits at P as a number, or -1. */
static int
fast_2d(const char *p)
{
	if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9')
		return -1;
	return (p[0] - '0') * 10 + (p[1] - '0');
}

/*
 * Is IN already a canonical date ("YYYY-MM-DD") or timestamp ("YYYY-MM-DD
 * HH:MM:SS" with an optional fraction not ending in 0)?  The common case,
 * checked without parsing; anything else takes the full parser.
 */
static int
fast_canonical_dt(enum type_family fam, const char *in, size_t len)
{
	static const int mdays[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31,
	    30, 31 };
	int	y, m, d, i;
	size_t	k;

	if (len < 10 || in[4] != '-' || in[7] != '-')
		return 0;
	if ((y = fast_2d(in)) < 0 || (i = fast_2d(in + 2)) < 0)
		return 0;
	y = y * 100 + i;
	m = fast_2d(in + 5);
	d = fast_2d(in + 8);
	if (m < 1 || m > 12 || d < 1 || d > mdays[m - 1])
		return 0;
	if (m == 2 && d == 29 &&
	    !(y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)))
		return 0;
	if (fam == TF_DATE)
		return len == 10;
	if (len < 19 || in[10] != ' ' || in[13] != ':' || in[16] != ':')
		return 0;
	if ((i = fast_2d(in + 11)) < 0 || i > 23 ||
	    (i = fast_2d(in + 14)) < 0 || i > 59 ||
	    (i = fast_2d(in + 17)) < 0 || i > 59)
		return 0;
	if (len == 19)
		return 1;
	if (in[19] != '.' || len < 21 || len > 29 || in[len - 1] == '0')
		return 0;
	for (k = 20; k < len; k++)
		if (in[k] < '0' || in[k] > '9')
			return 0;
	return 1;
}

void
value_canon_decimal_double(double v, struct strbuf *out)
{
	static const double	 pow10[] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6,
	    1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17,
	    1e18, 1e19 };
	char			 digits[32], buf[48];
	double			 a = fabs(v), x, r;
	long long		 m;
	int			 intdigits, scale, n, point;

	/*
	 * SQLite shows a REAL with 15 significant digits ("%!.15g").  For
	 * magnitudes from 1e-4 to 1e15 the digits are the integer nearest to
	 * v * 10^scale, read exactly unless the product lies near a half,
	 * where double rounding could differ: then the slow path decides.
	 */
	if (v == 0) {
		sb_addch(out, '0');
		return;
	}
	if (a >= 1e-4 && a < 1e15 && isfinite(v)) {
		for (intdigits = 0; intdigits < 15 && a >= pow10[intdigits];
		    intdigits++)
			;
		scale = 15 - intdigits;
		if (a < 1) {
			/* Leading zeros after the point are not significant. */
			scale = 15;
			x = a;
			while (x < 0.1 && scale < 19) {
				x *= 10;
				scale++;
			}
		}
		x = a * pow10[scale];
		r = nearbyint(x);
		/* Exactly 15 digits, or the scale was misjudged: slow path. */
		if (scale <= 19 && r >= 1e14 && r < 1e15 &&
		    fabs(x - r) < 0.25) {
			m = (long long)r;
			/* Exactly 15 digits: write them without printf. */
			for (n = 15; n > 0; n--) {
				digits[n - 1] = (char)('0' + m % 10);
				m /= 10;
			}
			n = 15;
			digits[n] = '\0';
			/* Strip trailing zeros of the fraction. */
			while (scale > 0 && n > 0 && digits[n - 1] == '0') {
				digits[--n] = '\0';
				scale--;
			}
			if (v < 0)
				sb_addch(out, '-');
			point = n - scale;
			if (point <= 0) {
				sb_addstr(out, "0.");
				while (point++ < 0)
					sb_addch(out, '0');
				sb_add(out, digits, (size_t)n);
			} else {
				sb_add(out, digits, (size_t)point);
				if (scale > 0) {
					sb_addch(out, '.');
					sb_add(out, digits + point,
					    (size_t)scale);
				}
			}
			return;
		}
	}
	n = snprintf(buf, sizeof buf, "%.15g", v);
	if (canon_decimal(buf, (size_t)n, out, NULL) != 0)
		sb_add(out, buf, (size_t)n);
}

int
value_canon(enum type_family fam, const char *in, size_t len,
    struct strbuf *out, struct ps_error *err)
{
	if ((fam == TF_TIMESTAMP || fam == TF_DATE) &&
	    fast_canonical_dt(fam, in, len)) {
		sb_add(out, in, len);
		return 0;
	}
	switch (fam) {
	case TF_INTEGER:
		return canon_integer(in, len, out, err);
	case TF_DECIMAL:
		return canon_decimal(in, len, out, err);
	case TF_FLOAT:
		return canon_float(in, len, out, err);
	case TF_BOOLEAN:
		return canon_boolean(in, len, out, err);
	case TF_DATE:
	case TF_TIME:
	case TF_TIMESTAMP:
	case TF_TIMESTAMPTZ:
		return canon_datetime(fam, in, len, out, err);
	case TF_UUID:
		return canon_uuid(in, len, out, err);
	case TF_JSON:
		return canon_json(in, len, out);
	default:
		sb_add(out, in, len);
		return 0;
	}
}

/* ---- rows ---- */

void
row_init(struct row *r, int ncols)
{
	int	i;

	r->ncols = ncols;
	r->cells = ncols > 0 ? xcalloc((size_t)ncols, sizeof *r->cells) : NULL;
	for (i = 0; i < ncols; i++)
		r->cells[i].null = 1;
	sb_init(&r->data);
}

void
row_reset(struct row *r)
{
	int	i;

	for (i = 0; i < r->ncols; i++) {
		r->cells[i].off = 0;
		r->cells[i].len = 0;
		r->cells[i].null = 1;
	}
	sb_reset(&r->data);
}

void
row_free(struct row *r)
{
	free(r->cells);
	r->cells = NULL;
	r->ncols = 0;
	sb_free(&r->data);
}

/* Offset of P inside the row's buffer, or -1 when P points elsewhere. */
static ptrdiff_t
row_alias(const struct row *r, const void *p)
{
	uintptr_t	b, x;

	if (r->data.buf == NULL || p == NULL)
		return -1;
	b = (uintptr_t)r->data.buf;
	x = (uintptr_t)p;
	if (x < b || x >= b + r->data.cap)
		return -1;
	return (ptrdiff_t)(x - b);
}

void
row_set(struct row *r, int i, const void *p, size_t len)
{
	struct strbuf	*sb = &r->data;
	ptrdiff_t	 a;
	size_t		 off;

	a = row_alias(r, p);
	sb_grow(sb, len + 1);
	if (a != -1)
		p = sb->buf + a;
	off = sb->len;
	if (len != 0)
		memmove(sb->buf + off, p, len);
	sb->buf[off + len] = '\0';
	sb->len = off + len + 1;
	sb->buf[sb->len] = '\0';
	r->cells[i].off = off;
	r->cells[i].len = len;
	r->cells[i].null = 0;
}

void
row_set_str(struct row *r, int i, const char *s)
{
	if (s == NULL)
		row_set_null(r, i);
	else
		row_set(r, i, s, strlen(s));
}

void
row_set_null(struct row *r, int i)
{
	r->cells[i].off = 0;
	r->cells[i].len = 0;
	r->cells[i].null = 1;
}

void
row_copy(struct row *dst, const struct row *src)
{
	if (dst == src)
		return;
	if (dst->ncols != src->ncols || dst->cells == NULL) {
		free(dst->cells);
		dst->cells = NULL;
		if (src->ncols > 0)
			dst->cells = xreallocarray(NULL, (size_t)src->ncols,
			    sizeof *dst->cells);
		dst->ncols = src->ncols;
	}
	if (src->ncols > 0)
		memcpy(dst->cells, src->cells,
		    (size_t)src->ncols * sizeof *dst->cells);
	sb_reset(&dst->data);
	if (src->data.len > 0)
		sb_add(&dst->data, src->data.buf, src->data.len);
}

int
row_set_canon(struct row *r, int i, enum type_family fam, const char *in,
    size_t len, struct ps_error *err)
{
	struct strbuf	*sb = &r->data;
	char		*copy = NULL;
	size_t		 off;
	int		 rc = -1;

	if (row_alias(r, in) != -1) {
		/* IN lives in this row's buffer, which may move. */
		copy = xmalloc(len + 1);
		memcpy(copy, in, len);
		in = copy;
	}
	off = sb->len;
	if (value_canon(fam, in, len, sb, err) != 0) {
		sb_truncate(sb, off);
		goto out;
	}
	sb_addch(sb, '\0');
	r->cells[i].off = off;
	r->cells[i].len = sb->len - 1 - off;
	r->cells[i].null = 0;
	rc = 0;
out:
	free(copy);
	return rc;
}

int
row_equal_range(const struct row *a, const struct row *b, int from, int n)
{
	const struct rowcell	*ca, *cb;
	int			 i;

	for (i = from; i < from + n; i++) {
		ca = &a->cells[i];
		cb = &b->cells[i];
		if (ca->null || cb->null) {
			if (ca->null != cb->null)
				return 0;
			continue;
		}
		if (ca->len != cb->len)
			return 0;
		if (ca->len != 0 && memcmp(a->data.buf + ca->off,
		    b->data.buf + cb->off, ca->len) != 0)
			return 0;
	}
	return 1;
}

/* ---- key encoding ---- */

static void
put_be64(struct strbuf *out, int tag, uint64_t v)
{
	char	*p;
	int	 i;

	sb_grow(out, 9);
	p = out->buf + out->len;
	*p++ = (char)tag;
	for (i = 7; i >= 0; i--)
		*p++ = (char)(unsigned char)(v >> (i * 8));
	out->len += 9;
	out->buf[out->len] = '\0';
}

/* A signed value: a tag for the sign, then 8 bytes big-endian. */
static void
key_int64(struct strbuf *out, int64_t v)
{
	if (v < 0)
		put_be64(out, KEY_INT_NEG, (uint64_t)v);
	else
		put_be64(out, KEY_INT_POS, (uint64_t)v);
}

/*
 * A decimal: a tag (-inf, negative, zero, positive, inf, NaN); finite
 * non-zero values add the exponent E (value = 0.D x 10^E) as 4 bytes
 * big-endian with a bias, the digits as '0'..'9' and a 0x00 terminator.
 * Negative values invert those bytes, so a larger magnitude sorts first.
 */
static void
key_decimal(struct strbuf *out, const struct decval *d)
{
	unsigned char	 inv;
	uint32_t	 x;
	size_t		 k, n;
	char		*p;

	if (d->special == 2) {
		sb_addch(out, KEY_DEC_NAN);
		return;
	}
	if (d->special == 1) {
		sb_addch(out, d->neg ? KEY_DEC_NINF : KEY_DEC_INF);
		return;
	}
	if (d->t == d->s) {
		sb_addch(out, KEY_DEC_ZERO);
		return;
	}
	inv = d->neg ? 0xff : 0x00;
	n = d->t - d->s;
	sb_grow(out, n + 6);
	p = out->buf + out->len;
	*p++ = (char)(d->neg ? KEY_DEC_NEG : KEY_DEC_POS);
	x = (uint32_t)(d->e + INT64_C(0x80000000));
	*p++ = (char)((unsigned char)(x >> 24) ^ inv);
	*p++ = (char)((unsigned char)(x >> 16) ^ inv);
	*p++ = (char)((unsigned char)(x >> 8) ^ inv);
	*p++ = (char)((unsigned char)x ^ inv);
	for (k = d->s; k < d->t; k++)
		*p++ = (char)((unsigned char)dec_digit(d, k) ^ inv);
	*p++ = (char)inv;
	out->len = (size_t)(p - out->buf);
	out->buf[out->len] = '\0';
}

/* A double: its IEEE bits, all flipped when negative, else the sign bit. */
static void
key_double(struct strbuf *out, double v)
{
	uint64_t	bits;
	char		*p;
	int		 i;

	if (isnan(v))
		v = NAN;
	if (v == 0.0)
		v = 0.0;
	memcpy(&bits, &v, sizeof bits);
	if (bits & (UINT64_C(1) << 63))
		bits = ~bits;
	else
		bits |= UINT64_C(1) << 63;
	sb_grow(out, 8);
	p = out->buf + out->len;
	for (i = 7; i >= 0; i--)
		*p++ = (char)(unsigned char)(bits >> (i * 8));
	out->len += 8;
	out->buf[out->len] = '\0';
}

/* Bytes with 0x00 written as 0x00 0xff, then 0x00 0x00. */
static void
key_bytes(struct strbuf *out, const char *s, size_t len)
{
	const char	*z, *e = s + len;

	while (s < e && (z = memchr(s, '\0', (size_t)(e - s))) != NULL) {
		sb_add(out, s, (size_t)(z - s) + 1);
		sb_addch(out, 0xff);
		s = z + 1;
	}
	sb_grow(out, (size_t)(e - s) + 2);
	if (s < e)
		memcpy(out->buf + out->len, s, (size_t)(e - s));
	out->len += (size_t)(e - s);
	out->buf[out->len++] = '\0';
	out->buf[out->len++] = '\0';
	out->buf[out->len] = '\0';
}

/* Encode one key cell of family FAM; -1 when it cannot be read as one. */
static int
key_cell(struct strbuf *out, enum type_family fam, const char *s, size_t len)
{
	struct decval	d;
	struct dtval	dt;
	uint64_t	mag;
	double		v;
	int		neg, b;

	switch (fam) {
	case TF_INTEGER:
		if (int_parse(s, len, &neg, &mag) != 0)
			return -1;
		put_be64(out, neg ? KEY_INT_NEG : KEY_INT_POS,
		    neg ? (uint64_t)0 - mag : mag);
		break;
	case TF_DECIMAL:
		if (dec_parse(s, len, &d) != 0)
			return -1;
		key_decimal(out, &d);
		break;
	case TF_FLOAT:
		if (float_parse(s, len, &v) != 0)
			return -1;
		key_double(out, v);
		break;
	case TF_BOOLEAN:
		if ((b = bool_parse(s, len)) == -1)
			return -1;
		sb_addch(out, b);
		break;
	case TF_TIME:
		if (dt_parse_time(s, len, &dt) != 0)
			return -1;
		key_int64(out, time_ns(&dt));
		break;
	default:
		key_bytes(out, s, len);
		break;
	}
	return 0;
}

int
key_encode(const struct row *r, int nkey, const enum type_family *fam,
    struct strbuf *out, struct ps_error *err)
{
	size_t	start = out->len;
	int	i;

	for (i = 0; i < nkey; i++) {
		if (row_null(r, i)) {
			ps_error_set(err, PS_ERR_VALUE,
			    "key column %d is NULL", i + 1);
			goto fail;
		}
		if (key_cell(out, fam[i], row_ptr(r, i), row_len(r, i)) != 0) {
			value_bad(err, fam[i], row_ptr(r, i), row_len(r, i),
			    NULL);
			ps_error_prefix(err, "key column %d", i + 1);
			goto fail;
		}
	}
	return 0;
fail:
	sb_truncate(out, start);
	return -1;
}

int
key_cmp(const void *a, size_t alen, const void *b, size_t blen)
{
	int	c;

	c = memcmp(a, b, alen < blen ? alen : blen);
	if (c != 0)
		return c < 0 ? -1 : 1;
	if (alen != blen)
		return alen < blen ? -1 : 1;
	return 0;
}

/* ---- JSON and display ---- */

/* Length of the valid UTF-8 sequence at P (2 to 4), or 0. */
static size_t
utf8_seq(const unsigned char *p, const unsigned char *e)
{
	size_t	n, i;
	int	lo = 0x80, hi = 0xbf;

	if (*p >= 0xc2 && *p <= 0xdf)
		n = 2;
	else if (*p >= 0xe0 && *p <= 0xef) {
		n = 3;
		if (*p == 0xe0)
			lo = 0xa0;
		else if (*p == 0xed)
			hi = 0x9f;
	} else if (*p >= 0xf0 && *p <= 0xf4) {
		n = 4;
		if (*p == 0xf0)
			lo = 0x90;
		else if (*p == 0xf4)
			hi = 0x8f;
	} else
		return 0;
	if ((size_t)(e - p) < n)
		return 0;
	if (p[1] < lo || p[1] > hi)
		return 0;
	for (i = 2; i < n; i++)
		if (p[i] < 0x80 || p[i] > 0xbf)
			return 0;
	return n;
}

/*
 * Append S as a quoted JSON string; bytes that are not valid UTF-8 become
 * \u00XX, as json_quote() writes them.
 */
static void
json_esc(struct strbuf *sb, const char *s, size_t len)
{
	const unsigned char	*p = (const unsigned char *)s, *e, *run;
	size_t			 n;

	e = p + len;
	sb_addch(sb, '"');
	while (p < e) {
		run = p;
		while (p < e && *p >= 0x20 && *p < 0x80 && *p != '"' &&
		    *p != '\\')
			p++;
		if (p > run)
			sb_add(sb, run, (size_t)(p - run));
		if (p == e)
			break;
		switch (*p) {
		case '"':
			sb_add(sb, "\\\"", 2);
			break;
		case '\\':
			sb_add(sb, "\\\\", 2);
			break;
		case '\b':
			sb_add(sb, "\\b", 2);
			break;
		case '\f':
			sb_add(sb, "\\f", 2);
			break;
		case '\n':
			sb_add(sb, "\\n", 2);
			break;
		case '\r':
			sb_add(sb, "\\r", 2);
			break;
		case '\t':
			sb_add(sb, "\\t", 2);
			break;
		default:
			if (*p >= 0x80 && (n = utf8_seq(p, e)) != 0) {
				sb_add(sb, p, n);
				p += n;
				continue;
			}
			sb_addf(sb, "\\u%04x", *p);
			break;
		}
		p++;
	}
	sb_addch(sb, '"');
}

void
value_json(const struct row *r, int i, enum type_family fam,
    struct strbuf *out)
{
	if (row_null(r, i)) {
		sb_add(out, "null", 4);
		return;
	}
	if (fam == TF_BINARY) {
		sb_add(out, "\"\\\\x", 4);
		sb_addhex(out, row_ptr(r, i), row_len(r, i));
		sb_addch(out, '"');
		return;
	}
	json_esc(out, row_ptr(r, i), row_len(r, i));
}

void
value_display(const struct row *r, int i, enum type_family fam,
    struct strbuf *out)
{
	if (row_null(r, i)) {
		sb_add(out, "NULL", 4);
		return;
	}
	if (fam == TF_BINARY) {
		sb_add(out, "\\x", 2);
		sb_addhex(out, row_ptr(r, i), row_len(r, i));
		return;
	}
	sb_add(out, row_ptr(r, i), row_len(r, i));
}

void
key_json(const struct row *r, int nkey, char *const *names,
    const enum type_family *fam, struct strbuf *out)
{
	int	i;

	sb_addch(out, '{');
	for (i = 0; i < nkey; i++) {
		if (i > 0)
			sb_addch(out, ',');
		json_esc(out, names[i], strlen(names[i]));
		sb_addch(out, ':');
		value_json(r, i, fam[i], out);
	}
	sb_addch(out, '}');
}

/* ---- digests ---- */

static void
digest_flush(XXH3_state_t **st, uint64_t seed, unsigned char *buf,
    size_t *used)
{
	if (*st == NULL) {
		*st = XXH3_createState();
		if (*st == NULL)
			fatalx("XXH3_createState: out of memory");
		XXH3_128bits_reset_withSeed(*st, seed);
	}
	if (*used > 0)
		XXH3_128bits_update(*st, buf, *used);
	*used = 0;
}

/*
 * Each cell is hashed as its length (8 bytes, little-endian; all ones for
 * NULL) followed by its bytes, so NULL, empty and cell boundaries all
 * count.  Rows that fit DIGEST_BUF are hashed in one call; longer ones are
 * streamed, which gives the same hash.
 */
void
row_digest(const struct row *r, int from, int n, uint64_t seed,
    unsigned char out[DIGEST_LEN])
{
	unsigned char		 buf[DIGEST_BUF];
	XXH3_state_t		*st = NULL;
	XXH128_hash_t		 h;
	XXH128_canonical_t	 c;
	const struct rowcell	*cell;
	uint64_t		 len;
	size_t			 used = 0;
	int			 i, k;

	for (i = from; i < from + n; i++) {
		cell = &r->cells[i];
		len = cell->null ? UINT64_MAX : (uint64_t)cell->len;
		if (used + 8 > sizeof buf)
			digest_flush(&st, seed, buf, &used);
		for (k = 0; k < 8; k++)
			buf[used++] = (unsigned char)(len >> (k * 8));
		if (cell->null || cell->len == 0)
			continue;
		if (used + cell->len <= sizeof buf) {
			memcpy(buf + used, r->data.buf + cell->off, cell->len);
			used += cell->len;
		} else {
			digest_flush(&st, seed, buf, &used);
			XXH3_128bits_update(st, r->data.buf + cell->off,
			    cell->len);
		}
	}
	if (st == NULL)
		h = XXH3_128bits_withSeed(buf, used, seed);
	else {
		digest_flush(&st, seed, buf, &used);
		h = XXH3_128bits_digest(st);
		XXH3_freeState(st);
	}
	XXH128_canonicalFromHash(&c, h);
	memcpy(out, c.digest, DIGEST_LEN);
}

uint64_t
digest_seed(char *const *names, int n)
{
	struct strbuf	sb = STRBUF_INIT;
	uint64_t	h;
	int		i;

	for (i = 0; i < n; i++) {
		sb_addstr(&sb, names[i]);
		sb_addch(&sb, '\0');
	}
	h = XXH3_64bits(sb.buf, sb.len);
	sb_free(&sb);
	return h;
}
