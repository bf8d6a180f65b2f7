/* config: config/corridord.json (jansson), then CORRIDOR_* environment
 * overrides.  Loaded once on the main thread before any other thread starts;
 * read-only afterwards, so any thread may read it. */
#ifndef CORRIDOR_CONFIG_H
#define CORRIDOR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

struct config {
    char *listen_host;             /* "listen": "127.0.0.1:8080" */
    unsigned listen_port;          /* 0 = any free port (tests); the bound port is logged */
    char *database_url;            /* libpq connection string or URI */
    char *database_role;           /* SET ROLE after connect ("corridor_app"); NULL/"" = none */
    unsigned workers;              /* libuv pool threads = PostgreSQL pool size */
    unsigned booking_concurrency;  /* booking changes on the pool at once; 0 in the file or
                                    * environment = the online CPUs; never 0 once loaded */
    unsigned booking_batch;        /* creates that waited for the lane booked together at
                                    * most (1..32, default 8; 1 = one at a time) */
    unsigned http_threads;         /* libmicrohttpd thread pool */
    unsigned connection_timeout_s; /* idle HTTP connection timeout */
    unsigned connection_limit;     /* open HTTP connections in all */
    size_t body_limit;             /* bytes; larger bodies get 413 */
    unsigned quote_ttl_s;          /* a quote's price holds this long (default 1800) */
    unsigned quote_horizon_days;   /* itinerary search horizon after ready_date (default 30) */
    unsigned hold_ttl_s;           /* HELD bookings expire after this (default 900) */
    unsigned sweep_interval_ms;    /* hold-expiry sweeper period (default 1000) */
    unsigned rate_limit_per_minute;/* requests per API key per minute; 0 = unlimited */
    char **cors_origins;           /* allowed Origin values; "*" allows any */
    size_t n_cors_origins;
    char *log_level;               /* debug, info, warn, error */
    char *www_root;                /* static files of the web console */
    char *openapi_path;            /* the OpenAPI document served at /openapi.json */
    char *sql_dir;                 /* <sql_dir>/migrations and <sql_dir>/seed (default "sql") */
};

/* Fills cfg with defaults, then the JSON file at path (NULL: config/corridord.json
 * if it exists), then the environment (CORRIDOR_DATABASE_URL, CORRIDOR_LISTEN,
 * CORRIDOR_WORKERS, CORRIDOR_LOG_LEVEL, and CORRIDOR_<KEY> for the other keys).
 * Returns 0, or -1 with one line naming the bad key or value in err.
 * An unknown key is an error.  Free with config_free(). */
int config_load(struct config *cfg, const char *path, char *err, size_t errlen);

/* Parses "host:port"; returns 0 or -1. */
int config_parse_listen(const char *s, char **host, unsigned *port);

void config_free(struct config *cfg);

#endif
