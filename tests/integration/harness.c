/* harness: real PostgreSQL, real corridord, real HTTP (see harness.h). */
#include "harness.h"

#include <check.h>
#include <ctype.h>
#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static const char *env_or_die(const char *name)
{
    const char *v = getenv(name);
    if (!v || !*v) {
        fprintf(stderr, "harness: %s is not set (run through tests/run.sh)\n", name);
        exit(2);
    }
    return v;
}

const char *it_db_url(const char *dbname)
{
    static __thread char buf[512];
    snprintf(buf, sizeof buf, "%s dbname=%s", env_or_die("CORRIDOR_TEST_PG"), dbname);
    return buf;
}

static PGconn *connect_db(const char *dbname)
{
    PGconn *c = PQconnectdb(it_db_url(dbname));
    if (PQstatus(c) != CONNECTION_OK) {
        fprintf(stderr, "harness: connect %s: %s", dbname, PQerrorMessage(c));
        PQfinish(c);
        return NULL;
    }
    PQsetNoticeProcessor(c, NULL, NULL);
    return c;
}

static void quiet_notice(void *arg, const char *msg)
{
    (void)arg;
    (void)msg;
}

PGresult *it_sql(const char *dbname, const char *sql)
{
    PGconn *c = connect_db(dbname);
    if (!c)
        return PQmakeEmptyPGresult(NULL, PGRES_FATAL_ERROR);
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    PGresult *r = PQexec(c, sql);
    PQfinish(c);
    return r;
}

char *it_sql_value(const char *dbname, const char *sql)
{
    PGresult *r = it_sql(dbname, sql);
    char *v = NULL;
    ExecStatusType st = PQresultStatus(r);
    if (st == PGRES_TUPLES_OK && PQntuples(r) > 0 && !PQgetisnull(r, 0, 0))
        v = strdup(PQgetvalue(r, 0, 0));
    else if (st != PGRES_TUPLES_OK && st != PGRES_COMMAND_OK)
        fprintf(stderr, "harness: SQL failed: %s\n  %s", sql, PQresultErrorMessage(r));
    PQclear(r);
    return v;
}

static const char *sql_error(const char *dbname, const char *role, const char *sql)
{
    static __thread char state[8];
    PGconn *c = connect_db(dbname);
    state[0] = '\0';
    if (!c) {
        strcpy(state, "08000");
        return state;
    }
    PQsetNoticeProcessor(c, quiet_notice, NULL);
    if (role) {
        char set[128];
        snprintf(set, sizeof set, "SET ROLE %s", role);
        PQclear(PQexec(c, set));
    }
    PGresult *r = PQexec(c, sql);
    ExecStatusType st = PQresultStatus(r);
    if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) {
        const char *s = PQresultErrorField(r, PG_DIAG_SQLSTATE);
        snprintf(state, sizeof state, "%s", s ? s : "XX000");
    }
    PQclear(r);
    PQfinish(c);
    return state;
}

const char *it_sql_error(const char *dbname, const char *sql)
{
    return sql_error(dbname, NULL, sql);
}

const char *it_sql_error_as(const char *dbname, const char *role, const char *sql)
{
    return sql_error(dbname, role, sql);
}

void it_db_create(const char *tag, char name[64])
{
    static int n;
    snprintf(name, 64, "it_%s_%d_%d", tag, (int)getpid(), ++n);
    char sql[256];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s TEMPLATE %s", name,
             env_or_die("CORRIDOR_TEST_TEMPLATE"));
    for (int attempt = 0; attempt < 50; attempt++) {
        const char *st = it_sql_error("postgres", sql);
        if (!*st)
            return;
        /* 55006: the template is in use by another session for a moment. */
        if (strcmp(st, "55006") != 0) {
            fprintf(stderr, "harness: %s failed with SQLSTATE %s\n", sql, st);
            exit(2);
        }
        usleep(100 * 1000);
    }
    fprintf(stderr, "harness: template stayed busy\n");
    exit(2);
}

char *it_issue_key(const char *dbname, const char *org, const char *role)
{
    char sql[256];
    snprintf(sql, sizeof sql, "SELECT corridor.issue_api_key('%s', '%s', 'test')", org, role);
    char *k = it_sql_value(dbname, sql);
    if (!k) {
        fprintf(stderr, "harness: could not issue a key for %s/%s\n", org, role);
        exit(2);
    }
    return k;
}

/* ---- the server process ---- */

static unsigned free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
        getsockname(fd, (struct sockaddr *)&a, &len) != 0) {
        perror("harness: free_port");
        exit(2);
    }
    unsigned port = ntohs(a.sin_port);
    close(fd);
    return port;
}

int it_server_start(struct it_server *s, const char *dbname, const char *const *env)
{
    memset(s, 0, sizeof *s);
    snprintf(s->dbname, sizeof s->dbname, "%s", dbname);
    s->port = free_port();
    snprintf(s->base_url, sizeof s->base_url, "http://127.0.0.1:%u", s->port);
    snprintf(s->log_path, sizeof s->log_path, "%s/%s-%u.log",
             getenv("CORRIDOR_TEST_LOGDIR") ? getenv("CORRIDOR_TEST_LOGDIR") : "/tmp", dbname,
             s->port);
    const char *bin = env_or_die("CORRIDOR_TEST_BIN");
    char url[512], listen[64];
    snprintf(url, sizeof url, "%s", it_db_url(dbname));
    snprintf(listen, sizeof listen, "127.0.0.1:%u", s->port);

    fflush(NULL);
    pid_t pid = fork();
    if (pid < 0)
        return -1;
    if (pid == 0) {
        int fd = open(s->log_path, O_WRONLY | O_CREAT | O_APPEND, 0644);
        if (fd >= 0) {
            dup2(fd, 1);
            dup2(fd, 2);
            close(fd);
        }
        setenv("CORRIDOR_DATABASE_URL", url, 1);
        setenv("CORRIDOR_LISTEN", listen, 1);
        if (!getenv("CORRIDOR_LOG_LEVEL"))
            setenv("CORRIDOR_LOG_LEVEL", "info", 1);
        for (size_t i = 0; env && env[i]; i++)
            putenv(strdup(env[i]));
        execl(bin, bin, "serve", (char *)NULL);
        _exit(127);
    }
    s->pid = pid;
    for (int i = 0; i < 150; i++) {
        struct it_response r;
        if (it_request(s, "GET", "/readyz", NULL, NULL, NULL, &r) == 0) {
            long st = r.status;
            it_response_free(&r);
            if (st == 200)
                return 0;
        }
        int wst;
        if (waitpid(pid, &wst, WNOHANG) == pid) {
            fprintf(stderr, "harness: corridord exited during start-up (log %s)\n", s->log_path);
            s->pid = 0;
            return -1;
        }
        usleep(100 * 1000);
    }
    fprintf(stderr, "harness: corridord not ready after 15 s (log %s)\n", s->log_path);
    return -1;
}

void it_server_kill(struct it_server *s)
{
    if (s->pid <= 0)
        return;
    kill(s->pid, SIGKILL);
    int st;
    waitpid(s->pid, &st, 0);
    s->pid = 0;
}

int it_server_stop(struct it_server *s)
{
    if (s->pid <= 0)
        return -1;
    kill(s->pid, SIGTERM);
    int st = 0;
    for (int i = 0; i < 200; i++) {
        pid_t p = waitpid(s->pid, &st, WNOHANG);
        if (p == s->pid) {
            s->pid = 0;
            return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
        }
        usleep(50 * 1000);
    }
    kill(s->pid, SIGKILL);
    waitpid(s->pid, &st, 0);
    s->pid = 0;
    return -1;
}

/* ---- HTTP ---- */

struct buf {
    char *p;
    size_t n;
};

static size_t on_data(char *ptr, size_t size, size_t nmemb, void *arg)
{
    struct buf *b = arg;
    size_t add = size * nmemb;
    char *np = realloc(b->p, b->n + add + 1);
    if (!np)
        return 0;
    b->p = np;
    memcpy(b->p + b->n, ptr, add);
    b->n += add;
    b->p[b->n] = '\0';
    return add;
}

int it_request(const struct it_server *s, const char *method, const char *path, const char *key,
               const char *body, const char *const *headers, struct it_response *out)
{
    static int curl_ready;
    if (!curl_ready) {
        curl_global_init(CURL_GLOBAL_DEFAULT);
        curl_ready = 1;
    }
    memset(out, 0, sizeof *out);
    CURL *c = curl_easy_init();
    if (!c)
        return -1;
    char url[1024];
    snprintf(url, sizeof url, "%s%s", s->base_url, path);
    struct buf b = {0}, h = {0};
    struct curl_slist *hl = NULL;
    char auth[512];
    bool has_ct = false;
    for (size_t i = 0; headers && headers[i]; i++) {
        hl = curl_slist_append(hl, headers[i]);
        if (strncasecmp(headers[i], "Content-Type:", 13) == 0)
            has_ct = true;
    }
    if (key) {
        snprintf(auth, sizeof auth, "Authorization: Bearer %s", key);
        hl = curl_slist_append(hl, auth);
    }
    if (body && !has_ct)
        hl = curl_slist_append(hl, "Content-Type: application/json");
    hl = curl_slist_append(hl, "Expect:");
    curl_easy_setopt(c, CURLOPT_URL, url);
    curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
    if (strcmp(method, "HEAD") == 0)
        curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
    if (body) {
        curl_easy_setopt(c, CURLOPT_POSTFIELDS, body);
        curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE, (long)strlen(body));
    }
    curl_easy_setopt(c, CURLOPT_HTTPHEADER, hl);
    curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_WRITEDATA, &b);
    curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_data);
    curl_easy_setopt(c, CURLOPT_HEADERDATA, &h);
    curl_easy_setopt(c, CURLOPT_TIMEOUT, 60L);
    curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
    CURLcode rc = curl_easy_perform(c);
    if (rc == CURLE_OK)
        curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &out->status);
    curl_slist_free_all(hl);
    curl_easy_cleanup(c);
    if (rc != CURLE_OK) {
        free(b.p);
        free(h.p);
        return -1;
    }
    out->body = b.p ? b.p : strdup("");
    out->body_len = b.n;
    out->headers = h.p ? h.p : strdup("");
    if (out->body_len)
        out->json = json_loadb(out->body, out->body_len, 0, NULL);
    return 0;
}

const char *it_header(const struct it_response *r, const char *name)
{
    static __thread char val[1024];
    size_t nl = strlen(name);
    const char *p = r->headers;
    const char *found = NULL;
    while (p && *p) {
        const char *eol = strstr(p, "\r\n");
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        /* the last block wins (after a 100 Continue or redirects) */
        if (len > nl && strncasecmp(p, name, nl) == 0 && p[nl] == ':')
            found = p;
        p = eol ? eol + 2 : p + len;
    }
    if (!found)
        return NULL;
    found += nl + 1;
    while (*found == ' ')
        found++;
    const char *eol = strstr(found, "\r\n");
    size_t len = eol ? (size_t)(eol - found) : strlen(found);
    if (len >= sizeof val)
        len = sizeof val - 1;
    memcpy(val, found, len);
    val[len] = '\0';
    return val;
}

void it_response_free(struct it_response *r)
{
    free(r->body);
    free(r->headers);
    if (r->json)
        json_decref(r->json);
    memset(r, 0, sizeof *r);
}

json_t *it_json_get(json_t *root, const char *path)
{
    json_t *cur = root;
    char buf[256];
    snprintf(buf, sizeof buf, "%s", path);
    for (char *save = NULL, *tok = strtok_r(buf, ".", &save); tok && cur;
         tok = strtok_r(NULL, ".", &save)) {
        if (json_is_array(cur) && isdigit((unsigned char)tok[0]))
            cur = json_array_get(cur, (size_t)atoi(tok));
        else
            cur = json_object_get(cur, tok);
    }
    return cur;
}

const char *it_json_str(json_t *root, const char *path)
{
    json_t *v = it_json_get(root, path);
    return json_is_string(v) ? json_string_value(v) : NULL;
}

/* ---- the runner ---- */

#define SUITE(name) Suite *name##_suite(void);
#include "integration_suites.h"
#undef SUITE

int main(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
    signal(SIGPIPE, SIG_IGN);
    SRunner *sr = srunner_create(NULL);
#define SUITE(name) srunner_add_suite(sr, name##_suite());
#include "integration_suites.h"
#undef SUITE
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
