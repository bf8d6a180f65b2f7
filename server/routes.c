/* routes: the list of every api_* module's route table (see include/routes.h).
 * Each api_<x>.c exports `const struct http_route_table api_<x>_routes`
 * declared in include/api_<x>.h; add one include and one line below for each
 * new module (quotes, bookings, events, stats).  Order does not matter: the
 * most specific pattern wins. */
#include "routes.h"

#include "api_bookings.h"
#include "api_events.h"
#include "api_network.h"
#include "api_quotes.h"
#include "api_service.h"
#include "api_stats.h"

const struct http_route_table *const corridor_routes[] = {
    &api_service_routes,
    &api_network_routes,
    &api_quotes_routes,
    &api_bookings_routes,
    &api_events_routes,
    &api_stats_routes,
    NULL,
};
