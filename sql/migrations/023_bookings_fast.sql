-- 023_bookings_fast: booking_create (020_bookings_reserve.sql) made faster,
-- with the same answers, rows, events and errors.  Measured with
-- tests/bench/pgbench_booking.sql (fsync on, the 12-leg Almaty -> Bandar
-- Abbas itinerary of tests/bench/run.sh); see each part for its effect.
--
-- 1. Plans kept for the session.  PL/pgSQL plans each statement for its
--    first five calls and then keeps a generic plan only when that looks no
--    dearer than the custom ones.  The statements that locked, checked and
--    updated the port windows joined unnest(v_wins, v_calls): a custom plan
--    knows that the array has one window, the generic one assumes ten, so
--    PostgreSQL planned them again on every booking (0.25 + 0.15 ms, while
--    holding the departures' locks).  They now look the calls of a window up
--    with array_position, and booking_create runs with plan_cache_mode =
--    force_generic_plan, so that no statement of it is planned per call.
--
-- 2. The answer in parts.  booking_json renders the booking from its row
--    and three arrays, each its own function: booking_json_build (the
--    object, from the row and the arrays), booking_json_legs,
--    booking_json_calls and booking_json_charges.  It answers exactly the
--    same text as 020's.  booking_create renders the charge lines before it
--    locks anything (below) and only the legs and port calls under the
--    locks; 020 rendered the whole ~12 KB answer (0.5 ms of CPU) there.
--
-- 3. Rows written before the locks.  Every booking of one itinerary locks
--    the same departure and window rows, so with several clients bookings
--    run one after another from the moment they lock those rows until they
--    commit.  When a look without locks finds room on every departure and
--    window, booking_create now writes the booking row and its charge lines
--    (and renders them) first, and then locks the departures and windows,
--    checks them, reserves, and writes the legs, port calls and the event.
--    Capacity is still decided under the locks, in the same global order
--    (the quote, departures by id, windows by id), and every unit, row and
--    the event are written in the one transaction.  When the check under the
--    locks refuses after all (another booking took the room meanwhile), the
--    rows written early are deleted again (booking_unwrite): the refusal
--    changes nothing, except that one booking id of the sequence is skipped.  When the look finds no
--    room, booking_create proceeds in 020's order.
--      The legs and port calls stay after the locks: their foreign keys lock
--    their departure and window FOR KEY SHARE, and taken while another
--    booking holds and updates those rows, that makes a MultiXact on every
--    departure for every booking (measured: c=8 fell from ~290 to ~150 TPS).
--    The booking's foreign keys lock only the org, the quote and the
--    currency, which no booking updates.  The event stays the last write:
--    the feed (022) skips an event id that is still missing after 10 s.
--
-- 4. Cancel and expiry keep their plans too.  booking_release (020), which
--    cancel, the hold expiry and the sweeper use, locked and updated the
--    departures and windows of p_ids with four statements that PL/pgSQL
--    planned again on every call (custom plans for one booking id were
--    always cheaper than the generic one for ten): 0.24 + 0.19 + 0.11 +
--    0.09 ms of planning per cancel, while holding the departures' locks.
--    It runs with plan_cache_mode = force_generic_plan now (planned once per
--    session, pg_stat_statements with track_planning).
-- ---- 2. booking_json in parts ------------------------------------------------

-- The booking's legs as the API shows them (a JSON array), each with the
-- windows taken for it: its load call at the origin, its discharge or
-- transshipment call at the end.
CREATE FUNCTION corridor.booking_json_legs(p_id bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
RETURN coalesce((
    SELECT json_agg(json_build_object(
               'seq', bl.seq, 'from', l.from_code, 'to', l.to_code, 'mode', l.mode,
               'carrier', l.carrier, 'service', d.service, 'departure_id', d.id,
               'departs_at', corridor.booking_time(d.departs_at),
               'arrives_at', corridor.booking_time(d.arrives_at),
               'teu', bl.teu, 'kg', bl.kg,
               'port_windows', coalesce((
                   SELECT json_agg(json_build_object(
                              'window_id', pc.window_id, 'node', pc.node_code,
                              'kind', pc.kind, 'at', corridor.booking_time(pc.at))
                              ORDER BY pc.seq)
                     FROM corridor.booking_port_call pc
                    WHERE pc.booking_id = p_id AND pc.window_id IS NOT NULL
                      AND ((pc.kind = 'load' AND pc.node_code = l.from_code)
                        OR (pc.kind <> 'load' AND pc.node_code = l.to_code))), '[]'))
               ORDER BY bl.seq)
      FROM corridor.booking_leg bl
      JOIN corridor.departure d ON d.id = bl.departure_id
      JOIN corridor.link l ON l.id = d.link_id
     WHERE bl.booking_id = p_id), '[]');
END $$;

-- The booking's port calls as the API shows them (a JSON array).
CREATE FUNCTION corridor.booking_json_calls(p_id bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
RETURN coalesce((
    SELECT json_agg(json_build_object(
               'seq', pc.seq, 'node', pc.node_code, 'kind', pc.kind,
               'window_id', pc.window_id, 'at', corridor.booking_time(pc.at),
               'teu', pc.teu) ORDER BY pc.seq)
      FROM corridor.booking_port_call pc WHERE pc.booking_id = p_id), '[]');
END $$;

-- The booking's charge lines as the API shows them (a JSON array); amounts
-- in p_currency, rounded to p_mu decimals (the currency's minor units).
CREATE FUNCTION corridor.booking_json_charges(p_id bigint, p_currency text, p_mu int)
RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
RETURN coalesce((
    SELECT json_agg(json_build_object(
               'line', c.line_no, 'code', c.code, 'leg', c.leg,
               'description', c.description, 'basis', c.basis,
               'quantity', trim_scale(c.quantity)::text,
               'unit_price', CASE WHEN c.unit_price IS NULL THEN NULL ELSE
                   json_build_object('amount', trim_scale(c.unit_price)::text,
                                     'currency', c.unit_currency) END,
               'amount', json_build_object('amount', round(c.amount, p_mu)::text,
                                           'currency', p_currency),
               'fx_rate', trim_scale(c.fx_rate)::text,
               'tariff_id', c.tariff_id) ORDER BY c.line_no)
      FROM corridor.booking_charge c WHERE c.booking_id = p_id), '[]');
END $$;

-- The booking as the API returns it, from its row b, its currency's minor
-- units p_mu and its three arrays.  One expression (inlined into the
-- calling statement).
CREATE FUNCTION corridor.booking_json_build(b corridor.booking, p_mu int, p_legs json,
                                            p_calls json, p_charges json) RETURNS json
LANGUAGE sql STABLE AS $$
SELECT json_build_object(
    'id', b.id,
    'reference', b.reference,
    'status', b.status,
    'organization', b.org_code,
    'quote_id', b.quote_id,
    'option', b.option,
    'customer_reference', b.customer_reference,
    'containers', b.containers,
    'total', json_build_object('amount', round(b.total_amount, p_mu)::text,
                              'currency', b.currency),
    'legs', p_legs,
    'port_calls', p_calls,
    'charges', p_charges,
    'hold_expires_at', corridor.booking_time(b.hold_expires_at),
    'created_at', corridor.booking_time(b.created_at),
    'updated_at', corridor.booking_time(b.updated_at),
    'version', b.version)
$$;

-- The booking as the API returns it (GET /v1/bookings/{reference}): the
-- same text as 020's booking_json, rendered from the parts above.
CREATE OR REPLACE FUNCTION corridor.booking_json(p_id bigint) RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
RETURN (SELECT corridor.booking_json_build(b, m.mu, corridor.booking_json_legs(b.id),
                                           corridor.booking_json_calls(b.id),
                                           corridor.booking_json_charges(b.id, b.currency, m.mu))
          FROM corridor.booking b
         CROSS JOIN LATERAL (SELECT coalesce((SELECT cu.minor_units FROM corridor.currency cu
                                               WHERE cu.code = b.currency), 2) AS mu) m
         WHERE b.id = p_id);
END $$;

-- ---- 3. the writes of booking_create ----------------------------------------

-- Writes the booking row (under a new reference) and its charge lines, the
-- option's price lock, for booking_create.  Returns the row as written.
CREATE FUNCTION corridor.booking_write_head(p_org text, p_quote_id uuid, p_currency text,
                                            p_option int, p_customer_reference text,
                                            p_opt jsonb, p_status text, p_hold timestamptz)
RETURNS corridor.booking
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    b corridor.booking;
BEGIN
    LOOP
        INSERT INTO corridor.booking (reference, org_code, status, quote_id, option,
                                      customer_reference, containers, total_amount, currency,
                                      hold_expires_at)
        VALUES (corridor.booking_new_reference(), p_org, p_status, p_quote_id, p_option,
                p_customer_reference, coalesce(p_opt->'containers', '[]'),
                (p_opt->'total'->>'amount')::numeric, p_currency, p_hold)
        ON CONFLICT (reference) DO NOTHING
        RETURNING * INTO b;
        EXIT WHEN b.id IS NOT NULL;
    END LOOP;
    INSERT INTO corridor.booking_charge (booking_id, line_no, code, leg, description, basis,
                                         quantity, unit_price, unit_currency, amount, fx_rate,
                                         tariff_id, min_charge)
    SELECT b.id, i, x->>'code', nullif((x->>'leg')::int, 0), x->>'description', x->>'basis',
           (x->>'quantity')::numeric, (x->'unit_price'->>'amount')::numeric,
           x->'unit_price'->>'currency', (x->'amount'->>'amount')::numeric,
           (x->>'fx_rate')::numeric, (x->>'tariff_id')::bigint,
           CASE WHEN x->>'basis' IS DISTINCT FROM 'percent' THEN
               (SELECT tr.min_charge FROM corridor.tariff tr
                 WHERE tr.id = (x->>'tariff_id')::bigint) END
      FROM jsonb_array_elements(coalesce(p_opt->'charges', '[]')) WITH ORDINALITY AS t(x, i);
    RETURN b;
END $$;

-- Deletes booking p_id and its charge lines if this very transaction wrote
-- them: booking_create's rows written before the locks when the check under
-- the locks refuses after all.  SECURITY DEFINER because corridor_app may
-- not delete bookings; through this it can delete only rows that its own
-- open transaction inserted (xmin), which a rollback would remove as well.
CREATE FUNCTION corridor.booking_unwrite(p_id bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me xid := pg_current_xact_id()::xid;
BEGIN
    DELETE FROM corridor.booking_charge c WHERE c.booking_id = p_id AND c.xmin = me;
    DELETE FROM corridor.booking b WHERE b.id = p_id AND b.xmin = me;
END $$;

-- Writes the legs and port calls of booking p_id (p_teu and p_kg on each
-- leg, p_teu at each call), for booking_create, which holds their
-- departures' and windows' locks.
CREATE FUNCTION corridor.booking_write_route(p_id bigint, p_opt jsonb, p_teu int, p_kg bigint)
RETURNS void
LANGUAGE plpgsql AS $$
#variable_conflict use_column
BEGIN
    INSERT INTO corridor.booking_leg (booking_id, seq, departure_id, teu, kg)
    SELECT p_id, coalesce((x->>'seq')::int, i::int), (x->>'departure_id')::bigint, p_teu, p_kg
      FROM jsonb_array_elements(p_opt->'legs') WITH ORDINALITY AS t(x, i);
    INSERT INTO corridor.booking_port_call (booking_id, seq, node_code, kind, window_id, at, teu)
    SELECT p_id, i, x->>'node', x->>'kind', (x->>'window_id')::bigint,
           (x->>'at')::timestamptz, p_teu
      FROM jsonb_array_elements(coalesce(p_opt->'port_calls', '[]')) WITH ORDINALITY AS t(x, i);
END $$;

-- ---- booking_create --------------------------------------------------------

CREATE OR REPLACE FUNCTION corridor.booking_create(p_org text, p_role text, p_quote_id uuid,
                                        p_option int, p_hold_seconds int,
                                        p_customer_reference text)
RETURNS TABLE (outcome text, detail text, problems jsonb, booking_id bigint, booking json)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
    q          record;
    opt        jsonb;
    v_teu      int;
    v_kg       bigint;
    v_ref      text;
    v_status   text;
    v_hold     timestamptz;
    v_deps     bigint[];
    v_wins     bigint[];
    v_calls    int[];
    v_ok       boolean;
    v_problems jsonb;
    v_free     boolean;
    v_b        corridor.booking;
    v_mu       int;
    v_charges  json;
BEGIN
    SELECT x.id, x.org_code, x.expires_at, x.currency, x.options INTO q
      FROM corridor.quote x WHERE x.id = p_quote_id FOR UPDATE;
    IF NOT FOUND OR (p_role <> 'operator' AND q.org_code <> p_org) THEN
        RETURN QUERY SELECT 'not_found', format('quote %s does not exist', p_quote_id),
                            NULL::jsonb, NULL::bigint, NULL::json;
        RETURN;
    END IF;
    SELECT b.reference INTO v_ref FROM corridor.booking b WHERE b.quote_id = p_quote_id;
    IF FOUND THEN
        RETURN QUERY SELECT 'quote_already_booked',
                            format('quote %s is already booked (%s); a quote can be booked once',
                                   p_quote_id, v_ref),
                            NULL::jsonb, NULL::bigint, NULL::json;
        RETURN;
    END IF;
    IF q.expires_at <= now() THEN
        RETURN QUERY SELECT 'quote_expired',
                            format('quote %s expired at %s; ask for a new quote', p_quote_id,
                                   corridor.booking_time(q.expires_at)),
                            NULL::jsonb, NULL::bigint, NULL::json;
        RETURN;
    END IF;
    SELECT o INTO opt FROM jsonb_array_elements(q.options) o
     WHERE o->>'option' = p_option::text;
    IF opt IS NULL OR jsonb_typeof(opt->'legs') <> 'array'
       OR jsonb_array_length(opt->'legs') = 0 THEN
        RETURN QUERY SELECT 'validation_failed',
                            format('quote %s has no option %s (it has %s)', p_quote_id, p_option,
                                   jsonb_array_length(q.options)),
                            jsonb_build_array(jsonb_build_object(
                                'pointer', '/option',
                                'message', format('must be between 1 and %s',
                                                  jsonb_array_length(q.options)))),
                            NULL::bigint, NULL::json;
        RETURN;
    END IF;

    v_teu := coalesce((opt->>'teu')::int,
                      (SELECT sum(corridor.booking_container_teu(c->>'type') * (c->>'count')::int)
                         FROM jsonb_array_elements(opt->'containers') c));
    v_kg := coalesce((opt->>'kg')::bigint,
                     (SELECT sum((c->>'count')::bigint * (c->>'gross_weight_kg')::bigint)
                        FROM jsonb_array_elements(opt->'containers') c), 0);

    SELECT array_agg(DISTINCT (x->>'departure_id')::bigint) INTO v_deps
      FROM jsonb_array_elements(opt->'legs') x;
    -- each window and its number of calls (two calls may share a window)
    SELECT array_agg(w.window_id ORDER BY w.window_id), array_agg(w.calls ORDER BY w.window_id)
      INTO v_wins, v_calls
      FROM (SELECT (x->>'window_id')::bigint AS window_id, count(*)::int AS calls
              FROM jsonb_array_elements(coalesce(opt->'port_calls', '[]')) x
             WHERE x->>'window_id' IS NOT NULL GROUP BY 1) w;
    v_wins := coalesce(v_wins, '{}');
    v_calls := coalesce(v_calls, '{}');

    v_status := CASE WHEN p_hold_seconds IS NULL THEN 'CONFIRMED' ELSE 'HELD' END;
    v_hold := CASE WHEN p_hold_seconds IS NULL THEN NULL
                   ELSE now() + make_interval(secs => p_hold_seconds) END;
    v_mu := coalesce((SELECT cu.minor_units FROM corridor.currency cu WHERE cu.code = q.currency), 2);

    -- A look without locks: when every departure and window has room now,
    -- the booking row and its charge lines are written (and rendered)
    -- before the locks.  The check under the locks below decides.
    SELECT (SELECT count(*) = cardinality(v_deps)
                   AND coalesce(bool_and(d.status = 'scheduled' AND d.cutoff_at > now()
                                         AND d.capacity_teu - d.booked_teu >= v_teu
                                         AND d.capacity_kg - d.booked_kg >= v_kg), false)
              FROM corridor.departure d WHERE d.id = ANY (v_deps))
       AND (SELECT count(*) = cardinality(v_wins)
                   AND coalesce(bool_and(w.capacity_teu - w.booked_teu
                                         >= v_teu * v_calls[array_position(v_wins, w.id)]), true)
              FROM corridor.port_window w WHERE w.id = ANY (v_wins))
      INTO v_free;
    IF v_free THEN
        v_b := corridor.booking_write_head(q.org_code, q.id, q.currency, p_option,
                                           p_customer_reference, opt, v_status, v_hold);
        v_charges := corridor.booking_json_charges(v_b.id, q.currency, v_mu);
    END IF;

    -- The global lock order: departures by id, then windows by id; each
    -- statement locks its rows in that order and checks them at once.
    SELECT count(*) = cardinality(v_deps)
           AND coalesce(bool_and(d.status = 'scheduled' AND d.cutoff_at > now()
                                 AND d.capacity_teu - d.booked_teu >= v_teu
                                 AND d.capacity_kg - d.booked_kg >= v_kg), false)
      INTO v_ok
      FROM (SELECT x.status, x.cutoff_at, x.capacity_teu, x.booked_teu, x.capacity_kg, x.booked_kg
              FROM corridor.departure x WHERE x.id = ANY (v_deps)
             ORDER BY x.id FOR NO KEY UPDATE) d;
    SELECT v_ok AND count(*) = cardinality(v_wins)
           AND coalesce(bool_and(w.capacity_teu - w.booked_teu
                                 >= v_teu * v_calls[array_position(v_wins, w.id)]), true)
      INTO v_ok
      FROM (SELECT x.id, x.capacity_teu, x.booked_teu
              FROM corridor.port_window x WHERE x.id = ANY (v_wins)
             ORDER BY x.id FOR NO KEY UPDATE) w;

    -- When something is missing: every reason, leg by leg, then call by call.
    IF NOT v_ok THEN
    SELECT jsonb_agg(p.problem ORDER BY p.ord, p.idx) INTO v_problems FROM (
        SELECT 1 AS ord, l.idx, jsonb_build_object(
                   'pointer', '/legs/' || l.idx,
                   'leg', l.seq, 'departure_id', l.departure_id,
                   'message', CASE
                       WHEN d.id IS NULL THEN
                           format('leg %s: departure %s no longer exists', l.seq, l.departure_id)
                       WHEN d.status <> 'scheduled' THEN
                           format('leg %s: departure %s is %s', l.seq, d.id, d.status)
                       WHEN d.cutoff_at <= now() THEN
                           format('leg %s: departure %s closed for booking at its cut-off %s',
                                  l.seq, d.id, corridor.booking_time(d.cutoff_at))
                       ELSE
                           format('leg %s: departure %s has %s TEU and %s kg free, %s TEU and %s kg needed',
                                  l.seq, d.id, d.capacity_teu - d.booked_teu,
                                  d.capacity_kg - d.booked_kg, v_teu, v_kg) END) AS problem
          FROM (SELECT (x->>'seq')::int AS seq, (i - 1)::int AS idx,
                       (x->>'departure_id')::bigint AS departure_id
                  FROM jsonb_array_elements(opt->'legs') WITH ORDINALITY AS t(x, i)) l
          LEFT JOIN corridor.departure d ON d.id = l.departure_id
         WHERE d.id IS NULL OR d.status <> 'scheduled' OR d.cutoff_at <= now()
            OR d.capacity_teu - d.booked_teu < v_teu OR d.capacity_kg - d.booked_kg < v_kg
        UNION ALL
        SELECT 2, c.idx, jsonb_build_object(
                   'pointer', '/port_calls/' || c.idx,
                   'window_id', c.window_id, 'node', c.node,
                   'message', CASE
                       WHEN w.id IS NULL THEN
                           format('%s call at %s: port window %s no longer exists',
                                  c.kind, c.node, c.window_id)
                       ELSE
                           format('%s call at %s: port window %s has %s TEU free, %s TEU needed',
                                  c.kind, c.node, w.id, w.capacity_teu - w.booked_teu,
                                  v_teu * n.calls) END)
          FROM (SELECT (i - 1)::int AS idx, x->>'node' AS node, x->>'kind' AS kind,
                       (x->>'window_id')::bigint AS window_id
                  FROM jsonb_array_elements(coalesce(opt->'port_calls', '[]'))
                       WITH ORDINALITY AS t(x, i)
                 WHERE x->>'window_id' IS NOT NULL) c
          JOIN (SELECT (x->>'window_id')::bigint AS window_id, count(*) AS calls
                  FROM jsonb_array_elements(coalesce(opt->'port_calls', '[]')) x
                 WHERE x->>'window_id' IS NOT NULL GROUP BY 1) n ON n.window_id = c.window_id
          LEFT JOIN corridor.port_window w ON w.id = c.window_id
         WHERE w.id IS NULL OR w.capacity_teu - w.booked_teu < v_teu * n.calls) p;
    END IF;
    IF v_problems IS NOT NULL THEN
        IF v_b.id IS NOT NULL THEN
            -- written before the locks, refused under them: nothing stays
            PERFORM corridor.booking_unwrite(v_b.id);
        END IF;
        RETURN QUERY SELECT 'capacity_unavailable',
                            (v_problems->0->>'message') ||
                            CASE WHEN jsonb_array_length(v_problems) > 1
                                 THEN format(' (and %s more)', jsonb_array_length(v_problems) - 1)
                                 ELSE '' END,
                            v_problems, NULL::bigint, NULL::json;
        RETURN;
    END IF;

    UPDATE corridor.departure d
       SET booked_teu = d.booked_teu + v_teu, booked_kg = d.booked_kg + v_kg
     WHERE d.id = ANY (v_deps);
    UPDATE corridor.port_window w
       SET booked_teu = w.booked_teu + v_teu * v_calls[array_position(v_wins, w.id)]
     WHERE w.id = ANY (v_wins);

    IF v_b.id IS NULL THEN
        v_b := corridor.booking_write_head(q.org_code, q.id, q.currency, p_option,
                                           p_customer_reference, opt, v_status, v_hold);
        v_charges := corridor.booking_json_charges(v_b.id, q.currency, v_mu);
    END IF;
    PERFORM corridor.booking_write_route(v_b.id, opt, v_teu, v_kg);
    INSERT INTO corridor.booking_event (booking_id, org_code, type, data)
    VALUES (v_b.id, q.org_code, CASE v_status WHEN 'HELD' THEN 'booking.held' ELSE 'booking.confirmed' END,
            jsonb_build_object('status', v_status, 'version', 1, 'quote_id', q.id,
                               'option', p_option, 'teu', v_teu, 'kg', v_kg,
                               'total', opt->'total',
                               'hold_expires_at', corridor.booking_time(v_hold)));

    RETURN QUERY SELECT 'ok', NULL::text, NULL::jsonb, v_b.id,
                        corridor.booking_json_build(v_b, v_mu, corridor.booking_json_legs(v_b.id),
                                                    corridor.booking_json_calls(v_b.id),
                                                    v_charges);
END $$;

REVOKE ALL ON FUNCTION corridor.booking_json_legs(bigint), corridor.booking_json_calls(bigint),
    corridor.booking_json_charges(bigint, text, int),
    corridor.booking_json_build(corridor.booking, int, json, json, json),
    corridor.booking_write_head(text, uuid, text, int, text, jsonb, text, timestamptz),
    corridor.booking_write_route(bigint, jsonb, int, bigint), corridor.booking_unwrite(bigint)
    FROM PUBLIC;
GRANT EXECUTE ON FUNCTION corridor.booking_json_legs(bigint), corridor.booking_json_calls(bigint),
    corridor.booking_json_charges(bigint, text, int),
    corridor.booking_json_build(corridor.booking, int, json, json, json),
    corridor.booking_write_head(text, uuid, text, int, text, jsonb, text, timestamptz),
    corridor.booking_write_route(bigint, jsonb, int, bigint), corridor.booking_unwrite(bigint)
    TO corridor_app;
-- Operators may look at a booking exactly as the API shows it (020).
GRANT EXECUTE ON FUNCTION corridor.booking_json_legs(bigint), corridor.booking_json_calls(bigint),
    corridor.booking_json_charges(bigint, text, int),
    corridor.booking_json_build(corridor.booking, int, json, json, json)
    TO corridor_operator;

-- 4. booking_release planned once per session (see above).
ALTER FUNCTION corridor.booking_release(bigint[]) SET plan_cache_mode = force_generic_plan;
