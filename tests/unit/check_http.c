/* Unit tests of the connection-free parts of http: route matching with
 * {parameters} and {rest*}, 404 versus 405 with the Allow list, problem
 * bodies, X-Request-Id and Content-Type checks. */
#include "http_proto.h"

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void h_dummy(struct http_request *req)
{
    (void)req;
}

static const struct http_route routes_a[] = {
    {HTTP_GET, "/v1/bookings", "bookings_list", 1, false, h_dummy},
    {HTTP_POST, "/v1/bookings", "bookings_create", 1, true, h_dummy},
    {HTTP_GET, "/v1/bookings/{reference}", "bookings_get", 1, false, h_dummy},
    {HTTP_PATCH, "/v1/bookings/{reference}", "bookings_patch", 1, true, h_dummy},
    {HTTP_POST, "/v1/bookings/{reference}/confirm", "bookings_confirm", 1, false, h_dummy},
    {HTTP_GET, "/v1/bookings/stats", "bookings_stats", 1, false, h_dummy},
    {HTTP_GET, "/v1/ports/{code}/windows/{id}", "window", 1, false, h_dummy},
};
static const struct http_route_table table_a = {routes_a, sizeof routes_a / sizeof routes_a[0]};

static const struct http_route routes_b[] = {
    {HTTP_GET, "/", "index", 0, false, h_dummy},
    {HTTP_GET, "/healthz", "healthz", 0, false, h_dummy},
    {HTTP_GET, "/{file*}", "static", 0, false, h_dummy},
};
static const struct http_route_table table_b = {routes_b, sizeof routes_b / sizeof routes_b[0]};

static const struct http_route_table *const tables[] = {&table_a, &table_b, NULL};

static const char *param(const struct http_match *m, const char *name, char *buf, size_t len)
{
    for (size_t i = 0; i < m->n_params; i++) {
        if (m->params[i].name_len == strlen(name) &&
            memcmp(m->params[i].name, name, m->params[i].name_len) == 0) {
            snprintf(buf, len, "%.*s", (int)m->params[i].value_len, m->params[i].value);
            return buf;
        }
    }
    return NULL;
}

START_TEST(match_literal_and_params)
{
    struct http_match m;
    char buf[128];
    http_match_route(tables, HTTP_GET, "/v1/bookings", &m);
    ck_assert_ptr_nonnull(m.route);
    ck_assert_str_eq(m.route->name, "bookings_list");
    ck_assert_uint_eq(m.n_params, 0);

    http_match_route(tables, HTTP_POST, "/v1/bookings/NSC-7K3M9QXD/confirm", &m);
    ck_assert_ptr_nonnull(m.route);
    ck_assert_str_eq(m.route->name, "bookings_confirm");
    ck_assert_str_eq(param(&m, "reference", buf, sizeof buf), "NSC-7K3M9QXD");

    http_match_route(tables, HTTP_GET, "/v1/ports/IRSRP/windows/42", &m);
    ck_assert_ptr_nonnull(m.route);
    ck_assert_str_eq(param(&m, "code", buf, sizeof buf), "IRSRP");
    ck_assert_str_eq(param(&m, "id", buf, sizeof buf), "42");
}
END_TEST

START_TEST(literal_beats_parameter)
{
    struct http_match m;
    char buf[64];
    http_match_route(tables, HTTP_GET, "/v1/bookings/stats", &m);
    ck_assert_ptr_nonnull(m.route);
    ck_assert_str_eq(m.route->name, "bookings_stats");
    http_match_route(tables, HTTP_GET, "/v1/bookings/NSC-1", &m);
    ck_assert_str_eq(m.route->name, "bookings_get");
    ck_assert_str_eq(param(&m, "reference", buf, sizeof buf), "NSC-1");
}
END_TEST

START_TEST(method_not_allowed_lists_allow)
{
    struct http_match m;
    char allow[96];
    http_match_route(tables, HTTP_DELETE, "/v1/bookings/NSC-1", &m);
    ck_assert_ptr_null(m.route);
    ck_assert_uint_eq(m.allowed, HTTP_GET | HTTP_PATCH);
    http_allow_list(m.allowed, allow, sizeof allow);
    ck_assert_str_eq(allow, "GET, HEAD, PATCH, OPTIONS");

    http_match_route(tables, HTTP_GET, "/v1/bookings/NSC-1/confirm", &m);
    ck_assert_ptr_null(m.route);
    ck_assert_uint_eq(m.allowed, HTTP_POST);
    http_allow_list(m.allowed, allow, sizeof allow);
    ck_assert_str_eq(allow, "POST, OPTIONS");

    /* OPTIONS (method 0) matches nothing but reports what the path allows */
    http_match_route(tables, 0, "/v1/bookings", &m);
    ck_assert_ptr_null(m.route);
    ck_assert_uint_eq(m.allowed, HTTP_GET | HTTP_POST);
}
END_TEST

START_TEST(not_found_paths)
{
    struct http_match m;
    /* /v1/... paths never fall to the static wildcard when a segment is off */
    const char *paths[] = {
        "/v1/bookings/", "/v1/bookings//confirm", "/v1/bookings/a/b/confirm", "/v1", "",
        "v1/bookings",   "/v1/ports//windows/1"};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        http_match_route(tables + 0, HTTP_GET, paths[i], &m);
        ck_assert_msg(m.route == NULL || strcmp(m.route->name, "static") == 0, "%s matched %s",
                      paths[i], m.route ? m.route->name : "");
    }
    static const struct http_route_table *const only_a[] = {&table_a, NULL};
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++) {
        http_match_route(only_a, HTTP_GET, paths[i], &m);
        ck_assert_msg(m.route == NULL && m.allowed == 0, "%s should be 404", paths[i]);
    }
}
END_TEST

START_TEST(wildcard_is_weakest)
{
    struct http_match m;
    char buf[128];
    http_match_route(tables, HTTP_GET, "/healthz", &m);
    ck_assert_str_eq(m.route->name, "healthz");
    http_match_route(tables, HTTP_GET, "/", &m);
    ck_assert_str_eq(m.route->name, "index");
    http_match_route(tables, HTTP_GET, "/js/app.js", &m);
    ck_assert_str_eq(m.route->name, "static");
    ck_assert_str_eq(param(&m, "file", buf, sizeof buf), "js/app.js");
    /* a wildcard match with another method is a 404, not a 405 */
    http_match_route(tables, HTTP_POST, "/js/app.js", &m);
    ck_assert_ptr_null(m.route);
    ck_assert_uint_eq(m.allowed, 0);
    /* a path a real route matches reports that route's methods only */
    http_match_route(tables, HTTP_PUT, "/v1/bookings", &m);
    ck_assert_ptr_null(m.route);
    ck_assert_uint_eq(m.allowed, HTTP_GET | HTTP_POST);
}
END_TEST

START_TEST(problem_body_shape)
{
    json_t *errors = json_pack("[{s:s,s:s}]", "pointer", "/cargo/containers/0/count", "message",
                               "must be between 1 and 100");
    json_t *p = http_problem_body(400, "validation_failed", "1 invalid field", "req-1", errors);
    ck_assert_str_eq(json_string_value(json_object_get(p, "type")), "/problems/validation_failed");
    ck_assert_str_eq(json_string_value(json_object_get(p, "title")), "Validation failed");
    ck_assert_int_eq(json_integer_value(json_object_get(p, "status")), 400);
    ck_assert_str_eq(json_string_value(json_object_get(p, "detail")), "1 invalid field");
    ck_assert_str_eq(json_string_value(json_object_get(p, "code")), "validation_failed");
    ck_assert_str_eq(json_string_value(json_object_get(p, "request_id")), "req-1");
    json_t *e = json_array_get(json_object_get(p, "errors"), 0);
    ck_assert_str_eq(json_string_value(json_object_get(e, "pointer")), "/cargo/containers/0/count");
    json_decref(p);

    p = http_problem_body(404, "not_found", "x", "r", NULL);
    ck_assert_ptr_null(json_object_get(p, "errors"));
    ck_assert_str_eq(json_string_value(json_object_get(p, "title")), "Not found");
    json_decref(p);
}
END_TEST

START_TEST(problem_titles_for_every_code)
{
    const char *codes[] = {"malformed_json",
                           "validation_failed",
                           "unauthorized",
                           "forbidden",
                           "not_found",
                           "method_not_allowed",
                           "payload_too_large",
                           "unsupported_media_type",
                           "unknown_location",
                           "no_route",
                           "quote_expired",
                           "capacity_unavailable",
                           "invalid_state",
                           "precondition_failed",
                           "idempotency_key_reused",
                           "quote_already_booked",
                           "rate_limited",
                           "service_unavailable",
                           "internal_error"};
    const char *generic = http_problem_title("no_such_code_at_all");
    for (size_t i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        const char *t = http_problem_title(codes[i]);
        ck_assert_msg(t && *t && strcmp(t, generic) != 0, "no title for %s", codes[i]);
    }
}
END_TEST

START_TEST(problem_repairs_bad_utf8)
{
    json_t *p = http_problem_body(404, "not_found", "no resource at /\xff\xfe/x\xc3", "r", NULL);
    const char *d = json_string_value(json_object_get(p, "detail"));
    ck_assert_ptr_nonnull(d);
    ck_assert_str_eq(d, "no resource at /\xef\xbf\xbd\xef\xbf\xbd/x\xef\xbf\xbd");
    char *s = json_dumps(p, JSON_COMPACT);
    ck_assert_ptr_nonnull(s);
    free(s);
    json_decref(p);
}
END_TEST

START_TEST(request_id_rules)
{
    ck_assert(http_request_id_valid("abc-123_x.Y"));
    char id64[65];
    memset(id64, 'a', 64);
    id64[64] = '\0';
    ck_assert(http_request_id_valid(id64));
    char id65[66];
    memset(id65, 'a', 65);
    id65[65] = '\0';
    ck_assert(!http_request_id_valid(id65));
    ck_assert(!http_request_id_valid(""));
    ck_assert(!http_request_id_valid(NULL));
    ck_assert(!http_request_id_valid("a b"));
    ck_assert(!http_request_id_valid("a\r\nX-Evil: 1"));
    ck_assert(!http_request_id_valid("caf\xc3\xa9"));
}
END_TEST

START_TEST(json_media_types)
{
    ck_assert(http_is_json_type("application/json"));
    ck_assert(http_is_json_type("Application/JSON"));
    ck_assert(http_is_json_type("application/json; charset=utf-8"));
    ck_assert(http_is_json_type("application/json;charset=UTF-8"));
    ck_assert(http_is_json_type("application/json; charset=\"utf-8\""));
    ck_assert(!http_is_json_type(NULL));
    ck_assert(!http_is_json_type("text/plain"));
    ck_assert(!http_is_json_type("application/jsonp"));
    ck_assert(!http_is_json_type("application/json; charset=latin1"));
    ck_assert(!http_is_json_type("application/x-www-form-urlencoded"));
    ck_assert(!http_is_json_type("application/json; boundary=x"));
}
END_TEST

Suite *http_suite(void);
Suite *http_suite(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("routing");
    tcase_add_test(tc, match_literal_and_params);
    tcase_add_test(tc, literal_beats_parameter);
    tcase_add_test(tc, method_not_allowed_lists_allow);
    tcase_add_test(tc, not_found_paths);
    tcase_add_test(tc, wildcard_is_weakest);
    suite_add_tcase(s, tc);
    tc = tcase_create("problems");
    tcase_add_test(tc, problem_body_shape);
    tcase_add_test(tc, problem_titles_for_every_code);
    tcase_add_test(tc, problem_repairs_bad_utf8);
    suite_add_tcase(s, tc);
    tc = tcase_create("headers");
    tcase_add_test(tc, request_id_rules);
    tcase_add_test(tc, json_media_types);
    suite_add_tcase(s, tc);
    return s;
}
