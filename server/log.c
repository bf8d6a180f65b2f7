/* log: one JSON line per event on stderr (see include/log.h).  Each line is
 * built in a local buffer and written with one write(2), so lines from
 * different threads never interleave.  Strings are escaped here (not with
 * jansson) because they may come from clients and need not be valid UTF-8:
 * invalid bytes become U+FFFD. */
#include "log.h"

#include <errno.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define LINE_MAX_BYTES 8192

static _Atomic int current_level = LOGL_INFO;

static const char *const level_names[] = {"debug", "info", "warn", "error"};

int log_level_parse(const char *s, enum log_level *out)
{
    if (!s)
        return -1;
    for (int i = 0; i < 4; i++) {
        if (strcmp(s, level_names[i]) == 0) {
            *out = (enum log_level)i;
            return 0;
        }
    }
    if (strcmp(s, "warning") == 0) {
        *out = LOGL_WARN;
        return 0;
    }
    return -1;
}

void log_set_level(enum log_level lvl)
{
    atomic_store(&current_level, (int)lvl);
}

enum log_level log_get_level(void)
{
    return (enum log_level)atomic_load(&current_level);
}

/* A bounded line buffer; a piece that does not fit is dropped whole (the
 * line is then cut, but stays valid JSON and UTF-8 up to the closing). */
struct line {
    char buf[LINE_MAX_BYTES];
    size_t len;
};

static void put(struct line *l, const char *s, size_t n)
{
    /* keep room for the closing "\"}\n" */
    size_t room = sizeof l->buf - 8 - l->len;
    if (n > room)
        return;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

static void puts_(struct line *l, const char *s)
{
    put(l, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if invalid. */
static size_t utf8_seq(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    size_t len;
    unsigned cp;
    if (c < 0x80)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        len = 2;
        cp = c & 0x1f;
    } else if (c >= 0xe0 && c <= 0xef) {
        len = 3;
        cp = c & 0x0f;
    } else if (c >= 0xf0 && c <= 0xf4) {
        len = 4;
        cp = c & 0x07;
    } else {
        return 0;
    }
    if (n < len)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xc0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3f);
    }
    if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
        (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
        return 0;
    return len;
}

/* Appends s as the inside of a JSON string. */
static void put_escaped(struct line *l, const char *s)
{
    const unsigned char *p = (const unsigned char *)(s ? s : "");
    size_t n = strlen((const char *)p);
    while (n > 0) {
        unsigned char c = *p;
        char esc[8];
        if (c == '"' || c == '\\') {
            esc[0] = '\\';
            esc[1] = (char)c;
            put(l, esc, 2);
            p++;
            n--;
        } else if (c < 0x20 || c == 0x7f) {
            const char *short_esc = c == '\n'   ? "\\n"
                                    : c == '\r' ? "\\r"
                                    : c == '\t' ? "\\t"
                                                : NULL;
            if (short_esc) {
                puts_(l, short_esc);
            } else {
                snprintf(esc, sizeof esc, "\\u%04x", c);
                puts_(l, esc);
            }
            p++;
            n--;
        } else {
            size_t k = utf8_seq(p, n);
            if (k == 0) {
                puts_(l, "\\ufffd");
                k = 1;
            } else {
                put(l, (const char *)p, k);
            }
            p += k;
            n -= k;
        }
    }
}

/* Appends ,"key":"value" whole, or not at all when it does not fit; an
 * overlong value is cut (at a character boundary) inside its quotes. */
static void put_field(struct line *l, const char *key, const char *value)
{
    struct line f;
    f.len = 0;
    puts_(&f, ",\"");
    puts_(&f, key);
    puts_(&f, "\":\"");
    put_escaped(&f, value);
    f.buf[f.len++] = '"';
    if (l->len + f.len + 8 <= sizeof l->buf) {
        memcpy(l->buf + l->len, f.buf, f.len);
        l->len += f.len;
    }
}

static void begin(struct line *l, enum log_level lvl, const char *event)
{
    struct timespec ts;
    struct tm tm;
    char tbuf[64];
    clock_gettime(CLOCK_REALTIME, &ts);
    gmtime_r(&ts.tv_sec, &tm);
    size_t n = strftime(tbuf, sizeof tbuf, "%Y-%m-%dT%H:%M:%S", &tm);
    snprintf(tbuf + n, sizeof tbuf - n, ".%03ldZ", ts.tv_nsec / 1000000);
    l->len = 0;
    puts_(l, "{\"ts\":\"");
    puts_(l, tbuf);
    puts_(l, "\",\"level\":\"");
    puts_(l, level_names[lvl]);
    puts_(l, "\"");
    put_field(l, "event", event);
}

static void finish(struct line *l)
{
    l->buf[l->len++] = '}';
    l->buf[l->len++] = '\n';
    size_t off = 0;
    while (off < l->len) {
        ssize_t w = write(STDERR_FILENO, l->buf + off, l->len - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            break;
        off += (size_t)w;
    }
}

void log_event(enum log_level lvl, const char *event, const char *fmt, ...)
{
    if ((int)lvl < atomic_load(&current_level) || lvl > LOGL_ERROR)
        return;
    struct line l;
    char msg[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    begin(&l, lvl, event);
    put_field(&l, "msg", msg);
    finish(&l);
}

void log_request(const char *request_id, const char *method, const char *path, const char *route,
                 unsigned status, double seconds, const char *org)
{
    enum log_level lvl = status >= 500 ? LOGL_WARN : LOGL_INFO;
    if ((int)lvl < atomic_load(&current_level))
        return;
    struct line l;
    char num[64];
    begin(&l, lvl, "request");
    put_field(&l, "request_id", request_id);
    put_field(&l, "method", method);
    /* a path is cut at 1 KiB: absurd client paths must not flood the log */
    char pbuf[1024];
    snprintf(pbuf, sizeof pbuf, "%s", path ? path : "");
    put_field(&l, "path", pbuf);
    put_field(&l, "route", route ? route : "");
    snprintf(num, sizeof num, ",\"status\":%u,\"ms\":%.3f", status, seconds * 1000.0);
    puts_(&l, num);
    if (org && *org)
        put_field(&l, "org", org);
    finish(&l);
}
