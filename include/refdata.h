/* refdata: keeps the server's in-memory copies of PostgreSQL's reference data
 * current.  On the loop thread it holds the LISTEN connection (channels
 * corridor_changed, corridor_keys, corridor_events); it loads API keys and the
 * pricing snapshot at start, reloads them on every notification (the loads
 * run on pool threads, the results are swapped in atomically), and after a
 * reconnect reloads everything, since notifications sent meanwhile are lost. */
#ifndef CORRIDOR_REFDATA_H
#define CORRIDOR_REFDATA_H

#include <stdbool.h>
#include <stdint.h>

/* Starts listening and the first loads.  Main thread, after worker_start. */
int refdata_start(void);
void refdata_stop(void);

/* True once keys and the snapshot have been loaded at least once.  Any thread. */
bool refdata_ready(void);

/* Subscribes to corridor_events notifications (payload: the newest event id);
 * fn runs on the loop thread, and also with payload NULL after a reconnect.
 * Main thread, before refdata_start. */
void refdata_on_events(void (*fn)(const char *payload, void *arg), void *arg);

#endif
