/* routes: every route table of the server, for http_start. */
#ifndef CORRIDOR_ROUTES_H
#define CORRIDOR_ROUTES_H

#include "http.h"

/* NULL-terminated; static data, any thread. */
extern const struct http_route_table *const corridor_routes[];

#endif
