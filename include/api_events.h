/* api_events: GET /v1/events?after=&limit=&wait= -- the booking event feed
 * (forwarders: their organization's events; carriers: those of bookings on
 * their links; operators: all), oldest first:
 *   {"items": [{"id", "at", "type", "booking_reference", "data"}],
 *    "next_cursor": "<the last id, or after when there is none>"}.
 *
 * Long-poll: with wait=1..30 and nothing after `after`, the request is
 * suspended (http_suspend) and parked in an in-process hub -- holding no
 * database connection and no worker thread -- until a NOTIFY
 * corridor_events (refdata_on_events, on the loop thread) says a newer
 * event exists; then it is queried again on a pool thread.  When the wait
 * ends it is answered with no items.  A hub generation counter closes the
 * race between the query and parking: a notification that arrives while the
 * query runs makes it query again instead of parking. */
#ifndef CORRIDOR_API_EVENTS_H
#define CORRIDOR_API_EVENTS_H

#include "http.h"

/* Static route table (routes.c lists it). */
extern const struct http_route_table api_events_routes;

/* Starts the hub: subscribes to corridor_events and sets up its timer on the
 * loop.  Main thread, after worker_start and before refdata_start. */
void api_events_start(void);

/* Answers every parked long-poll (no items) and answers later ones at once,
 * so that http_stop need not wait for them.  Main thread, before http_stop. */
void api_events_stop(void);

#endif
