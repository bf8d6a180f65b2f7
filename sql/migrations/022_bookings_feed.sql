-- 022_bookings_feed: the event feed (GET /v1/events) and the corridor
-- statistics (GET /v1/stats/corridor) as SQL functions.

-- The event feed after id p_after for (p_org, p_role), oldest first.
--
-- Event ids come from a sequence at insert time, but transactions commit in
-- another order, so a reader that saw id 12 could later find 11 committed
-- and, trusting "after=12", never see it.  So the feed stops before the
-- first id still missing among the events of the last 10 seconds: such a
-- gap is a transaction that has not committed yet (its NOTIFY will wake the
-- long-poll) or one that rolled back (skipped once it is 10 s old).  A
-- booking transaction inserts its event as its last statement, so 10 s is
-- far longer than any gap lasts.
CREATE FUNCTION corridor.booking_events_after(p_after bigint, p_limit int, p_org text,
                                              p_role text)
RETURNS TABLE (id bigint, at text, type text, booking_reference text, data jsonb)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    v_base bigint;
    v_high bigint;
BEGIN
    SELECT e.id INTO v_base FROM corridor.booking_event e
     WHERE e.at < clock_timestamp() - interval '10 seconds'
     ORDER BY e.id DESC LIMIT 1;
    v_base := greatest(coalesce(v_base, 0), p_after);
    SELECT min(t.prev) INTO v_high
      FROM (SELECT e.id, lag(e.id, 1, v_base) OVER (ORDER BY e.id) AS prev
              FROM corridor.booking_event e WHERE e.id > v_base) t
     WHERE t.id > t.prev + 1;
    v_high := coalesce(v_high, 9223372036854775807);

    IF p_role = 'forwarder' THEN
        RETURN QUERY
        SELECT e.id, corridor.booking_time(e.at), e.type, b.reference, e.data
          FROM corridor.booking_event e JOIN corridor.booking b ON b.id = e.booking_id
         WHERE e.org_code = p_org AND e.id > p_after AND e.id <= v_high
         ORDER BY e.id LIMIT p_limit;
    ELSIF p_role = 'carrier' THEN
        RETURN QUERY
        SELECT e.id, corridor.booking_time(e.at), e.type, b.reference, e.data
          FROM corridor.booking_event e JOIN corridor.booking b ON b.id = e.booking_id
         WHERE e.id > p_after AND e.id <= v_high
           AND corridor.booking_visible(b.id, b.org_code, p_org, p_role)
         ORDER BY e.id LIMIT p_limit;
    ELSIF p_role = 'operator' THEN
        RETURN QUERY
        SELECT e.id, corridor.booking_time(e.at), e.type, b.reference, e.data
          FROM corridor.booking_event e JOIN corridor.booking b ON b.id = e.booking_id
         WHERE e.id > p_after AND e.id <= v_high
         ORDER BY e.id LIMIT p_limit;
    END IF;
END $$;

-- Corridor statistics for departures in [p_from, p_to) (operators).
--
-- What counts: live bookings (HELD or CONFIRMED: the capacity they hold is
-- taken), placed in the month of their first departure.  Tonnes are the
-- shipment's gross weight.  Revenue is given per currency as booked, and in
-- USD converted with the FX table (per_usd on the latest date not after the
-- booking's creation date; a booking in a currency without a rate is left
-- out of the USD figures and counted in unconverted_bookings).
-- Branches (a booking may be in both):
--   eastern_rail      a rail leg on a link with an end in Turkmenistan: the
--                     Kazakhstan-Turkmenistan-Iran line (Uzen - Serhetyaka -
--                     Bereket - Etrek - Incheh Borun) and its Turkmen spurs;
--   caspian_crossing  a sea leg (every sea link of the network crosses the
--                     Caspian);
--   other             neither.
-- Utilization: departures (not cancelled) leaving in the period, booked
-- against capacity, in TEU and kg, in all and by mode.
-- Pace: tonnes in the period, annualised (x 365.25 / days), against the
-- corridor's target of 20 million tonnes a year by 2030.
CREATE FUNCTION corridor.booking_stats(p_from date, p_to date) RETURNS json
LANGUAGE sql STABLE AS $$
WITH live AS (
    SELECT b.id, b.total_amount, b.currency, legs.departs_at, legs.teu, legs.kg,
           legs.eastern_rail, legs.caspian_crossing,
           b.total_amount / fx.per_usd AS usd
      FROM corridor.booking b
      JOIN LATERAL (
            SELECT min(d.departs_at) AS departs_at, max(bl.teu) AS teu, max(bl.kg) AS kg,
                   bool_or(l.mode = 'rail' AND (fn.country = 'TM' OR tn.country = 'TM'))
                       AS eastern_rail,
                   bool_or(l.mode = 'sea') AS caspian_crossing
              FROM corridor.booking_leg bl
              JOIN corridor.departure d ON d.id = bl.departure_id
              JOIN corridor.link l ON l.id = d.link_id
              JOIN corridor.node fn ON fn.code = l.from_code
              JOIN corridor.node tn ON tn.code = l.to_code
             WHERE bl.booking_id = b.id) legs ON true
      LEFT JOIN LATERAL (
            SELECT CASE WHEN b.currency = 'USD' THEN 1::numeric ELSE r.per_usd END AS per_usd
              FROM (SELECT 1) one
              LEFT JOIN LATERAL (
                    SELECT f.per_usd FROM corridor.fx_rate f
                     WHERE f.currency = b.currency AND f.on_date <= b.created_at::date
                     ORDER BY f.on_date DESC LIMIT 1) r ON true) fx ON true
     WHERE b.status IN ('HELD', 'CONFIRMED')
       AND legs.departs_at >= p_from AND legs.departs_at < p_to
), branch AS (
    SELECT 'eastern_rail' AS branch, 1 AS ord, l.* FROM live l WHERE l.eastern_rail
    UNION ALL
    SELECT 'caspian_crossing', 2, l.* FROM live l WHERE l.caspian_crossing
    UNION ALL
    SELECT 'other', 3, l.* FROM live l WHERE NOT l.eastern_rail AND NOT l.caspian_crossing
), deps AS (
    SELECT l.mode, d.booked_teu, d.capacity_teu, d.booked_kg, d.capacity_kg
      FROM corridor.departure d JOIN corridor.link l ON l.id = d.link_id
     WHERE d.departs_at >= p_from AND d.departs_at < p_to AND d.status <> 'cancelled'
), totals AS (
    SELECT count(*) AS bookings, coalesce(sum(teu), 0) AS teu, coalesce(sum(kg), 0) AS kg,
           round(coalesce(sum(usd), 0), 2) AS usd, count(*) FILTER (WHERE usd IS NULL) AS unconverted
      FROM live
)
SELECT json_build_object(
    'from', p_from::text,
    'to', p_to::text,
    'basis', 'live bookings (HELD, CONFIRMED) by the date of their first departure',
    'bookings', t.bookings,
    'teu', t.teu,
    'tonnes', round(t.kg / 1000.0, 3)::text,
    'revenue', coalesce((SELECT json_agg(json_build_object(
                            'amount', (corridor.booking_money(x.amount, x.currency))->>'amount',
                            'currency', x.currency) ORDER BY x.currency)
                           FROM (SELECT currency, sum(total_amount) AS amount FROM live
                                  GROUP BY currency) x), '[]'),
    'revenue_usd', corridor.booking_money(t.usd, 'USD'),
    'unconverted_bookings', t.unconverted,
    'by_month', coalesce((SELECT json_agg(json_build_object(
                             'month', m.month, 'bookings', m.bookings, 'teu', m.teu,
                             'tonnes', round(m.kg / 1000.0, 3)::text,
                             'revenue_usd', corridor.booking_money(m.usd, 'USD'))
                             ORDER BY m.month)
                            FROM (SELECT to_char(departs_at AT TIME ZONE 'UTC', 'YYYY-MM') AS month,
                                         count(*) AS bookings, sum(teu) AS teu, sum(kg) AS kg,
                                         round(coalesce(sum(usd), 0), 2) AS usd
                                    FROM live GROUP BY 1) m), '[]'),
    'by_branch', (SELECT json_agg(json_build_object(
                         'branch', n.branch, 'bookings', coalesce(x.bookings, 0),
                         'teu', coalesce(x.teu, 0),
                         'tonnes', round(coalesce(x.kg, 0) / 1000.0, 3)::text,
                         'revenue_usd', corridor.booking_money(coalesce(x.usd, 0), 'USD'))
                         ORDER BY n.ord)
                    FROM (VALUES ('eastern_rail', 1), ('caspian_crossing', 2), ('other', 3))
                         AS n(branch, ord)
                    LEFT JOIN (SELECT branch, count(*) AS bookings, sum(teu) AS teu, sum(kg) AS kg,
                                      round(coalesce(sum(usd), 0), 2) AS usd
                                 FROM branch GROUP BY branch) x ON x.branch = n.branch),
    'utilization', (SELECT json_build_object(
                        'departures', count(*),
                        'booked_teu', coalesce(sum(booked_teu), 0),
                        'capacity_teu', coalesce(sum(capacity_teu), 0),
                        'teu_percent', round(100.0 * sum(booked_teu) / nullif(sum(capacity_teu), 0), 2),
                        'booked_kg', coalesce(sum(booked_kg), 0),
                        'capacity_kg', coalesce(sum(capacity_kg), 0),
                        'kg_percent', round(100.0 * sum(booked_kg) / nullif(sum(capacity_kg), 0), 2),
                        'by_mode', coalesce((SELECT json_agg(json_build_object(
                                        'mode', m.mode, 'departures', m.n,
                                        'booked_teu', m.bt, 'capacity_teu', m.ct,
                                        'teu_percent', round(100.0 * m.bt / nullif(m.ct, 0), 2),
                                        'booked_kg', m.bk, 'capacity_kg', m.ck,
                                        'kg_percent', round(100.0 * m.bk / nullif(m.ck, 0), 2))
                                        ORDER BY m.mode)
                                       FROM (SELECT mode, count(*) AS n, sum(booked_teu) AS bt,
                                                    sum(capacity_teu) AS ct, sum(booked_kg) AS bk,
                                                    sum(capacity_kg) AS ck
                                               FROM deps GROUP BY mode) m), '[]'))
                      FROM deps),
    'pace', json_build_object(
        'tonnes', round(t.kg / 1000.0, 3)::text,
        'days', p_to - p_from,
        'annualised_tonnes', round(t.kg / 1000.0 * 365.25 / (p_to - p_from), 0)::text,
        'target_tonnes_per_year', 20000000,
        'target_year', 2030,
        'ratio', round(t.kg / 1000.0 * 365.25 / (p_to - p_from) / 20000000, 8)::text))
  FROM totals t
$$;

REVOKE ALL ON FUNCTION corridor.booking_events_after(bigint, int, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION corridor.booking_events_after(bigint, int, text, text)
    TO corridor_app, corridor_operator;
REVOKE ALL ON FUNCTION corridor.booking_stats(date, date) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION corridor.booking_stats(date, date) TO corridor_app, corridor_operator;
