/* Unit tests of quote: a small hand-built network (Pareto options, charges
 * adding up, capacity, windows, cut-offs, via, avoid_modes, the three error
 * kinds) and the real eastern corridor Almaty -> Bandar Abbas priced by hand. */
#include <check.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "money.h"
#include "quote.h"
#include "timetable.h"

#define H 3600
static int64_t T0; /* 2026-12-03 00:00 UTC */

static struct snapshot_builder *B;

static void node(const char *code, const char *name, int transfer)
{
    struct snapshot_node_row r = {code, name, "KZ", "rail_station", "UTC", NULL, NULL, transfer};
    ck_assert_msg(snapshot_builder_add_node(B, &r) == 0, "%s", snapshot_builder_error(B));
}

static void add_link(int64_t id, const char *from, const char *to, const char *mode, int gauge,
                 const char *km, const char *hours)
{
    struct snapshot_link_row r = {id, from, to, mode, gauge, km, hours, "KTZ"};
    ck_assert_msg(snapshot_builder_add_link(B, &r) == 0, "%s", snapshot_builder_error(B));
}

static void dep(int64_t id, int64_t link_id, int64_t at, int64_t arr, bool sea)
{
    struct snapshot_departure_row r = {id, link_id, "svc", at, arr, at - (sea ? 24 : 6) * H,
                                       100, 2500000, "scheduled"};
    ck_assert_msg(snapshot_builder_add_departure(B, &r) == 0, "%s", snapshot_builder_error(B));
}

static void window(int64_t id, const char *node_code, int64_t from, int64_t to, int cap)
{
    struct snapshot_window_row r = {id, node_code, from, to, cap};
    ck_assert_msg(snapshot_builder_add_window(B, &r) == 0, "%s", snapshot_builder_error(B));
}

static int64_t tariff_id = 1;

static void tariff(const char *code, int64_t link_id, const char *node_code, const char *type,
                   int min_kg, int max_kg, const char *basis, const char *rate,
                   const char *min_charge)
{
    struct snapshot_tariff_row r = {.id = tariff_id++, .charge_code = code, .link_id = link_id,
                                    .node_code = node_code, .container_type = type,
                                    .min_gross_kg = min_kg, .max_gross_kg = max_kg,
                                    .basis = basis, .rate = rate, .currency = "USD",
                                    .min_charge = min_charge, .valid_from = "2026-01-01"};
    ck_assert_msg(snapshot_builder_add_tariff(B, &r) == 0, "%s", snapshot_builder_error(B));
}

static struct snapshot *finish(void)
{
    char err[256];
    struct snapshot *s = snapshot_builder_finish(B, err, sizeof err);
    ck_assert_msg(s != NULL, "%s", err);
    B = NULL;
    return s;
}

/* ---- the small network ------------------------------------------------------------
 *   NODEA -rail 1520, 100 km-> NODEB -sea 300 km-> NODEC -rail 1435, 200 km-> NODED
 *   NODEA -rail 1520, 250 km-> NODEE -rail 1435, 400 km-> NODED   (gauge change at E)
 *   NODEA -road 500 km-> NODED
 * Rates (USD): rail 0.10/TEU-km, sea 100/TEU, road 1.00/container-km, port
 * handling 20/container at B and C, transshipment 30/container at E.
 * One 40HC (2 TEU) costs: gauge route 50 + 30 + 80 = 160.00; sea route
 * 20 + 20 + 200 + 20 + 40 = 300.00; road 500.00. */
static struct snapshot *mini;

static void mini_setup(void)
{
    int32_t d;
    timetable_date_parse("2026-12-03", &d);
    T0 = (int64_t)d * 86400;
    B = snapshot_builder_new(42);
    snapshot_builder_add_currency(B, "USD", 2);
    node("NODEA", "Alpha", 60);
    node("NODEB", "Bravo port", 120);
    node("NODEC", "Charlie port", 120);
    node("NODED", "Delta", 60);
    node("NODEE", "Echo gauge change", 120);
    add_link(1, "NODEA", "NODEB", "rail", 1520, "100.0", "4.0");
    add_link(2, "NODEB", "NODEC", "sea", 0, "300.0", "12.0");
    add_link(3, "NODEC", "NODED", "rail", 1435, "200.0", "6.0");
    add_link(4, "NODEA", "NODEE", "rail", 1520, "250.0", "12.0");
    add_link(5, "NODEE", "NODED", "rail", 1435, "400.0", "24.0");
    add_link(6, "NODEA", "NODED", "road", 0, "500.0", "10.0");
    dep(101, 1, T0 + 8 * H, T0 + 12 * H, false);
    dep(102, 2, T0 + 16 * H, T0 + 28 * H, true);
    dep(103, 3, T0 + 32 * H, T0 + 38 * H, false);
    dep(104, 4, T0 + 6 * H, T0 + 18 * H, false);
    dep(105, 5, T0 + 19 * H, T0 + 43 * H, false); /* 1 h after 104 arrives: too short at E */
    dep(106, 5, T0 + 32 * H, T0 + 56 * H, false);
    dep(107, 6, T0 + 10 * H, T0 + 20 * H, false);
    dep(108, 6, T0 + 34 * H, T0 + 44 * H, false); /* dominated by the sea route */
    window(201, "NODEB", T0 + 12 * H, T0 + 18 * H, 10);
    window(202, "NODEC", T0 + 24 * H, T0 + 30 * H, 10);
    tariff_id = 1;
    for (int64_t l = 1; l <= 5; l += (l == 1 ? 2 : 1))
        tariff("RAIL_FREIGHT", l, NULL, NULL, -1, -1, "per_teu_km", "0.100000", "0");
    tariff("SEA_FREIGHT", 2, NULL, NULL, -1, -1, "per_teu", "100", "0");
    tariff("ROAD_FREIGHT", 6, NULL, NULL, -1, -1, "per_container_km", "1", "0");
    tariff("PORT_HANDLING", 0, "NODEB", NULL, -1, -1, "per_container", "20", "0");
    tariff("PORT_HANDLING", 0, "NODEC", NULL, -1, -1, "per_container", "20", "0");
    tariff("TRANSSHIPMENT", 0, "NODEE", NULL, -1, -1, "per_container", "30", "0");
    mini = finish();
}

static void mini_teardown(void)
{
    snapshot_release(mini);
}

static const struct tariff_container ONE_40HC[] = {{TARIFF_40HC, 1, 20000}};

static struct quote_request mini_request(void)
{
    int32_t ready, pricing;
    timetable_date_parse("2026-12-03", &ready);
    timetable_date_parse("2026-12-01", &pricing);
    return (struct quote_request){.origin = "NODEA", .destination = "NODED",
                                  .ready_date = ready, .containers = ONE_40HC,
                                  .n_containers = 1, .currency = "USD",
                                  .optimize = QUOTE_OPTIMIZE_COST, .max_options = 10,
                                  .now = T0 - 48 * H, .pricing_date = pricing};
}

/* Every option's charges add up to its total; no option dominates another. */
static void check_options(const struct quote_result *r)
{
    for (size_t i = 0; i < r->n_options; i++) {
        const struct quote_option *o = &r->options[i];
        int64_t sum = 0;
        for (size_t k = 0; k < o->n_charges; k++)
            sum += o->charges[k].amount;
        ck_assert_int_eq(sum, o->total);
        ck_assert_int_eq(o->option, (int)i + 1);
        ck_assert_int_eq(o->departs_at, o->legs[0].departs_at);
        ck_assert_int_eq(o->arrives_at, o->legs[o->n_legs - 1].arrives_at);
        for (size_t j = 0; j < r->n_options; j++)
            ck_assert_msg(i == j || r->options[i].total < r->options[j].total ||
                              r->options[i].arrives_at < r->options[j].arrives_at,
                          "option %zu is dominated by %zu", i + 1, j + 1);
    }
}

static enum quote_status run(const struct quote_request *q, const struct quote_availability *a,
                             struct quote_result *r)
{
    enum quote_status st = quote_compute(mini, q, a, r);
    if (st == QUOTE_OK)
        check_options(r);
    return st;
}

START_TEST(pareto_options_by_cost_and_time)
{
    struct quote_request q = mini_request();
    struct quote_result r;
    ck_assert_int_eq(run(&q, NULL, &r), QUOTE_OK);
    ck_assert_int_eq(r.data_version, 42);
    ck_assert_int_eq(r.teu, 2);
    ck_assert_int_eq(r.kg, 20000);
    ck_assert_uint_eq(r.n_options, 3); /* the second road departure is dominated */
    const struct quote_option *g = &r.options[0], *s = &r.options[1], *road = &r.options[2];
    ck_assert_int_eq(g->total, 16000);
    ck_assert_int_eq(g->arrives_at, T0 + 56 * H); /* not departure 105: transfer too short */
    ck_assert_uint_eq(g->n_legs, 2);
    ck_assert_int_eq(g->legs[0].departure_id, 104);
    ck_assert_int_eq(g->legs[1].departure_id, 106);
    ck_assert_str_eq(g->legs[1].from, "NODEE");
    ck_assert_str_eq(g->legs[1].distance_km, "400");
    ck_assert_str_eq(g->transit_hours, "50");
    ck_assert_uint_eq(g->n_port_calls, 1);
    ck_assert_int_eq(g->port_calls[0].kind, QUOTE_CALL_TRANSSHIPMENT);
    ck_assert_str_eq(g->port_calls[0].node, "NODEE");
    ck_assert_int_eq(g->port_calls[0].window_id, 0);
    ck_assert_int_eq(g->port_calls[0].at, T0 + 18 * H);
    ck_assert_uint_eq(g->n_charges, 3);
    ck_assert_str_eq(g->charges[0].code, "RAIL_FREIGHT");
    ck_assert_int_eq(g->charges[0].amount, 5000);
    ck_assert_int_eq(g->charges[0].leg, 1);
    ck_assert_str_eq(g->charges[1].code, "TRANSSHIPMENT");
    ck_assert_int_eq(g->charges[1].amount, 3000);
    ck_assert_int_eq(g->charges[1].leg, 0);
    ck_assert_int_eq(g->charges[2].amount, 8000);
    ck_assert_int_eq(g->charges[2].leg, 2);

    ck_assert_int_eq(s->total, 30000);
    ck_assert_int_eq(s->arrives_at, T0 + 38 * H);
    ck_assert_uint_eq(s->n_port_calls, 2);
    ck_assert_int_eq(s->port_calls[0].kind, QUOTE_CALL_LOAD);
    ck_assert_int_eq(s->port_calls[0].window_id, 201);
    ck_assert_int_eq(s->port_calls[0].at, T0 + 16 * H);
    ck_assert_int_eq(s->port_calls[1].kind, QUOTE_CALL_DISCHARGE);
    ck_assert_int_eq(s->port_calls[1].window_id, 202);
    ck_assert_int_eq(s->port_calls[1].at, T0 + 28 * H);
    const char *codes[] = {"RAIL_FREIGHT", "PORT_HANDLING", "SEA_FREIGHT", "PORT_HANDLING",
                           "RAIL_FREIGHT"};
    const int64_t amounts[] = {2000, 2000, 20000, 2000, 4000};
    ck_assert_uint_eq(s->n_charges, 5);
    for (int i = 0; i < 5; i++) {
        ck_assert_str_eq(s->charges[i].code, codes[i]);
        ck_assert_int_eq(s->charges[i].amount, amounts[i]);
    }
    ck_assert_str_eq(s->charges[2].description, "Sea freight Bravo port → Charlie port, 1 × 40HC");

    ck_assert_int_eq(road->total, 50000);
    ck_assert_int_eq(road->legs[0].departure_id, 107);
    ck_assert_int_eq(road->legs[0].mode, NETWORK_ROAD);
    quote_result_free(&r);

    q.optimize = QUOTE_OPTIMIZE_TIME;
    ck_assert_int_eq(run(&q, NULL, &r), QUOTE_OK);
    ck_assert_int_eq(r.options[0].total, 50000);
    ck_assert_int_eq(r.options[1].total, 30000);
    ck_assert_int_eq(r.options[2].total, 16000);
    quote_result_free(&r);

    q.max_options = 1;
    ck_assert_int_eq(run(&q, NULL, &r), QUOTE_OK);
    ck_assert_uint_eq(r.n_options, 1);
    ck_assert_int_eq(r.options[0].total, 50000);
    quote_result_free(&r);
}
END_TEST

START_TEST(via_and_avoid_modes)
{
    struct quote_request q = mini_request();
    struct quote_result r;
    const char *via_b[] = {"NODEB"}, *via_e[] = {"NODEE"};
    q.via = via_b;
    q.n_via = 1;
    ck_assert_int_eq(run(&q, NULL, &r), QUOTE_OK);
    ck_assert_uint_eq(r.n_options, 1);
    ck_assert_int_eq(r.options[0].total, 30000);
    quote_result_free(&r);
    q.via = via_e;
    ck_assert_int_eq(run(&q, NULL, &r), QUOTE_OK);
    ck_assert_uint_eq(r.n_options, 1);
    ck_assert_int_eq(r.options[0].total, 16000);
    quote_result_free(&r);
    q.n_via = 0;
    q.avoid_modes = 1u << NETWORK_ROAD;
    ck_assert_int_eq(run(&q, NULL, &r), QUOTE_OK);
    ck_assert_uint_eq(r.n_options, 2);
    for (size_t i = 0; i < r.n_options; i++)
        for (size_t k = 0; k < r.options[i].n_legs; k++)
            ck_assert_int_ne(r.options[i].legs[k].mode, NETWORK_ROAD);
    quote_result_free(&r);
    q.avoid_modes = 1u << NETWORK_RAIL;
    ck_assert_int_eq(run(&q, NULL, &r), QUOTE_OK);
    ck_assert_uint_eq(r.n_options, 1);
    ck_assert_int_eq(r.options[0].legs[0].mode, NETWORK_ROAD);
    quote_result_free(&r);
}
END_TEST

/* Free capacity in the shape the shell reads it; deliberately unsorted. */
static struct quote_free_departure FD[] = {{108, 100, 2500000}, {101, 100, 2500000},
                                           {102, 100, 2500000}, {103, 100, 2500000},
                                           {104, 100, 2500000}, {105, 100, 2500000},
                                           {106, 100, 2500000}, {107, 100, 2500000}};
static struct quote_free_window FW[] = {{202, 10}, {201, 10}};

START_TEST(capacity_and_window_filtering)
{
    struct quote_request q = mini_request();
    struct quote_availability a = {FD, 8, FW, 2};
    struct quote_result r;
    ck_assert_int_eq(run(&q, &a, &r), QUOTE_OK);
    ck_assert_uint_eq(r.n_options, 3);
    quote_result_free(&r);
    /* The sailing has 1 TEU left: the sea route goes, the others stay. */
    FD[2].free_teu = 1;
    ck_assert_int_eq(run(&q, &a, &r), QUOTE_OK);
    ck_assert_uint_eq(r.n_options, 2);
    ck_assert_int_eq(r.options[0].total, 16000);
    ck_assert_int_eq(r.options[1].total, 50000);
    quote_result_free(&r);
    FD[2].free_teu = 100;
    FD[2].free_kg = 19999; /* TEU enough, weight not */
    ck_assert_int_eq(run(&q, &a, &r), QUOTE_OK);
    ck_assert_uint_eq(r.n_options, 2);
    quote_result_free(&r);
    FD[2].free_kg = 2500000;
    /* The load window at B has 1 TEU of room: the sea route goes too. */
    FW[1].free_teu = 1;
    ck_assert_int_eq(run(&q, &a, &r), QUOTE_OK);
    ck_assert_uint_eq(r.n_options, 2);
    quote_result_free(&r);
    FW[1].free_teu = 10;
    /* A window missing from the availability counts as full. */
    a.n_windows = 1;
    ck_assert_int_eq(run(&q, &a, &r), QUOTE_OK);
    ck_assert_uint_eq(r.n_options, 2);
    quote_result_free(&r);
    a.n_windows = 2;
    /* A departure whose cut-off has passed is not offered: the road truck at
     * 10:00 closes at 04:00. */
    q.now = T0 + 4 * H;
    ck_assert_int_eq(run(&q, &a, &r), QUOTE_OK);
    for (size_t i = 0; i < r.n_options; i++)
        ck_assert_int_ne(r.options[i].legs[0].departure_id, 107);
    quote_result_free(&r);
}
END_TEST

START_TEST(capacity_unavailable)
{
    struct quote_request q = mini_request();
    struct quote_free_departure none[] = {{999, 0, 0}};
    struct quote_availability a = {none, 1, FW, 2};
    struct quote_result r;
    ck_assert_int_eq(run(&q, &a, &r), QUOTE_ECAPACITY);
    /* The cheapest itinerary without capacity limits is the gauge route. */
    ck_assert_uint_eq(r.n_full_departures, 2);
    ck_assert_int_eq(r.full_departures[0], 104);
    ck_assert_int_eq(r.full_departures[1], 106);
    ck_assert_ptr_nonnull(strstr(r.error_detail, "departure 104 NODEA → NODEE"));
    quote_result_free(&r);
    q.optimize = QUOTE_OPTIMIZE_TIME; /* the fastest is the road */
    ck_assert_int_eq(run(&q, &a, &r), QUOTE_ECAPACITY);
    ck_assert_uint_eq(r.n_full_departures, 1);
    ck_assert_int_eq(r.full_departures[0], 107);
    quote_result_free(&r);
    /* Only the sea route via B, and B's window is full: the window is named. */
    const char *via_b[] = {"NODEB"};
    struct quote_free_window fw[] = {{201, 1}, {202, 10}};
    struct quote_availability b = {FD, 8, fw, 2};
    q.via = via_b;
    q.n_via = 1;
    ck_assert_int_eq(run(&q, &b, &r), QUOTE_ECAPACITY);
    ck_assert_uint_eq(r.n_full_departures, 0);
    ck_assert_uint_eq(r.n_full_windows, 1);
    ck_assert_int_eq(r.full_windows[0], 201);
    quote_result_free(&r);
}
END_TEST

START_TEST(errors)
{
    struct quote_request q = mini_request();
    struct quote_result r;
    q.origin = "ZZZZZ";
    ck_assert_int_eq(run(&q, NULL, &r), QUOTE_EUNKNOWN_LOCATION);
    ck_assert_str_eq(r.error_field, "origin");
    quote_result_free(&r);
    q.origin = "NODEA";
    q.destination = "nodeD";
    ck_assert_int_eq(run(&q, NULL, &r), QUOTE_EUNKNOWN_LOCATION);
    ck_assert_str_eq(r.error_field, "destination");
    quote_result_free(&r);
    q.destination = "NODED";
    const char *via[] = {"NODEB", "QQQQQ"};
    q.via = via;
    q.n_via = 2;
    ck_assert_int_eq(run(&q, NULL, &r), QUOTE_EUNKNOWN_LOCATION);
    ck_assert_str_eq(r.error_field, "via[1]");
    quote_result_free(&r);
    q.n_via = 0;
    q.currency = "EUR";
    ck_assert_int_eq(run(&q, NULL, &r), QUOTE_EINVALID);
    ck_assert_str_eq(r.error_field, "currency");
    quote_result_free(&r);
    q.currency = "USD";
    q.max_options = 11;
    ck_assert_int_eq(run(&q, NULL, &r), QUOTE_EINVALID);
    ck_assert_str_eq(r.error_field, "max_options");
    quote_result_free(&r);
    q.max_options = 0; /* default 3 */
    /* No departure after the ready date: no connection at all. */
    q.ready_date += 7;
    ck_assert_int_eq(run(&q, NULL, &r), QUOTE_ENO_ROUTE);
    ck_assert_ptr_nonnull(strstr(r.error_detail, "no connection from NODEA to NODED"));
    quote_result_free(&r);
    q.ready_date -= 7;
    /* Priced before the tariffs are valid: no tariff, named. */
    timetable_date_parse("2025-12-31", &q.pricing_date);
    ck_assert_int_eq(run(&q, NULL, &r), QUOTE_ENO_ROUTE);
    ck_assert_ptr_nonnull(strstr(r.error_detail, "tariff for 40HC at 20000 kg"));
    ck_assert_ptr_nonnull(strstr(r.error_detail, "2025-12-31"));
    quote_result_free(&r);
    /* Every cut-off passed: reachable in the timetable, yet nothing bookable. */
    q = mini_request();
    q.now = T0 + 40 * H;
    ck_assert_int_eq(run(&q, NULL, &r), QUOTE_ENO_ROUTE);
    ck_assert_ptr_nonnull(strstr(r.error_detail, "closed for booking"));
    quote_result_free(&r);
}
END_TEST

/* Sea -> sea at one port: the discharge and the load fall in the same
 * window and need room for both (2 x 2 TEU). */
START_TEST(two_calls_one_window)
{
    B = snapshot_builder_new(1);
    snapshot_builder_add_currency(B, "USD", 2);
    node("PORTP", "P", 60);
    node("PORTQ", "Q", 60);
    node("PORTR", "R", 60);
    add_link(1, "PORTP", "PORTQ", "sea", 0, "100.0", "5.0");
    add_link(2, "PORTQ", "PORTR", "sea", 0, "100.0", "5.0");
    dep(1, 1, T0 + 2 * H, T0 + 7 * H, true);
    dep(2, 2, T0 + 10 * H, T0 + 15 * H, true);
    window(1, "PORTQ", T0 + 6 * H, T0 + 12 * H, 3);
    tariff_id = 1;
    tariff("SEA_FREIGHT", 1, NULL, NULL, -1, -1, "per_teu", "10", "0");
    tariff("SEA_FREIGHT", 2, NULL, NULL, -1, -1, "per_teu", "10", "0");
    tariff("PORT_HANDLING", 0, "PORTQ", NULL, -1, -1, "per_container", "5", "0");
    /* The origin's load and the destination's discharge are charged too. */
    tariff("PORT_HANDLING", 0, "PORTP", NULL, -1, -1, "per_container", "5", "0");
    tariff("PORT_HANDLING", 0, "PORTR", NULL, -1, -1, "per_container", "5", "0");
    struct snapshot *s = finish();
    struct quote_request q = mini_request();
    q.origin = "PORTP";
    q.destination = "PORTR";
    struct quote_result r;
    ck_assert_int_eq(quote_compute(s, &q, NULL, &r), QUOTE_ECAPACITY);
    ck_assert_uint_eq(r.n_full_windows, 1);
    ck_assert_ptr_nonnull(strstr(r.error_detail, "3 TEU free, 4 needed"));
    quote_result_free(&r);
    struct quote_free_departure fd[] = {{1, 10, 100000}, {2, 10, 100000}};
    struct quote_free_window fw[] = {{1, 4}};
    struct quote_availability a = {fd, 2, fw, 1};
    ck_assert_int_eq(quote_compute(s, &q, &a, &r), QUOTE_OK);
    /* load P, discharge Q, load Q, discharge R: 4 x 5 + 2 x 20 = 60.00 */
    ck_assert_uint_eq(r.options[0].n_port_calls, 4);
    ck_assert_int_eq(r.options[0].port_calls[1].window_id, 1);
    ck_assert_int_eq(r.options[0].port_calls[2].window_id, 1);
    ck_assert_int_eq(r.options[0].total, 6000);
    quote_result_free(&r);
    snapshot_release(s);
}
END_TEST

/* ---- the real eastern corridor, Almaty -> Shahid Rajaee (Bandar Abbas) -----------
 * The seed's E1 through train (sql/seed/004_timetable.sql): 13 rail legs with
 * the seed's distances (sql/seed/002_links.sql), each departing at the
 * previous arrival + the node's transfer_minutes + 60 min.  Rates as the
 * seed (sql/seed/003_tariffs.sql, the 2023 unified rates): 0.15 USD/TEU-km
 * up to 24 t, 0.18 above, 0.24 per 40' container-km; TRANSSHIPMENT 85 USD per
 * container (min 85) at Incheh Borun, where 1520 meets 1435; INSTC 5 % on
 * RAIL_FREIGHT for DEMOFWD.  Arriving by rail, the cargo has no port call at
 * Bandar Abbas. */
static const struct {
    const char *code;
    int transfer;
} E1_NODES[] = {{"KZALA", 240},  {"XKZBEI", 180}, {"KZAAU", 480},  {"KZUZE", 180},
                {"XKZBOL", 120}, {"XTMSRY", 120}, {"XTMBRK", 180}, {"XTMETR", 600},
                {"XTMAKY", 120}, {"XIRINB", 720}, {"IRGBT", 180},  {"IRTHR", 240},
                {"XIRBFQ", 180}, {"IRSRP", 720}};
static const struct {
    int km, gauge;
    const char *hours;
} E1_LINKS[] = {{2091, 1520, "52.3"}, {404, 1520, "10.1"}, {170, 1520, "4.2"},
                {146, 1520, "3.6"},   {14, 1520, "2.5"},   {467, 1520, "11.7"},
                {257, 1520, "6.4"},   {22, 1520, "1.0"},   {8, 1520, "2.5"},
                {88, 1435, "2.2"},    {497, 1435, "12.4"}, {715, 1435, "17.9"},
                {626, 1435, "15.7"}};
#define E1_LEGS 13
static struct snapshot *corridor;

/* One E1 train starting at `start`; departure ids base+1..base+13.  Returns
 * the arrival at Incheh Borun. */
static int64_t e1_train(int64_t base, int64_t start)
{
    int64_t t = start, at_inb = 0;
    for (int i = 0; i < E1_LEGS; i++) {
        if (i > 0)
            t += (E1_NODES[i].transfer + 60) * 60;
        int64_t h10;
        ck_assert_int_eq(money_decimal_parse(E1_LINKS[i].hours, 1, &h10), MONEY_OK);
        int64_t dur = h10 * 360;
        dep(base + i + 1, i + 1, t, t + dur, false);
        t += dur;
        if (i == 8)
            at_inb = t;
    }
    return at_inb;
}

static int64_t inb_thursday, inb_monday;

static void corridor_setup(void)
{
    int32_t d;
    timetable_date_parse("2026-12-03", &d); /* a Thursday */
    T0 = (int64_t)d * 86400;
    B = snapshot_builder_new(7);
    snapshot_builder_add_currency(B, "USD", 2);
    for (int i = 0; i <= E1_LEGS; i++)
        node(E1_NODES[i].code, E1_NODES[i].code, E1_NODES[i].transfer);
    for (int i = 0; i < E1_LEGS; i++) {
        char km[16];
        snprintf(km, sizeof km, "%d.0", E1_LINKS[i].km);
        add_link(i + 1, E1_NODES[i].code, E1_NODES[i + 1].code, "rail", E1_LINKS[i].gauge, km,
             E1_LINKS[i].hours);
    }
    /* 08:00 Almaty (UTC+5) = 03:00 UTC, Thursday and the next Monday. */
    inb_thursday = e1_train(1000, T0 + 3 * H);
    inb_monday = e1_train(2000, T0 + 4 * 86400 + 3 * H);
    /* 6-hour windows at Incheh Borun (30 TEU) and Bandar Abbas (5000 TEU). */
    for (int64_t w = 0; w < 4 * 20; w++) {
        window(3000 + w, "XIRINB", T0 + w * 6 * H, T0 + (w + 1) * 6 * H, 30);
        window(4000 + w, "IRSRP", T0 + w * 6 * H, T0 + (w + 1) * 6 * H, 5000);
    }
    tariff_id = 1;
    for (int i = 1; i <= E1_LEGS; i++) {
        tariff("RAIL_FREIGHT", i, NULL, NULL, -1, 24000, "per_teu_km", "0.150000", "0");
        tariff("RAIL_FREIGHT", i, NULL, NULL, 24001, -1, "per_teu_km", "0.180000", "0");
        tariff("RAIL_FREIGHT", i, NULL, "40DV", -1, -1, "per_container_km", "0.240000", "0");
        tariff("RAIL_FREIGHT", i, NULL, "40HC", -1, -1, "per_container_km", "0.240000", "0");
        tariff("RAIL_FREIGHT", i, NULL, "40RF", -1, -1, "per_container_km", "0.240000", "0");
    }
    tariff("TRANSSHIPMENT", 0, "XIRINB", NULL, -1, -1, "per_container", "85", "85");
    tariff("PORT_HANDLING", 0, "IRSRP", NULL, -1, -1, "per_container", "110", "110");
    struct snapshot_discount_row instc = {1, "INSTC", "DEMOFWD", "RAIL_FREIGHT", "5.000",
                                          "2026-01-01", NULL};
    ck_assert_int_eq(snapshot_builder_add_discount(B, &instc), 0);
    corridor = finish();
}

static void corridor_teardown(void)
{
    snapshot_release(corridor);
}

static enum quote_status corridor_quote(const struct tariff_container *c, const char *org,
                                        const struct quote_availability *a,
                                        struct quote_result *r)
{
    int32_t ready;
    timetable_date_parse("2026-12-03", &ready);
    struct quote_request q = {.origin = "KZALA", .destination = "IRSRP", .ready_date = ready,
                              .containers = c, .n_containers = 1, .currency = "USD",
                              .org_code = org, .now = T0 - 24 * H, .pricing_date = ready};
    enum quote_status st = quote_compute(corridor, &q, a, r);
    if (st == QUOTE_OK)
        check_options(r);
    return st;
}

/* 2 x 40HC at 24 000 kg (the API example), for DEMOFWD.  Per leg:
 * RAIL_FREIGHT = 2 x km x 0.24 and DISCOUNT_INSTC = -5 % of it, rounded:
 *   km    freight   discount          km    freight   discount
 *   2091  1003.68   -50.18 (50.184)   257   123.36    -6.17 (6.168)
 *    404   193.92    -9.70 (9.696)     22    10.56    -0.53 (0.528)
 *    170    81.60    -4.08              8     3.84    -0.19 (0.192)
 *    146    70.08    -3.50 (3.504)     88    42.24    -2.11 (2.112)
 *     14     6.72    -0.34 (0.336)    497   238.56   -11.93 (11.928)
 *    467   224.16   -11.21 (11.208)   715   343.20   -17.16
 *                                     626   300.48   -15.02 (15.024)
 * freight 5505 km x 0.48 = 2642.40; discounts -132.12; TRANSSHIPMENT at
 * Incheh Borun 2 x 85 = 170.00; total 2680.28 USD. */
START_TEST(almaty_bandar_abbas_priced)
{
    static const struct tariff_container c[] = {{TARIFF_40HC, 2, 24000}};
    static const int64_t freight[] = {100368, 19392, 8160, 7008, 672, 22416, 12336,
                                      1056,   384,   4224, 23856, 34320, 30048};
    static const int64_t disc[] = {-5018, -970, -408, -350, -34, -1121, -617,
                                   -53,   -19,  -211, -1193, -1716, -1502};
    struct quote_result r;
    ck_assert_int_eq(corridor_quote(c, "DEMOFWD", NULL, &r), QUOTE_OK);
    ck_assert_uint_eq(r.n_options, 1); /* Monday's train costs the same and arrives later */
    const struct quote_option *o = &r.options[0];
    ck_assert_int_eq(o->total, 268028);
    ck_assert_uint_eq(o->n_legs, E1_LEGS);
    ck_assert_int_eq(o->legs[0].departure_id, 1001);
    ck_assert_str_eq(o->legs[0].from, "KZALA");
    ck_assert_str_eq(o->legs[E1_LEGS - 1].to, "IRSRP");
    ck_assert_uint_eq(o->n_port_calls, 1);
    ck_assert_str_eq(o->port_calls[0].node, "XIRINB");
    ck_assert_int_eq(o->port_calls[0].kind, QUOTE_CALL_TRANSSHIPMENT);
    ck_assert_int_eq(o->port_calls[0].at, inb_thursday);
    ck_assert_int_eq(o->port_calls[0].window_id, 3000 + (inb_thursday - T0) / (6 * H));
    ck_assert_uint_eq(o->n_charges, 2 * E1_LEGS + 1);
    size_t k = 0;
    for (int i = 0; i < E1_LEGS; i++) {
        if (i == 9) { /* between leg 9 (1520) and leg 10 (1435) */
            ck_assert_str_eq(o->charges[k].code, "TRANSSHIPMENT");
            ck_assert_int_eq(o->charges[k].amount, 17000);
            ck_assert_str_eq(o->charges[k].quantity, "2");
            k++;
        }
        ck_assert_str_eq(o->charges[k].code, "RAIL_FREIGHT");
        ck_assert_int_eq(o->charges[k].leg, i + 1);
        ck_assert_int_eq(o->charges[k].amount, freight[i]);
        ck_assert_str_eq(o->charges[k].basis == TARIFF_PER_CONTAINER_KM ? "ok" : "basis", "ok");
        ck_assert_str_eq(o->charges[k].unit_price, "0.24");
        k++;
        ck_assert_str_eq(o->charges[k].code, "DISCOUNT_INSTC");
        ck_assert_int_eq(o->charges[k].amount, disc[i]);
        k++;
    }
    ck_assert_str_eq(o->charges[0].quantity, "4182"); /* 2 x 2091 container-km */
    quote_result_free(&r);
    /* Without the discount: 2642.40 + 170.00 = 2812.40. */
    ck_assert_int_eq(corridor_quote(c, NULL, NULL, &r), QUOTE_OK);
    ck_assert_int_eq(r.options[0].total, 281240);
    quote_result_free(&r);
}
END_TEST

/* One 20' at the 24 t band edge: 5505 TEU-km x 0.15 = 825.75 + 85 = 910.75;
 * at 24 001 kg x 0.18 = 990.90 + 85 = 1075.90. */
START_TEST(corridor_band_edge)
{
    struct tariff_container c[] = {{TARIFF_20DV, 1, 24000}};
    struct quote_result r;
    ck_assert_int_eq(corridor_quote(c, NULL, NULL, &r), QUOTE_OK);
    ck_assert_int_eq(r.options[0].total, 91075);
    quote_result_free(&r);
    c[0].gross_weight_kg = 24001;
    ck_assert_int_eq(corridor_quote(c, NULL, NULL, &r), QUOTE_OK);
    ck_assert_int_eq(r.options[0].total, 107590);
    quote_result_free(&r);
}
END_TEST

/* Thursday's train finds 3 TEU of room at Incheh Borun for 4 TEU: the
 * quote crosses with Monday's train, same price. */
START_TEST(corridor_full_transshipment_window)
{
    static const struct tariff_container c[] = {{TARIFF_40HC, 2, 24000}};
    struct quote_free_departure fd[2 * E1_LEGS];
    struct quote_free_window fw[80];
    for (int i = 0; i < E1_LEGS; i++) {
        fd[i] = (struct quote_free_departure){1001 + i, 100, 2500000};
        fd[E1_LEGS + i] = (struct quote_free_departure){2001 + i, 100, 2500000};
    }
    int64_t full = 3000 + (inb_thursday - T0) / (6 * H);
    for (int w = 0; w < 80; w++)
        fw[w] = (struct quote_free_window){3000 + w, 3000 + w == full ? 3 : 30};
    struct quote_availability a = {fd, 2 * E1_LEGS, fw, 80};
    struct quote_result r;
    ck_assert_int_eq(corridor_quote(c, NULL, &a, &r), QUOTE_OK);
    ck_assert_uint_eq(r.n_options, 1);
    /* (It may ride Thursday's train up to a node before Incheh Borun and wait
     * there: the same price and arrival.) */
    ck_assert_int_eq(r.options[0].legs[E1_LEGS - 1].departure_id, 2013);
    ck_assert_int_eq(r.options[0].port_calls[0].at, inb_monday);
    ck_assert_int_ne(r.options[0].port_calls[0].window_id, full);
    ck_assert_int_eq(r.options[0].total, 281240);
    quote_result_free(&r);
}
END_TEST

Suite *quote_suite(void);
Suite *quote_suite(void)
{
    Suite *s = suite_create("quote");
    TCase *tc = tcase_create("mini");
    tcase_add_checked_fixture(tc, mini_setup, mini_teardown);
    tcase_add_test(tc, pareto_options_by_cost_and_time);
    tcase_add_test(tc, via_and_avoid_modes);
    tcase_add_test(tc, capacity_and_window_filtering);
    tcase_add_test(tc, capacity_unavailable);
    tcase_add_test(tc, errors);
    tcase_add_test(tc, two_calls_one_window);
    suite_add_tcase(s, tc);
    tc = tcase_create("corridor");
    tcase_add_checked_fixture(tc, corridor_setup, corridor_teardown);
    tcase_add_test(tc, almaty_bandar_abbas_priced);
    tcase_add_test(tc, corridor_band_edge);
    tcase_add_test(tc, corridor_full_transshipment_window);
    suite_add_tcase(s, tc);
    return s;
}
