/* app: the process-wide parts that handlers reach (set up by main before the
 * HTTP daemon starts, torn down after it stops).  Read-only after start-up. */
#ifndef CORRIDOR_APP_H
#define CORRIDOR_APP_H

#include <stdbool.h>

struct config;
struct db_pool;
struct worker;
struct worker_lane;

struct app {
    const struct config *cfg;
    struct db_pool *db;
    struct worker *worker;
    struct worker_lane *booking_lane; /* booking changes: booking_concurrency at once */
    volatile bool ready;              /* snapshot loaded and keys loaded: /readyz */
};

extern struct app app;

#endif
