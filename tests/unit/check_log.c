/* Unit tests of log: every line is one valid JSON object, whatever bytes a
 * client put in a path; the level filters events. */
#include "log.h"

#include <check.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static FILE *capture;
static int saved_stderr = -1;

/* Sends stderr to a temporary file for the duration of one test. */
static void setup(void)
{
    capture = tmpfile();
    ck_assert_ptr_nonnull(capture);
    saved_stderr = dup(STDERR_FILENO);
    dup2(fileno(capture), STDERR_FILENO);
    log_set_level(LOGL_INFO);
}

static void teardown(void)
{
    dup2(saved_stderr, STDERR_FILENO);
    close(saved_stderr);
    fclose(capture);
}

/* Reads the captured lines; returns how many (at most max), parsed. */
static size_t lines(json_t **out, size_t max)
{
    char buf[16384];
    size_t n = 0;
    fflush(capture);
    rewind(capture);
    while (n < max && fgets(buf, sizeof buf, capture)) {
        ck_assert_msg(buf[strlen(buf) - 1] == '\n', "line not terminated");
        json_error_t e;
        out[n] = json_loads(buf, 0, &e);
        ck_assert_msg(out[n] != NULL, "not JSON (%s): %s", e.text, buf);
        n++;
    }
    return n;
}

START_TEST(request_line_fields)
{
    log_request("abc123", "POST", "/v1/quotes", "quotes_create", 201, 0.0125, "DEMOFWD");
    json_t *l[4];
    ck_assert_uint_eq(lines(l, 4), 1);
    ck_assert_str_eq(json_string_value(json_object_get(l[0], "event")), "request");
    ck_assert_str_eq(json_string_value(json_object_get(l[0], "level")), "info");
    ck_assert_str_eq(json_string_value(json_object_get(l[0], "request_id")), "abc123");
    ck_assert_str_eq(json_string_value(json_object_get(l[0], "method")), "POST");
    ck_assert_str_eq(json_string_value(json_object_get(l[0], "route")), "quotes_create");
    ck_assert_int_eq(json_integer_value(json_object_get(l[0], "status")), 201);
    ck_assert_str_eq(json_string_value(json_object_get(l[0], "org")), "DEMOFWD");
    ck_assert(json_number_value(json_object_get(l[0], "ms")) > 12.4);
    ck_assert(json_number_value(json_object_get(l[0], "ms")) < 12.6);
    const char *ts = json_string_value(json_object_get(l[0], "ts"));
    ck_assert_uint_eq(strlen(ts), 24); /* 2026-12-03T06:00:00.000Z */
    ck_assert_int_eq(ts[23], 'Z');
    json_decref(l[0]);
}
END_TEST

START_TEST(hostile_path_stays_valid_json)
{
    /* quotes, backslashes, control bytes, invalid UTF-8 and a huge path */
    char path[6000];
    memset(path, 'x', sizeof path - 1);
    path[sizeof path - 1] = '\0';
    memcpy(path, "/\"\\\x01\n\xff\xc3(", 9);
    log_request("r", "GET", path, "static", 404, 0.001, NULL);
    log_event(LOGL_WARN, "bad \"event\"", "msg with \xe2\x82 cut and \x7f del");
    json_t *l[4];
    ck_assert_uint_eq(lines(l, 4), 2);
    const char *p = json_string_value(json_object_get(l[0], "path"));
    ck_assert_ptr_nonnull(p);
    ck_assert(strncmp(p, "/\"\\\x01\n\xef\xbf\xbd\xef\xbf\xbd(", 13) == 0);
    ck_assert(strlen(p) < 1100); /* paths are cut */
    ck_assert_ptr_null(json_object_get(l[0], "org"));
    ck_assert_str_eq(json_string_value(json_object_get(l[1], "event")), "bad \"event\"");
    ck_assert_ptr_nonnull(strstr(json_string_value(json_object_get(l[1], "msg")), "cut and"));
    json_decref(l[0]);
    json_decref(l[1]);
}
END_TEST

START_TEST(level_filters)
{
    log_set_level(LOGL_WARN);
    log_event(LOGL_DEBUG, "d", "no");
    log_event(LOGL_INFO, "i", "no");
    log_request("r", "GET", "/", "static", 200, 0, NULL); /* info: filtered */
    log_event(LOGL_WARN, "w", "yes %d", 1);
    log_request("r", "GET", "/", "static", 503, 0, NULL); /* 5xx are warnings */
    log_event(LOGL_ERROR, "e", "yes");
    json_t *l[8];
    size_t n = lines(l, 8);
    ck_assert_uint_eq(n, 3);
    ck_assert_str_eq(json_string_value(json_object_get(l[0], "msg")), "yes 1");
    ck_assert_int_eq(json_integer_value(json_object_get(l[1], "status")), 503);
    ck_assert_str_eq(json_string_value(json_object_get(l[2], "level")), "error");
    for (size_t i = 0; i < n; i++)
        json_decref(l[i]);
    ck_assert_int_eq(log_get_level(), LOGL_WARN);
}
END_TEST

START_TEST(level_names)
{
    enum log_level l;
    ck_assert_int_eq(log_level_parse("debug", &l), 0);
    ck_assert_int_eq(l, LOGL_DEBUG);
    ck_assert_int_eq(log_level_parse("error", &l), 0);
    ck_assert_int_eq(l, LOGL_ERROR);
    ck_assert_int_eq(log_level_parse("loud", &l), -1);
    ck_assert_int_eq(log_level_parse(NULL, &l), -1);
}
END_TEST

START_TEST(long_message_is_cut_but_valid)
{
    char msg[20000];
    memset(msg, 'm', sizeof msg - 1);
    msg[sizeof msg - 1] = '\0';
    log_event(LOGL_ERROR, "long", "%s", msg);
    json_t *l[2];
    ck_assert_uint_eq(lines(l, 2), 1);
    ck_assert_str_eq(json_string_value(json_object_get(l[0], "event")), "long");
    json_decref(l[0]);
}
END_TEST

Suite *log_suite(void);
Suite *log_suite(void)
{
    Suite *s = suite_create("log");
    TCase *tc = tcase_create("log");
    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, request_line_fields);
    tcase_add_test(tc, hostile_path_stays_valid_json);
    tcase_add_test(tc, level_filters);
    tcase_add_test(tc, level_names);
    tcase_add_test(tc, long_message_is_cut_but_valid);
    suite_add_tcase(s, tc);
    return s;
}
