/* api_network: the read endpoints on the corridor's network and schedules —
 * GET /v1/nodes, /v1/links, /v1/departures, /v1/ports/{code}/windows,
 * /v1/tariffs — for any valid key.  Query parameters are validated on the
 * MHD thread (400 validation_failed with pointers "/query/<name>"); the
 * reads run on a pool thread (503 when PostgreSQL is unreachable). */
#ifndef CORRIDOR_API_NETWORK_H
#define CORRIDOR_API_NETWORK_H

#include "http.h"

extern const struct http_route_table api_network_routes;

#endif
