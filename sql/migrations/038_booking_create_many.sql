-- 038_booking_create_many: several bookings in one transaction, for the
-- creates that wait in the server's booking lane (group commit).
--
-- Each booking is still all or nothing; what is shared is the work around
-- them: one commit and one WAL flush, one statement that locks the quotes,
-- one that locks the departures and one the port windows, one UPDATE of the
-- booked quantities per table (each departure row once per batch, however
-- many bookings of the batch use it), one INSERT per table for the rows of
-- every booking, and the statement-level triggers and NOTIFYs once.
--
-- Two transactions locking rows in no common order deadlock (a batch of
-- booking_create calls in one transaction did, measured: 2-5 batches/s).  So
-- the batch takes every lock in the global order of booking_create (024):
-- its quotes by id, then the union of its departures by id, then the union
-- of its windows by id, each set in one statement.  As in booking_create
-- (025), the rows are written and the answers rendered before the locks of
-- the departures and windows, after a look without locks; under the locks
-- the look is made again and decides, so two batches overlap in all but
-- their last few statements.
--
-- Only the plain case is done here: a quote of the caller's organization,
-- not booked, not expired, whose every departure and window has room when its
-- turn comes (requests are served in the order given: an earlier one's
-- reservation counts for a later one).  Every other request is answered
-- 'single', and the caller runs it alone with booking_create, which gives
-- the exact refusal (or books it, if room was freed meanwhile); none of its
-- rows stay.  Answers: one row per request, i its 1-based position; for
-- 'ok' the booking as booking_create answers it.
--
-- Requests with an Idempotency-Key (p_keys, p_hashes; NULL elements for
-- those without) are claimed first, in (organization, key) order, as
-- corridor.idempotency_claim (036) claims them, waiting at most 3 s for a
-- claim another transaction holds (then the batch fails and every request
-- runs alone).  A key already claimed or answered, or asked twice in the
-- batch, leaves its request 'single' (alone it replays, is refused as
-- reused, or waits).  A booked request's answer is stored with its key in
-- the same transaction; the claims of the others are dropped.

-- Which of the candidates (p_cand) fit, served in order: each takes its
-- TEU and kg on every departure it needs (p_need_i: request, p_need_d:
-- departure, sorted by request) and TEU times its calls in every window
-- (p_wneed_*, sorted by request), from the room left (p_deps with p_dok
-- bookable, p_dteu, p_dkg; p_wins with p_wteu).  One pass over the needs.
CREATE FUNCTION corridor.booking_many_fits(p_cand boolean[], p_teu int[], p_kg bigint[],
                                           p_need_i int[], p_need_d bigint[],
                                           p_wneed_i int[], p_wneed_w bigint[], p_wneed_c int[],
                                           p_deps bigint[], p_dok boolean[], p_dteu bigint[],
                                           p_dkg bigint[], p_wins bigint[], p_wteu bigint[])
RETURNS boolean[]
LANGUAGE plpgsql IMMUTABLE AS $$
DECLARE
    n      int := cardinality(p_cand);
    nd     int := coalesce(cardinality(p_need_i), 0);
    nw     int := coalesce(cardinality(p_wneed_i), 0);
    fits   boolean[] := array_fill(false, ARRAY[n]);
    ok     boolean;
    kd     int := 1;   -- the next need of a departure
    kw     int := 1;   -- the next need of a window
    d0     int;
    w0     int;
    p      int;
    r      int;
BEGIN
    FOR r IN 1..n LOOP
        WHILE kd <= nd AND p_need_i[kd] < r LOOP
            kd := kd + 1;
        END LOOP;
        d0 := kd;
        WHILE kd <= nd AND p_need_i[kd] = r LOOP
            kd := kd + 1;
        END LOOP;
        WHILE kw <= nw AND p_wneed_i[kw] < r LOOP
            kw := kw + 1;
        END LOOP;
        w0 := kw;
        WHILE kw <= nw AND p_wneed_i[kw] = r LOOP
            kw := kw + 1;
        END LOOP;
        CONTINUE WHEN NOT p_cand[r] OR d0 = kd;
        ok := true;
        FOR k IN d0..kd - 1 LOOP
            p := array_position(p_deps, p_need_d[k]);
            IF p IS NULL OR NOT p_dok[p] OR p_dteu[p] < p_teu[r] OR p_dkg[p] < p_kg[r] THEN
                ok := false;
                EXIT;
            END IF;
        END LOOP;
        IF ok THEN
            FOR k IN w0..kw - 1 LOOP
                p := array_position(p_wins, p_wneed_w[k]);
                IF p IS NULL OR p_wteu[p] < p_teu[r] * p_wneed_c[k] THEN
                    ok := false;
                    EXIT;
                END IF;
            END LOOP;
        END IF;
        CONTINUE WHEN NOT ok;
        FOR k IN d0..kd - 1 LOOP
            p := array_position(p_deps, p_need_d[k]);
            p_dteu[p] := p_dteu[p] - p_teu[r];
            p_dkg[p] := p_dkg[p] - p_kg[r];
        END LOOP;
        FOR k IN w0..kw - 1 LOOP
            p := array_position(p_wins, p_wneed_w[k]);
            p_wteu[p] := p_wteu[p] - p_teu[r] * p_wneed_c[k];
        END LOOP;
        fits[r] := true;
    END LOOP;
    RETURN fits;
END $$;

-- The answers of a batch's bookings p_made (of requests p_made_i), as
-- booking_create renders each: an array of p_n, by request (NULL for the
-- others).
CREATE FUNCTION corridor.booking_many_answers(p_made corridor.booking[], p_made_i int[], p_n int)
RETURNS json[]
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN (SELECT array_agg(x.j ORDER BY g.i)
              FROM generate_series(1, p_n) AS g(i)
              LEFT JOIN (SELECT m.i, corridor.booking_json_build(
                                 m.b, coalesce((SELECT cu.minor_units FROM corridor.currency cu
                                                 WHERE cu.code = (m.b).currency), 2),
                                 corridor.booking_json_legs((m.b).id),
                                 corridor.booking_json_calls((m.b).id), (m.b).charges::json) AS j
                           FROM (SELECT p_made[s.k] AS b, p_made_i[s.k] AS i
                                   FROM generate_subscripts(p_made, 1) AS s(k)) m) x
                ON x.i = g.i);
END $$;

-- Drops the claims this batch made (p_keyed) for the requests it did not
-- book (not in p_made).
CREATE FUNCTION corridor.booking_many_unclaim(p_org text[], p_keys text[], p_keyed boolean[],
                                              p_made int[])
RETURNS void
LANGUAGE sql AS $$
    DELETE FROM corridor.idempotency_key k
     USING generate_subscripts(p_keys, 1) AS g(i)
     WHERE p_keyed[g.i] AND NOT (g.i = ANY (coalesce(p_made, '{}')))
       AND k.org_code = p_org[g.i] AND k.key = p_keys[g.i] AND k.status_code IS NULL
$$;

CREATE FUNCTION corridor.booking_create_many(p_org text[], p_role text[], p_quote_ids uuid[],
                                             p_options int[], p_hold_seconds int[],
                                             p_customer_references text[], p_keys text[],
                                             p_hashes text[])
RETURNS TABLE (i int, outcome text, booking_id bigint, booking json)
LANGUAGE plpgsql SET plan_cache_mode = force_generic_plan AS $$
#variable_conflict use_column
DECLARE
    n          int := cardinality(p_quote_ids);
    q          record;
    opt        jsonb;
    v_opts     jsonb[];          -- by request: the option (NULL: not a candidate)
    v_cur      text[];
    v_qorg     text[];
    v_teu      int[];
    v_kg       bigint[];
    v_cand     boolean[];
    v_ok       boolean[];        -- by request: fits (without locks, then under them)
    v_deps     bigint[];         -- every departure of the candidates, by id
    v_dok      boolean[];        -- bookable (scheduled, before its cut-off)
    v_dteu     bigint[];         -- room left
    v_dkg      bigint[];
    v_wins     bigint[];
    v_wteu     bigint[];
    v_shown    text;             -- what the answers show of the departures
    v_shown_now text;
    v_need_i   int[];            -- what each candidate needs: (request, departure)
    v_need_d   bigint[];
    v_wneed_i  int[];            -- (request, window, calls)
    v_wneed_w  bigint[];
    v_wneed_c  int[];
    v_made     corridor.booking[];  -- the bookings written, by id
    v_made_i   int[];               -- and their requests
    v_json     json[];              -- by request: the answer
    v_gone     bigint[];
    v_keyed    boolean[];           -- by request: its key claimed here
    v_claimed  int[];
    v_lock_timeout text;
    r          int;
BEGIN
    v_opts := array_fill(NULL::jsonb, ARRAY[n]);
    v_cur := array_fill(NULL::text, ARRAY[n]);
    v_qorg := array_fill(NULL::text, ARRAY[n]);
    v_teu := array_fill(NULL::int, ARRAY[n]);
    v_kg := array_fill(NULL::bigint, ARRAY[n]);
    v_cand := array_fill(false, ARRAY[n]);
    v_json := array_fill(NULL::json, ARRAY[n]);
    v_keyed := array_fill(false, ARRAY[n]);
    p_keys := coalesce(p_keys, array_fill(NULL::text, ARRAY[n]));

    -- 0. the Idempotency-Keys, claimed in (organization, key) order; a key
    -- asked twice is its first request's
    IF EXISTS (SELECT 1 FROM unnest(p_keys) AS u(k) WHERE u.k IS NOT NULL) THEN
        v_lock_timeout := current_setting('lock_timeout');
        PERFORM set_config('lock_timeout', '3000ms', true);
        WITH claimed AS (
            INSERT INTO corridor.idempotency_key (org_code, key, request_hash)
            SELECT p_org[u.i], u.k, p_hashes[u.i]
              FROM unnest(p_keys) WITH ORDINALITY AS u(k, i)
             WHERE u.k IS NOT NULL
             ORDER BY p_org[u.i], u.k, u.i
            ON CONFLICT DO NOTHING
            RETURNING org_code, key)
        SELECT coalesce(array_agg((SELECT min(u.i)::int FROM unnest(p_keys) WITH ORDINALITY AS u(k, i)
                                    WHERE u.k = c.key AND p_org[u.i] = c.org_code)), '{}')
          INTO v_claimed
          FROM claimed c;
        PERFORM set_config('lock_timeout', v_lock_timeout, true);
        FOREACH r IN ARRAY v_claimed LOOP
            v_keyed[r] := true;
        END LOOP;
    END IF;

    -- 1. the quotes, locked by id; the candidates (a quote asked for twice:
    -- its first request)
    FOR q IN
        SELECT u.i::int AS i, x.id, x.org_code, x.expires_at, x.currency,
               EXISTS (SELECT 1 FROM corridor.booking b WHERE b.quote_id = x.id) AS booked,
               CASE WHEN p_options[u.i] BETWEEN 1 AND cardinality(o.option_at) - 1 THEN
                   convert_from(substring(convert_to(o.options::text, 'UTF8')
                                          FROM o.option_at[p_options[u.i]] + 1
                                          FOR o.option_at[p_options[u.i] + 1]
                                              - o.option_at[p_options[u.i]] - 1),
                                'UTF8') END AS cut
          FROM unnest(p_quote_ids) WITH ORDINALITY AS u(id, i)
          JOIN corridor.quote x ON x.id = u.id
          LEFT JOIN corridor.quote_offer_stored o ON o.id = x.offer_id
         ORDER BY x.id, u.i
           FOR UPDATE OF x
    LOOP
        CONTINUE WHEN (p_keys[q.i] IS NOT NULL AND NOT v_keyed[q.i])
                   OR q.booked OR q.expires_at <= now()
                   OR (p_role[q.i] <> 'operator' AND q.org_code <> p_org[q.i])
                   OR array_position(p_quote_ids, q.id) <> q.i;
        IF q.cut IS NULL THEN
            -- no offsets (an offer stored before 035, or a quote with its
            -- options in its own row): the options read whole
            SELECT (SELECT e FROM jsonb_array_elements(coalesce(x.options, s.options::jsonb)) e
                     WHERE e->>'option' = p_options[q.i]::text LIMIT 1)
              INTO opt
              FROM corridor.quote x LEFT JOIN corridor.quote_offer_stored s ON s.id = x.offer_id
             WHERE x.id = q.id;
        ELSIF left(q.cut, 10) = '{"option":' THEN
            opt := q.cut::jsonb; -- (a cut that is not JSON fails the batch: all run alone)
        ELSE
            CONTINUE; -- a cut that is not an option's object: left to booking_create
        END IF;
        CONTINUE WHEN opt->>'option' IS DISTINCT FROM p_options[q.i]::text
                   OR jsonb_typeof(opt->'legs') IS DISTINCT FROM 'array'
                   OR jsonb_array_length(opt->'legs') = 0;
        IF jsonb_array_length(coalesce(opt->'charges', '[]')) > 0
           AND NOT (opt->'charges'->0 ? 'line') THEN
            -- a quote made before its lines were numbered (as booking_write_head)
            opt := jsonb_set(opt, '{charges}',
                             (SELECT jsonb_agg(jsonb_build_object('line', t.k) || t.x ORDER BY t.k)
                                FROM jsonb_array_elements(opt->'charges') WITH ORDINALITY AS t(x, k)));
        END IF;
        v_opts[q.i] := opt;
        v_cand[q.i] := true;
        v_cur[q.i] := q.currency;
        v_qorg[q.i] := q.org_code;
        v_teu[q.i] := coalesce((opt->>'teu')::int,
                               (SELECT sum(corridor.booking_container_teu(c->>'type') * (c->>'count')::int)
                                  FROM jsonb_array_elements(opt->'containers') c));
        v_kg[q.i] := coalesce((opt->>'kg')::bigint,
                              (SELECT sum((c->>'count')::bigint * (c->>'gross_weight_kg')::bigint)
                                 FROM jsonb_array_elements(opt->'containers') c), 0);
    END LOOP;

    -- 2. what they need: departures (each once per booking) and windows
    -- (with their number of calls)
    SELECT array_agg(t.i ORDER BY t.i, t.d), array_agg(t.d ORDER BY t.i, t.d)
      INTO v_need_i, v_need_d
      FROM (SELECT DISTINCT o.i::int AS i, (x->>'departure_id')::bigint AS d
              FROM unnest(v_opts) WITH ORDINALITY AS o(opt, i),
                   jsonb_array_elements(o.opt->'legs') x
             WHERE o.opt IS NOT NULL) t;
    IF v_need_i IS NULL THEN
        PERFORM corridor.booking_many_unclaim(p_org, p_keys, v_keyed, NULL);
        RETURN QUERY SELECT g.i::int, 'single'::text, NULL::bigint, NULL::json
                       FROM generate_series(1, n) AS g(i);
        RETURN;
    END IF;
    SELECT coalesce(array_agg(t.i ORDER BY t.i, t.w), '{}'),
           coalesce(array_agg(t.w ORDER BY t.i, t.w), '{}'),
           coalesce(array_agg(t.c ORDER BY t.i, t.w), '{}')
      INTO v_wneed_i, v_wneed_w, v_wneed_c
      FROM (SELECT o.i::int AS i, (x->>'window_id')::bigint AS w, count(*)::int AS c
              FROM unnest(v_opts) WITH ORDINALITY AS o(opt, i),
                   jsonb_array_elements(coalesce(o.opt->'port_calls', '[]')) x
             WHERE o.opt IS NOT NULL AND x->>'window_id' IS NOT NULL
             GROUP BY 1, 2) t;

    -- 3. a look without locks: who fits now
    SELECT coalesce(array_agg(d.id ORDER BY d.id), '{}'),
           array_agg(d.status = 'scheduled' AND d.cutoff_at > now() ORDER BY d.id),
           array_agg(d.capacity_teu - d.booked_teu ORDER BY d.id),
           array_agg(d.capacity_kg - d.booked_kg ORDER BY d.id),
           string_agg(concat_ws(',', d.id, d.link_id, d.service, d.departs_at, d.arrives_at),
                      ';' ORDER BY d.id)
      INTO v_deps, v_dok, v_dteu, v_dkg, v_shown
      FROM corridor.departure d WHERE d.id = ANY (v_need_d);
    SELECT coalesce(array_agg(w.id ORDER BY w.id), '{}'),
           array_agg(w.capacity_teu - w.booked_teu ORDER BY w.id)
      INTO v_wins, v_wteu
      FROM corridor.port_window w WHERE w.id = ANY (v_wneed_w);
    v_ok := corridor.booking_many_fits(v_cand, v_teu, v_kg, v_need_i, v_need_d, v_wneed_i,
                                       v_wneed_w, v_wneed_c, v_deps, v_dok, v_dteu, v_dkg,
                                       v_wins, v_wteu);

    -- 4. their rows, one statement per table, and their answers; a
    -- reference already taken (ON CONFLICT) leaves its request to 'single'
    WITH made AS (
        INSERT INTO corridor.booking AS nb (reference, org_code, status, quote_id, option,
                                      customer_reference, containers, total_amount, currency,
                                      hold_expires_at, charges, charge_minimums)
        SELECT corridor.booking_new_reference(), v_qorg[a.i],
               CASE WHEN p_hold_seconds[a.i] IS NULL THEN 'CONFIRMED' ELSE 'HELD' END,
               p_quote_ids[a.i], p_options[a.i], p_customer_references[a.i],
               coalesce(a.opt->'containers', '[]'), (a.opt->'total'->>'amount')::numeric,
               v_cur[a.i],
               CASE WHEN p_hold_seconds[a.i] IS NULL THEN NULL
                    ELSE now() + make_interval(secs => p_hold_seconds[a.i]) END,
               coalesce(a.opt->'charges', '[]'),
               (SELECT jsonb_object_agg(tr.id::text, tr.min_charge)
                  FROM corridor.tariff tr
                 WHERE tr.id = ANY (ARRAY(SELECT (x->>'tariff_id')::bigint
                                            FROM jsonb_array_elements(coalesce(a.opt->'charges', '[]')) x
                                           WHERE x->>'basis' IS DISTINCT FROM 'percent'))
                   AND tr.min_charge IS NOT NULL)
          FROM unnest(v_opts) WITH ORDINALITY AS a(opt, i)
         WHERE v_ok[a.i]
         ORDER BY a.i
        ON CONFLICT (reference) DO NOTHING
        RETURNING nb)  -- the row as corridor.booking (RETURNING * would be a record,
                       -- cast to it element by element through text)
    SELECT array_agg(m.nb ORDER BY (m.nb).id),
           array_agg(array_position(p_quote_ids, (m.nb).quote_id) ORDER BY (m.nb).id)
      INTO v_made, v_made_i
      FROM made m;
    IF v_made IS NULL THEN
        PERFORM corridor.booking_many_unclaim(p_org, p_keys, v_keyed, NULL);
        RETURN QUERY SELECT g.i::int, 'single'::text, NULL::bigint, NULL::json
                       FROM generate_series(1, n) AS g(i);
        RETURN;
    END IF;
    INSERT INTO corridor.booking_leg (booking_id, seq, departure_id, teu, kg)
    SELECT (m.b).id, coalesce((x->>'seq')::int, t.k::int), (x->>'departure_id')::bigint,
           v_teu[m.i], v_kg[m.i]
      FROM (SELECT v_made[s.k] AS b, v_made_i[s.k] AS i FROM generate_subscripts(v_made, 1) AS s(k)) m
     CROSS JOIN LATERAL jsonb_array_elements(v_opts[m.i]->'legs') WITH ORDINALITY AS t(x, k);
    INSERT INTO corridor.booking_port_call (booking_id, seq, node_code, kind, window_id, at, teu)
    SELECT (m.b).id, t.k, x->>'node', x->>'kind', (x->>'window_id')::bigint,
           (x->>'at')::timestamptz, v_teu[m.i]
      FROM (SELECT v_made[s.k] AS b, v_made_i[s.k] AS i FROM generate_subscripts(v_made, 1) AS s(k)) m
     CROSS JOIN LATERAL jsonb_array_elements(coalesce(v_opts[m.i]->'port_calls', '[]'))
                        WITH ORDINALITY AS t(x, k);
    v_json := corridor.booking_many_answers(v_made, v_made_i, n);

    -- 5. the locks, in the global order (departures by id, then windows by
    -- id); under them the look again, which decides
    SELECT coalesce(array_agg(d.id ORDER BY d.id), '{}'),
           array_agg(d.status = 'scheduled' AND d.cutoff_at > now() ORDER BY d.id),
           array_agg(d.capacity_teu - d.booked_teu ORDER BY d.id),
           array_agg(d.capacity_kg - d.booked_kg ORDER BY d.id),
           string_agg(concat_ws(',', d.id, d.link_id, d.service, d.departs_at, d.arrives_at),
                      ';' ORDER BY d.id)
      INTO v_deps, v_dok, v_dteu, v_dkg, v_shown_now
      FROM (SELECT x.id, x.link_id, x.service, x.departs_at, x.arrives_at, x.status, x.cutoff_at,
                   x.capacity_teu, x.booked_teu, x.capacity_kg, x.booked_kg
              FROM corridor.departure x WHERE x.id = ANY (v_need_d)
             ORDER BY x.id FOR NO KEY UPDATE) d;
    SELECT coalesce(array_agg(w.id ORDER BY w.id), '{}'),
           array_agg(w.capacity_teu - w.booked_teu ORDER BY w.id)
      INTO v_wins, v_wteu
      FROM (SELECT x.id, x.capacity_teu, x.booked_teu
              FROM corridor.port_window x WHERE x.id = ANY (v_wneed_w)
             ORDER BY x.id FOR NO KEY UPDATE) w;
    v_cand := array_fill(false, ARRAY[n]);
    FOR k IN 1..cardinality(v_made_i) LOOP
        v_cand[v_made_i[k]] := true;
    END LOOP;
    v_ok := corridor.booking_many_fits(v_cand, v_teu, v_kg, v_need_i, v_need_d, v_wneed_i,
                                       v_wneed_w, v_wneed_c, v_deps, v_dok, v_dteu, v_dkg,
                                       v_wins, v_wteu);
    -- written before the locks, refused under them: nothing of them stays
    SELECT array_agg((v_made[k]).id) INTO v_gone
      FROM generate_subscripts(v_made, 1) AS s(k) WHERE NOT v_ok[v_made_i[k]];
    IF v_gone IS NOT NULL THEN
        PERFORM corridor.booking_unwrite(g) FROM unnest(v_gone) AS g;
        SELECT array_agg(v_made[k] ORDER BY k), array_agg(v_made_i[k] ORDER BY k)
          INTO v_made, v_made_i
          FROM generate_subscripts(v_made, 1) AS s(k) WHERE v_ok[v_made_i[k]];
        IF v_made IS NULL THEN
            PERFORM corridor.booking_many_unclaim(p_org, p_keys, v_keyed, NULL);
            RETURN QUERY SELECT g.i::int, 'single'::text, NULL::bigint, NULL::json
                           FROM generate_series(1, n) AS g(i);
            RETURN;
        END IF;
    END IF;

    UPDATE corridor.departure d
       SET booked_teu = d.booked_teu + s.teu, booked_kg = d.booked_kg + s.kg
      FROM (SELECT t.d, sum(v_teu[t.i]) AS teu, sum(v_kg[t.i]) AS kg
              FROM unnest(v_need_i, v_need_d) AS t(i, d)
             WHERE t.i = ANY (v_made_i) GROUP BY t.d) s
     WHERE d.id = s.d;
    UPDATE corridor.port_window w
       SET booked_teu = w.booked_teu + s.teu
      FROM (SELECT t.w, sum(v_teu[t.i] * t.c) AS teu
              FROM unnest(v_wneed_i, v_wneed_w, v_wneed_c) AS t(i, w, c)
             WHERE t.i = ANY (v_made_i) GROUP BY t.w) s
     WHERE w.id = s.w;
    INSERT INTO corridor.booking_event (booking_id, org_code, type, data)
    SELECT (m.b).id, (m.b).org_code,
           CASE (m.b).status WHEN 'HELD' THEN 'booking.held' ELSE 'booking.confirmed' END,
           jsonb_build_object('status', (m.b).status, 'version', 1, 'quote_id', (m.b).quote_id,
                              'option', (m.b).option, 'teu', v_teu[m.i], 'kg', v_kg[m.i],
                              'total', v_opts[m.i]->'total',
                              'hold_expires_at', corridor.booking_time((m.b).hold_expires_at))
      FROM (SELECT v_made[s.k] AS b, v_made_i[s.k] AS i FROM generate_subscripts(v_made, 1) AS s(k)) m
     ORDER BY (m.b).id;

    -- 6. the answers (rendered again if a departure changed in between),
    -- stored with their keys; the other claims dropped
    IF v_shown IS DISTINCT FROM v_shown_now THEN
        v_json := corridor.booking_many_answers(v_made, v_made_i, n);
    END IF;
    UPDATE corridor.idempotency_key k
       SET status_code = 201, response_body = v_json[m.i]::text
      FROM unnest(v_made_i) AS m(i)
     WHERE v_keyed[m.i] AND k.org_code = p_org[m.i] AND k.key = p_keys[m.i];
    PERFORM corridor.booking_many_unclaim(p_org, p_keys, v_keyed, v_made_i);

    RETURN QUERY
    SELECT g.i::int, CASE WHEN (m.b).id IS NULL THEN 'single' ELSE 'ok' END, (m.b).id,
           v_json[g.i]
      FROM generate_series(1, n) AS g(i)
      LEFT JOIN (SELECT v_made[s.k] AS b, v_made_i[s.k] AS i
                   FROM generate_subscripts(v_made, 1) AS s(k)) m ON m.i = g.i
     ORDER BY g.i;
END $$;

REVOKE ALL ON FUNCTION corridor.booking_many_fits(boolean[], int[], bigint[], int[], bigint[], int[],
                                                  bigint[], int[], bigint[], boolean[], bigint[],
                                                  bigint[], bigint[], bigint[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION corridor.booking_many_unclaim(text[], text[], boolean[], int[]) FROM PUBLIC;
REVOKE ALL ON FUNCTION corridor.booking_many_answers(corridor.booking[], int[], int) FROM PUBLIC;
REVOKE ALL ON FUNCTION corridor.booking_create_many(text[], text[], uuid[], int[], int[], text[],
                                                    text[], text[]) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION corridor.booking_many_fits(boolean[], int[], bigint[], int[], bigint[],
                                                     int[], bigint[], int[], bigint[], boolean[],
                                                     bigint[], bigint[], bigint[], bigint[])
    TO corridor_app;
GRANT EXECUTE ON FUNCTION corridor.booking_many_unclaim(text[], text[], boolean[], int[])
    TO corridor_app;
GRANT EXECUTE ON FUNCTION corridor.booking_many_answers(corridor.booking[], int[], int)
    TO corridor_app;
GRANT EXECUTE ON FUNCTION corridor.booking_create_many(text[], text[], uuid[], int[], int[], text[],
                                                       text[], text[]) TO corridor_app;
