-- 021_bookings_amend: PATCH /v1/bookings/{reference} as one SQL function
-- (see 020_bookings_reserve.sql for the lock order and the outcome rows).

-- PATCH: p_set_reference -> customer_reference := p_customer_reference;
-- p_containers (NULL = unchanged): the booking's container lines in order,
-- [{type, count, gross_weight_kg}], with the same types and weights; only
-- the counts may differ.
--
-- More containers reserve the difference on every leg and window (or nothing
-- changes: capacity_unavailable); fewer release it.  Charge lines are
-- recomputed from the booking's own lines, never from today's tariffs (the
-- price lock holds), the way the quote computed them (tariff.h):
--   * a line priced per container, per TEU or per tonne (also "... _km")
--     scales its quantity by new/old containers, TEU or tonnes of the whole
--     shipment (exact when the booking has one container line, or when its
--     lines change in the same proportion); a per_shipment line keeps its
--     quantity.  Its exact amount is max(unit_price x quantity, min_charge)
--     -- the tariff row's minimum, recorded on the line when it was booked --
--     and its amount that times fx_rate, rounded to the currency's minor
--     unit.  (A line whose booked amount differs from that formula, by a
--     rounding unit of the 10-decimal fx_rate or because it was not priced
--     from a tariff row, scales its booked amount by new/old exact amount.)
--   * a percentage line (SURCHARGE_*, DISCOUNT_*: quantity = the percent,
--     unit_price = its base line's exact amount) follows its base line, the
--     closest ordinary line before it with the same tariff row and leg:
--     unit_price := the base's new exact amount, amount := +/- round(percent
--     / 100 x unit_price x fx_rate);
--     without such a base line it scales with the ordinary lines of its leg;
--   * the total is the sum of the lines, so they always add up.
CREATE FUNCTION corridor.booking_amend(p_org text, p_role text, p_reference text,
                                       p_if_match int, p_set_reference boolean,
                                       p_customer_reference text, p_containers jsonb)
RETURNS TABLE (outcome text, detail text, problems jsonb, booking_id bigint, booking json)
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    lk        record;
    b         corridor.booking;
    v_mu      int;
    v_new_ct  jsonb;
    v_old_teu int;  v_new_teu int;
    v_old_kg  bigint; v_new_kg bigint;
    v_old_n   bigint; v_new_n bigint;
    v_changes jsonb := '{}';
    v_problems jsonb;
BEGIN
    SELECT * INTO lk FROM corridor.booking_lock_for_change(p_org, p_role, p_reference, p_if_match);
    IF lk.outcome <> 'ok' THEN
        RETURN QUERY SELECT lk.outcome, lk.detail, NULL::jsonb, NULL::bigint, NULL::json;
        RETURN;
    END IF;
    b := lk.b;
    IF b.status NOT IN ('HELD', 'CONFIRMED') THEN
        RETURN QUERY SELECT 'invalid_state',
                            format('booking %s is %s; only HELD or CONFIRMED bookings change',
                                   p_reference, b.status),
                            NULL::jsonb, NULL::bigint, NULL::json;
        RETURN;
    END IF;

    IF p_containers IS NOT NULL THEN
        SELECT jsonb_agg(jsonb_build_object(
                   'pointer', '/containers/' || (n.i - 1),
                   'message', CASE WHEN o.x IS NULL THEN
                                  format('the booking has %s container lines',
                                         jsonb_array_length(b.containers))
                              ELSE format('only the count can change: this line is %s x %s at %s kg',
                                          o.x->>'count', o.x->>'type', o.x->>'gross_weight_kg') END)
                   ORDER BY n.i)
          INTO v_problems
          FROM jsonb_array_elements(p_containers) WITH ORDINALITY AS n(x, i)
          LEFT JOIN jsonb_array_elements(b.containers) WITH ORDINALITY AS o(x, i) ON o.i = n.i
         WHERE o.x IS NULL OR n.x->>'type' IS DISTINCT FROM o.x->>'type'
            OR (n.x->>'gross_weight_kg')::bigint IS DISTINCT FROM (o.x->>'gross_weight_kg')::bigint;
        IF v_problems IS NULL AND jsonb_array_length(p_containers) < jsonb_array_length(b.containers) THEN
            v_problems := jsonb_build_array(jsonb_build_object('pointer', '/containers',
                'message', format('must list the booking''s %s container lines in order',
                                  jsonb_array_length(b.containers))));
        END IF;
        IF v_problems IS NOT NULL THEN
            RETURN QUERY SELECT 'validation_failed',
                format('containers must list the booking''s %s container lines in order, with the same types and weights; only counts change',
                       jsonb_array_length(b.containers)),
                v_problems, NULL::bigint, NULL::json;
            RETURN;
        END IF;
        SELECT jsonb_agg(jsonb_set(o.x, '{count}', n.x->'count') ORDER BY o.i)
          INTO v_new_ct
          FROM jsonb_array_elements(b.containers) WITH ORDINALITY AS o(x, i)
          JOIN jsonb_array_elements(p_containers) WITH ORDINALITY AS n(x, i) ON n.i = o.i;
        SELECT sum(corridor.booking_container_teu(x->>'type') * (x->>'count')::int),
               sum((x->>'count')::bigint * (x->>'gross_weight_kg')::bigint),
               sum((x->>'count')::bigint)
          INTO v_old_teu, v_old_kg, v_old_n FROM jsonb_array_elements(b.containers) x;
        SELECT sum(corridor.booking_container_teu(x->>'type') * (x->>'count')::int),
               sum((x->>'count')::bigint * (x->>'gross_weight_kg')::bigint),
               sum((x->>'count')::bigint)
          INTO v_new_teu, v_new_kg, v_new_n FROM jsonb_array_elements(v_new_ct) x;
        IF v_new_ct = b.containers THEN
            v_new_ct := NULL; -- no change
        END IF;
    END IF;

    IF v_new_ct IS NOT NULL THEN
        -- The reservation of the booking is what its legs hold; the
        -- difference is applied to each leg and call.
        PERFORM 1 FROM corridor.departure d
          WHERE d.id IN (SELECT bl.departure_id FROM corridor.booking_leg bl
                          WHERE bl.booking_id = b.id)
          ORDER BY d.id FOR NO KEY UPDATE;
        PERFORM 1 FROM corridor.port_window w
          WHERE w.id IN (SELECT pc.window_id FROM corridor.booking_port_call pc
                          WHERE pc.booking_id = b.id)
          ORDER BY w.id FOR NO KEY UPDATE;
        SELECT jsonb_agg(p.problem ORDER BY p.ord, p.seq) INTO v_problems FROM (
            SELECT 1 AS ord, bl.seq, jsonb_build_object(
                       'pointer', '/containers', 'leg', bl.seq, 'departure_id', d.id,
                       'message', CASE
                           WHEN d.status <> 'scheduled' THEN
                               format('leg %s: departure %s is %s', bl.seq, d.id, d.status)
                           WHEN d.cutoff_at <= now() THEN
                               format('leg %s: departure %s closed for booking at its cut-off %s',
                                      bl.seq, d.id, corridor.booking_time(d.cutoff_at))
                           ELSE
                               format('leg %s: departure %s has %s TEU and %s kg free, %s TEU and %s kg more needed',
                                      bl.seq, d.id, d.capacity_teu - d.booked_teu,
                                      d.capacity_kg - d.booked_kg,
                                      greatest(v_new_teu - bl.teu, 0),
                                      greatest(v_new_kg - bl.kg, 0)) END) AS problem
              FROM corridor.booking_leg bl JOIN corridor.departure d ON d.id = bl.departure_id
             WHERE bl.booking_id = b.id
               AND (d.capacity_teu - d.booked_teu < v_new_teu - bl.teu
                    OR d.capacity_kg - d.booked_kg < v_new_kg - bl.kg
                    OR ((v_new_teu > bl.teu OR v_new_kg > bl.kg)
                        AND (d.status <> 'scheduled' OR d.cutoff_at <= now())))
            UNION ALL
            SELECT 2, min(pc.seq), jsonb_build_object(
                       'pointer', '/containers', 'window_id', w.id, 'node', w.node_code,
                       'message', format('port window %s at %s has %s TEU free, %s TEU more needed',
                                         w.id, w.node_code, w.capacity_teu - w.booked_teu,
                                         sum(v_new_teu - pc.teu)))
              FROM corridor.booking_port_call pc JOIN corridor.port_window w ON w.id = pc.window_id
             WHERE pc.booking_id = b.id
             GROUP BY w.id
            HAVING w.capacity_teu - w.booked_teu < sum(v_new_teu - pc.teu)) p;
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
           SET booked_teu = d.booked_teu + (v_new_teu - x.teu),
               booked_kg = d.booked_kg + (v_new_kg - x.kg)
          FROM (SELECT bl.departure_id, sum(bl.teu) AS teu, sum(bl.kg) AS kg
                  FROM corridor.booking_leg bl WHERE bl.booking_id = b.id
                 GROUP BY bl.departure_id) x
         WHERE d.id = x.departure_id;
        UPDATE corridor.port_window w
           SET booked_teu = w.booked_teu + x.delta
          FROM (SELECT pc.window_id, sum(v_new_teu - pc.teu) AS delta
                  FROM corridor.booking_port_call pc
                 WHERE pc.booking_id = b.id AND pc.window_id IS NOT NULL
                 GROUP BY pc.window_id) x
         WHERE w.id = x.window_id;
        UPDATE corridor.booking_leg SET teu = v_new_teu, kg = v_new_kg WHERE booking_leg.booking_id = b.id;
        UPDATE corridor.booking_port_call SET teu = v_new_teu
         WHERE booking_port_call.booking_id = b.id;

        -- Charges (see the rule above).
        SELECT c.minor_units INTO v_mu FROM corridor.currency c WHERE c.code = b.currency;
        v_mu := coalesce(v_mu, 2);
        WITH line AS (
            SELECT c.*, coalesce(c.fx_rate, 1) AS fx,
                   (c.basis = 'percent' OR c.code LIKE 'SURCHARGE\_%'
                    OR c.code LIKE 'DISCOUNT\_%') AS percent_line,
                   coalesce(CASE
                       WHEN c.basis IN ('per_container', 'per_container_km')
                           THEN v_new_n::numeric / nullif(v_old_n, 0)
                       WHEN c.basis IN ('per_teu', 'per_teu_km')
                           THEN v_new_teu::numeric / nullif(v_old_teu, 0)
                       WHEN c.basis IN ('per_tonne', 'per_tonne_km')
                           THEN v_new_kg::numeric / nullif(v_old_kg, 0)
                       END, 1) AS f
              FROM corridor.booking_charge c WHERE c.booking_id = b.id
        ), ordinary AS (
            SELECT l.line_no, l.leg, l.tariff_id, l.amount AS old_amount,
                   round(l.quantity * l.f, 4) AS new_quantity,
                   greatest(l.unit_price * l.quantity, coalesce(l.min_charge, 0)) AS old_exact,
                   greatest(l.unit_price * round(l.quantity * l.f, 4),
                            coalesce(l.min_charge, 0)) AS new_exact,
                   l.fx, l.f
              FROM line l WHERE NOT l.percent_line
        ), ordinary_new AS (
            SELECT o.*,
                   CASE WHEN o.old_exact IS NULL OR o.old_exact = 0
                            THEN round(o.old_amount * o.f, v_mu)
                        WHEN o.old_amount = round(o.old_exact * o.fx, v_mu)
                            THEN round(o.new_exact * o.fx, v_mu)
                        ELSE round(o.old_amount * o.new_exact / o.old_exact, v_mu) END AS new_amount
              FROM ordinary o
        ), percent_new AS (
            -- Its base: the closest ordinary line before it with the same
            -- tariff row and leg (the quote lists a tariff line, then its
            -- surcharges, then its discounts).
            SELECT p.line_no, p.quantity AS new_quantity,
                   CASE WHEN o.line_no IS NULL THEN p.unit_price
                        ELSE round(o.new_exact, 6) END AS new_unit_price,
                   CASE WHEN o.line_no IS NULL OR p.quantity IS NULL
                            THEN round(p.amount * coalesce(
                                     (SELECT sum(n.new_amount) / nullif(sum(n.old_amount), 0)
                                        FROM ordinary_new n
                                       WHERE p.leg IS NULL OR n.leg = p.leg), 1), v_mu)
                        ELSE round(sign(p.amount) * p.quantity / 100 * o.new_exact * p.fx, v_mu)
                        END AS new_amount
              FROM line p
              LEFT JOIN LATERAL (
                    SELECT n.* FROM ordinary_new n
                     WHERE n.line_no < p.line_no AND n.tariff_id IS NOT DISTINCT FROM p.tariff_id
                       AND n.leg IS NOT DISTINCT FROM p.leg
                     ORDER BY n.line_no DESC LIMIT 1) o ON true
             WHERE p.percent_line
        ), every_line AS (
            SELECT n.line_no, n.new_quantity, NULL::numeric AS new_unit_price, n.new_amount
              FROM ordinary_new n
            UNION ALL
            SELECT p.line_no, p.new_quantity, p.new_unit_price, p.new_amount FROM percent_new p
        )
        UPDATE corridor.booking_charge c
           SET quantity = e.new_quantity,
               unit_price = coalesce(e.new_unit_price, c.unit_price),
               amount = e.new_amount
          FROM every_line e
         WHERE c.booking_id = b.id AND c.line_no = e.line_no;
        UPDATE corridor.booking x
           SET containers = v_new_ct,
               total_amount = (SELECT sum(c.amount) FROM corridor.booking_charge c
                                WHERE c.booking_id = b.id)
         WHERE x.id = b.id;
        v_changes := v_changes || jsonb_build_object(
            'containers', v_new_ct, 'teu', v_new_teu, 'kg', v_new_kg,
            'previous_teu', v_old_teu, 'previous_kg', v_old_kg,
            'total', (SELECT corridor.booking_money(x.total_amount, x.currency)
                        FROM corridor.booking x WHERE x.id = b.id));
    END IF;

    IF p_set_reference AND p_customer_reference IS DISTINCT FROM b.customer_reference THEN
        UPDATE corridor.booking x SET customer_reference = p_customer_reference WHERE x.id = b.id;
        v_changes := v_changes || jsonb_build_object('customer_reference', p_customer_reference);
    END IF;

    IF v_changes <> '{}' THEN
        UPDATE corridor.booking x SET updated_at = now(), version = x.version + 1
         WHERE x.id = b.id;
        INSERT INTO corridor.booking_event (booking_id, org_code, type, data)
        VALUES (b.id, b.org_code, 'booking.amended',
                jsonb_build_object('status', b.status, 'version', b.version + 1,
                                   'changes', v_changes));
    END IF;
    RETURN QUERY SELECT 'ok', NULL::text, NULL::jsonb, b.id, corridor.booking_json(b.id);
END $$;

REVOKE ALL ON FUNCTION corridor.booking_amend(text, text, text, int, boolean, text, jsonb) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION corridor.booking_amend(text, text, text, int, boolean, text, jsonb)
    TO corridor_app;
