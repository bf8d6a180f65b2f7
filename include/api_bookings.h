/* api_bookings: the booking endpoints.
 *   POST  /v1/bookings                       book a quote's option (forwarder, operator)
 *   GET   /v1/bookings                       newest first, ?status=&cursor=&limit=
 *   GET   /v1/bookings/{reference}           with ETag "<version>"
 *   PATCH /v1/bookings/{reference}           customer_reference, container counts; If-Match
 *   POST  /v1/bookings/{reference}/confirm   HELD -> CONFIRMED
 *   POST  /v1/bookings/{reference}/cancel    HELD/CONFIRMED -> CANCELLED
 *   GET   /v1/bookings/{reference}/events    the booking's history, oldest first
 * Bodies and parameters are validated on the MHD thread; everything that
 * touches PostgreSQL runs on a pool thread (http_defer), each change in one
 * transaction (store_booking.h).  Carriers read the bookings on their links
 * and get 403 on changes. */
#ifndef CORRIDOR_API_BOOKINGS_H
#define CORRIDOR_API_BOOKINGS_H

#include "http.h"

/* Static route table (routes.c lists it). */
extern const struct http_route_table api_bookings_routes;

#endif
