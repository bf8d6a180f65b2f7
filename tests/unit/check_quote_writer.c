/* Unit tests of quote_writer's ids (no database): quote_writer_new_id mints
 * RFC 9562 UUIDv7 text (lowercase, dashes at 8/13/18/23, version 7, variant
 * 10xx), distinct, whose 48-bit millisecond prefix is now and never goes
 * back; quote_writer_recent accepts a fresh v7 id only, and refuses ids
 * from 10 s before or after now, other versions, malformed text and NULL. */
#include "quote_writer.h"

#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static int64_t now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The 48-bit unix milliseconds of a v7 id (12 hex digits around the first dash). */
static int64_t id_ms(const char *id)
{
    int64_t ms = 0;
    for (int i = 0; i < 13; i++) {
        if (i == 8)
            continue;
        char c = id[i];
        int v = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
        ck_assert_msg(v >= 0, "not hex at %d: %s", i, id);
        ms = ms << 4 | v;
    }
    return ms;
}

/* Writes ms as the id's 48-bit time prefix. */
static void set_id_ms(char *id, int64_t ms)
{
    static const char hex[] = "0123456789abcdef";
    int shift = 44;
    for (int i = 0; i < 13; i++) {
        if (i == 8)
            continue;
        id[i] = hex[(ms >> shift) & 15];
        shift -= 4;
    }
}

static void check_shape(const char *id)
{
    ck_assert_uint_eq(strlen(id), QUOTE_ID_LEN);
    for (int i = 0; i < QUOTE_ID_LEN; i++) {
        char c = id[i];
        if (i == 8 || i == 13 || i == 18 || i == 23)
            ck_assert_msg(c == '-', "no dash at %d: %s", i, id);
        else
            ck_assert_msg((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'),
                          "not lowercase hex at %d: %s", i, id);
    }
    ck_assert_msg(id[14] == '7', "version nibble is not 7: %s", id);
    ck_assert_msg(strchr("89ab", id[19]) != NULL, "variant is not 10xx: %s", id);
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp((const char *)a, (const char *)b);
}

START_TEST(new_id_is_a_uuid_v7)
{
    char id[QUOTE_ID_LEN + 1];
    memset(id, 'x', sizeof id);
    quote_writer_new_id(id);
    ck_assert_int_eq(id[QUOTE_ID_LEN], '\0');
    check_shape(id);
}
END_TEST

START_TEST(new_ids_are_distinct_and_time_ordered)
{
    enum { N = 10000 };
    char(*ids)[QUOTE_ID_LEN + 1] = calloc(N, sizeof *ids);
    ck_assert_ptr_nonnull(ids);
    int64_t before = now_ms();
    int64_t last = 0;
    for (int i = 0; i < N; i++) {
        quote_writer_new_id(ids[i]);
        check_shape(ids[i]);
        int64_t ms = id_ms(ids[i]);
        ck_assert_msg(ms >= last, "id %d went back in time: %lld after %lld", i, (long long)ms,
                      (long long)last);
        last = ms;
    }
    int64_t after = now_ms();
    /* the prefix is the wall clock in milliseconds, within a few ms */
    ck_assert_int_ge(id_ms(ids[0]), before - 5);
    ck_assert_int_le(id_ms(ids[N - 1]), after + 5);
    char one[QUOTE_ID_LEN + 1];
    int64_t t0 = now_ms();
    quote_writer_new_id(one);
    ck_assert_int_le(llabs(id_ms(one) - t0), 5);

    qsort(ids, N, sizeof *ids, cmp_str);
    for (int i = 1; i < N; i++)
        ck_assert_msg(strcmp(ids[i - 1], ids[i]) != 0, "duplicate id %s", ids[i]);
    free(ids);
}
END_TEST

START_TEST(recent_accepts_a_fresh_id)
{
    char id[QUOTE_ID_LEN + 1];
    quote_writer_new_id(id);
    ck_assert(quote_writer_recent(id, QUOTE_RECENT_MS));
    ck_assert(quote_writer_recent(id, 1000));
    /* 1 s ago and 1 s ahead are within 2 s */
    set_id_ms(id, now_ms() - 1000);
    ck_assert(quote_writer_recent(id, QUOTE_RECENT_MS));
    set_id_ms(id, now_ms() + 1000);
    ck_assert(quote_writer_recent(id, QUOTE_RECENT_MS));
}
END_TEST

START_TEST(recent_refuses_old_and_future_ids)
{
    char id[QUOTE_ID_LEN + 1];
    quote_writer_new_id(id);
    set_id_ms(id, now_ms() - 10000);
    check_shape(id);
    ck_assert(!quote_writer_recent(id, QUOTE_RECENT_MS));
    set_id_ms(id, now_ms() + 10000);
    ck_assert(!quote_writer_recent(id, QUOTE_RECENT_MS));
    /* 3 s ago is older than QUOTE_RECENT_MS */
    set_id_ms(id, now_ms() - 3000);
    ck_assert(!quote_writer_recent(id, QUOTE_RECENT_MS));
    /* the epoch and the largest 48-bit time */
    set_id_ms(id, 0);
    ck_assert(!quote_writer_recent(id, QUOTE_RECENT_MS));
    set_id_ms(id, (int64_t)0xffffffffffff);
    ck_assert(!quote_writer_recent(id, QUOTE_RECENT_MS));
}
END_TEST

START_TEST(recent_refuses_other_versions)
{
    char id[QUOTE_ID_LEN + 1];
    quote_writer_new_id(id);
    /* the same fresh time prefix, but version 4 (random) or 1 (time-based) */
    id[14] = '4';
    ck_assert(!quote_writer_recent(id, QUOTE_RECENT_MS));
    id[14] = '1';
    ck_assert(!quote_writer_recent(id, QUOTE_RECENT_MS));
    ck_assert(!quote_writer_recent("0b2f8a6e-3c1d-4e5f-9a7b-1c2d3e4f5a6b", QUOTE_RECENT_MS));
    ck_assert(!quote_writer_recent("00000000-0000-0000-0000-000000000000", QUOTE_RECENT_MS));
}
END_TEST

START_TEST(recent_refuses_malformed_text)
{
    char id[QUOTE_ID_LEN + 1], bad[64];
    quote_writer_new_id(id);
    ck_assert(!quote_writer_recent(NULL, QUOTE_RECENT_MS));
    ck_assert(!quote_writer_recent("", QUOTE_RECENT_MS));
    ck_assert(!quote_writer_recent("not-a-uuid", QUOTE_RECENT_MS));
    /* one character short, one too many */
    snprintf(bad, sizeof bad, "%.*s", QUOTE_ID_LEN - 1, id);
    ck_assert(!quote_writer_recent(bad, QUOTE_RECENT_MS));
    snprintf(bad, sizeof bad, "%s0", id);
    ck_assert(!quote_writer_recent(bad, QUOTE_RECENT_MS));
    /* a non-hex digit in the time prefix */
    snprintf(bad, sizeof bad, "%s", id);
    bad[3] = 'g';
    ck_assert(!quote_writer_recent(bad, QUOTE_RECENT_MS));
    snprintf(bad, sizeof bad, "%s", id);
    bad[10] = 'z';
    ck_assert(!quote_writer_recent(bad, QUOTE_RECENT_MS));
    /* no dashes at all: 32 hex digits */
    char plain[40];
    size_t n = 0;
    for (const char *p = id; *p; p++)
        if (*p != '-')
            plain[n++] = *p;
    plain[n] = '\0';
    ck_assert(!quote_writer_recent(plain, QUOTE_RECENT_MS));
}
END_TEST

Suite *quote_writer_suite(void);
Suite *quote_writer_suite(void)
{
    Suite *s = suite_create("quote_writer");
    TCase *tc = tcase_create("ids");
    tcase_add_test(tc, new_id_is_a_uuid_v7);
    tcase_add_test(tc, new_ids_are_distinct_and_time_ordered);
    tcase_add_test(tc, recent_accepts_a_fresh_id);
    tcase_add_test(tc, recent_refuses_old_and_future_ids);
    tcase_add_test(tc, recent_refuses_other_versions);
    tcase_add_test(tc, recent_refuses_malformed_text);
    suite_add_tcase(s, tc);
    return s;
}
