-- 035_booking_create_lighter: booking_create (025) reads only the option it
-- books and renders its answer from what it already holds, with the same
-- answers, rows, events and errors.  Measured with pg_stat_statements (track
-- = all) on tests/bench/pgbench_booking.sql at one client, 12-leg bookings.
--
-- 1. The option, not the whole offer.  The quote's options (~22-27 KB, three
--    options) were read through the corridor.quote_offer view, which parses
--    all of them into jsonb to pick one: ~0.25 ms per booking.  The server
--    now stores with each offer the byte offsets of its options
--    (quote_offer_stored.option_at: where each option's object starts, then
--    one past the end of the last one, so option k is the bytes [at[k],
--    at[k+1] - 1), 0-based), and booking_create cuts the chosen option out
--    of the text and parses only that (~0.09 ms for the whole statement).
--    The cut must be that option's object; an offer without offsets
--    (stored before this change, or by another writer) or a cut that is not
--    is read whole as before.
-- 2. Whether the quote is booked already is read in the quote's statement.
-- 3. The answer's charge lines are the row just written (034's document),
--    not read back.

ALTER TABLE corridor.quote_offer_stored ADD COLUMN option_at int[] NULL;

-- ---- booking_create (025's, with 1-3 above) ---------------------------------

CREATE OR REPLACE FUNCTION corridor.booking_create(p_org text, p_role text, p_quote_id uuid,
                                        p_option int, p_hold_seconds int,
                                        p_customer_reference text)
RETURNS TABLE (outcome text, detail text, problems jsonb, booking_id bigint, booking json)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
    q          record;
    opt        jsonb;
    v_n        int;
    v_teu      int;
    v_kg       bigint;
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
    -- the quote, locked; whether it is booked; the option cut out of the
    -- offer's text at its offsets (1.), when the offer has them
    SELECT x.id, x.org_code, x.expires_at, x.currency, x.offer_id,
           (SELECT b.reference FROM corridor.booking b WHERE b.quote_id = x.id) AS booked_as,
           CASE WHEN p_option BETWEEN 1 AND cardinality(o.option_at) - 1 THEN
               convert_from(substring(convert_to(o.options::text, 'UTF8')
                                      FROM o.option_at[p_option] + 1
                                      FOR o.option_at[p_option + 1] - o.option_at[p_option] - 1),
                            'UTF8') END AS cut,
           cardinality(o.option_at) - 1 AS n_options
      INTO q
      FROM corridor.quote x
      LEFT JOIN corridor.quote_offer_stored o ON o.id = x.offer_id
     WHERE x.id = p_quote_id FOR UPDATE OF x;
    IF NOT FOUND OR (p_role <> 'operator' AND q.org_code <> p_org) THEN
        RETURN QUERY SELECT 'not_found', format('quote %s does not exist', p_quote_id),
                            NULL::jsonb, NULL::bigint, NULL::json;
        RETURN;
    END IF;
    IF q.booked_as IS NOT NULL THEN
        RETURN QUERY SELECT 'quote_already_booked',
                            format('quote %s is already booked (%s); a quote can be booked once',
                                   p_quote_id, q.booked_as),
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
    IF q.cut IS NOT NULL THEN
        opt := q.cut::jsonb;
        IF opt->>'option' IS DISTINCT FROM p_option::text THEN
            opt := NULL;
        END IF;
        v_n := q.n_options;
    END IF;
    IF opt IS NULL THEN
        -- no offsets, or not this option's object: the options read whole
        SELECT o.x, o.n INTO opt, v_n
          FROM (SELECT (SELECT e FROM jsonb_array_elements(a.options) e
                         WHERE e->>'option' = p_option::text LIMIT 1) AS x,
                       jsonb_array_length(a.options) AS n
                  FROM (SELECT coalesce(x.options, (SELECT s.options::jsonb
                                                      FROM corridor.quote_offer_stored s
                                                     WHERE s.id = x.offer_id)) AS options
                          FROM corridor.quote x WHERE x.id = p_quote_id) a) o;
    END IF;
    IF opt IS NULL OR jsonb_typeof(opt->'legs') <> 'array'
       OR jsonb_array_length(opt->'legs') = 0 THEN
        RETURN QUERY SELECT 'validation_failed',
                            format('quote %s has no option %s (it has %s)', p_quote_id, p_option,
                                   v_n),
                            jsonb_build_array(jsonb_build_object(
                                'pointer', '/option',
                                'message', format('must be between 1 and %s', v_n))),
                            NULL::bigint, NULL::json;
        RETURN;
    END IF;

    v_teu := coalesce((opt->>'teu')::int,
                      (SELECT sum(corridor.booking_container_teu(c->>'type') * (c->>'count')::int)
                         FROM jsonb_array_elements(opt->'containers') c));
    v_kg := coalesce((opt->>'kg')::bigint,
                     (SELECT sum((c->>'count')::bigint * (c->>'gross_weight_kg')::bigint)
                        FROM jsonb_array_elements(opt->'containers') c), 0);

    -- the departures, and each window with its number of calls (two calls
    -- may share a window)
    SELECT (SELECT array_agg(DISTINCT (x->>'departure_id')::bigint)
              FROM jsonb_array_elements(opt->'legs') x),
           w.wins, w.calls
      INTO v_deps, v_wins, v_calls
      FROM (SELECT array_agg(c.window_id ORDER BY c.window_id) AS wins,
                   array_agg(c.calls ORDER BY c.window_id) AS calls
              FROM (SELECT (x->>'window_id')::bigint AS window_id, count(*)::int AS calls
                      FROM jsonb_array_elements(coalesce(opt->'port_calls', '[]')) x
                     WHERE x->>'window_id' IS NOT NULL GROUP BY 1) c) w;
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
        SELECT v_b.charges::json, corridor.booking_json_legs(v_b.id),
               corridor.booking_json_calls(v_b.id), corridor.booking_departures_shown(v_deps)
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
        v_charges := v_b.charges::json;
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
