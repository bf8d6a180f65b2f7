/* api_service: the endpoints that need no key and no database — GET /healthz,
 * /readyz, /metrics, /openapi.json, and the web console's static files under
 * cfg->www_root at / (index.html for "/").  All answered on the MHD thread. */
#ifndef CORRIDOR_API_SERVICE_H
#define CORRIDOR_API_SERVICE_H

#include "http.h"

struct config;

extern const struct http_route_table api_service_routes;

/* Loads the OpenAPI document (cfg->openapi_path) and resolves cfg->www_root.
 * A missing document or directory is logged and then answered 404.
 * Returns 0.  Main thread, before http_start. */
int api_service_start(const struct config *cfg);
/* Frees what api_service_start loaded.  Main thread, after http_stop. */
void api_service_stop(void);

#endif
