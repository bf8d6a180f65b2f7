/* main: the command line (`corridord serve | migrate | seed [-c FILE]`,
 * --help, --version), the wiring of the modules, signals and shutdown.
 *
 * serve: SIGTERM and SIGINT are blocked before any thread starts, so every
 * thread inherits the mask and only the main thread, in sigwait(), receives
 * them.  On a signal: stop accepting, let requests in flight finish
 * (http_stop), then stop the reference-data listener, the worker and the
 * pool, and exit 0. */
#include "api_events.h"
#include "api_quotes.h"
#include "api_service.h"
#include "app.h"
#include "auth.h"
#include "config.h"
#include "db.h"
#include "http.h"
#include "log.h"
#include "metrics.h"
#include "migrate.h"
#include "quote_cache.h"
#include "quote_writer.h"
#include "refdata.h"
#include "routes.h"
#include "sweeper.h"
#include "worker.h"

#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef CORRIDORD_VERSION
#define CORRIDORD_VERSION "0.1"
#endif

#define STOP_TIMEOUT_MS 10000

struct app app;

static void usage(FILE *f)
{
    fprintf(f,
            "usage: corridord serve|migrate|seed [-c FILE]\n"
            "       corridord --help | --version\n"
            "\n"
            "  serve    run the HTTP server\n"
            "  migrate  apply <sql_dir>/migrations not applied yet\n"
            "  seed     load <sql_dir>/seed (idempotent)\n"
            "  -c FILE  configuration file (default: config/corridord.json if present)\n"
            "\n"
            "Environment overrides the file: CORRIDOR_DATABASE_URL, CORRIDOR_LISTEN (host:port),\n"
            "CORRIDOR_WORKERS, CORRIDOR_LOG_LEVEL, and CORRIDOR_<KEY> for any other key.\n");
}

static double gauge_pool_in_use(void *arg)
{
    return app.db ? (double)db_pool_in_use(app.db) : 0;
}

static double gauge_pool_size(void *arg)
{
    return app.db ? (double)db_pool_size(app.db) : 0;
}

static double gauge_worker_pending(void *arg)
{
    return app.worker ? (double)worker_pending(app.worker) : 0;
}

static double gauge_booking_lane_waiting(void *arg)
{
    return app.booking_lane ? (double)worker_lane_waiting(app.booking_lane) : 0;
}

static double gauge_quotes_pending(void *arg)
{
    (void)arg;
    return (double)quote_writer_pending();
}

/* The writer dropped a batch: offers kept in memory may never have been
 * stored, so no later quote may point at them. */
static void forget_offers(void *arg)
{
    (void)arg;
    quote_cache_offers_clear();
}

static int serve(struct config *cfg)
{
    int rc = 1;
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &stop_signals, NULL);

    app.cfg = cfg;
    app.db = db_pool_create(cfg->database_url, cfg->database_role, cfg->workers);
    if (!app.db) {
        log_event(LOGL_ERROR, "start_failed", "cannot create the database pool");
        goto out;
    }
    if (worker_start(&app.worker, cfg->workers) != 0)
        goto out;
    /* booking changes lock the same hot rows: past a few at once they only
     * queue in PostgreSQL's lock manager, so the rest wait here instead */
    app.booking_lane = worker_lane_new(app.worker, cfg->booking_concurrency);
    worker_lane_set_batch(app.booking_lane, cfg->booking_batch);
    http_use_worker(app.worker);
    auth_set_rate_limit(cfg->rate_limit_per_minute);
    metrics_gauge("corridor_db_pool_in_use", "PostgreSQL connections in use.", gauge_pool_in_use,
                  NULL);
    metrics_gauge("corridor_db_pool_size", "PostgreSQL connections in the pool.", gauge_pool_size,
                  NULL);
    metrics_gauge("corridor_worker_pending",
                  "Jobs queued, waiting in a lane or running on the worker pool.",
                  gauge_worker_pending, NULL);
    metrics_gauge("corridor_booking_lane_waiting", "Booking changes waiting for a slot.",
                  gauge_booking_lane_waiting, NULL);
    if (quote_writer_start(cfg->database_url, cfg->database_role, forget_offers, NULL) != 0)
        goto out;
    metrics_gauge("corridor_quote_writer_pending", "Quotes answered and not yet committed.",
                  gauge_quotes_pending, NULL);
    api_events_start(); /* the long-poll hub subscribes before refdata_start */
    sweeper_start();    /* hold expiry on the loop's timer */
    if (refdata_start() != 0) {
        log_event(LOGL_ERROR, "start_failed", "cannot start the reference data listener");
        goto out;
    }
    api_service_start(cfg);
    /* a quote whose offer is kept is answered before its body is parsed */
    http_route_early("quotes_create", api_quotes_early);
    if (http_start(cfg, corridor_routes) != 0)
        goto out;
    log_event(LOGL_INFO, "listening", "corridord %s serving on http://%s%s%s:%u/",
              CORRIDORD_VERSION, strchr(cfg->listen_host, ':') ? "[" : "", cfg->listen_host,
              strchr(cfg->listen_host, ':') ? "]" : "", http_port());

    int sig = 0;
    while (sigwait(&stop_signals, &sig) != 0)
        ;
    log_event(LOGL_INFO, "stopping", "signal %d: finishing requests in flight", sig);
    api_events_stop(); /* answer parked long-polls so http_stop need not wait */
    http_stop(STOP_TIMEOUT_MS);
    rc = 0;
out:
    quote_writer_stop(); /* the quotes answered so far are stored before exit */
    refdata_stop();
    app.booking_lane = NULL; /* freed by worker_stop */
    worker_stop(app.worker);
    app.worker = NULL;
    db_pool_destroy(app.db);
    app.db = NULL;
    api_service_stop();
    if (rc == 0)
        log_event(LOGL_INFO, "stopped", "clean shutdown");
    return rc;
}

int main(int argc, char **argv)
{
    const char *cmd = NULL, *config_path = NULL;
    for (int i = 1; i < argc; i++) {
        if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
            usage(stdout);
            return 0;
        }
        if (strcmp(argv[i], "--version") == 0) {
            printf("corridord %s\n", CORRIDORD_VERSION);
            return 0;
        }
        if (strcmp(argv[i], "-c") == 0 || strcmp(argv[i], "--config") == 0) {
            if (i + 1 >= argc) {
                fprintf(stderr, "corridord: %s needs a file name\n", argv[i]);
                return 2;
            }
            config_path = argv[++i];
        } else if (!cmd && argv[i][0] != '-') {
            cmd = argv[i];
        } else {
            fprintf(stderr, "corridord: unexpected argument \"%s\"\n", argv[i]);
            usage(stderr);
            return 2;
        }
    }
    if (!cmd ||
        (strcmp(cmd, "serve") != 0 && strcmp(cmd, "migrate") != 0 && strcmp(cmd, "seed") != 0)) {
        if (cmd)
            fprintf(stderr, "corridord: unknown command \"%s\"\n", cmd);
        usage(stderr);
        return 2;
    }

    /* jansson's hash seed, once, before any thread exists (threadsafety.rst) */
    json_object_seed(0);
    signal(SIGPIPE, SIG_IGN);

    struct config cfg;
    char err[512];
    if (config_load(&cfg, config_path, err, sizeof err) != 0) {
        fprintf(stderr, "corridord: configuration: %s\n", err);
        return 2;
    }
    enum log_level lvl = LOGL_INFO;
    log_level_parse(cfg.log_level, &lvl);
    log_set_level(lvl);

    int rc;
    if (strcmp(cmd, "migrate") == 0)
        rc = migrate_run(cfg.database_url, cfg.sql_dir) == 0 ? 0 : 1;
    else if (strcmp(cmd, "seed") == 0)
        rc = seed_run(cfg.database_url, cfg.sql_dir) == 0 ? 0 : 1;
    else
        rc = serve(&cfg);
    config_free(&cfg);
    return rc;
}
