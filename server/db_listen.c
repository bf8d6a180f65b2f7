/* db_listen: the LISTEN connection (see include/db_listen.h).
 *
 * Connecting and issuing LISTEN run on a libuv pool thread (uv_queue_work),
 * so a slow or refused connect never blocks the loop; the loop then polls a
 * private dup of the socket (libpq may close its own fd), reads
 * notifications, and on loss of the connection re-connects after a back-off
 * timer. */
#include "db_listen.h"

#include "db.h"
#include "log.h"
#include "xmem.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define BACKOFF_MIN_MS 200
#define BACKOFF_MAX_MS 2000

struct db_listener {
    uv_loop_t *loop;
    char *url;
    char **channels;
    db_notify_fn on_notify;
    void *arg;
    PGconn *pg;       /* owned by the loop thread while connected */
    uv_poll_t *poll;  /* heap: freed in its close callback */
    int poll_fd;      /* our dup of PQsocket */
    uv_timer_t *timer; /* reconnect back-off; heap, closed on stop */
    uv_work_t work;
    PGconn *connecting; /* result of the pool-thread connect */
    bool work_busy;
    bool stopping;
    int backoff_ms;
};

static void listen_schedule(struct db_listener *l);

static void poll_closed(uv_handle_t *h)
{
    int fd = (int)(intptr_t)h->data;
    if (fd >= 0)
        close(fd);
    free(h);
}

static void timer_closed(uv_handle_t *h)
{
    free(h);
}

static void listen_free_if_idle(struct db_listener *l)
{
    if (!l->stopping || l->work_busy)
        return;
    if (l->pg)
        PQfinish(l->pg);
    for (size_t i = 0; l->channels && l->channels[i]; i++)
        free(l->channels[i]);
    free(l->channels);
    free(l->url);
    free(l);
}

static void stop_polling(struct db_listener *l)
{
    if (l->poll) {
        uv_poll_stop(l->poll);
        l->poll->data = (void *)(intptr_t)l->poll_fd;
        if (!uv_is_closing((uv_handle_t *)l->poll))
            uv_close((uv_handle_t *)l->poll, poll_closed);
        l->poll = NULL;
        l->poll_fd = -1;
    }
}

static void connection_lost(struct db_listener *l, const char *why)
{
    log_event(LOGL_WARN, "db.listen_lost", "LISTEN connection lost: %s", why);
    stop_polling(l);
    if (l->pg)
        PQfinish(l->pg);
    l->pg = NULL;
    listen_schedule(l);
}

static void on_readable(uv_poll_t *h, int status, int events)
{
    struct db_listener *l = h->data;
    if (l->stopping || !l->pg)
        return;
    if (status < 0 || !PQconsumeInput(l->pg) || PQstatus(l->pg) != CONNECTION_OK) {
        char msg[256];
        snprintf(msg, sizeof msg, "%s", l->pg ? PQerrorMessage(l->pg) : "");
        msg[strcspn(msg, "\n")] = '\0';
        connection_lost(l, msg[0] ? msg : uv_strerror(status));
        return;
    }
    PGnotify *n;
    while (l->pg && (n = PQnotifies(l->pg)) != NULL) {
        l->on_notify(n->relname, n->extra, l->arg);
        PQfreemem(n);
    }
}

/* Pool thread: connect and LISTEN on every channel. */
static void listen_connect_work(uv_work_t *w)
{
    struct db_listener *l = w->data;
    l->connecting = db_connect(l->url, "corridord-listen");
    if (!l->connecting)
        return;
    for (size_t i = 0; l->channels[i]; i++) {
        char *id = PQescapeIdentifier(l->connecting, l->channels[i], strlen(l->channels[i]));
        char sql[256];
        snprintf(sql, sizeof sql, "LISTEN %s", id ? id : "\"\"");
        PQfreemem(id);
        PGresult *r = PQexec(l->connecting, sql);
        bool ok = PQresultStatus(r) == PGRES_COMMAND_OK;
        PQclear(r);
        if (!ok) {
            log_event(LOGL_WARN, "db.listen_failed", "%s failed", sql);
            PQfinish(l->connecting);
            l->connecting = NULL;
            return;
        }
    }
}

static void listen_connect_done(uv_work_t *w, int status)
{
    struct db_listener *l = w->data;
    l->work_busy = false;
    PGconn *pg = l->connecting;
    l->connecting = NULL;
    if (l->stopping) {
        if (pg)
            PQfinish(pg);
        listen_free_if_idle(l);
        return;
    }
    if (!pg) {
        listen_schedule(l);
        return;
    }
    int fd = fcntl(PQsocket(pg), F_DUPFD_CLOEXEC, 0);
    if (fd < 0) {
        PQfinish(pg);
        listen_schedule(l);
        return;
    }
    l->pg = pg;
    l->poll_fd = fd;
    l->poll = xcalloc(1, sizeof *l->poll);
    uv_poll_init(l->loop, l->poll, fd);
    l->poll->data = l;
    uv_poll_start(l->poll, UV_READABLE, on_readable);
    l->backoff_ms = BACKOFF_MIN_MS;
    log_event(LOGL_INFO, "db.listening", "LISTEN connection up");
    /* The owner resynchronises whatever it may have missed. */
    l->on_notify(NULL, NULL, l->arg);
    /* Notifications may already sit in libpq's buffer. */
    if (l->pg && PQisBusy(l->pg) == 0) {
        PGnotify *n;
        while (l->pg && (n = PQnotifies(l->pg)) != NULL) {
            l->on_notify(n->relname, n->extra, l->arg);
            PQfreemem(n);
        }
    }
}

static void start_connect(struct db_listener *l)
{
    if (l->stopping || l->work_busy || l->pg)
        return;
    l->work_busy = true;
    l->work.data = l;
    if (uv_queue_work(l->loop, &l->work, listen_connect_work, listen_connect_done) != 0) {
        l->work_busy = false;
        listen_schedule(l);
    }
}

static void on_backoff_timer(uv_timer_t *t)
{
    start_connect(t->data);
}

static void listen_schedule(struct db_listener *l)
{
    if (l->stopping)
        return;
    int ms = l->backoff_ms;
    l->backoff_ms = ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms * 2;
    uv_timer_start(l->timer, on_backoff_timer, (uint64_t)ms, 0);
}

struct db_listener *db_listen_start(uv_loop_t *loop, const char *url, const char *const *channels,
                                    db_notify_fn on_notify, void *arg)
{
    struct db_listener *l = xcalloc(1, sizeof *l);
    l->loop = loop;
    l->url = xstrdup(url ? url : "");
    size_t n = 0;
    while (channels && channels[n])
        n++;
    l->channels = xcalloc(n + 1, sizeof *l->channels);
    for (size_t i = 0; i < n; i++)
        l->channels[i] = xstrdup(channels[i]);
    l->on_notify = on_notify;
    l->arg = arg;
    l->poll_fd = -1;
    l->backoff_ms = BACKOFF_MIN_MS;
    l->timer = xcalloc(1, sizeof *l->timer);
    uv_timer_init(loop, l->timer);
    l->timer->data = l;
    start_connect(l);
    return l;
}

void db_listen_stop(struct db_listener *l)
{
    if (!l)
        return;
    l->stopping = true;
    stop_polling(l);
    if (l->timer) {
        uv_timer_stop(l->timer);
        if (!uv_is_closing((uv_handle_t *)l->timer))
            uv_close((uv_handle_t *)l->timer, timer_closed);
        l->timer = NULL;
    }
    listen_free_if_idle(l);
}
