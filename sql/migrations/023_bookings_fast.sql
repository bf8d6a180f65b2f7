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
    v_id       bigint;
    v_status   text;
    v_hold     timestamptz;
    v_deps     bigint[];
    v_wins     bigint[];
    v_calls    int[];
    v_ok       boolean;
    v_problems jsonb;
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

    v_status := CASE WHEN p_hold_seconds IS NULL THEN 'CONFIRMED' ELSE 'HELD' END;
    v_hold := CASE WHEN p_hold_seconds IS NULL THEN NULL
                   ELSE now() + make_interval(secs => p_hold_seconds) END;
    LOOP
        v_ref := corridor.booking_new_reference();
        INSERT INTO corridor.booking (reference, org_code, status, quote_id, option,
                                      customer_reference, containers, total_amount, currency,
                                      hold_expires_at)
        VALUES (v_ref, q.org_code, v_status, q.id, p_option, p_customer_reference,
                coalesce(opt->'containers', '[]'), (opt->'total'->>'amount')::numeric,
                q.currency, v_hold)
        ON CONFLICT (reference) DO NOTHING
        RETURNING id INTO v_id;
        EXIT WHEN v_id IS NOT NULL;
    END LOOP;

    INSERT INTO corridor.booking_leg (booking_id, seq, departure_id, teu, kg)
    SELECT v_id, coalesce((x->>'seq')::int, i::int), (x->>'departure_id')::bigint, v_teu, v_kg
      FROM jsonb_array_elements(opt->'legs') WITH ORDINALITY AS t(x, i);
    INSERT INTO corridor.booking_port_call (booking_id, seq, node_code, kind, window_id, at, teu)
    SELECT v_id, i, x->>'node', x->>'kind', (x->>'window_id')::bigint,
           (x->>'at')::timestamptz, v_teu
      FROM jsonb_array_elements(coalesce(opt->'port_calls', '[]')) WITH ORDINALITY AS t(x, i);
    INSERT INTO corridor.booking_charge (booking_id, line_no, code, leg, description, basis,
                                         quantity, unit_price, unit_currency, amount, fx_rate,
                                         tariff_id, min_charge)
    SELECT v_id, i, x->>'code', nullif((x->>'leg')::int, 0), x->>'description', x->>'basis',
           (x->>'quantity')::numeric, (x->'unit_price'->>'amount')::numeric,
           x->'unit_price'->>'currency', (x->'amount'->>'amount')::numeric,
           (x->>'fx_rate')::numeric, (x->>'tariff_id')::bigint,
           CASE WHEN x->>'basis' IS DISTINCT FROM 'percent' THEN
               (SELECT tr.min_charge FROM corridor.tariff tr
                 WHERE tr.id = (x->>'tariff_id')::bigint) END
      FROM jsonb_array_elements(coalesce(opt->'charges', '[]')) WITH ORDINALITY AS t(x, i);
    INSERT INTO corridor.booking_event (booking_id, org_code, type, data)
    VALUES (v_id, q.org_code, CASE v_status WHEN 'HELD' THEN 'booking.held' ELSE 'booking.confirmed' END,
            jsonb_build_object('status', v_status, 'version', 1, 'quote_id', q.id,
                               'option', p_option, 'teu', v_teu, 'kg', v_kg,
                               'total', opt->'total',
                               'hold_expires_at', corridor.booking_time(v_hold)));

    RETURN QUERY SELECT 'ok', NULL::text, NULL::jsonb, v_id, corridor.booking_json(v_id);
END $$;
