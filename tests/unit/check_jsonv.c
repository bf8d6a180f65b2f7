/* Unit tests of jsonv: every error is collected with its JSON Pointer
 * (RFC 6901 escaping), unknown keys, types and ranges. */
#include "jsonv.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *parse(const char *s)
{
    json_error_t e;
    json_t *j = json_loads(s, JSON_REJECT_DUPLICATES, &e);
    ck_assert_msg(j != NULL, "bad test JSON: %s", e.text);
    return j;
}

/* "pointer: message" of error i. */
static const char *err_at(struct jsonv *v, size_t i, char *buf, size_t len)
{
    json_t *e = json_array_get(v->errors, i);
    snprintf(buf, len, "%s: %s", json_string_value(json_object_get(e, "pointer")),
             json_string_value(json_object_get(e, "message")));
    return buf;
}

static bool has_pointer(struct jsonv *v, const char *pointer)
{
    size_t i;
    json_t *e;
    json_array_foreach(v->errors, i, e)
    {
        if (strcmp(json_string_value(json_object_get(e, "pointer")), pointer) == 0)
            return true;
    }
    return false;
}

START_TEST(unknown_keys_with_escaped_pointers)
{
    json_t *o = parse("{\"origin\":\"KZALA\",\"orgin\":1,\"a/b\":2,\"m~n\":3}");
    struct jsonv v;
    jsonv_init(&v);
    static const char *const allowed[] = {"origin", "destination", NULL};
    ck_assert(!jsonv_known_keys(&v, o, "", allowed));
    ck_assert_uint_eq(json_array_size(v.errors), 3);
    ck_assert(has_pointer(&v, "/orgin"));
    ck_assert(has_pointer(&v, "/a~1b"));
    ck_assert(has_pointer(&v, "/m~0n"));
    char buf[128];
    ck_assert_str_eq(err_at(&v, 0, buf, sizeof buf), "/orgin: unknown field");
    jsonv_free(&v);
    json_decref(o);
}
END_TEST

START_TEST(nested_base_pointers)
{
    json_t *o = parse("{\"count\":0,\"type\":\"40XX\",\"x\":true}");
    struct jsonv v;
    jsonv_init(&v);
    static const char *const allowed[] = {"count", "type", NULL};
    static const char *const types[] = {"20DV", "40DV", "40HC", "20RF", "40RF", NULL};
    json_int_t count = -1;
    jsonv_known_keys(&v, o, "/cargo/containers/0", allowed);
    ck_assert(!jsonv_int(&v, o, "/cargo/containers/0", "count", true, 1, 100, &count));
    ck_assert_int_eq(count, -1); /* untouched on error */
    ck_assert_int_eq(jsonv_enum(&v, o, "/cargo/containers/0", "type", true, types), -1);
    ck_assert_uint_eq(json_array_size(v.errors), 3);
    char buf[256];
    ck_assert_str_eq(err_at(&v, 0, buf, sizeof buf), "/cargo/containers/0/x: unknown field");
    ck_assert_str_eq(err_at(&v, 1, buf, sizeof buf),
                     "/cargo/containers/0/count: must be between 1 and 100");
    ck_assert_str_eq(err_at(&v, 2, buf, sizeof buf),
                     "/cargo/containers/0/type: must be one of: 20DV, 40DV, 40HC, 20RF, 40RF");
    jsonv_free(&v);
    json_decref(o);
}
END_TEST

START_TEST(every_error_collected)
{
    json_t *o = parse("{\"ready_date\":5,\"hold\":\"yes\",\"via\":\"KZAAU\",\"cargo\":[],"
                      "\"customer_reference\":\"\"}");
    struct jsonv v;
    jsonv_init(&v);
    bool hold = false;
    ck_assert_ptr_null(jsonv_string(&v, o, "", "origin", true, 1, 16));
    ck_assert_ptr_null(jsonv_string(&v, o, "", "ready_date", true, 10, 10));
    ck_assert(!jsonv_bool(&v, o, "", "hold", false, &hold));
    ck_assert_ptr_null(jsonv_array(&v, o, "", "via", false, 0, 4));
    ck_assert_ptr_null(jsonv_object(&v, o, "", "cargo", true));
    ck_assert_ptr_null(jsonv_string(&v, o, "", "customer_reference", false, 1, 64));
    ck_assert(!jsonv_ok(&v));
    ck_assert_uint_eq(json_array_size(v.errors), 6);
    char buf[128];
    ck_assert_str_eq(err_at(&v, 0, buf, sizeof buf), "/origin: is required");
    ck_assert_str_eq(err_at(&v, 1, buf, sizeof buf), "/ready_date: must be a string");
    ck_assert_str_eq(err_at(&v, 2, buf, sizeof buf), "/hold: must be true or false");
    ck_assert_str_eq(err_at(&v, 3, buf, sizeof buf), "/via: must be an array");
    ck_assert_str_eq(err_at(&v, 4, buf, sizeof buf), "/cargo: must be an object");
    ck_assert_str_eq(err_at(&v, 5, buf, sizeof buf), "/customer_reference: must not be empty");
    jsonv_free(&v);
    json_decref(o);
}
END_TEST

START_TEST(valid_values_and_optional_missing)
{
    json_t *o =
        parse("{\"origin\":\"KZALA\",\"option\":2,\"hold\":false,\"via\":[\"KZAAU\"],"
              "\"cargo\":{},\"note\":null,\"name\":\"\xd0\x90\xd0\xba\xd1\x82\xd0\xb0\xd1\x83\"}");
    struct jsonv v;
    jsonv_init(&v);
    json_int_t option = 0;
    bool hold = true, absent = true;
    ck_assert_str_eq(jsonv_string(&v, o, "", "origin", true, 1, 16), "KZALA");
    ck_assert(jsonv_int(&v, o, "", "option", true, 1, 10, &option));
    ck_assert_int_eq(option, 2);
    ck_assert(jsonv_bool(&v, o, "", "hold", false, &hold));
    ck_assert(!hold);
    ck_assert(!jsonv_bool(&v, o, "", "express", false, &absent)); /* missing, optional */
    ck_assert(absent);
    ck_assert_ptr_nonnull(jsonv_array(&v, o, "", "via", false, 1, 4));
    ck_assert_ptr_nonnull(jsonv_object(&v, o, "", "cargo", true));
    ck_assert_ptr_null(jsonv_string(&v, o, "", "note", false, 1, 10)); /* null = missing */
    /* "Актау" is 5 characters (10 bytes): the length counts characters */
    ck_assert_ptr_nonnull(jsonv_string(&v, o, "", "name", true, 5, 5));
    ck_assert(jsonv_ok(&v));
    jsonv_free(&v);
    json_decref(o);
}
END_TEST

START_TEST(integer_edges)
{
    json_t *o = parse("{\"a\":1.0,\"b\":100,\"c\":101,\"d\":-1,\"e\":9223372036854775807}");
    struct jsonv v;
    jsonv_init(&v);
    json_int_t n = 0;
    ck_assert(!jsonv_int(&v, o, "", "a", true, 0, 100, &n)); /* a real is not an integer */
    ck_assert(jsonv_int(&v, o, "", "b", true, 0, 100, &n));
    ck_assert_int_eq(n, 100);
    ck_assert(!jsonv_int(&v, o, "", "c", true, 0, 100, &n));
    ck_assert(!jsonv_int(&v, o, "", "d", true, 0, 100, &n));
    ck_assert(jsonv_int(&v, o, "", "e", true, 0, INT64_MAX, &n));
    ck_assert_uint_eq(json_array_size(v.errors), 3);
    char buf[128];
    ck_assert_str_eq(err_at(&v, 0, buf, sizeof buf), "/a: must be an integer");
    jsonv_free(&v);
    json_decref(o);
}
END_TEST

START_TEST(array_sizes_and_manual_errors)
{
    json_t *o = parse("{\"via\":[1,2,3,4,5],\"containers\":[]}");
    struct jsonv v;
    jsonv_init(&v);
    ck_assert_ptr_null(jsonv_array(&v, o, "", "via", false, 0, 4));
    ck_assert_ptr_null(jsonv_array(&v, o, "/cargo", "containers", true, 1, 20));
    jsonv_error(&v, "/query/limit", "must be an integer from 1 to %d", 200);
    char buf[128];
    ck_assert_str_eq(err_at(&v, 0, buf, sizeof buf), "/via: must have 0 to 4 items");
    ck_assert_str_eq(err_at(&v, 1, buf, sizeof buf), "/cargo/containers: must have 1 to 20 items");
    ck_assert_str_eq(err_at(&v, 2, buf, sizeof buf),
                     "/query/limit: must be an integer from 1 to 200");
    jsonv_free(&v);
    json_decref(o);
}
END_TEST

Suite *jsonv_suite(void);
Suite *jsonv_suite(void)
{
    Suite *s = suite_create("jsonv");
    TCase *tc = tcase_create("jsonv");
    tcase_add_test(tc, unknown_keys_with_escaped_pointers);
    tcase_add_test(tc, nested_base_pointers);
    tcase_add_test(tc, every_error_collected);
    tcase_add_test(tc, valid_values_and_optional_missing);
    tcase_add_test(tc, integer_edges);
    tcase_add_test(tc, array_sizes_and_manual_errors);
    suite_add_tcase(s, tc);
    return s;
}
