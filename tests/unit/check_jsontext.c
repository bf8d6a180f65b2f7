/* Unit tests of jsontext: whitespace goes only outside strings, members are
 * found only at the top level, and for random JSON values the indented text
 * minified is jansson's compact text byte for byte. */
#include "jsontext.h"

#include <check.h>
#include <jansson.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* s minified in a copy (freed by the caller). */
static char *minified(const char *s)
{
    size_t n = strlen(s);
    char *t = malloc(n + 1);
    ck_assert_ptr_nonnull(t);
    memcpy(t, s, n + 1);
    size_t m = jsontext_minify(t, n);
    ck_assert_uint_eq(m, strlen(t));
    return t;
}

static void assert_minifies(const char *in, const char *want)
{
    char *got = minified(in);
    ck_assert_str_eq(got, want);
    free(got);
}

/* The raw value of member key in s ("" and false when absent), into buf. */
static bool member(const char *s, const char *key, char *buf, size_t size)
{
    const char *v;
    size_t len;
    buf[0] = '\0';
    if (!jsontext_member(s, strlen(s), key, &v, &len))
        return false;
    ck_assert_uint_lt(len, size);
    memcpy(buf, v, len);
    buf[len] = '\0';
    return true;
}

static void assert_member(const char *s, const char *key, const char *want)
{
    char buf[256];
    ck_assert_msg(member(s, key, buf, sizeof buf), "%s not found in %s", key, s);
    ck_assert_str_eq(buf, want);
}

static void assert_no_member(const char *s, const char *key)
{
    char buf[256];
    ck_assert_msg(!member(s, key, buf, sizeof buf), "%s found in %s: %s", key, s, buf);
}

/* What PostgreSQL's json_build_object and json_agg write. */
static const char PG_BOOKING[] =
    "{\"id\" : 41, \"reference\" : \"NSC-AB12CD34\", \"status\" : \"HELD\", "
    "\"customer_reference\" : \"PO 7 / \\\"rush\\\"\", "
    "\"containers\" : [{\"type\": \"40HC\", \"count\": 2}], "
    "\"total\" : {\"amount\" : \"1234.50\", \"currency\" : \"USD\"}, "
    "\"legs\" : [{\"seq\" : 1, \"from\" : \"KZAAU\", \"version\" : 99, "
    "\"port_windows\" : [{\"window_id\" : 7, \"at\" : \"2026-03-01T10:00:00Z\"}]}, \n "
    "{\"seq\" : 2, \"from\" : \"IRAMD\", \"port_windows\" : []}], "
    "\"hold_expires_at\" : null, \"version\" : 3}";

START_TEST(postgresql_text_minified)
{
    assert_minifies(PG_BOOKING,
                    "{\"id\":41,\"reference\":\"NSC-AB12CD34\",\"status\":\"HELD\","
                    "\"customer_reference\":\"PO 7 / \\\"rush\\\"\","
                    "\"containers\":[{\"type\":\"40HC\",\"count\":2}],"
                    "\"total\":{\"amount\":\"1234.50\",\"currency\":\"USD\"},"
                    "\"legs\":[{\"seq\":1,\"from\":\"KZAAU\",\"version\":99,"
                    "\"port_windows\":[{\"window_id\":7,\"at\":\"2026-03-01T10:00:00Z\"}]},"
                    "{\"seq\":2,\"from\":\"IRAMD\",\"port_windows\":[]}],"
                    "\"hold_expires_at\":null,\"version\":3}");
}
END_TEST

START_TEST(whitespace_inside_strings_kept)
{
    assert_minifies(" { \"a b\" : \" x  y \\t\\n \" ,\r\n\t\"c\" : [ 1 , 2 ] } ",
                    "{\"a b\":\" x  y \\t\\n \",\"c\":[1,2]}");
    assert_minifies("\"  \"", "\"  \"");
    assert_minifies("[ \" , \" , \" : \" ]", "[\" , \",\" : \"]");
}
END_TEST

START_TEST(escaped_quotes_and_backslashes)
{
    /* "a\\" ends after the second backslash; "\"x\": 1" is one string */
    const char *s = "{ \"a\" : \"a\\\\\" , \"b\" : \"\\\"x\\\": 1\" , \"c\" : \"\\\\\\\" }\" , "
                    "\"version\" : 2 }";
    assert_minifies(s, "{\"a\":\"a\\\\\",\"b\":\"\\\"x\\\": 1\",\"c\":\"\\\\\\\" }\","
                       "\"version\":2}");
    assert_member(s, "a", "\"a\\\\\"");
    assert_member(s, "b", "\"\\\"x\\\": 1\"");
    assert_member(s, "c", "\"\\\\\\\" }\"");
    assert_member(s, "version", "2");
    assert_no_member(s, "x");
    /* a name written with escapes is compared as written */
    assert_no_member("{\"a\\u0062\":1}", "ab");
    assert_member("{\"a\\u0062\":1}", "a\\u0062", "1");
}
END_TEST

START_TEST(nested_members_do_not_match)
{
    assert_member(PG_BOOKING, "version", "3");
    assert_no_member("{\"legs\":[{\"version\":7}],\"total\":{\"version\":8}}", "version");
    assert_no_member("{\"a\":{\"b\":{\"version\":1}}, \"c\":[[{\"version\":2}]]}", "version");
    assert_member("{\"legs\":[{\"version\":7}],\"total\":{\"version\":8},\"version\":3}", "version",
                  "3");
    assert_member(PG_BOOKING, "legs",
                  "[{\"seq\" : 1, \"from\" : \"KZAAU\", \"version\" : 99, "
                  "\"port_windows\" : [{\"window_id\" : 7, \"at\" : \"2026-03-01T10:00:00Z\"}]}, "
                  "\n {\"seq\" : 2, \"from\" : \"IRAMD\", \"port_windows\" : []}]");
    assert_no_member(PG_BOOKING, "seq");
    assert_no_member(PG_BOOKING, "window_id");
    assert_no_member(PG_BOOKING, "amount");
}
END_TEST

START_TEST(text_in_strings_does_not_match)
{
    assert_no_member("{\"note\" : \"\\\"version\\\": 9\", \"id\" : 1}", "version");
    assert_no_member("{\"note\":\"{\\\"version\\\": 9}\"}", "version");
    assert_no_member("{\"note\":\"version\"}", "version");
    assert_member("{\"note\":\", \\\"version\\\": 9\",\"version\":4}", "version", "4");
    /* a value that is the key's name */
    assert_member("{\"a\":\"version\",\"version\":\"a\"}", "version", "\"a\"");
}
END_TEST

START_TEST(unicode_bytes_pass_unchanged)
{
    const char *s = "{ \"port\" : \"Bandar Abbās — بندر عباس\" , \"Åktau\" : \"Ақтау\" }";
    assert_minifies(s, "{\"port\":\"Bandar Abbās — بندر عباس\",\"Åktau\":\"Ақтау\"}");
    assert_member(s, "Åktau", "\"Ақтау\"");
    char buf[64];
    ck_assert(jsontext_member_plain_string(s, strlen(s), "port", buf, sizeof buf));
    ck_assert_str_eq(buf, "Bandar Abbās — بندر عباس");
}
END_TEST

START_TEST(empty_object_and_array)
{
    assert_minifies("{ }", "{}");
    assert_minifies("[ ]", "[]");
    assert_minifies("{ \"a\" : [ ] , \"b\" : { } }", "{\"a\":[],\"b\":{}}");
    assert_minifies("", "");
    assert_no_member("{}", "a");
    assert_no_member(" { } ", "a");
    assert_member("{ \"a\" : [ ] , \"b\" : { } }", "a", "[ ]");
    assert_member("{ \"a\" : [ ] , \"b\" : { } }", "b", "{ }");
    assert_member("{\"\":1}", "", "1");
}
END_TEST

START_TEST(keys_at_start_and_end)
{
    const char *s = "{\"reference\":\"NSC-00000001\",\"mid\":true,\"version\":12}";
    assert_member(s, "reference", "\"NSC-00000001\"");
    assert_member(s, "mid", "true");
    assert_member(s, "version", "12");
    assert_member("{\"only\":null}", "only", "null");
    assert_member("{\"a\":1,\"a\":2}", "a", "1"); /* the first one */
    assert_no_member(s, "versio");
    assert_no_member(s, "versions");
    assert_no_member(s, "NSC-00000001");
}
END_TEST

START_TEST(not_an_object)
{
    assert_no_member("[{\"version\":1}]", "version");
    assert_no_member("\"version\"", "version");
    assert_no_member("3", "version");
    assert_no_member("", "version");
    assert_no_member("   ", "version");
    assert_no_member("{\"version\" 1}", "version");
    assert_no_member("{\"a\":1 \"version\":1}", "version");
    assert_no_member("{version:1}", "version");
}
END_TEST

/* Every prefix of a text, in a buffer of exactly its length (no NUL after
 * it; ASan catches a read past it): minified and searched without reading
 * outside it, and found only when the member is complete. */
START_TEST(truncated_text_stays_in_bounds)
{
    size_t n = strlen(PG_BOOKING);
    size_t version_end = n - 1; /* the member ends with the digit before '}' */
    for (size_t len = 0; len <= n; len++) {
        char *t = malloc(len ? len : 1);
        ck_assert_ptr_nonnull(t);
        memcpy(t, PG_BOOKING, len);
        const char *v;
        size_t vlen;
        long long version;
        bool found = jsontext_member(t, len, "version", &v, &vlen);
        ck_assert(!found || (v >= t && v + vlen <= t + len));
        ck_assert(jsontext_member_int(t, len, "version", &version) == (len >= version_end));
        char *out = malloc(len + 1);
        ck_assert_ptr_nonnull(out);
        size_t m = jsontext_minify_copy(out, t, len);
        ck_assert_uint_le(m, len);
        ck_assert_uint_eq(out[m], '\0');
        free(out);
        free(t);
    }
}
END_TEST

START_TEST(integer_members)
{
    long long x = 0;
    const char *s = "{\"a\":-5,\"b\":0,\"c\":3.0,\"d\":\"3\",\"e\":null,\"f\":1e3,\"g\":-,"
                    "\"max\":9223372036854775807,\"min\":-9223372036854775808,"
                    "\"over\":9223372036854775808,\"under\":-9223372036854775809}";
    size_t n = strlen(s);
    ck_assert(jsontext_member_int(s, n, "a", &x) && x == -5);
    ck_assert(jsontext_member_int(s, n, "b", &x) && x == 0);
    ck_assert(jsontext_member_int(s, n, "max", &x) && x == LLONG_MAX);
    ck_assert(jsontext_member_int(s, n, "min", &x) && x == LLONG_MIN);
    x = 77;
    ck_assert(!jsontext_member_int(s, n, "c", &x));
    ck_assert(!jsontext_member_int(s, n, "d", &x));
    ck_assert(!jsontext_member_int(s, n, "e", &x));
    ck_assert(!jsontext_member_int(s, n, "f", &x));
    ck_assert(!jsontext_member_int(s, n, "g", &x));
    ck_assert(!jsontext_member_int(s, n, "over", &x));
    ck_assert(!jsontext_member_int(s, n, "under", &x));
    ck_assert(!jsontext_member_int(s, n, "absent", &x));
    ck_assert(x == 77); /* untouched on failure */
}
END_TEST

START_TEST(plain_string_members)
{
    const char *s = "{\"reference\" : \"NSC-AB12CD34\", \"esc\" : \"a\\\"b\", \"n\" : 3, "
                    "\"empty\" : \"\"}";
    size_t n = strlen(s);
    char buf[24];
    ck_assert(jsontext_member_plain_string(s, n, "reference", buf, sizeof buf));
    ck_assert_str_eq(buf, "NSC-AB12CD34");
    ck_assert(jsontext_member_plain_string(s, n, "empty", buf, sizeof buf));
    ck_assert_str_eq(buf, "");
    ck_assert(!jsontext_member_plain_string(s, n, "esc", buf, sizeof buf));
    ck_assert(!jsontext_member_plain_string(s, n, "n", buf, sizeof buf));
    ck_assert(!jsontext_member_plain_string(s, n, "absent", buf, sizeof buf));
    /* 12 characters need 13 bytes */
    char small[13];
    ck_assert(jsontext_member_plain_string(s, n, "reference", small, sizeof small));
    ck_assert_str_eq(small, "NSC-AB12CD34");
    ck_assert(!jsontext_member_plain_string(s, n, "reference", small, 12));
}
END_TEST

/* ---- random values ---- */

static uint64_t rng_state;

static uint32_t rnd(uint32_t bound)
{
    /* xorshift64*: the same sequence on every machine */
    rng_state ^= rng_state >> 12;
    rng_state ^= rng_state << 25;
    rng_state ^= rng_state >> 27;
    return (uint32_t)((rng_state * 2685821657736338717ULL) >> 32) % bound;
}

/* A random valid UTF-8 string with what makes minifying hard: spaces,
 * quotes, backslashes, control characters, structure characters. */
static json_t *random_string(void)
{
    /* UTF-8: e acute, an em dash, Arabic, Cyrillic, a 4-byte ship */
    static const char *const pieces[] = {" ",
                                         "  ",
                                         "\t",
                                         "\n",
                                         "\r",
                                         "\"",
                                         "\\",
                                         "\\\"",
                                         "\"\\",
                                         "/",
                                         "{",
                                         "}",
                                         "[",
                                         "]",
                                         ":",
                                         ",",
                                         "\x01",
                                         "\x1f",
                                         "\x7f",
                                         "a",
                                         "Z",
                                         "0",
                                         "version",
                                         "\"version\": 9",
                                         "NSC-AB12CD34",
                                         "\\u0041",
                                         "\xc3\xa9",
                                         "\xe2\x80\x94",
                                         "\xd8\xb9\xd8\xa8\xd8\xa7\xd8\xb3",
                                         "\xd0\x90\xd2\x9b\xd1\x82\xd0\xb0\xd1\x83",
                                         "\xf0\x9f\x9a\xa2"};
    char buf[128];
    size_t len = 0;
    for (uint32_t k = rnd(8); k > 0; k--) {
        const char *p = pieces[rnd(sizeof pieces / sizeof pieces[0])];
        size_t pl = strlen(p);
        if (len + pl >= sizeof buf)
            break;
        memcpy(buf + len, p, pl);
        len += pl;
    }
    json_t *s = json_stringn(buf, len);
    ck_assert_ptr_nonnull(s);
    return s;
}

static json_t *random_value(int depth)
{
    uint32_t kind = rnd(depth > 0 ? 9 : 6);
    switch (kind) {
    case 0:
        return json_null();
    case 1:
        return json_boolean(rnd(2));
    case 2:
        return json_integer((json_int_t)rnd(2000000) - 1000000);
    case 3:
        return json_real((double)rnd(100000) / 64.0 - 700.0);
    case 4:
    case 5:
        return random_string();
    case 6:
    case 7: {
        json_t *o = json_object();
        for (uint32_t k = rnd(6); k > 0; k--) {
            json_t *key = random_string();
            json_object_set_new(o, json_string_value(key), random_value(depth - 1));
            json_decref(key);
        }
        return o;
    }
    default: {
        json_t *a = json_array();
        for (uint32_t k = rnd(6); k > 0; k--)
            json_array_append_new(a, random_value(depth - 1));
        return a;
    }
    }
}

START_TEST(indented_minified_is_compact)
{
    rng_state = 0x9e3779b97f4a7c15ULL;
    for (int round = 0; round < 4000; round++) {
        json_t *v = random_value(4);
        char *indented = json_dumps(v, JSON_INDENT(2) | JSON_ENCODE_ANY);
        char *compact = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
        ck_assert_ptr_nonnull(indented);
        ck_assert_ptr_nonnull(compact);
        size_t n = jsontext_minify(indented, strlen(indented));
        ck_assert_msg(strcmp(indented, compact) == 0, "round %d:\n%s\n!=\n%s", round, indented,
                      compact);
        ck_assert_uint_eq(n, strlen(compact));
        free(indented);
        free(compact);
        json_decref(v);
    }
}
END_TEST

/* Every top-level member of a random object, looked up in its indented
 * text, is that member's value; a name it does not have is not found. */
START_TEST(members_of_random_objects)
{
    rng_state = 0x2545f4914f6cdd1dULL;
    int looked_up = 0;
    for (int round = 0; round < 2000; round++) {
        json_t *o = json_object();
        for (uint32_t k = 1 + rnd(6); k > 0; k--) {
            json_t *key = random_string();
            json_object_set_new(o, json_string_value(key), random_value(3));
            json_decref(key);
        }
        char *text = json_dumps(o, JSON_INDENT(rnd(3)));
        ck_assert_ptr_nonnull(text);
        size_t n = strlen(text);
        const char *name;
        json_t *want;
        json_object_foreach(o, name, want)
        {
            /* names written without escapes only */
            json_t *key = json_string(name);
            char *key_text = json_dumps(key, JSON_ENCODE_ANY);
            bool plain = strchr(key_text, '\\') == NULL;
            free(key_text);
            json_decref(key);
            if (!plain)
                continue;
            const char *v;
            size_t vlen;
            ck_assert_msg(jsontext_member(text, n, name, &v, &vlen), "round %d: %s not in %s",
                          round, name, text);
            json_error_t e;
            json_t *got = json_loadb(v, vlen, JSON_DECODE_ANY, &e);
            ck_assert_msg(got != NULL, "round %d: %.*s: %s", round, (int)vlen, v, e.text);
            ck_assert(json_equal(got, want));
            json_decref(got);
            looked_up++;
        }
        const char *v;
        size_t vlen;
        ck_assert(!jsontext_member(text, n, "no such member", &v, &vlen));
        free(text);
        json_decref(o);
    }
    ck_assert_int_gt(looked_up, 2000);
}
END_TEST

Suite *jsontext_suite(void);
Suite *jsontext_suite(void)
{
    Suite *s = suite_create("jsontext");
    TCase *tc = tcase_create("jsontext");
    tcase_add_test(tc, postgresql_text_minified);
    tcase_add_test(tc, whitespace_inside_strings_kept);
    tcase_add_test(tc, escaped_quotes_and_backslashes);
    tcase_add_test(tc, nested_members_do_not_match);
    tcase_add_test(tc, text_in_strings_does_not_match);
    tcase_add_test(tc, unicode_bytes_pass_unchanged);
    tcase_add_test(tc, empty_object_and_array);
    tcase_add_test(tc, keys_at_start_and_end);
    tcase_add_test(tc, not_an_object);
    tcase_add_test(tc, truncated_text_stays_in_bounds);
    tcase_add_test(tc, integer_members);
    tcase_add_test(tc, plain_string_members);
    tcase_add_test(tc, indented_minified_is_compact);
    tcase_add_test(tc, members_of_random_objects);
    suite_add_tcase(s, tc);
    return s;
}
