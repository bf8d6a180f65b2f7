/* api_stats: GET /v1/stats/corridor?from=YYYY-MM-DD&to=YYYY-MM-DD (operators;
 * 403 for others) -- booked TEU, tonnes and revenue (per currency and in USD)
 * by month and by branch (eastern rail, Caspian crossing, other),
 * departures' utilization and the pace against 20 million tonnes a year by
 * 2030, for departures in [from, to).  Defaults: from = the first day of
 * the current month, to = from + 1 year; at most 5 years.  The figures and
 * their definitions are corridor.booking_stats() (022_bookings_feed.sql). */
#ifndef CORRIDOR_API_STATS_H
#define CORRIDOR_API_STATS_H

#include "http.h"

/* Static route table (routes.c lists it). */
extern const struct http_route_table api_stats_routes;

#endif
