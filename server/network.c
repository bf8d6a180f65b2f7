/* network: nodes and directed links, indexed by code and by link id. */
#include "network.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xmem.h"

/* Open addressing: slots hold index + 1 (0 = empty); capacity a power of two
 * at least twice the entries, so probes stay short. */
struct index {
    uint32_t *slot;
    size_t cap;
};

struct network {
    struct network_node *nodes;
    size_t n_nodes, cap_nodes;
    struct network_link *links;
    size_t n_links, cap_links;
    struct index by_code; /* node index by code */
    struct index by_id;   /* link index by id */
    bool finished;
};

static uint64_t hash_code(const char *c)
{
    uint64_t h = 1469598103934665603ULL; /* FNV-1a */
    while (*c) {
        h ^= (unsigned char)*c++;
        h *= 1099511628211ULL;
    }
    return h;
}

static uint64_t hash_id(int64_t id)
{
    uint64_t x = (uint64_t)id;
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static uint32_t code_lookup(const struct network *n, const char *code)
{
    if (!n->by_code.cap)
        return NETWORK_NONE;
    size_t mask = n->by_code.cap - 1;
    for (size_t i = hash_code(code) & mask;; i = (i + 1) & mask) {
        uint32_t s = n->by_code.slot[i];
        if (s == 0)
            return NETWORK_NONE;
        if (strcmp(n->nodes[s - 1].code, code) == 0)
            return s - 1;
    }
}

static uint32_t id_lookup(const struct network *n, int64_t id)
{
    if (!n->by_id.cap)
        return NETWORK_NONE;
    size_t mask = n->by_id.cap - 1;
    for (size_t i = hash_id(id) & mask;; i = (i + 1) & mask) {
        uint32_t s = n->by_id.slot[i];
        if (s == 0)
            return NETWORK_NONE;
        if (n->links[s - 1].id == id)
            return s - 1;
    }
}

/* (Re)builds an index for count entries; key_hash(i) hashes entry i. */
static void index_rebuild(struct index *x, size_t count, const struct network *n,
                          uint64_t (*key_hash)(const struct network *, size_t))
{
    size_t cap = 16;
    while (cap < 2 * (count + 1))
        cap *= 2;
    free(x->slot);
    x->slot = xcalloc(cap, sizeof(uint32_t));
    x->cap = cap;
    for (size_t e = 0; e < count; e++) {
        size_t i = key_hash(n, e) & (cap - 1);
        while (x->slot[i])
            i = (i + 1) & (cap - 1);
        x->slot[i] = (uint32_t)e + 1;
    }
}

static uint64_t node_hash(const struct network *n, size_t e)
{
    return hash_code(n->nodes[e].code);
}

static uint64_t link_hash(const struct network *n, size_t e)
{
    return hash_id(n->links[e].id);
}

struct network *network_new(void)
{
    return xcalloc(1, sizeof(struct network));
}

void network_free(struct network *n)
{
    if (!n)
        return;
    for (size_t i = 0; i < n->n_nodes; i++) {
        free(n->nodes[i].name);
        free(n->nodes[i].kind);
        free(n->nodes[i].timezone);
    }
    free(n->nodes);
    free(n->links);
    free(n->by_code.slot);
    free(n->by_id.slot);
    free(n);
}

static bool valid_code(const char *c)
{
    size_t len = c ? strlen(c) : 0;
    if (len < 2 || len >= NETWORK_CODE_MAX)
        return false;
    for (size_t i = 0; i < len; i++)
        if (!((c[i] >= 'A' && c[i] <= 'Z') || (c[i] >= '0' && c[i] <= '9')))
            return false;
    return true;
}

#define ERR(...) (err ? (void)snprintf(err, errlen, __VA_ARGS__) : (void)0)

int64_t network_add_node(struct network *n, const struct network_node *node, char *err,
                         size_t errlen)
{
    if (n->finished) {
        ERR("network already finished");
        return -1;
    }
    if (!valid_code(node->code)) {
        ERR("invalid node code '%.*s'", NETWORK_CODE_MAX, node->code);
        return -1;
    }
    if (code_lookup(n, node->code) != NETWORK_NONE) {
        ERR("duplicate node code %s", node->code);
        return -1;
    }
    if (node->transfer_minutes < 0) {
        ERR("node %s: negative transfer_minutes", node->code);
        return -1;
    }
    if (n->n_nodes >= UINT32_MAX - 1) {
        ERR("too many nodes");
        return -1;
    }
    if (n->n_nodes == n->cap_nodes) {
        n->cap_nodes = n->cap_nodes ? n->cap_nodes * 2 : 64;
        n->nodes = xreallocarray(n->nodes, n->cap_nodes, sizeof *n->nodes);
    }
    struct network_node *d = &n->nodes[n->n_nodes];
    *d = *node;
    d->name = xstrdup(node->name ? node->name : "");
    d->kind = xstrdup(node->kind ? node->kind : "");
    d->timezone = xstrdup(node->timezone ? node->timezone : "");
    d->country[2] = '\0';
    n->n_nodes++;
    if (2 * (n->n_nodes + 1) > n->by_code.cap)
        index_rebuild(&n->by_code, n->n_nodes, n, node_hash);
    else {
        size_t mask = n->by_code.cap - 1, i = hash_code(d->code) & mask;
        while (n->by_code.slot[i])
            i = (i + 1) & mask;
        n->by_code.slot[i] = (uint32_t)n->n_nodes;
    }
    return (int64_t)n->n_nodes - 1;
}

int64_t network_add_link(struct network *n, const struct network_link *link,
                         const char *from_code, const char *to_code, char *err, size_t errlen)
{
    if (n->finished) {
        ERR("network already finished");
        return -1;
    }
    uint32_t from = code_lookup(n, from_code ? from_code : "");
    uint32_t to = code_lookup(n, to_code ? to_code : "");
    if (from == NETWORK_NONE || to == NETWORK_NONE) {
        ERR("link %lld: unknown node %s", (long long)link->id,
            from == NETWORK_NONE ? (from_code ? from_code : "(null)")
                                 : (to_code ? to_code : "(null)"));
        return -1;
    }
    if (from == to) {
        ERR("link %lld: from and to are both %s", (long long)link->id, from_code);
        return -1;
    }
    if (id_lookup(n, link->id) != NETWORK_NONE) {
        ERR("duplicate link id %lld", (long long)link->id);
        return -1;
    }
    bool rail = link->mode == NETWORK_RAIL;
    bool gauge_ok = rail ? (link->gauge_mm == 1435 || link->gauge_mm == 1520 ||
                            link->gauge_mm == 1676)
                         : link->gauge_mm == 0;
    if ((unsigned)link->mode >= NETWORK_N_MODES || !gauge_ok) {
        ERR("link %lld: bad mode or gauge", (long long)link->id);
        return -1;
    }
    if (link->distance_km10 <= 0 || link->transit_hours10 <= 0) {
        ERR("link %lld: distance and transit must be > 0", (long long)link->id);
        return -1;
    }
    if (n->n_links >= UINT32_MAX - 1) {
        ERR("too many links");
        return -1;
    }
    if (n->n_links == n->cap_links) {
        n->cap_links = n->cap_links ? n->cap_links * 2 : 128;
        n->links = xreallocarray(n->links, n->cap_links, sizeof *n->links);
    }
    struct network_link *d = &n->links[n->n_links];
    *d = *link;
    d->from = from;
    d->to = to;
    d->carrier[NETWORK_CARRIER_MAX - 1] = '\0';
    n->n_links++;
    if (2 * (n->n_links + 1) > n->by_id.cap)
        index_rebuild(&n->by_id, n->n_links, n, link_hash);
    else {
        size_t mask = n->by_id.cap - 1, i = hash_id(d->id) & mask;
        while (n->by_id.slot[i])
            i = (i + 1) & mask;
        n->by_id.slot[i] = (uint32_t)n->n_links;
    }
    return (int64_t)n->n_links - 1;
}

int network_finish(struct network *n)
{
    n->finished = true;
    return 0;
}

size_t network_node_count(const struct network *n)
{
    return n->n_nodes;
}

size_t network_link_count(const struct network *n)
{
    return n->n_links;
}

const struct network_node *network_node_at(const struct network *n, uint32_t i)
{
    return &n->nodes[i];
}

const struct network_link *network_link_at(const struct network *n, uint32_t i)
{
    return &n->links[i];
}

uint32_t network_node_find(const struct network *n, const char *code)
{
    return code ? code_lookup(n, code) : NETWORK_NONE;
}

uint32_t network_link_find(const struct network *n, int64_t id)
{
    return id_lookup(n, id);
}

const char *network_mode_name(enum network_mode m)
{
    switch (m) {
    case NETWORK_RAIL:
        return "rail";
    case NETWORK_SEA:
        return "sea";
    case NETWORK_ROAD:
        return "road";
    }
    return "?";
}

int network_mode_parse(const char *s)
{
    if (!s)
        return -1;
    if (strcmp(s, "rail") == 0)
        return NETWORK_RAIL;
    if (strcmp(s, "sea") == 0)
        return NETWORK_SEA;
    if (strcmp(s, "road") == 0)
        return NETWORK_ROAD;
    return -1;
}
