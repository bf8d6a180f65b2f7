/* quote_cache: booked capacity and rendered offers kept between quotes (see
 * include/quote_cache.h).  One mutex guards the current booked set and the
 * offer slots; what they point to is immutable and reference-counted, so
 * the lock is held only to take or swap a pointer. */
#include "quote_cache.h"

#include "xmem.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define OFFER_SLOTS 256 /* direct-mapped by the key's hash */

struct quote_booked_set {
    atomic_uint refs;
    uint64_t gen;
    int64_t data_version, since; /* of the booked rows it was built from */
    struct quote_availability avail;
};

/* An offer, shared by the slots that name it (its key, and the raw-body
 * key of quote_cache_offer_alias). */
struct offer_ref {
    struct quote_offer_entry e; /* first: callers see only this part */
    atomic_uint refs;
    int64_t born_ms;
};

struct slot {
    char *key;
    struct offer_ref *o;
};

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static atomic_uint_fast64_t gen = 1;
static struct quote_booked_set *current;
static struct slot slots[OFFER_SLOTS];

static int64_t mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* ---- booked capacity ---- */

void quote_cache_booked_changed(void)
{
    atomic_fetch_add(&gen, 1);
}

uint64_t quote_cache_gen(void)
{
    return atomic_load(&gen);
}

struct quote_booked_set *quote_cache_booked_acquire(int64_t version, int64_t since)
{
    pthread_mutex_lock(&mu);
    struct quote_booked_set *s = current;
    if (s && (s->gen != atomic_load(&gen) || s->data_version != version || s->since > since))
        s = NULL;
    if (s)
        atomic_fetch_add(&s->refs, 1);
    pthread_mutex_unlock(&mu);
    return s;
}

struct quote_booked_set *quote_cache_booked_publish(struct quote_booked *b,
                                                    struct quote_availability *avail,
                                                    uint64_t at_gen)
{
    struct quote_booked_set *s = xcalloc(1, sizeof *s);
    s->data_version = b->data_version;
    s->since = b->since;
    free(b->departures); /* already in avail */
    free(b->windows);
    memset(b, 0, sizeof *b);
    s->avail = *avail;
    memset(avail, 0, sizeof *avail);
    s->gen = at_gen;
    atomic_init(&s->refs, 1); /* the caller's */
    pthread_mutex_lock(&mu);
    if (!current || current->gen <= at_gen) {
        atomic_fetch_add(&s->refs, 1); /* the cache's */
        struct quote_booked_set *old = current;
        current = s;
        pthread_mutex_unlock(&mu);
        quote_cache_booked_release(old);
    } else {
        pthread_mutex_unlock(&mu);
    }
    return s;
}

const struct quote_availability *quote_cache_availability(const struct quote_booked_set *s)
{
    return &s->avail;
}

uint64_t quote_cache_booked_gen(const struct quote_booked_set *s)
{
    return s->gen;
}

void quote_cache_booked_release(struct quote_booked_set *s)
{
    if (!s || atomic_fetch_sub(&s->refs, 1) != 1)
        return;
    free((void *)s->avail.departures);
    free((void *)s->avail.windows);
    free(s);
}

/* ---- offers ---- */

static uint64_t hash_key(const char *k)
{
    uint64_t h = 1469598103934665603ull; /* FNV-1a */
    for (; *k; k++)
        h = (h ^ (unsigned char)*k) * 1099511628211ull;
    return h;
}

static void offer_unref(struct offer_ref *o)
{
    if (!o || atomic_fetch_sub(&o->refs, 1) != 1)
        return;
    free(o->e.options);
    free(o->e.request);
    free(o->e.fx);
    free(o);
}

/* Puts o (a reference taken over) under key, returning what the slot held
 * before (to be let go outside the lock).  Caller holds mu. */
static struct slot replace_slot(const char *key, struct offer_ref *o)
{
    struct slot *sl = &slots[hash_key(key) % OFFER_SLOTS];
    struct slot old = *sl;
    sl->key = xstrdup(key);
    sl->o = o;
    return old;
}

static void let_go(struct slot old)
{
    free(old.key);
    offer_unref(old.o);
}

const struct quote_offer_entry *quote_cache_offer_get(const char *key)
{
    size_t i = hash_key(key) % OFFER_SLOTS;
    int64_t now = mono_ms();
    pthread_mutex_lock(&mu);
    struct offer_ref *o = slots[i].o;
    if (o && (now - o->born_ms >= QUOTE_CACHE_OFFER_TTL_MS || strcmp(slots[i].key, key) != 0))
        o = NULL;
    if (o)
        atomic_fetch_add(&o->refs, 1);
    pthread_mutex_unlock(&mu);
    return o ? &o->e : NULL;
}

const struct quote_offer_entry *quote_cache_offer_put(const char *key, struct quote_offer_entry *e)
{
    struct offer_ref *o = xcalloc(1, sizeof *o);
    o->e = *e;
    memset(e, 0, sizeof *e);
    o->born_ms = mono_ms();
    atomic_init(&o->refs, 2); /* the caller's and the slot's */
    pthread_mutex_lock(&mu);
    struct slot old = replace_slot(key, o);
    pthread_mutex_unlock(&mu);
    let_go(old);
    return &o->e;
}

void quote_cache_offer_alias(const char *key, const struct quote_offer_entry *e)
{
    struct offer_ref *o = (struct offer_ref *)(void *)e; /* e is its first member */
    if (mono_ms() - o->born_ms >= QUOTE_CACHE_OFFER_TTL_MS)
        return;
    atomic_fetch_add(&o->refs, 1); /* the slot's */
    pthread_mutex_lock(&mu);
    struct slot old = replace_slot(key, o);
    pthread_mutex_unlock(&mu);
    let_go(old);
}

void quote_cache_offer_release(const struct quote_offer_entry *e)
{
    offer_unref((struct offer_ref *)(void *)e);
}

void quote_cache_offers_clear(void)
{
    struct slot old[OFFER_SLOTS];
    pthread_mutex_lock(&mu);
    memcpy(old, slots, sizeof old);
    memset(slots, 0, sizeof slots);
    pthread_mutex_unlock(&mu);
    for (size_t i = 0; i < OFFER_SLOTS; i++)
        let_go(old[i]);
}
