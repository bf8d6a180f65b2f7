/* db_listen: the LISTEN connection, driven by uv_poll on the loop thread.
 * It is not a pooled connection (LISTEN is per session); it connects on a
 * libuv pool thread, so the loop never blocks on a connect, and reconnects by
 * itself with back-off (0.2 s doubling to 2 s). */
#ifndef CORRIDOR_DB_LISTEN_H
#define CORRIDOR_DB_LISTEN_H

#include <uv.h>

/* For every notification on one of channels, calls on_notify(channel,
 * payload, arg) on the loop thread.  After a (re)connect it calls
 * on_notify(NULL, NULL, arg) once, so the caller resynchronises what it may
 * have missed.  The listener owns copies of url and channels.  Loop thread
 * only. */
struct db_listener;
typedef void (*db_notify_fn)(const char *channel, const char *payload, void *arg);
struct db_listener *db_listen_start(uv_loop_t *loop, const char *url, const char *const *channels,
                                    db_notify_fn on_notify, void *arg);
/* Stops listening and frees l (at once, or when its connect job returns).
 * Loop thread only. */
void db_listen_stop(struct db_listener *l);

#endif
