/*
 * projsync - test_json.c: the JSON writer (escaping of quotes, control
 * characters, NUL, emoji and invalid UTF-8; commas and nesting; pretty
 * output; numbers) and the reader of flat objects and string arrays (round
 * trips, surrogate pairs, embedded NULs, malformed input refused).
 */
#include "projsync/common.h"

#include <locale.h>
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "projsync/json.h"

/* json_quote of LEN bytes of S, as a C string the caller frees. */
static char *
quote(const char *s, size_t len)
{
	struct strbuf	sb = STRBUF_INIT;

	json_quote(&sb, s, len);
	return sb_detach(&sb);
}

static void
assert_quote(const char *s, size_t len, const char *want)
{
	char	*got;

	got = quote(s, len);
	assert_string_equal(got, want);
	free(got);
}

static void
test_escape_basic(void **state)
{
	(void)state;
	assert_quote("", 0, "\"\"");
	assert_quote("plain text", 10, "\"plain text\"");
	assert_quote("a\"b\\c/d", 7, "\"a\\\"b\\\\c/d\"");
	assert_quote("\n\t\r\b\f", 5, "\"\\n\\t\\r\\b\\f\"");
}

static void
test_escape_control(void **state)
{
	(void)state;
	assert_quote("\x01\x1f\x7f", 3, "\"\\u0001\\u001f\\u007f\"");
	assert_quote("a\0b", 3, "\"a\\u0000b\"");
	assert_quote("\0", 1, "\"\\u0000\"");
}

static void
test_escape_utf8(void **state)
{
	(void)state;
	/* Valid UTF-8 of every length is copied as it is. */
	assert_quote("caf\xc3\xa9", 5, "\"caf\xc3\xa9\"");
	assert_quote("\xe2\x82\xac", 3, "\"\xe2\x82\xac\"");
	assert_quote("\xf0\x9f\x98\x80 ok", 7, "\"\xf0\x9f\x98\x80 ok\"");
	assert_quote("\xf4\x8f\xbf\xbf", 4, "\"\xf4\x8f\xbf\xbf\"");
}

static void
test_escape_invalid_utf8(void **state)
{
	(void)state;
	/* A stray byte, then valid text again. */
	assert_quote("\xff" "a", 2, "\"\\u00ffa\"");
	/* A truncated sequence at the end. */
	assert_quote("x\xc3", 2, "\"x\\u00c3\"");
	/* A lead byte followed by a non-continuation byte. */
	assert_quote("\xc3(", 2, "\"\\u00c3(\"");
	/* Overlong '/' and a UTF-8 encoded surrogate. */
	assert_quote("\xc0\xaf", 2, "\"\\u00c0\\u00af\"");
	assert_quote("\xed\xa0\x80", 3, "\"\\u00ed\\u00a0\\u0080\"");
	/* Past U+10FFFF. */
	assert_quote("\xf4\x90\x80\x80", 4,
	    "\"\\u00f4\\u0090\\u0080\\u0080\"");
	/* A lone continuation byte before valid text. */
	assert_quote("\x80\xc3\xa9", 3, "\"\\u0080\xc3\xa9\"");
}

static void
test_writer_nesting(void **state)
{
	struct json_w	w;

	(void)state;
	json_init(&w, 0);
	json_obj_begin(&w);
	json_key(&w, "a");
	json_int(&w, 1);
	json_key(&w, "b");
	json_arr_begin(&w);
	json_int(&w, 1);
	json_str(&w, "two");
	json_obj_begin(&w);
	json_obj_end(&w);
	json_arr_begin(&w);
	json_arr_end(&w);
	json_arr_end(&w);
	json_key(&w, "c");
	json_obj_begin(&w);
	json_key(&w, "d");
	json_null(&w);
	json_key(&w, "e");
	json_bool(&w, 1);
	json_key(&w, "f");
	json_bool(&w, 0);
	json_obj_end(&w);
	json_key(&w, "g");
	json_str(&w, NULL);
	json_key(&w, "h");
	json_raw(&w, "[1,2]");
	json_key(&w, "i");
	json_strn(&w, "x\0y", 3);
	json_key(&w, "k\"ey");
	json_int(&w, INT64_MIN);
	json_obj_end(&w);
	assert_int_equal(w.depth, 0);
	assert_string_equal(sb_str(&w.sb),
	    "{\"a\":1,\"b\":[1,\"two\",{},[]],\"c\":{\"d\":null,\"e\":true,"
	    "\"f\":false},\"g\":null,\"h\":[1,2],\"i\":\"x\\u0000y\","
	    "\"k\\\"ey\":-9223372036854775808}");
	json_free(&w);
}

static void
test_writer_pretty(void **state)
{
	struct json_w	w;

	(void)state;
	json_init(&w, 1);
	json_obj_begin(&w);
	json_key(&w, "name");
	json_str(&w, "dev");
	json_key(&w, "list");
	json_arr_begin(&w);
	json_int(&w, 1);
	json_int(&w, 2);
	json_arr_end(&w);
	json_key(&w, "empty");
	json_obj_begin(&w);
	json_obj_end(&w);
	json_key(&w, "nested");
	json_obj_begin(&w);
	json_key(&w, "x");
	json_double(&w, 1.5);
	json_obj_end(&w);
	json_obj_end(&w);
	assert_string_equal(sb_str(&w.sb),
	    "{\n"
	    "  \"name\": \"dev\",\n"
	    "  \"list\": [\n"
	    "    1,\n"
	    "    2\n"
	    "  ],\n"
	    "  \"empty\": {},\n"
	    "  \"nested\": {\n"
	    "    \"x\": 1.5\n"
	    "  }\n"
	    "}");
	json_free(&w);
}

/* json_double of D, compact, as a string the caller frees. */
static char *
dbl(double d)
{
	struct json_w	w;
	char		*s;

	json_init(&w, 0);
	json_double(&w, d);
	s = xstrdup(sb_str(&w.sb));
	json_free(&w);
	return s;
}

static void
assert_dbl(double d, const char *want)
{
	char	*got;

	got = dbl(d);
	assert_string_equal(got, want);
	free(got);
}

static void
test_writer_double(void **state)
{
	char	*s;
	double	 values[] = { 0.1, 1.0 / 3, 5e-324, 1.7976931348623157e308,
	    -2.5e-7, 123456789.123 };
	size_t	 i;

	(void)state;
	assert_dbl(0.1, "0.1");
	assert_dbl(1.5, "1.5");
	assert_dbl(100, "100");
	assert_dbl(0, "0");
	assert_dbl(0.001, "0.001");
	assert_dbl(1e-7, "1e-7");
	assert_dbl(1e20, "100000000000000000000");
	assert_dbl(1e21, "1e+21");
	assert_dbl(-1.25e-300, "-1.25e-300");
	assert_dbl(5e-324, "5e-324");
	assert_dbl(123456789.123, "123456789.123");
	assert_dbl(-0.0, "-0");
	assert_dbl(NAN, "null");
	assert_dbl(INFINITY, "null");
	assert_dbl(-INFINITY, "null");
	/* Each value reads back exactly. */
	for (i = 0; i < nitems(values); i++) {
		s = dbl(values[i]);
		assert_true(strtod(s, NULL) == values[i]);
		free(s);
	}
}

static void
test_writer_double_locale(void **state)
{
	const char	*locales[] = { "de_DE.UTF-8", "de_DE.utf8",
	    "fr_FR.UTF-8", "C.UTF-8" };
	size_t		 i;
	int		 found = 0;

	(void)state;
	for (i = 0; i < nitems(locales) && !found; i++) {
		if (setlocale(LC_NUMERIC, locales[i]) != NULL)
			found = 1;
	}
	if (!found)
		skip();
	assert_dbl(0.5, "0.5");
	assert_dbl(-1234.25, "-1234.25");
	setlocale(LC_NUMERIC, "C");
}

static void
test_read_round_trip(void **state)
{
	static const char	 hostile[] = "q\"b\\s/\n\t\x01\x7f"
	    "\xc3\xa9\xf0\x9f\x98\x80\0tail";
	struct json_w		 w;
	struct json_obj		 obj;
	const struct json_kv	*kv;

	(void)state;
	json_init(&w, 0);
	json_obj_begin(&w);
	json_key(&w, "hostile");
	json_strn(&w, hostile, sizeof hostile - 1);
	json_key(&w, "n");
	json_int(&w, -42);
	json_key(&w, "f");
	json_double(&w, 0.25);
	json_key(&w, "t");
	json_bool(&w, 1);
	json_key(&w, "z");
	json_null(&w);
	json_key(&w, "k\xc3\xa9y \"q\"");
	json_str(&w, "");
	json_obj_end(&w);

	assert_int_equal(json_parse_object(sb_str(&w.sb), &obj), 0);
	assert_int_equal(obj.n, 6);
	kv = json_obj_get(&obj, "hostile");
	assert_non_null(kv);
	assert_int_equal(kv->len, sizeof hostile - 1);
	assert_memory_equal(kv->value, hostile, sizeof hostile - 1);
	assert_int_equal(kv->value[kv->len], '\0');
	kv = json_obj_get(&obj, "n");
	assert_string_equal(kv->value, "-42");
	kv = json_obj_get(&obj, "f");
	assert_string_equal(kv->value, "0.25");
	kv = json_obj_get(&obj, "t");
	assert_string_equal(kv->value, "true");
	kv = json_obj_get(&obj, "z");
	assert_non_null(kv);
	assert_null(kv->value);
	kv = json_obj_get(&obj, "k\xc3\xa9y \"q\"");
	assert_non_null(kv);
	assert_string_equal(kv->value, "");
	assert_int_equal(kv->len, 0);
	assert_null(json_obj_get(&obj, "missing"));
	json_obj_free(&obj);
	json_free(&w);
}

static void
test_read_escapes(void **state)
{
	struct json_obj		 obj;
	const struct json_kv	*kv;

	(void)state;
	assert_int_equal(json_parse_object(" { \"a\" : \"\\ud83d\\ude00\" , "
	    "\"b\":\"\\u00e9\\u20AC\\/\\b\\f\\n\\r\\t\\\"\\\\\", "
	    "\"c\":\"\\u0000x\", \"d\":false, \"e\":-1.5e+3, \"f\":0 }\n",
	    &obj), 0);
	assert_int_equal(obj.n, 6);
	kv = json_obj_get(&obj, "a");
	assert_string_equal(kv->value, "\xf0\x9f\x98\x80");
	kv = json_obj_get(&obj, "b");
	assert_string_equal(kv->value,
	    "\xc3\xa9\xe2\x82\xac/\b\f\n\r\t\"\\");
	kv = json_obj_get(&obj, "c");
	assert_int_equal(kv->len, 2);
	assert_memory_equal(kv->value, "\0x", 2);
	assert_string_equal(json_obj_get(&obj, "d")->value, "false");
	assert_string_equal(json_obj_get(&obj, "e")->value, "-1.5e+3");
	assert_string_equal(json_obj_get(&obj, "f")->value, "0");
	json_obj_free(&obj);

	assert_int_equal(json_parse_object("{}", &obj), 0);
	assert_int_equal(obj.n, 0);
	json_obj_free(&obj);
}

static void
test_read_malformed(void **state)
{
	static const char *const bad[] = {
		"", " ", "{", "}", "[]", "null", "{\"a\"}", "{\"a\":}",
		"{\"a\":1,}", "{,}", "{a:1}", "{'a':1}", "{\"a\":[1]}",
		"{\"a\":{}}", "{\"a\":\"\\ud800\"}", "{\"a\":\"\\udc00\"}",
		"{\"a\":\"\\ud800\\u0041\"}", "{\"a\":\"x\ty\"}",
		"{\"a\":\"x\ny\"}", "{\"a\":01}", "{\"a\":1.}", "{\"a\":.5}",
		"{\"a\":1e}", "{\"a\":+1}", "{\"a\":-}", "{\"a\":tru}",
		"{\"a\":nul}", "{\"a\":True}", "{} x", "{}{}",
		"{\"a\":\"\\q\"}", "{\"a\":\"\\u12\"}", "{\"a\":\"\\u12g4\"}",
		"{\"a\":\"open}", "{\"a\" 1}", "{\"a\":1 \"b\":2}",
	};
	struct json_obj	obj;
	size_t		i;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		obj.n = 99;
		if (json_parse_object(bad[i], &obj) != -1)
			fail_msg("accepted malformed object: %s", bad[i]);
		assert_int_equal(obj.n, 0);
		assert_null(obj.kv);
	}
	assert_int_equal(json_parse_object(NULL, &obj), -1);
}

static void
test_read_str_array(void **state)
{
	static const char *const bad[] = {
		"", "[", "]", "{}", "[1]", "[null]", "[\"a\",]", "[,]",
		"[\"a\"] x", "[\"a\" \"b\"]", "[[\"a\"]]", "[\"\\ud800\"]",
	};
	char	**v;
	int	  n, i;
	size_t	  j;

	(void)state;
	assert_int_equal(json_parse_str_array(" [ \"id\", \"na\\\"me\", "
	    "\"\\ud83d\\ude00\" ] ", &v, &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(v[0], "id");
	assert_string_equal(v[1], "na\"me");
	assert_string_equal(v[2], "\xf0\x9f\x98\x80");
	assert_null(v[3]);
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);

	assert_int_equal(json_parse_str_array("[]", &v, &n), 0);
	assert_int_equal(n, 0);
	assert_non_null(v);
	assert_null(v[0]);
	free(v);

	/* More items than the first allocation holds. */
	assert_int_equal(json_parse_str_array("[\"1\",\"2\",\"3\",\"4\",\"5\","
	    "\"6\",\"7\",\"8\",\"9\"]", &v, &n), 0);
	assert_int_equal(n, 9);
	assert_string_equal(v[8], "9");
	assert_null(v[9]);
	for (i = 0; i < n; i++)
		free(v[i]);
	free(v);

	for (j = 0; j < nitems(bad); j++) {
		if (json_parse_str_array(bad[j], &v, &n) != -1)
			fail_msg("accepted malformed array: %s", bad[j]);
		assert_null(v);
		assert_int_equal(n, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_basic),
		cmocka_unit_test(test_escape_control),
		cmocka_unit_test(test_escape_utf8),
		cmocka_unit_test(test_escape_invalid_utf8),
		cmocka_unit_test(test_writer_nesting),
		cmocka_unit_test(test_writer_pretty),
		cmocka_unit_test(test_writer_double),
		cmocka_unit_test(test_writer_double_locale),
		cmocka_unit_test(test_read_round_trip),
		cmocka_unit_test(test_read_escapes),
		cmocka_unit_test(test_read_malformed),
		cmocka_unit_test(test_read_str_array),
	};

	return cmocka_run_group_tests_name("json", tests, NULL, NULL);
}
