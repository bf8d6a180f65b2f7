/* Integration: the service endpoints of the real binary (suite "service") —
 * /healthz, /readyz (and its 503 when PostgreSQL is gone), /metrics,
 * /openapi.json, the web console's static files with their cache headers,
 * and path traversal attempts, which must all be 404. */
#include "harness.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

static struct it_server srv;
static char db[64];

static void setup(void)
{
    it_db_create("service", db);
    if (it_server_start(&srv, db, NULL) != 0) {
        fprintf(stderr, "service: server did not start\n");
        exit(2);
    }
}

static void teardown(void)
{
    it_server_stop(&srv);
}

/* Sends a raw request line for path (no client-side normalisation) and
 * returns the status, or -1. */
static int raw_get(const char *path)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)srv.port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    char req[1024];
    int n =
        snprintf(req, sizeof req, "GET %s HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n", path);
    ck_assert_int_eq(send(fd, req, (size_t)n, MSG_NOSIGNAL), n);
    char buf[256] = "";
    size_t got = 0;
    struct pollfd p = {.fd = fd, .events = POLLIN};
    while (got < 12 && poll(&p, 1, 5000) > 0) {
        ssize_t r = recv(fd, buf + got, sizeof buf - 1 - got, 0);
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    close(fd);
    int status = -1;
    if (sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
        status = -1;
    return status;
}

START_TEST(healthz_and_readyz)
{
    struct it_response r;
    ck_assert_int_eq(it_request(&srv, "GET", "/healthz", NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(it_header(&r, "Content-Type"), "application/json");
    ck_assert_str_eq(it_json_str(r.json, "status"), "ok");
    ck_assert_ptr_nonnull(it_header(&r, "X-Request-Id"));
    it_response_free(&r);
    ck_assert_int_eq(it_request(&srv, "GET", "/readyz", NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(it_json_str(r.json, "status"), "ready");
    it_response_free(&r);
}
END_TEST

/* Starts corridord against an unreachable database: it must run (healthz)
 * but never be ready.  Started by hand: it_server_start waits for ready. */
static void start_without_db(struct it_server *s)
{
    memset(s, 0, sizeof *s);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    s->port = ntohs(a.sin_port);
    close(fd);
    snprintf(s->base_url, sizeof s->base_url, "http://127.0.0.1:%u", s->port);
    char listen[64];
    snprintf(listen, sizeof listen, "127.0.0.1:%u", s->port);
    const char *bin = getenv("CORRIDOR_TEST_BIN");
    ck_assert_ptr_nonnull(bin);
    fflush(NULL);
    pid_t pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, 1);
        dup2(null, 2);
        setenv("CORRIDOR_DATABASE_URL", "host=/nonexistent dbname=corridor_no_such_db", 1);
        setenv("CORRIDOR_LISTEN", listen, 1);
        execl(bin, bin, "serve", (char *)NULL);
        _exit(127);
    }
    s->pid = pid;
    for (int i = 0; i < 100; i++) {
        struct it_response r;
        if (it_request(s, "GET", "/healthz", NULL, NULL, NULL, &r) == 0) {
            it_response_free(&r);
            return;
        }
        usleep(50 * 1000);
    }
    ck_abort_msg("corridord without a database did not answer /healthz");
}

START_TEST(readyz_503_without_database)
{
    struct it_server s2;
    start_without_db(&s2);
    struct it_response r;
    ck_assert_int_eq(it_request(&s2, "GET", "/healthz", NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    it_response_free(&r);
    ck_assert_int_eq(it_request(&s2, "GET", "/readyz", NULL, NULL, NULL, &r), 0);
    long st = r.status;
    const char *code = it_json_str(r.json, "code");
    bool retry_after = it_header(&r, "Retry-After") != NULL;
    char codebuf[64];
    snprintf(codebuf, sizeof codebuf, "%s", code ? code : "");
    it_response_free(&r);
    int rc = it_server_stop(&s2);
    ck_assert_int_eq(st, 503);
    ck_assert_str_eq(codebuf, "service_unavailable");
    ck_assert(retry_after);
    ck_assert_int_eq(rc, 0); /* stops cleanly even without PostgreSQL */
}
END_TEST

START_TEST(metrics_text)
{
    struct it_response r;
    ck_assert_int_eq(it_request(&srv, "GET", "/healthz", NULL, NULL, NULL, &r), 0);
    it_response_free(&r);
    ck_assert_int_eq(it_request(&srv, "GET", "/no/such/file", NULL, NULL, NULL, &r), 0);
    it_response_free(&r);
    ck_assert_int_eq(it_request(&srv, "GET", "/metrics", NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(strstr(it_header(&r, "Content-Type"), "text/plain; version=0.0.4"));
    const char *b = r.body;
    ck_assert_ptr_nonnull(strstr(b, "# TYPE corridor_http_requests_total counter\n"));
    ck_assert_ptr_nonnull(
        strstr(b, "corridor_http_requests_total{route=\"healthz\",status=\"200\"} "));
    ck_assert_ptr_nonnull(
        strstr(b, "corridor_http_requests_total{route=\"static\",status=\"404\"} "));
    ck_assert_ptr_nonnull(strstr(b, "# TYPE corridor_http_request_duration_seconds histogram\n"));
    ck_assert_ptr_nonnull(strstr(
        b, "corridor_http_request_duration_seconds_bucket{route=\"healthz\",le=\"0.0005\"} "));
    ck_assert_ptr_nonnull(
        strstr(b, "corridor_http_request_duration_seconds_bucket{route=\"healthz\",le=\"+Inf\"} "));
    ck_assert_ptr_nonnull(
        strstr(b, "corridor_http_request_duration_seconds_count{route=\"healthz\"} "));
    ck_assert_ptr_nonnull(strstr(b, "\ncorridor_db_pool_size "));
    ck_assert_ptr_nonnull(strstr(b, "\ncorridor_db_pool_in_use "));
    ck_assert_ptr_nonnull(strstr(b, "\ncorridor_worker_pending "));
    /* the count for healthz is a number that grew with our request */
    const char *c = strstr(b, "corridor_http_request_duration_seconds_count{route=\"healthz\"} ");
    long n = strtol(c + strlen("corridor_http_request_duration_seconds_count{route=\"healthz\"} "),
                    NULL, 10);
    ck_assert_int_ge(n, 1);
    it_response_free(&r);
}
END_TEST

START_TEST(openapi_document)
{
    struct it_response r;
    ck_assert_int_eq(it_request(&srv, "GET", "/openapi.json", NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_nonnull(r.json);
    ck_assert_str_eq(it_json_str(r.json, "openapi"), "3.0.3");
    json_t *paths = it_json_get(r.json, "paths");
    const char *want[] = {"/healthz",   "/readyz",   "/metrics",       "/openapi.json",
                          "/v1/nodes",  "/v1/links", "/v1/departures", "/v1/ports/{code}/windows",
                          "/v1/tariffs"};
    for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
        ck_assert_msg(json_object_get(paths, want[i]) != NULL, "openapi lacks %s", want[i]);
    json_t *codes = it_json_get(r.json, "components.schemas.ProblemCode.enum");
    ck_assert(json_is_array(codes));
    const char *codes_want[] = {
        "malformed_json",         "validation_failed",   "unauthorized", "payload_too_large",
        "unsupported_media_type", "service_unavailable", "rate_limited", "quote_already_booked"};
    for (size_t i = 0; i < sizeof codes_want / sizeof codes_want[0]; i++) {
        bool found = false;
        size_t k;
        json_t *v;
        json_array_foreach(codes, k, v) found =
            found || strcmp(json_string_value(v), codes_want[i]) == 0;
        ck_assert_msg(found, "ProblemCode lacks %s", codes_want[i]);
    }
    ck_assert_str_eq(it_json_str(r.json, "components.securitySchemes.bearer.scheme"), "bearer");
    it_response_free(&r);
}
END_TEST

START_TEST(static_console_and_cache)
{
    struct it_response r;
    ck_assert_int_eq(it_request(&srv, "GET", "/", NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(it_header(&r, "Content-Type"), "text/html; charset=utf-8");
    ck_assert_ptr_nonnull(strcasestr(r.body, "<html"));
    char etag[128];
    ck_assert_ptr_nonnull(it_header(&r, "ETag"));
    snprintf(etag, sizeof etag, "%s", it_header(&r, "ETag"));
    ck_assert_ptr_nonnull(it_header(&r, "Last-Modified"));
    ck_assert_ptr_nonnull(it_header(&r, "Cache-Control"));
    it_response_free(&r);

    char inm[160];
    snprintf(inm, sizeof inm, "If-None-Match: %s", etag);
    const char *h[] = {inm, NULL};
    ck_assert_int_eq(it_request(&srv, "GET", "/", NULL, NULL, h, &r), 0);
    ck_assert_int_eq(r.status, 304);
    ck_assert_uint_eq(r.body_len, 0);
    it_response_free(&r);

    /* the same file by name; other files by extension */
    ck_assert_int_eq(it_request(&srv, "GET", "/index.html", NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_str_eq(it_header(&r, "ETag"), etag);
    it_response_free(&r);
    ck_assert_int_eq(it_request(&srv, "GET", "/no-such-file.js", NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 404);
    ck_assert_str_eq(it_json_str(r.json, "code"), "not_found");
    it_response_free(&r);
}
END_TEST

START_TEST(path_traversal_is_404)
{
    /* server/openapi.json is one level above the web root: never reachable */
    const char *paths[] = {
        "/../openapi.json",
        "/%2e%2e/openapi.json",
        "/%2E%2E%2Fopenapi.json",
        "/..%2fopenapi.json",
        "/.%2e/openapi.json",
        "/x/../../openapi.json",
        "/%2e%2e%5copenapi.json",
        "/..\\openapi.json",
        "/%252e%252e/openapi.json",
        "/./index.html",
        "//etc/passwd",
        "/%2fetc%2fpasswd",
        "/.hidden",
    };
    for (size_t i = 0; i < sizeof paths / sizeof paths[0]; i++)
        ck_assert_msg(raw_get(paths[i]) == 404, "%s was not 404", paths[i]);
    ck_assert_int_eq(raw_get("/index.html"), 200); /* the control */
    ck_assert_int_eq(raw_get("/healthz"), 200);
}
END_TEST

Suite *service_suite(void);
Suite *service_suite(void)
{
    Suite *s = suite_create("service");
    TCase *tc = tcase_create("service");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, healthz_and_readyz);
    tcase_add_test(tc, readyz_503_without_database);
    tcase_add_test(tc, metrics_text);
    tcase_add_test(tc, openapi_document);
    tcase_add_test(tc, static_console_and_cache);
    tcase_add_test(tc, path_traversal_is_404);
    suite_add_tcase(s, tc);
    return s;
}
