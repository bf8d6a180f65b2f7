/* auth: API keys, roles and per-key rate limits (see include/auth.h).
 *
 * The active keys live in an immutable table (open addressing on the
 * SHA-256 of the key) behind a read-write lock: requests on MHD threads take
 * the read lock for one lookup, a reload builds a new table off-lock and
 * swaps the pointer under the write lock.  Rate limits are token buckets per
 * key prefix in a separate striped map, so a reload does not reset them. */
#include "auth.h"

#include "db.h"
#include "log.h"
#include "xmem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* ---- SHA-256 (FIPS 180-4) ---- */

struct sha256 {
    uint32_t h[8];
    uint64_t len; /* bytes */
    uint8_t buf[64];
    size_t nbuf;
};

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static inline uint32_t ror(uint32_t x, unsigned n)
{
    return (x >> n) | (x << (32 - n));
}

static void sha256_block(struct sha256 *s, const uint8_t *p)
{
    uint32_t w[64];
    for (int i = 0; i < 16; i++)
        w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
               (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
    for (int i = 16; i < 64; i++) {
        uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
        uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
        w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    uint32_t a = s->h[0], b = s->h[1], c = s->h[2], d = s->h[3];
    uint32_t e = s->h[4], f = s->h[5], g = s->h[6], h = s->h[7];
    for (int i = 0; i < 64; i++) {
        uint32_t t1 = h + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i];
        uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
        h = g;
        g = f;
        f = e;
        e = d + t1;
        d = c;
        c = b;
        b = a;
        a = t1 + t2;
    }
    s->h[0] += a;
    s->h[1] += b;
    s->h[2] += c;
    s->h[3] += d;
    s->h[4] += e;
    s->h[5] += f;
    s->h[6] += g;
    s->h[7] += h;
}

static void sha256_init(struct sha256 *s)
{
    static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                   0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
    memcpy(s->h, iv, sizeof iv);
    s->len = 0;
    s->nbuf = 0;
}

static void sha256_update(struct sha256 *s, const uint8_t *p, uint64_t n)
{
    s->len += n;
    while (n > 0) {
        if (s->nbuf == 0 && n >= 64) {
            sha256_block(s, p);
            p += 64;
            n -= 64;
            continue;
        }
        size_t take = 64 - s->nbuf;
        if (take > n)
            take = (size_t)n;
        memcpy(s->buf + s->nbuf, p, take);
        s->nbuf += take;
        p += take;
        n -= take;
        if (s->nbuf == 64) {
            sha256_block(s, s->buf);
            s->nbuf = 0;
        }
    }
}

static void sha256_final(struct sha256 *s, uint8_t out[32])
{
    uint64_t bits = s->len * 8;
    uint8_t pad[72] = {0x80};
    size_t padlen = (s->nbuf < 56) ? 56 - s->nbuf : 120 - s->nbuf;
    for (int i = 0; i < 8; i++)
        pad[padlen + i] = (uint8_t)(bits >> (56 - 8 * i));
    uint64_t keep = s->len;
    sha256_update(s, pad, padlen + 8);
    s->len = keep;
    for (int i = 0; i < 8; i++) {
        out[4 * i] = (uint8_t)(s->h[i] >> 24);
        out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
        out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
        out[4 * i + 3] = (uint8_t)s->h[i];
    }
}

static void sha256(const void *data, uint64_t len, uint8_t out[32])
{
    struct sha256 s;
    sha256_init(&s);
    sha256_update(&s, data, len);
    sha256_final(&s, out);
}

void auth_sha256_hex(const void *data, uint64_t len, char hex[65])
{
    static const char digits[] = "0123456789abcdef";
    uint8_t d[32];
    sha256(data, len, d);
    for (int i = 0; i < 32; i++) {
        hex[2 * i] = digits[d[i] >> 4];
        hex[2 * i + 1] = digits[d[i] & 15];
    }
    hex[64] = '\0';
}

/* ---- roles ---- */

const char *auth_role_name(enum auth_role r)
{
    switch (r) {
    case AUTH_FORWARDER: return "forwarder";
    case AUTH_CARRIER: return "carrier";
    case AUTH_OPERATOR: return "operator";
    }
    return "unknown";
}

int auth_role_parse(const char *s, enum auth_role *out)
{
    static const enum auth_role all[] = {AUTH_FORWARDER, AUTH_CARRIER, AUTH_OPERATOR};
    for (size_t i = 0; s && i < sizeof all / sizeof all[0]; i++)
        if (strcmp(s, auth_role_name(all[i])) == 0) {
            *out = all[i];
            return 0;
        }
    return -1;
}

/* ---- the key table ---- */

struct key_entry {
    uint8_t hash[32];
    bool used;
    struct auth_principal who;
};

struct key_table {
    size_t cap; /* power of two, at least twice the number of keys */
    size_t count;
    struct key_entry *slots;
};

static pthread_rwlock_t table_lock = PTHREAD_RWLOCK_INITIALIZER;
static struct key_table *table; /* under table_lock */

static size_t slot_of(const uint8_t hash[32], size_t cap)
{
    uint64_t h;
    memcpy(&h, hash, sizeof h);
    return (size_t)h & (cap - 1);
}

static bool hash_equal(const uint8_t *a, const uint8_t *b)
{
    unsigned diff = 0;
    for (int i = 0; i < 32; i++)
        diff |= (unsigned)(a[i] ^ b[i]);
    return diff == 0;
}

static int hexval(int ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

static bool parse_hash(const char *hex, uint8_t out[32])
{
    if (strlen(hex) != 64)
        return false;
    for (int i = 0; i < 32; i++) {
        int hi = hexval(hex[2 * i]), lo = hexval(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return false;
        out[i] = (uint8_t)(hi << 4 | lo);
    }
    return true;
}

static void table_free(struct key_table *t)
{
    if (t) {
        free(t->slots);
        free(t);
    }
}

static void table_insert(struct key_table *t, const struct key_entry *e)
{
    size_t i = slot_of(e->hash, t->cap);
    while (t->slots[i].used) {
        if (hash_equal(t->slots[i].hash, e->hash))
            return; /* key_hash is UNIQUE; a duplicate would be a bug */
        i = (i + 1) & (t->cap - 1);
    }
    t->slots[i] = *e;
    t->slots[i].used = true;
    t->count++;
}

int auth_reload(struct db_conn *c)
{
    PGresult *r = db_exec(c, "auth_keys",
                          "SELECT key_hash, prefix, org_code, role FROM corridor.api_key "
                          "WHERE revoked_at IS NULL",
                          0, NULL);
    if (!db_ok(r)) {
        log_event(LOGL_WARN, "auth.reload_failed", "loading API keys failed: %s",
                  db_sqlstate(r));
        PQclear(r);
        return -1;
    }
    int n = PQntuples(r);
    struct key_table *t = xcalloc(1, sizeof *t);
    t->cap = 16;
    while (t->cap < (size_t)n * 2 + 1)
        t->cap *= 2;
    t->slots = xcalloc(t->cap, sizeof *t->slots);
    int skipped = 0;
    for (int i = 0; i < n; i++) {
        struct key_entry e = {0};
        if (!parse_hash(PQgetvalue(r, i, 0), e.hash) ||
            auth_role_parse(PQgetvalue(r, i, 3), &e.who.role) != 0 ||
            strlen(PQgetvalue(r, i, 1)) >= sizeof e.who.key_prefix ||
            strlen(PQgetvalue(r, i, 2)) >= sizeof e.who.org_code) {
            skipped++;
            continue;
        }
        snprintf(e.who.key_prefix, sizeof e.who.key_prefix, "%s", PQgetvalue(r, i, 1));
        snprintf(e.who.org_code, sizeof e.who.org_code, "%s", PQgetvalue(r, i, 2));
        table_insert(t, &e);
    }
    PQclear(r);
    pthread_rwlock_wrlock(&table_lock);
    struct key_table *old = table;
    table = t;
    pthread_rwlock_unlock(&table_lock);
    table_free(old);
    log_event(LOGL_INFO, "auth.reloaded", "%zu active API key(s)%s", t->count,
              skipped ? " (some rows skipped as malformed)" : "");
    return 0;
}

/* ---- rate limits: token buckets by key prefix ---- */

#define STRIPES 64
#define UNITS_PER_TOKEN 60000 /* one token refills in 60000 / per_minute ms */

struct bucket {
    char prefix[24];
    int64_t units;
    int64_t last_ms;
    struct bucket *next;
};

static struct {
    pthread_mutex_t mu;
    struct bucket *head;
} stripes[STRIPES];
static pthread_once_t stripes_once = PTHREAD_ONCE_INIT;
static atomic_uint rate_per_minute;

static void stripes_init(void)
{
    for (int i = 0; i < STRIPES; i++)
        pthread_mutex_init(&stripes[i].mu, NULL);
}

void auth_set_rate_limit(unsigned per_minute)
{
    atomic_store(&rate_per_minute, per_minute);
}

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Takes one token for prefix; returns 0, or the seconds until one is there. */
static unsigned take_token(const char *prefix)
{
    unsigned rate = atomic_load(&rate_per_minute);
    if (rate == 0)
        return 0;
    pthread_once(&stripes_once, stripes_init);
    uint8_t h[32];
    sha256(prefix, strlen(prefix), h);
    unsigned s = h[0] % STRIPES;
    int64_t now = now_ms(), full = (int64_t)rate * UNITS_PER_TOKEN;
    unsigned wait_s = 0;
    pthread_mutex_lock(&stripes[s].mu);
    struct bucket *b = stripes[s].head;
    while (b && strcmp(b->prefix, prefix) != 0)
        b = b->next;
    if (!b) {
        b = xcalloc(1, sizeof *b);
        snprintf(b->prefix, sizeof b->prefix, "%s", prefix);
        b->units = full;
        b->last_ms = now;
        b->next = stripes[s].head;
        stripes[s].head = b;
    }
    b->units += (now - b->last_ms) * rate;
    if (b->units > full)
        b->units = full;
    b->last_ms = now;
    if (b->units >= UNITS_PER_TOKEN) {
        b->units -= UNITS_PER_TOKEN;
    } else {
        int64_t ms = (UNITS_PER_TOKEN - b->units + rate - 1) / rate;
        wait_s = (unsigned)((ms + 999) / 1000);
        if (wait_s == 0)
            wait_s = 1;
    }
    pthread_mutex_unlock(&stripes[s].mu);
    return wait_s;
}

/* ---- authenticating a request ---- */

enum auth_result auth_parse_bearer(const char *authorization, const char **key, size_t *len)
{
    const char *p = authorization;
    if (!p)
        return AUTH_MISSING;
    while (*p == ' ' || *p == '\t')
        p++;
    if (*p == '\0')
        return AUTH_MISSING;
    if (strncasecmp(p, "Bearer", 6) != 0 || (p[6] != ' ' && p[6] != '\t'))
        return AUTH_INVALID;
    p += 6;
    while (*p == ' ' || *p == '\t')
        p++;
    size_t n = strcspn(p, " \t");
    const char *rest = p + n;
    while (*rest == ' ' || *rest == '\t')
        rest++;
    if (n == 0 || *rest != '\0')
        return AUTH_INVALID;
    /* csk_<8 hex>_<32 hex>, lower case, as corridor.issue_api_key makes them */
    if (n != 45 || strncmp(p, "csk_", 4) != 0 || p[12] != '_')
        return AUTH_INVALID;
    for (size_t i = 4; i < n; i++) {
        if (i == 12)
            continue;
        if (!((p[i] >= '0' && p[i] <= '9') || (p[i] >= 'a' && p[i] <= 'f')))
            return AUTH_INVALID;
    }
    *key = p;
    *len = n;
    return AUTH_OK;
}

enum auth_result auth_check(const char *authorization, struct auth_principal *out,
                            unsigned *retry_after_s)
{
    const char *key;
    size_t len;
    enum auth_result res = auth_parse_bearer(authorization, &key, &len);
    if (res != AUTH_OK)
        return res;
    uint8_t h[32];
    sha256(key, len, h);
    bool found = false, loaded;
    pthread_rwlock_rdlock(&table_lock);
    loaded = table != NULL;
    if (table) {
        for (size_t i = slot_of(h, table->cap); table->slots[i].used;
             i = (i + 1) & (table->cap - 1)) {
            if (hash_equal(table->slots[i].hash, h)) {
                *out = table->slots[i].who;
                found = true;
                break;
            }
        }
    }
    pthread_rwlock_unlock(&table_lock);
    if (!found)
        return loaded ? AUTH_INVALID : AUTH_UNAVAILABLE;
    unsigned wait = take_token(out->key_prefix);
    if (wait) {
        if (retry_after_s)
            *retry_after_s = wait;
        return AUTH_RATE_LIMITED;
    }
    return AUTH_OK;
}
