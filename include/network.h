/* network: the corridor's nodes (stations, ports, border crossings) and
 * directed links between them.  Built once (network_new, network_add_*,
 * network_finish), then immutable and shared by any number of threads.
 * Nodes and links are addressed by index (uint32_t, in insertion order) and
 * found by UN/LOCODE or by link id.  Pure: no I/O. */
#ifndef CORRIDOR_NETWORK_H
#define CORRIDOR_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define NETWORK_CODE_MAX 8     /* node code: 5 or 6 characters + NUL */
#define NETWORK_CARRIER_MAX 17 /* org code: 2..16 characters + NUL */
#define NETWORK_NONE UINT32_MAX

/* Transport modes.  The value is also the route module's mode id, so a
 * quote's avoid_modes is a set of (1u << NETWORK_RAIL) etc. */
enum network_mode {
    NETWORK_RAIL = 0,
    NETWORK_SEA = 1,
    NETWORK_ROAD = 2,
};
#define NETWORK_N_MODES 3

struct network_node {
    char code[NETWORK_CODE_MAX]; /* "KZAAU" */
    char *name;
    char country[3];             /* ISO 3166 alpha-2 */
    char *kind;                  /* port, rail_station, border_crossing, terminal */
    char *timezone;              /* IANA name */
    bool has_position;
    int32_t lat_micro, lon_micro; /* degrees x 1e6 (numeric(9,6)), when has_position */
    int32_t transfer_minutes;    /* minimum time between arriving and leaving again */
};

struct network_link {
    int64_t id;                  /* corridor.link.id */
    uint32_t from, to;           /* node indices */
    enum network_mode mode;
    int32_t gauge_mm;            /* 1435, 1520, 1676 for rail; 0 otherwise */
    int64_t distance_km10;       /* km x 10 (numeric(8,1)) */
    int32_t transit_hours10;     /* hours x 10 (numeric(6,1)) */
    char carrier[NETWORK_CARRIER_MAX];
};

struct network; /* opaque */

/* An empty network being built.  Free with network_free.  Builder thread. */
struct network *network_new(void);
void network_free(struct network *n);

/* Adds a node; name/kind/timezone are copied (NULL allowed: stored as "").
 * Returns the new node's index, or -1 for a bad or duplicate code (err, if
 * not NULL, gets a message).  Only before network_finish. */
int64_t network_add_node(struct network *n, const struct network_node *node, char *err,
                         size_t errlen);

/* Adds a link between two node codes already added; the link's from/to
 * fields are ignored and filled from from_code/to_code.  Returns the link's
 * index or -1 (unknown node, from == to, duplicate id, bad gauge for the
 * mode, distance or transit not > 0) with a message in err. */
int64_t network_add_link(struct network *n, const struct network_link *link,
                         const char *from_code, const char *to_code, char *err, size_t errlen);

/* Indexes the network; afterwards it is read-only.  Returns 0. */
int network_finish(struct network *n);

size_t network_node_count(const struct network *n);
size_t network_link_count(const struct network *n);
/* The i-th node / link (i < count).  Pointers live as long as n. */
const struct network_node *network_node_at(const struct network *n, uint32_t i);
const struct network_link *network_link_at(const struct network *n, uint32_t i);

/* Index of the node with this code, or NETWORK_NONE (hash lookup). */
uint32_t network_node_find(const struct network *n, const char *code);
/* Index of the link with this id, or NETWORK_NONE (hash lookup). */
uint32_t network_link_find(const struct network *n, int64_t id);

/* "rail", "sea", "road"; network_mode_parse returns -1 for anything else. */
const char *network_mode_name(enum network_mode m);
int network_mode_parse(const char *s);

#endif
