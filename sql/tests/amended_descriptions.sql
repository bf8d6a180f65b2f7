-- 037: when a booking's container counts change, the counts in its charge
-- lines' descriptions follow, matched in order to the container lines of
-- that type and former count; lines without counts stay as they are.

CREATE TEMP TABLE t (k text PRIMARY KEY, v text);
DO $$
DECLARE
    opt jsonb := jsonb_build_object(
        'option', 1,
        'containers', '[{"type": "40HC", "count": 2, "gross_weight_kg": 20000},
                        {"type": "20DV", "count": 1, "gross_weight_kg": 10000},
                        {"type": "40HC", "count": 3, "gross_weight_kg": 26000}]'::jsonb,
        'total', '{"amount": "400.00", "currency": "USD"}'::jsonb,
        'charges', jsonb_build_array(
            jsonb_build_object('line', 1, 'leg', 1, 'code', 'RAIL_FREIGHT', 'basis', 'per_container_km',
                               'description', 'Rail freight Almaty → Beineu junction, 2 × 40HC, 1 × 20DV, 3 × 40HC',
                               'quantity', '100', 'amount', '{"amount": "100.00", "currency": "USD"}'::jsonb),
            jsonb_build_object('line', 2, 'leg', 2, 'code', 'SEA_FREIGHT', 'basis', 'per_container',
                               'description', 'Sea freight Aktau → Astara, 1 × 20DV',
                               'quantity', '1', 'amount', '{"amount": "100.00", "currency": "USD"}'::jsonb),
            jsonb_build_object('line', 3, 'leg', 3, 'code', 'RAIL_FREIGHT', 'basis', 'per_container_km',
                               'description', 'Rail freight Astara → Rasht, 3 × 40HC',
                               'quantity', '100', 'amount', '{"amount": "100.00", "currency": "USD"}'::jsonb),
            jsonb_build_object('line', 4, 'leg', 1, 'code', 'DISCOUNT_INSTC', 'basis', 'percent',
                               'description', 'Discount INSTC 10% on Rail freight Almaty → Beineu junction',
                               'quantity', '-10', 'amount', '{"amount": "-10.00", "currency": "USD"}'::jsonb),
            jsonb_build_object('line', 5, 'leg', 3, 'code', 'RAIL_FREIGHT', 'basis', 'per_container_km',
                               'description', 'Rail freight Rasht → Qazvin, 5 × 40RF',
                               'quantity', '100', 'amount', '{"amount": "110.00", "currency": "USD"}'::jsonb)));
    q uuid;
    b corridor.booking;
BEGIN
    INSERT INTO corridor.quote (org_code, expires_at, data_version, currency, request, options)
    VALUES ('DEMOFWD', now() + interval '30 minutes', (SELECT version FROM corridor.data_version),
            'USD', '{}', jsonb_build_array(opt))
    RETURNING id INTO q;
    b := corridor.booking_write_head('DEMOFWD', q, 'USD', 1, NULL, opt, 'CONFIRMED', NULL);
    INSERT INTO t VALUES ('booking', b.id::text);
END $$;

-- another change leaves the texts alone
UPDATE corridor.booking SET customer_reference = 'PO-7' WHERE id = (SELECT v::bigint FROM t);
UPDATE corridor.booking
   SET containers = '[{"type": "40HC", "count": 4, "gross_weight_kg": 20000},
                      {"type": "20DV", "count": 2, "gross_weight_kg": 10000},
                      {"type": "40HC", "count": 1, "gross_weight_kg": 26000}]'
 WHERE id = (SELECT v::bigint FROM t);

DO $$
DECLARE
    got text[] := ARRAY(SELECT c->>'description'
                          FROM corridor.booking b, jsonb_array_elements(b.charges) WITH ORDINALITY AS x(c, i)
                         WHERE b.id = (SELECT v::bigint FROM t) ORDER BY x.i);
    want text[] := ARRAY['Rail freight Almaty → Beineu junction, 4 × 40HC, 2 × 20DV, 1 × 40HC',
                         'Sea freight Aktau → Astara, 2 × 20DV',
                         'Rail freight Astara → Rasht, 1 × 40HC',
                         'Discount INSTC 10% on Rail freight Almaty → Beineu junction',
                         'Rail freight Rasht → Qazvin, 5 × 40RF'];
BEGIN
    IF got IS DISTINCT FROM want THEN
        RAISE EXCEPTION 'descriptions after the amendment: % (want %)', got, want;
    END IF;
    IF (SELECT jsonb_array_length(charges) FROM corridor.booking WHERE id = (SELECT v::bigint FROM t)) <> 5
       OR (SELECT charges->0->>'line' FROM corridor.booking WHERE id = (SELECT v::bigint FROM t)) <> '1'
       OR (SELECT charges->4->'amount'->>'amount' FROM corridor.booking WHERE id = (SELECT v::bigint FROM t)) <> '110.00' THEN
        RAISE EXCEPTION 'the lines changed beyond their descriptions: %',
            (SELECT charges FROM corridor.booking WHERE id = (SELECT v::bigint FROM t));
    END IF;
END $$;
