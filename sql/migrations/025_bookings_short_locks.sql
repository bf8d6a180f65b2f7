-- 025_bookings_short_locks: booking_create (024) holds the departures' and
-- windows' row locks for less time, with the same answers, rows, events and
-- errors.
--
-- Every booking of one itinerary locks the same departure and window rows,
-- so bookings of it run one after another from the moment they lock those
-- rows until they commit: the time between is what limits them.  024 wrote
-- the legs and port calls (12 + 1 rows with their index entries and foreign
-- key checks) and rendered the legs and port calls of the answer under the
-- locks (0.4 + 0.25 ms of the ~0.9 ms it held them per booking, measured with
-- pg_stat_statements, track = all).  Now, when the look without locks finds
-- room (023), those are written and rendered before the locks as well, with
-- the booking row and charge lines; under the locks remain the check, the
-- two updates of the booked quantities, the event and the commit.
--
-- 1. The foreign keys booking_leg -> departure and booking_port_call ->
--    port_window are checked at commit (DEFERRABLE INITIALLY DEFERRED)
--    instead of at each insert.  Checked at the insert, before the locks,
--    each check locks its departure FOR KEY SHARE while another booking
--    holds and updates that row, which makes a MultiXact on every departure
--    for every booking (023's note; c=8 fell from ~290 to ~150 TPS).
--    Checked at commit, the departure is the version this transaction itself
--    updated, so no MultiXact.  The guarantee is the same (no leg or call
--    without its departure or window, none of them deleted while referenced)
--    and booking_create cannot fail it: under the locks it refuses unless
--    every departure and window exists.  Other writers of these rows get a
--    violation at COMMIT instead of at the INSERT.
--
-- 2. The legs of the answer show each departure's service, times and link.
--    Rendered before the locks, they are kept only when the locked rows still
--    have the values they were rendered from (compared under the locks);
--    otherwise they are rendered again under the locks, as in 024.  So the
--    answer still shows the departures as they are when the booking commits.
--
-- 3. booking_unwrite (the refusal under the locks after rows were written
--    before them) also deletes the legs and port calls of its transaction.

ALTER TABLE corridor.booking_leg
    ALTER CONSTRAINT booking_leg_departure_id_fkey DEFERRABLE INITIALLY DEFERRED;
ALTER TABLE corridor.booking_port_call
    ALTER CONSTRAINT booking_port_call_window_id_fkey DEFERRABLE INITIALLY DEFERRED;

-- Deletes booking p_id with its charge lines, legs and port calls if this
-- very transaction wrote them (023's, plus the legs and port calls).
CREATE OR REPLACE FUNCTION corridor.booking_unwrite(p_id bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me xid := pg_current_xact_id()::xid;
BEGIN
    DELETE FROM corridor.booking_port_call c WHERE c.booking_id = p_id AND c.xmin = me;
    DELETE FROM corridor.booking_leg c WHERE c.booking_id = p_id AND c.xmin = me;
    DELETE FROM corridor.booking_charge c WHERE c.booking_id = p_id AND c.xmin = me;
    DELETE FROM corridor.booking b WHERE b.id = p_id AND b.xmin = me;
END $$;

-- What the legs of a booking's answer show of departures p_deps (id order):
-- compared before and under the locks (2. above).
CREATE FUNCTION corridor.booking_departures_shown(p_deps bigint[]) RETURNS text
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT string_agg(concat_ws(',', d.id, d.link_id, d.service, d.departs_at, d.arrives_at),
                              ';' ORDER BY d.id)
              FROM corridor.departure d WHERE d.id = ANY (p_deps));
END $$;
REVOKE ALL ON FUNCTION corridor.booking_departures_shown(bigint[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION corridor.booking_departures_shown(bigint[]) TO corridor_app;

-- ---- booking_create (024's, with the route written before the locks) -------

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
    v_legs     json;
    v_pcalls   json;
    v_shown    text;
    v_shown_now text;
BEGIN
    SELECT x.id, x.org_code, x.expires_at, x.currency,
           coalesce(x.options, (SELECT o.options FROM corridor.quote_offer o
                                 WHERE o.id = x.offer_id)) AS options INTO q
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
    -- the booking row, its charge lines, legs and port calls are written
    -- (and rendered) before the locks.  The check under the locks decides.
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
        PERFORM corridor.booking_write_route(v_b.id, opt, v_teu, v_kg);
        -- one statement, so the legs and what they show of the departures
        -- come from the same snapshot
        SELECT corridor.booking_json_charges(v_b.id, q.currency, v_mu),
               corridor.booking_json_legs(v_b.id), corridor.booking_json_calls(v_b.id),
               corridor.booking_departures_shown(v_deps)
          INTO v_charges, v_legs, v_pcalls, v_shown;
    END IF;

    -- The global lock order: departures by id, then windows by id; each
    -- statement locks its rows in that order and checks them at once.
    SELECT count(*) = cardinality(v_deps)
           AND coalesce(bool_and(d.status = 'scheduled' AND d.cutoff_at > now()
                                 AND d.capacity_teu - d.booked_teu >= v_teu
                                 AND d.capacity_kg - d.booked_kg >= v_kg), false),
           string_agg(concat_ws(',', d.id, d.link_id, d.service, d.departs_at, d.arrives_at),
                      ';' ORDER BY d.id)
      INTO v_ok, v_shown_now
      FROM (SELECT x.id, x.link_id, x.service, x.departs_at, x.arrives_at, x.status, x.cutoff_at,
                   x.capacity_teu, x.booked_teu, x.capacity_kg, x.booked_kg
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
        PERFORM corridor.booking_write_route(v_b.id, opt, v_teu, v_kg);
    END IF;
    IF v_legs IS NULL OR v_shown IS DISTINCT FROM v_shown_now THEN
        v_legs := corridor.booking_json_legs(v_b.id);
        v_pcalls := corridor.booking_json_calls(v_b.id);
    END IF;
    INSERT INTO corridor.booking_event (booking_id, org_code, type, data)
    VALUES (v_b.id, q.org_code, CASE v_status WHEN 'HELD' THEN 'booking.held' ELSE 'booking.confirmed' END,
            jsonb_build_object('status', v_status, 'version', 1, 'quote_id', q.id,
                               'option', p_option, 'teu', v_teu, 'kg', v_kg,
                               'total', opt->'total',
                               'hold_expires_at', corridor.booking_time(v_hold)));

    RETURN QUERY SELECT 'ok', NULL::text, NULL::jsonb, v_b.id,
                        corridor.booking_json_build(v_b, v_mu, v_legs, v_pcalls, v_charges);
END $$;
