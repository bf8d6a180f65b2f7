/* api_quotes: POST /v1/quotes and GET /v1/quotes/{id} (forwarder, operator).
 *
 * POST validates the body strictly on the MHD thread (400 validation_failed
 * listing every faulty field by JSON Pointer, unknown fields included; 422
 * unknown_location for codes the current snapshot does not know; 503 while
 * no snapshot is loaded).  A request that finds the offer of an identical
 * one answered moments ago (quote_cache.h; by its raw bytes even before
 * the body is parsed, api_quotes_early) is answered there.  Otherwise it
 * runs on a libuv pool thread: the booked quantities (kept in memory, read
 * when they changed), quote_compute on the snapshot the request started
 * with, and the offer rendered and kept.  Either way the quote gets its own
 * id and row, queued for the write-behind writer (quote_writer.h) before
 * the answer leaves.  201 with the quote and Location, 422 no_route, 409
 * capacity_unavailable, 503 while the writer cannot store quotes.
 *
 * Pricing date: the UTC date when the quote is made (tariff, surcharge and
 * discount validity, FX).  ready_date: a real day, from yesterday (UTC) to a
 * year ahead; the search starts at 00:00 UTC that day and looks
 * cfg->quote_horizon_days ahead.
 *
 * GET answers the stored quote to its organization and to operators (404
 * for anyone else, and for an id that is not a UUID). */
#ifndef CORRIDOR_API_QUOTES_H
#define CORRIDOR_API_QUOTES_H

#include "http.h"

extern const struct http_route_table api_quotes_routes;

/* POST /v1/quotes before its body is parsed (http_route_early): answers a
 * request whose bytes, organization, role, day, data version and booked
 * state are those of one answered moments ago, with that offer; false
 * otherwise (the usual path). */
bool api_quotes_early(struct http_request *req);

#endif
