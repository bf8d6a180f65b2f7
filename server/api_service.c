/* api_service: health, readiness, metrics, the OpenAPI document and the web
 * console's static files (see include/api_service.h).  None of these touch
 * PostgreSQL; readiness reads flags other modules keep current. */
#include "api_service.h"

#include "app.h"
#include "config.h"
#include "db.h"
#include "log.h"
#include "metrics.h"
#include "refdata.h"
#include "snapshot.h"
#include "xmem.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define STATIC_MAX_BYTES (16u << 20)

static char *openapi_doc; /* read-only after start */
static size_t openapi_len;
static char *www_real; /* realpath of www_root, or NULL */

int api_service_start(const struct config *cfg)
{
    FILE *f = fopen(cfg->openapi_path, "rb");
    if (f) {
        struct stat st;
        if (fstat(fileno(f), &st) == 0 && st.st_size > 0 && st.st_size < (off_t)STATIC_MAX_BYTES) {
            openapi_doc = xmalloc((size_t)st.st_size + 1);
            openapi_len = fread(openapi_doc, 1, (size_t)st.st_size, f);
            openapi_doc[openapi_len] = '\0';
        }
        fclose(f);
    }
    if (!openapi_doc) {
        log_event(LOGL_WARN, "openapi_missing", "cannot read %s: /openapi.json answers 404",
                  cfg->openapi_path);
    } else {
        json_error_t je;
        json_t *doc = json_loadb(openapi_doc, openapi_len, 0, &je);
        if (!doc)
            log_event(LOGL_WARN, "openapi_invalid", "%s:%d: %s", cfg->openapi_path, je.line,
                      je.text);
        json_decref(doc);
    }
    www_real = realpath(cfg->www_root, NULL);
    if (!www_real)
        log_event(LOGL_WARN, "www_missing", "web console directory %s: %s", cfg->www_root,
                  strerror(errno));
    return 0;
}

void api_service_stop(void)
{
    free(openapi_doc);
    openapi_doc = NULL;
    openapi_len = 0;
    free(www_real);
    www_real = NULL;
}

static void h_healthz(struct http_request *req)
{
    http_set_header(req, "Cache-Control", "no-store");
    http_reply_json(req, 200, json_pack("{s:s}", "status", "ok"));
}

static void h_readyz(struct http_request *req)
{
    bool keys = refdata_ready();
    bool db = app.db && db_pool_healthy(app.db);
    http_set_header(req, "Cache-Control", "no-store");
    if (keys && db) {
        json_t *body = json_pack("{s:s}", "status", "ready");
        struct snapshot *snap = snapshot_acquire(); /* NULL until pricing data is loaded */
        if (snap) {
            json_object_set_new(body, "data_version", json_integer(snapshot_version(snap)));
            snapshot_release(snap);
        }
        http_reply_json(req, 200, body);
        return;
    }
    http_set_header(req, "Retry-After", "1");
    http_reply_problemf(req, 503, "service_unavailable", "not ready: %s%s%s",
                        db ? "" : "PostgreSQL is unreachable", !db && !keys ? "; " : "",
                        keys ? "" : "reference data is not loaded yet");
}

static void h_metrics(struct http_request *req)
{
    size_t len;
    char *text = metrics_render(&len);
    http_set_header(req, "Cache-Control", "no-store");
    http_reply_raw(req, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
    free(text);
}

static void h_openapi(struct http_request *req)
{
    if (!openapi_doc) {
        http_reply_problem(req, 404, "not_found", "the OpenAPI document is not installed", NULL);
        return;
    }
    http_set_header(req, "Cache-Control", "no-cache");
    http_reply_raw(req, 200, "application/json", openapi_doc, openapi_len);
}

/* ---- static files ---- */

static const struct {
    const char *ext, *type;
} content_types[] = {
    {".html", "text/html; charset=utf-8"},
    {".js", "text/javascript; charset=utf-8"},
    {".mjs", "text/javascript; charset=utf-8"},
    {".css", "text/css; charset=utf-8"},
    {".json", "application/json"},
    {".map", "application/json"},
    {".svg", "image/svg+xml"},
    {".png", "image/png"},
    {".jpg", "image/jpeg"},
    {".jpeg", "image/jpeg"},
    {".webp", "image/webp"},
    {".ico", "image/x-icon"},
    {".txt", "text/plain; charset=utf-8"},
    {".woff2", "font/woff2"},
};

static const char *content_type_of(const char *path)
{
    const char *dot = strrchr(path, '.');
    const char *slash = strrchr(path, '/');
    if (dot && (!slash || dot > slash)) {
        for (size_t i = 0; i < sizeof content_types / sizeof content_types[0]; i++)
            if (strcasecmp(dot, content_types[i].ext) == 0)
                return content_types[i].type;
    }
    return "application/octet-stream";
}

/* True when every segment of rel (no leading '/') is a plain name: not
 * empty, not "." or "..", no backslash, no hidden file. */
static bool safe_relative(const char *rel)
{
    if (!*rel || strlen(rel) > 512)
        return false;
    const char *p = rel;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0 || p[0] == '.')
            return false;
        for (size_t i = 0; i < n; i++)
            if (p[i] == '\\' || (unsigned char)p[i] < 0x20)
                return false;
        p += n;
        if (*p == '/')
            p++;
    }
    return p[-1] != '/';
}

static void not_found(struct http_request *req)
{
    http_reply_problem(req, 404, "not_found", "no such resource", NULL);
}

static void h_static(struct http_request *req)
{
    const char *path = http_path(req);
    const char *rel = strcmp(path, "/") == 0 ? "index.html" : path + 1;
    char *full = NULL, *real = NULL, *data = NULL;
    int fd = -1;
    if (!www_real || !safe_relative(rel)) {
        not_found(req);
        goto out;
    }
    full = xasprintf("%s/%s", www_real, rel);
    real = realpath(full, NULL);
    size_t rl = strlen(www_real);
    /* the resolved file must still lie inside the web root (symlinks) */
    if (!real || strncmp(real, www_real, rl) != 0 || real[rl] != '/') {
        not_found(req);
        goto out;
    }
    fd = open(real, O_RDONLY | O_CLOEXEC);
    struct stat st;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) ||
        st.st_size > (off_t)STATIC_MAX_BYTES) {
        not_found(req);
        goto out;
    }
    char etag[64];
    snprintf(etag, sizeof etag, "\"%llx-%llx\"", (unsigned long long)st.st_size,
             (unsigned long long)st.st_mtim.tv_sec * 1000000000ull +
                 (unsigned long long)st.st_mtim.tv_nsec);
    char lm[64];
    struct tm tm;
    gmtime_r(&st.st_mtim.tv_sec, &tm);
    strftime(lm, sizeof lm, "%a, %d %b %Y %H:%M:%S GMT", &tm);
    http_set_header(req, "ETag", etag);
    http_set_header(req, "Last-Modified", lm);
    /* revalidate every time: an edited console file is never served stale */
    http_set_header(req, "Cache-Control", "no-cache");
    http_set_header(req, "X-Content-Type-Options", "nosniff");
    const char *inm = http_header(req, "If-None-Match");
    if (inm && strstr(inm, etag)) {
        http_reply_raw(req, 304, NULL, "", 0);
        goto out;
    }
    size_t size = (size_t)st.st_size, got = 0;
    data = xmalloc(size + 1);
    while (got < size) {
        ssize_t r = read(fd, data + got, size - got);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            break;
        got += (size_t)r;
    }
    if (got != size) {
        http_reply_problem(req, 500, "internal_error", "the file could not be read", NULL);
        goto out;
    }
    http_reply_raw(req, 200, content_type_of(real), data, size);
out:
    if (fd >= 0)
        close(fd);
    free(data);
    free(real);
    free(full);
}

static const struct http_route routes[] = {
    {HTTP_GET, "/healthz", "healthz", 0, false, h_healthz},
    {HTTP_GET, "/readyz", "readyz", 0, false, h_readyz},
    {HTTP_GET, "/metrics", "metrics", 0, false, h_metrics},
    {HTTP_GET, "/openapi.json", "openapi", 0, false, h_openapi},
    {HTTP_GET, "/", "static", 0, false, h_static},
    {HTTP_GET, "/{file*}", "static", 0, false, h_static},
};

const struct http_route_table api_service_routes = {routes, sizeof routes / sizeof routes[0]};
