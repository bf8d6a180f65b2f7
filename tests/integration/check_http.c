/* Integration: the HTTP shell of the real binary over loopback (suite
 * "http") — request ids, 404/405, body limits (Content-Length and chunked),
 * media type, malformed JSON, authentication, CORS, hostile input, a
 * graceful SIGTERM with a request in flight, and the stall test: 300
 * keep-alive connections each sending one request at once must all be
 * answered within 2 s (libmicrohttpd 0.9.75's epoll loop stalls at exactly
 * 128 ready events per thread; the server uses poll). */
#include "harness.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BODY_LIMIT 8192

static struct it_server srv;
static char db[64];
static const char *const srv_env[] = {"CORRIDOR_BODY_LIMIT=8192",
                                      "CORRIDOR_CORS_ORIGINS=http://console.example", NULL};

static void setup(void)
{
    it_db_create("http", db);
    if (it_server_start(&srv, db, srv_env) != 0) {
        fprintf(stderr, "http: server did not start\n");
        exit(2);
    }
}

static void teardown(void)
{
    it_server_stop(&srv);
}

/* ---- raw sockets, for what libcurl would tidy up ---- */

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec * 1000L + t.tv_nsec / 1000000L;
}

static int raw_connect(unsigned port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET,
                            .sin_port = htons((uint16_t)port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(connect(fd, (struct sockaddr *)&a, sizeof a), 0);
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    return fd;
}

static void send_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = send(fd, p, n, MSG_NOSIGNAL);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return; /* the server may close early (413): not an error here */
        p += w;
        n -= (size_t)w;
    }
}

/* Length of one complete response at the start of buf (headers and a
 * Content-Length body), or 0 while incomplete. */
static size_t response_len(const char *buf, size_t n)
{
    const char *end = memmem(buf, n, "\r\n\r\n", 4);
    if (!end)
        return 0;
    size_t head = (size_t)(end - buf) + 4;
    const char *cl = strcasestr(buf, "\r\nContent-Length:");
    size_t body = cl && cl < end ? strtoul(cl + 17, NULL, 10) : 0;
    return n >= head + body ? head + body : 0;
}

/* Reads one response (at most timeout_ms); returns its status or -1. */
static int read_response(int fd, char *buf, size_t cap, int timeout_ms)
{
    size_t n = 0;
    long deadline = now_ms() + timeout_ms;
    buf[0] = '\0';
    while (now_ms() < deadline && n + 1 < cap) {
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (poll(&p, 1, (int)(deadline - now_ms())) <= 0)
            break;
        ssize_t r = recv(fd, buf + n, cap - 1 - n, 0);
        if (r <= 0)
            break;
        n += (size_t)r;
        buf[n] = '\0';
        if (response_len(buf, n))
            break;
    }
    int status = -1;
    if (n > 12 && sscanf(buf, "HTTP/1.%*d %d", &status) != 1)
        status = -1;
    return status;
}

/* One request on a new connection; returns the status (-1: no answer). */
static int raw_request(const char *req, size_t len, char *buf, size_t cap)
{
    int fd = raw_connect(srv.port);
    send_all(fd, req, len);
    int st = read_response(fd, buf, cap, 5000);
    close(fd);
    return st;
}

static void assert_alive(void)
{
    struct it_response r;
    ck_assert_int_eq(it_request(&srv, "GET", "/healthz", NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    it_response_free(&r);
}

/* Asserts a problem+json body with code and status, and that its
 * request_id equals the X-Request-Id header. */
static void assert_problem(struct it_response *r, long status, const char *code)
{
    ck_assert_int_eq(r->status, status);
    ck_assert_str_eq(it_header(r, "Content-Type"), "application/problem+json");
    ck_assert_ptr_nonnull(r->json);
    ck_assert_str_eq(it_json_str(r->json, "code"), code);
    char type[96];
    snprintf(type, sizeof type, "/problems/%s", code);
    ck_assert_str_eq(it_json_str(r->json, "type"), type);
    ck_assert_int_eq(json_integer_value(it_json_get(r->json, "status")), status);
    ck_assert_ptr_nonnull(it_json_str(r->json, "title"));
    ck_assert_ptr_nonnull(it_json_str(r->json, "detail"));
    const char *rid = it_header(r, "X-Request-Id");
    ck_assert_ptr_nonnull(rid);
    ck_assert_str_eq(it_json_str(r->json, "request_id"), rid);
}

/* ---- tests ---- */

START_TEST(request_id_echoed_or_generated)
{
    struct it_response r;
    const char *mine[] = {"X-Request-Id: trace-42.A_b", NULL};
    ck_assert_int_eq(it_request(&srv, "GET", "/healthz", NULL, NULL, mine, &r), 0);
    ck_assert_str_eq(it_header(&r, "X-Request-Id"), "trace-42.A_b");
    it_response_free(&r);

    ck_assert_int_eq(it_request(&srv, "GET", "/healthz", NULL, NULL, NULL, &r), 0);
    char first[80];
    snprintf(first, sizeof first, "%s", it_header(&r, "X-Request-Id"));
    ck_assert_uint_ge(strlen(first), 8);
    it_response_free(&r);
    ck_assert_int_eq(it_request(&srv, "GET", "/healthz", NULL, NULL, NULL, &r), 0);
    ck_assert_str_ne(it_header(&r, "X-Request-Id"), first);
    it_response_free(&r);

    /* unsafe or overlong ids are replaced, and the problem body carries the id */
    char longid[120] = "X-Request-Id: ";
    memset(longid + 14, 'a', 65);
    const char *bad[] = {"X-Request-Id: has space", longid + 0, NULL};
    for (int i = 0; i < 2; i++) {
        const char *one[] = {bad[i], NULL};
        ck_assert_int_eq(it_request(&srv, "GET", "/no/such/thing", NULL, NULL, one, &r), 0);
        const char *rid = it_header(&r, "X-Request-Id");
        ck_assert_ptr_nonnull(rid);
        ck_assert_ptr_null(strchr(rid, ' '));
        ck_assert_uint_le(strlen(rid), 64);
        assert_problem(&r, 404, "not_found");
        it_response_free(&r);
    }
}
END_TEST

START_TEST(unknown_path_and_wrong_method)
{
    struct it_response r;
    ck_assert_int_eq(it_request(&srv, "GET", "/v1/nope", NULL, NULL, NULL, &r), 0);
    assert_problem(&r, 404, "not_found");
    it_response_free(&r);
    ck_assert_int_eq(it_request(&srv, "POST", "/nope", NULL, "{}", NULL, &r), 0);
    assert_problem(&r, 404, "not_found");
    it_response_free(&r);

    ck_assert_int_eq(it_request(&srv, "POST", "/healthz", NULL, NULL, NULL, &r), 0);
    assert_problem(&r, 405, "method_not_allowed");
    ck_assert_str_eq(it_header(&r, "Allow"), "GET, HEAD, OPTIONS");
    it_response_free(&r);
    ck_assert_int_eq(it_request(&srv, "DELETE", "/v1/nodes", NULL, NULL, NULL, &r), 0);
    assert_problem(&r, 405, "method_not_allowed");
    ck_assert_str_eq(it_header(&r, "Allow"), "GET, HEAD, OPTIONS");
    it_response_free(&r);

    /* HEAD of a GET route: headers only */
    ck_assert_int_eq(it_request(&srv, "HEAD", "/healthz", NULL, NULL, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_uint_eq(r.body_len, 0);
    it_response_free(&r);
}
END_TEST

START_TEST(body_over_limit_by_content_length)
{
    /* headers only: the 413 must come before the body is sent */
    char req[256], buf[4096];
    int n = snprintf(req, sizeof req,
                     "GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                     "Content-Length: %d\r\n\r\n",
                     BODY_LIMIT * 100);
    int fd = raw_connect(srv.port);
    send_all(fd, req, (size_t)n);
    ck_assert_int_eq(read_response(fd, buf, sizeof buf, 3000), 413);
    close(fd);
    ck_assert_ptr_nonnull(strstr(buf, "payload_too_large"));

    /* and through libcurl with the whole body */
    size_t big = BODY_LIMIT + 10;
    char *body = malloc(big + 1);
    memset(body, ' ', big);
    body[0] = '{';
    body[big - 1] = '}';
    body[big] = '\0';
    struct it_response r;
    ck_assert_int_eq(it_request(&srv, "GET", "/healthz", NULL, body, NULL, &r), 0);
    assert_problem(&r, 413, "payload_too_large");
    it_response_free(&r);
    /* a body of exactly the limit is accepted */
    body[BODY_LIMIT - 1] = '}';
    body[BODY_LIMIT] = '\0';
    ck_assert_int_eq(it_request(&srv, "GET", "/healthz", NULL, body, NULL, &r), 0);
    ck_assert_int_eq(r.status, 200);
    it_response_free(&r);
    free(body);
    assert_alive();
}
END_TEST

START_TEST(chunked_body_over_limit)
{
    int fd = raw_connect(srv.port);
    const char *head = "GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                       "Transfer-Encoding: chunked\r\n\r\n";
    send_all(fd, head, strlen(head));
    char chunk[1100];
    int n = snprintf(chunk, sizeof chunk, "400\r\n");
    memset(chunk + n, ' ', 1024);
    memcpy(chunk + n + 1024, "\r\n", 2);
    for (int i = 0; i < 3 * BODY_LIMIT / 1024; i++) /* three times the limit */
        send_all(fd, chunk, (size_t)n + 1026);
    send_all(fd, "0\r\n\r\n", 5);
    char buf[4096];
    ck_assert_int_eq(read_response(fd, buf, sizeof buf, 5000), 413);
    ck_assert_ptr_nonnull(strstr(buf, "payload_too_large"));
    close(fd);

    /* a small chunked JSON body is fine */
    fd = raw_connect(srv.port);
    const char *ok = "GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                     "Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n";
    send_all(fd, ok, strlen(ok));
    ck_assert_int_eq(read_response(fd, buf, sizeof buf, 5000), 200);
    close(fd);
    assert_alive();
}
END_TEST

START_TEST(media_type_and_malformed_json)
{
    struct it_response r;
    const char *text[] = {"Content-Type: text/plain", NULL};
    ck_assert_int_eq(it_request(&srv, "GET", "/healthz", NULL, "{}", text, &r), 0);
    assert_problem(&r, 415, "unsupported_media_type");
    it_response_free(&r);
    const char *form[] = {"Content-Type: application/x-www-form-urlencoded", NULL};
    ck_assert_int_eq(it_request(&srv, "GET", "/healthz", NULL, "a=1", form, &r), 0);
    assert_problem(&r, 415, "unsupported_media_type");
    it_response_free(&r);
    const char *utf8[] = {"Content-Type: application/json; charset=utf-8", NULL};
    ck_assert_int_eq(it_request(&srv, "GET", "/healthz", NULL, "{}", utf8, &r), 0);
    ck_assert_int_eq(r.status, 200);
    it_response_free(&r);

    ck_assert_int_eq(it_request(&srv, "GET", "/healthz", NULL, "{\"a\": 1,\n \"b\": }", NULL, &r),
                     0);
    assert_problem(&r, 400, "malformed_json");
    ck_assert_ptr_nonnull(strstr(it_json_str(r.json, "detail"), "line 2"));
    it_response_free(&r);
    const char *bad[] = {"[1,2]", "{\"a\":1,\"a\":2}",  "{\"a\":1} x", "{\"s\":\"\xff\"}",
                         "\"x\"", "{\"a\":\"\\u0000\"}"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        ck_assert_int_eq(it_request(&srv, "GET", "/healthz", NULL, bad[i], NULL, &r), 0);
        assert_problem(&r, 400, "malformed_json");
        it_response_free(&r);
    }
}
END_TEST

START_TEST(missing_or_bad_key)
{
    struct it_response r;
    ck_assert_int_eq(it_request(&srv, "GET", "/v1/nodes", NULL, NULL, NULL, &r), 0);
    assert_problem(&r, 401, "unauthorized");
    ck_assert_ptr_nonnull(it_header(&r, "WWW-Authenticate"));
    ck_assert(strncmp(it_header(&r, "WWW-Authenticate"), "Bearer", 6) == 0);
    it_response_free(&r);
    ck_assert_int_eq(it_request(&srv, "GET", "/v1/links", "csk_not_a_real_key", NULL, NULL, &r), 0);
    assert_problem(&r, 401, "unauthorized");
    it_response_free(&r);
    const char *basic[] = {"Authorization: Basic dXNlcjpwYXNz", NULL};
    ck_assert_int_eq(it_request(&srv, "GET", "/v1/links", NULL, NULL, basic, &r), 0);
    assert_problem(&r, 401, "unauthorized");
    it_response_free(&r);

    /* a real key works once the server has loaded it (NOTIFY corridor_keys) */
    char *key = it_issue_key(db, "DEMOFWD", "forwarder");
    long st = 0;
    for (int i = 0; i < 50 && st != 200; i++) {
        ck_assert_int_eq(it_request(&srv, "GET", "/v1/nodes?limit=1", key, NULL, NULL, &r), 0);
        st = r.status;
        it_response_free(&r);
        if (st != 200)
            usleep(100 * 1000);
    }
    ck_assert_int_eq(st, 200);
    free(key);
}
END_TEST

START_TEST(cors_preflight_and_headers)
{
    struct it_response r;
    const char *pre[] = {"Origin: http://console.example", "Access-Control-Request-Method: GET",
                         "Access-Control-Request-Headers: authorization", NULL};
    ck_assert_int_eq(it_request(&srv, "OPTIONS", "/v1/nodes", NULL, NULL, pre, &r), 0);
    ck_assert_int_eq(r.status, 204);
    ck_assert_str_eq(it_header(&r, "Access-Control-Allow-Origin"), "http://console.example");
    ck_assert_ptr_nonnull(strstr(it_header(&r, "Access-Control-Allow-Methods"), "GET"));
    const char *ah = it_header(&r, "Access-Control-Allow-Headers");
    ck_assert_ptr_nonnull(ah);
    ck_assert_ptr_nonnull(strstr(ah, "Authorization"));
    ck_assert_ptr_nonnull(strstr(ah, "Idempotency-Key"));
    ck_assert_ptr_nonnull(strstr(ah, "If-Match"));
    ck_assert_ptr_nonnull(it_header(&r, "Access-Control-Max-Age"));
    ck_assert_ptr_nonnull(it_header(&r, "X-Request-Id"));
    it_response_free(&r);

    const char *origin[] = {"Origin: http://console.example", NULL};
    ck_assert_int_eq(it_request(&srv, "GET", "/v1/nodes", NULL, NULL, origin, &r), 0);
    ck_assert_int_eq(r.status, 401); /* errors carry CORS headers too */
    ck_assert_str_eq(it_header(&r, "Access-Control-Allow-Origin"), "http://console.example");
    ck_assert_str_eq(it_header(&r, "Vary"), "Origin");
    ck_assert_ptr_nonnull(strstr(it_header(&r, "Access-Control-Expose-Headers"), "X-Request-Id"));
    it_response_free(&r);

    const char *other[] = {"Origin: http://evil.example", NULL};
    ck_assert_int_eq(it_request(&srv, "GET", "/healthz", NULL, NULL, other, &r), 0);
    ck_assert_int_eq(r.status, 200);
    ck_assert_ptr_null(it_header(&r, "Access-Control-Allow-Origin"));
    it_response_free(&r);

    ck_assert_int_eq(it_request(&srv, "OPTIONS", "/no/such/path", NULL, NULL, pre, &r), 0);
    ck_assert_int_eq(r.status, 404);
    it_response_free(&r);
}
END_TEST

START_TEST(hostile_input_does_not_crash)
{
    char buf[8192];
    /* bad UTF-8, NUL bytes, control bytes, encoded NUL in the path */
    const char reqs[][128] = {
        "GET /\xff\xfe\xc3 HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /v1/nodes%00x HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /%2e%2e/%2e%2e/etc/passwd HTTP/1.1\r\nHost: t\r\n\r\n",
        "GET /healthz?\xff=\xfe&%00=%zz&a HTTP/1.1\r\nHost: t\r\n\r\n",
        "GARBAGE\r\n\r\n",
        "GET / HTTP/9.9\r\nHost: t\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: -5\r\n\r\n",
        "GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Length: 99999999999999999999999\r\n\r\n",
        "FOO /healthz HTTP/1.1\r\nHost: t\r\n\r\n",
    };
    for (size_t i = 0; i < sizeof reqs / sizeof reqs[0]; i++)
        raw_request(reqs[i], strlen(reqs[i]), buf, sizeof buf);
    char nul[] = "GET /he\0althz HTTP/1.1\r\nHost: t\r\n\r\n";
    raw_request(nul, sizeof nul - 1, buf, sizeof buf);

    /* a 200 KB header and a 100 KB query string */
    size_t big = 200 * 1024;
    char *huge = malloc(big + 256);
    int n = snprintf(huge, 256, "GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: ");
    memset(huge + n, 'a', big);
    memcpy(huge + n + big, "\r\n\r\n", 5);
    int st = raw_request(huge, strlen(huge), buf, sizeof buf);
    ck_assert_msg(st == -1 || st >= 400, "huge header got %d", st);
    n = snprintf(huge, 256, "GET /healthz?");
    for (size_t i = 0; i < 100 * 1024 / 4; i++)
        memcpy(huge + n + i * 4, "a=1&", 4);
    static const char tail[] = " HTTP/1.1\r\nHost: t\r\n\r\n";
    memcpy(huge + n + 100 * 1024, tail, sizeof tail);
    raw_request(huge, strlen(huge), buf, sizeof buf);
    free(huge);

    /* deep JSON: 100 levels (over the server's cap of 64) and 3000 levels
     * (over jansson's parser limit of 2048), both under the body limit */
    struct it_response r;
    for (int pass = 0; pass < 2; pass++) {
        int depth = pass == 0 ? 100 : 3000;
        const char *open = pass == 0 ? "{\"a\":" : "[";
        const char *close = pass == 0 ? "}" : "]";
        char *deep = malloc((size_t)depth * 6 + 16);
        size_t k = 0;
        for (int i = 0; i < depth; i++) {
            memcpy(deep + k, open, strlen(open));
            k += strlen(open);
        }
        deep[k++] = '1';
        for (int i = 0; i < depth; i++)
            deep[k++] = close[0];
        deep[k] = '\0';
        if (pass == 1) { /* make the top level an object */
            memmove(deep + 5, deep, k + 1);
            memcpy(deep, "{\"a\":", 5);
            strcat(deep, "}");
        }
        ck_assert_uint_lt(strlen(deep), BODY_LIMIT);
        ck_assert_int_eq(it_request(&srv, "GET", "/healthz", NULL, deep, NULL, &r), 0);
        assert_problem(&r, 400, "malformed_json");
        it_response_free(&r);
        free(deep);
    }
    /* and a body that is all NUL bytes */
    char zeros[64] = {0};
    char req[256];
    n = snprintf(req, sizeof req,
                 "GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                 "Content-Length: %zu\r\n\r\n",
                 sizeof zeros);
    memcpy(req + n, zeros, sizeof zeros);
    ck_assert_int_eq(raw_request(req, (size_t)n + sizeof zeros, buf, sizeof buf), 400);

    assert_alive();
}
END_TEST

START_TEST(sigterm_answers_request_in_flight)
{
    struct it_server s2;
    ck_assert_int_eq(it_server_start(&s2, db, srv_env), 0);
    int fd = raw_connect(s2.port);
    /* "100 Continue" tells that the server has the headers: the request is
     * in flight when SIGTERM arrives, its body still to come */
    const char *head = "GET /healthz HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
                       "Expect: 100-continue\r\nContent-Length: 12\r\n\r\n";
    send_all(fd, head, strlen(head));
    char buf[4096];
    ck_assert_int_eq(read_response(fd, buf, sizeof buf, 5000), 100);
    ck_assert_int_eq(kill(s2.pid, SIGTERM), 0);
    usleep(300 * 1000);
    send_all(fd, "{\"a\":\"xyzw\"}", 12);
    ck_assert_int_eq(read_response(fd, buf, sizeof buf, 5000), 200);
    ck_assert_ptr_nonnull(strstr(buf, "{\"status\":\"ok\"}"));
    close(fd);
    ck_assert_int_eq(it_server_stop(&s2), 0); /* exited 0 after answering */
}
END_TEST

#define STALL_CONNS 300

/* The stall rounds against the server on port.  Returns NULL, or what
 * went wrong (static text), so the caller can stop its server first. */
static const char *stall_rounds(unsigned port)
{
    static char why[160];
    static int fds[STALL_CONNS];
    static char bufs[STALL_CONNS][1024];
    static size_t lens[STALL_CONNS];
    for (int i = 0; i < STALL_CONNS; i++)
        fds[i] = raw_connect(port);
    const char *req = "GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n";
    /* All 300 at once, then bursts of exactly 128 and 256: the counts at
     * which 0.9.75's epoll loop sleeps on requests it has already read. */
    static const int bursts[] = {STALL_CONNS, 128, 256, 128, STALL_CONNS};
    for (int round = 0; round < (int)(sizeof bursts / sizeof bursts[0]); round++) {
        int nconn = bursts[round];
        for (int i = 0; i < nconn; i++)
            lens[i] = 0;
        long t0 = now_ms();
        for (int i = 0; i < nconn; i++)
            send_all(fds[i], req, strlen(req));
        int answered = 0;
        static struct pollfd pfd[STALL_CONNS];
        while (answered < nconn && now_ms() - t0 < 2000) {
            int np = 0;
            static int idx[STALL_CONNS];
            for (int i = 0; i < nconn; i++) {
                if (lens[i] && response_len(bufs[i], lens[i]))
                    continue;
                pfd[np] = (struct pollfd){.fd = fds[i], .events = POLLIN};
                idx[np++] = i;
            }
            if (poll(pfd, (nfds_t)np, 100) < 0)
                break;
            for (int k = 0; k < np; k++) {
                if (!(pfd[k].revents & (POLLIN | POLLHUP | POLLERR)))
                    continue;
                int i = idx[k];
                ssize_t r = recv(fds[i], bufs[i] + lens[i], sizeof bufs[i] - 1 - lens[i], 0);
                if (r <= 0)
                    continue;
                lens[i] += (size_t)r;
                bufs[i][lens[i]] = '\0';
                if (response_len(bufs[i], lens[i]))
                    answered++;
            }
        }
        long took = now_ms() - t0;
        if (answered != nconn)
            snprintf(why, sizeof why, "round %d: %d of %d answered in %ld ms", round, answered,
                     nconn, took);
        for (int i = 0; i < nconn && answered == nconn; i++)
            if (strncmp(bufs[i], "HTTP/1.1 200", 12) != 0) {
                snprintf(why, sizeof why, "connection %d: %.40s", i, bufs[i]);
                answered = -1;
            }
        if (answered != nconn)
            break;
    }
    for (int i = 0; i < STALL_CONNS; i++)
        close(fds[i]);
    return why[0] ? why : NULL;
}

START_TEST(no_stall_with_300_keepalive_connections)
{
    const char *why = stall_rounds(srv.port); /* the configured pool (2 threads) */
    ck_assert_msg(why == NULL, "pool of 2: %s", why);
    assert_alive();
    /* one MHD thread holds every connection: where epoll stalled for sure */
    const char *one_thread[] = {"CORRIDOR_HTTP_THREADS=1", NULL};
    struct it_server s1;
    ck_assert_int_eq(it_server_start(&s1, db, one_thread), 0);
    why = stall_rounds(s1.port);
    int rc = it_server_stop(&s1);
    ck_assert_msg(why == NULL, "one thread: %s", why);
    ck_assert_int_eq(rc, 0);
}
END_TEST

Suite *http_suite(void);
Suite *http_suite(void)
{
    Suite *s = suite_create("http");
    TCase *tc = tcase_create("http");
    tcase_add_unchecked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, request_id_echoed_or_generated);
    tcase_add_test(tc, unknown_path_and_wrong_method);
    tcase_add_test(tc, body_over_limit_by_content_length);
    tcase_add_test(tc, chunked_body_over_limit);
    tcase_add_test(tc, media_type_and_malformed_json);
    tcase_add_test(tc, missing_or_bad_key);
    tcase_add_test(tc, cors_preflight_and_headers);
    tcase_add_test(tc, hostile_input_does_not_crash);
    tcase_add_test(tc, sigterm_answers_request_in_flight);
    tcase_add_test(tc, no_stall_with_300_keepalive_connections);
    suite_add_tcase(s, tc);
    return s;
}
