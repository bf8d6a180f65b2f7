/* metrics: counters, gauges and latency histograms, rendered as Prometheus
 * text at /metrics.  Any thread; counters are atomics or under one lock. */
#ifndef CORRIDOR_METRICS_H
#define CORRIDOR_METRICS_H

#include <stddef.h>

/* Records one finished request (route label, status, seconds). */
void metrics_request(const char *route, unsigned status, double seconds);
/* Adds n to a named counter (created on first use), e.g. "corridor_bookings_total". */
void metrics_count(const char *name, const char *help, double n);
/* Registers a gauge read at render time: fn(arg) returns its value. */
void metrics_gauge(const char *name, const char *help, double (*fn)(void *arg), void *arg);
/* Renders everything; returns a malloc'd string (free it) and its length. */
char *metrics_render(size_t *len);

#endif
