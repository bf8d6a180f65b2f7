/* store_network: the SQL of the read endpoints on the corridor's network and
 * schedules (nodes, links, departures, port windows, tariffs).
 *
 * PostgreSQL renders each item as JSON text (so decimals such as lat/lon,
 * distances and rates keep their exact digits), and each list is one keyset
 * page: at most limit items after the cursor key, plus the key of the last
 * item when more follow.  Every function runs on a pool thread holding c. */
#ifndef CORRIDOR_STORE_NETWORK_H
#define CORRIDOR_STORE_NETWORK_H

#include <stdbool.h>

struct db_conn;

enum store_network_status {
    STORE_NETWORK_OK = 0,
    STORE_NETWORK_UNAVAILABLE = -1, /* the connection to PostgreSQL broke */
    STORE_NETWORK_ERROR = -2,       /* any other failure (logged) */
};

/* One page of a list.  items: a JSON array as text ("[{...},...]");
 * next_key: the keyset key of the last item when more items follow, else
 * NULL.  Both owned by the page: free with store_network_page_free(). */
struct store_network_page {
    char *items;
    char *next_key;
};
void store_network_page_free(struct store_network_page *p);

/* Filters; string fields are NULL when absent.  Dates are validated
 * YYYY-MM-DD strings; after is a key from an earlier page's next_key
 * (validated by the caller with store_network_key_valid()). */
struct store_network_query {
    const char *after;
    int limit; /* 1..200 */
    const char *from, *to;          /* departures: node codes */
    const char *date_from, *date_to; /* departures, windows: inclusive days (UTC) */
    const char *node;               /* windows: node code */
    const char *on;                 /* tariffs: the day in force (NULL = today) */
};

/* Key kinds, for validating a decoded cursor before it reaches SQL. */
enum store_network_key { STORE_KEY_CODE, STORE_KEY_ID, STORE_KEY_TIME_ID };
bool store_network_key_valid(enum store_network_key kind, const char *key);

int store_network_nodes(struct db_conn *c, const struct store_network_query *q,
                        struct store_network_page *out);
int store_network_links(struct db_conn *c, const struct store_network_query *q,
                        struct store_network_page *out);
int store_network_departures(struct db_conn *c, const struct store_network_query *q,
                             struct store_network_page *out);
int store_network_windows(struct db_conn *c, const struct store_network_query *q,
                          struct store_network_page *out);
int store_network_tariffs(struct db_conn *c, const struct store_network_query *q,
                          struct store_network_page *out);

/* Sets *known_from / *known_to to whether the node codes exist (true for a
 * NULL code).  Returns a status. */
int store_network_nodes_exist(struct db_conn *c, const char *from, const char *to,
                              bool *known_from, bool *known_to);

#endif
