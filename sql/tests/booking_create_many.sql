-- booking_create_many (038): a batch books the plain requests in the order
-- given, each all or nothing, with the same rows and answers as
-- booking_create; every other request is 'single' and leaves no row, and
-- booking_create then gives it its exact refusal.  As corridor_app.

-- Quotes for 2 x 40HC (4 TEU) on the three legs of an N1 train Amirabad ->
-- Tehran -> Bafq -> Bandar Abbas with a discharge call at Bandar Abbas, as
-- booking_create.sql makes them: q1, q2, q3, q4 of DEMOFWD, qx expired,
-- qc of CASPFWD, qb booked before the batch.
\ir lib/n1_route.sql
CREATE TEMP TABLE t (k text PRIMARY KEY, v text);
GRANT ALL ON t TO corridor_app;
DO $$
DECLARE
    legs jsonb := (SELECT n1.legs FROM n1);
    w bigint := (SELECT n1.window_id FROM n1);
    opt jsonb;
    q uuid;
    k text;
BEGIN
    opt := jsonb_build_object(
        'option', 1, 'teu', 4, 'kg', 48000,
        'containers', '[{"type": "40HC", "count": 2, "gross_weight_kg": 24000}]'::jsonb,
        'total', '{"amount": "150.00", "currency": "USD"}'::jsonb,
        'legs', legs,
        'port_calls', (SELECT n1.port_calls FROM n1),
        'charges', jsonb_build_array(
            jsonb_build_object('leg', 1, 'code', 'RAIL_FREIGHT', 'basis', 'per_container',
                'description', 'Rail freight, 2 × 40HC', 'quantity', '2',
                'unit_price', jsonb_build_object('amount', '50', 'currency', 'USD'),
                'amount', jsonb_build_object('amount', '100.00', 'currency', 'USD'),
                'fx_rate', '1', 'tariff_id', NULL),
            jsonb_build_object('leg', NULL, 'code', 'OTHER', 'basis', 'per_shipment',
                'description', 'Documents', 'quantity', '1', 'unit_price', NULL,
                'amount', jsonb_build_object('amount', '50.00', 'currency', 'USD'),
                'fx_rate', NULL, 'tariff_id', NULL)));
    FOREACH k IN ARRAY ARRAY['q1', 'q2', 'q3', 'q4', 'qx', 'qc', 'qb'] LOOP
        INSERT INTO corridor.quote (org_code, expires_at, data_version, currency, request, options)
        VALUES (CASE k WHEN 'qc' THEN 'CASPFWD' ELSE 'DEMOFWD' END,
                now() + CASE k WHEN 'qx' THEN interval '-1 minute' ELSE interval '30 minutes' END,
                (SELECT version FROM corridor.data_version), 'USD', '{}', jsonb_build_array(opt))
        RETURNING id INTO q;
        INSERT INTO t VALUES (k, q::text);
    END LOOP;
    INSERT INTO t VALUES ('dep', legs->1->>'departure_id'), ('window', w::text);
    UPDATE corridor.port_window SET capacity_teu = booked_teu + 1000 WHERE id = w;
END $$;

SET ROLE corridor_app;
SELECT outcome FROM corridor.booking_create('DEMOFWD', 'forwarder', (SELECT v::uuid FROM t WHERE k = 'qb'),
                                            1, NULL, NULL);
RESET ROLE;
-- room on the middle leg for three more bookings of 4 TEU
UPDATE corridor.departure SET capacity_teu = booked_teu + 12 WHERE id = (SELECT v::bigint FROM t WHERE k = 'dep');
INSERT INTO t SELECT 'teu0', booked_teu::text FROM corridor.departure WHERE id = (SELECT v::bigint FROM t WHERE k = 'dep');
INSERT INTO t SELECT 'win0', booked_teu::text FROM corridor.port_window WHERE id = (SELECT v::bigint FROM t WHERE k = 'window');

-- 1 q1 held, 2 q1 again, 3 expired, 4 another organization's, 5 booked,
-- 6 q4 by an operator, 7 q2, 8 q3 (no room left by then)
SET ROLE corridor_app;
CREATE TEMP TABLE r AS
SELECT * FROM corridor.booking_create_many(
    ARRAY['DEMOFWD', 'DEMOFWD', 'DEMOFWD', 'DEMOFWD', 'DEMOFWD', 'CORRIDOR', 'DEMOFWD', 'DEMOFWD'],
    ARRAY['forwarder', 'forwarder', 'forwarder', 'forwarder', 'forwarder', 'operator', 'forwarder',
          'forwarder'],
    ARRAY[(SELECT v::uuid FROM t WHERE k = 'q1'), (SELECT v::uuid FROM t WHERE k = 'q1'),
          (SELECT v::uuid FROM t WHERE k = 'qx'), (SELECT v::uuid FROM t WHERE k = 'qc'),
          (SELECT v::uuid FROM t WHERE k = 'qb'), (SELECT v::uuid FROM t WHERE k = 'q4'),
          (SELECT v::uuid FROM t WHERE k = 'q2'), (SELECT v::uuid FROM t WHERE k = 'q3')],
    ARRAY[1, 1, 1, 1, 1, 1, 1, 1],
    ARRAY[900, NULL, NULL, NULL, NULL, NULL, NULL, NULL]::int[],
    ARRAY['PO "7" \ ünï', NULL, NULL, NULL, NULL, NULL, 'PO-2', NULL], NULL, NULL);
RESET ROLE;

DO $$
DECLARE
    got text[] := ARRAY(SELECT outcome FROM r ORDER BY i);
    res record;
    dep bigint := (SELECT v::bigint FROM t WHERE k = 'dep');
    win bigint := (SELECT v::bigint FROM t WHERE k = 'window');
BEGIN
    IF got IS DISTINCT FROM ARRAY['ok', 'single', 'single', 'single', 'single', 'ok', 'ok', 'single'] THEN
        RAISE EXCEPTION 'outcomes %', got;
    END IF;
    FOR res IN SELECT * FROM r WHERE outcome = 'ok' LOOP
        IF res.booking::text IS DISTINCT FROM corridor.booking_json(res.booking_id)::text THEN
            RAISE EXCEPTION 'answer % differs from booking_json: % <> %', res.i, res.booking,
                corridor.booking_json(res.booking_id);
        END IF;
        IF (SELECT count(*) FROM corridor.booking_leg WHERE booking_id = res.booking_id) <> 3
           OR (SELECT count(*) FROM corridor.booking_port_call WHERE booking_id = res.booking_id) <> 1
           OR (SELECT count(*) FROM corridor.booking_event WHERE booking_id = res.booking_id) <> 1 THEN
            RAISE EXCEPTION 'request %: legs, port calls or the event are missing', res.i;
        END IF;
    END LOOP;
    SELECT * INTO res FROM r WHERE i = 1;
    IF res.booking->>'status' <> 'HELD' OR res.booking->>'hold_expires_at' IS NULL
       OR res.booking->>'customer_reference' <> 'PO "7" \ ünï'
       OR (SELECT type FROM corridor.booking_event WHERE booking_id = res.booking_id) <> 'booking.held' THEN
        RAISE EXCEPTION 'request 1 is not held as asked: %', res.booking;
    END IF;
    SELECT * INTO res FROM r WHERE i = 6;
    IF res.booking->>'status' <> 'CONFIRMED' OR res.booking->>'organization' <> 'DEMOFWD'
       OR (SELECT type FROM corridor.booking_event WHERE booking_id = res.booking_id) <> 'booking.confirmed'
       OR (SELECT data->>'teu' FROM corridor.booking_event WHERE booking_id = res.booking_id) <> '4' THEN
        RAISE EXCEPTION 'request 6 (the operator''s): %', res.booking;
    END IF;
    -- three bookings of 4 TEU, nothing of the others
    IF (SELECT booked_teu FROM corridor.departure WHERE id = dep)
       <> (SELECT v::int FROM t WHERE k = 'teu0') + 12
       OR (SELECT booked_teu FROM corridor.port_window WHERE id = win)
       <> (SELECT v::int FROM t WHERE k = 'win0') + 12 THEN
        RAISE EXCEPTION 'booked TEU: departure %, window %',
            (SELECT booked_teu FROM corridor.departure WHERE id = dep),
            (SELECT booked_teu FROM corridor.port_window WHERE id = win);
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.booking b JOIN t ON t.v::uuid = b.quote_id
                WHERE t.k IN ('q3', 'qx', 'qc')) THEN
        RAISE EXCEPTION 'a request answered single left a booking';
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.check_invariants()) THEN
        RAISE EXCEPTION 'invariants: %', (SELECT json_agg(c) FROM corridor.check_invariants() c);
    END IF;
END $$;

-- the 'single' ones alone: their exact refusals
SET ROLE corridor_app;
DO $$
DECLARE
    which text;
    want text;
    res record;
BEGIN
    FOR which, want IN VALUES ('q1', 'quote_already_booked'), ('qx', 'quote_expired'),
                          ('qc', 'not_found'), ('qb', 'quote_already_booked'),
                          ('q3', 'capacity_unavailable') LOOP
        SELECT * INTO res FROM corridor.booking_create('DEMOFWD', 'forwarder',
                                                       (SELECT v::uuid FROM t WHERE t.k = which),
                                                       1, NULL, NULL);
        IF res.outcome <> want THEN
            RAISE EXCEPTION '% alone: % (want %)', which, res.outcome, want;
        END IF;
    END LOOP;
END $$;
RESET ROLE;

-- a batch of requests none of which is plain: all single, nothing written
SET ROLE corridor_app;
DO $$
DECLARE
    n_before bigint := (SELECT count(*) FROM corridor.booking);
    got text[];
BEGIN
    got := ARRAY(SELECT outcome FROM corridor.booking_create_many(
        ARRAY['DEMOFWD', 'DEMOFWD'], ARRAY['forwarder', 'forwarder'],
        ARRAY[(SELECT v::uuid FROM t WHERE k = 'q3'), gen_random_uuid()],
        ARRAY[1, 1], ARRAY[NULL, NULL]::int[], ARRAY[NULL, NULL]::text[], NULL, NULL) ORDER BY i);
    IF got IS DISTINCT FROM ARRAY['single', 'single']
       OR (SELECT count(*) FROM corridor.booking) <> n_before THEN
        RAISE EXCEPTION 'a batch of refusals: % (% bookings more)', got,
            (SELECT count(*) FROM corridor.booking) - n_before;
    END IF;
END $$;
RESET ROLE;

-- Idempotency-Keys: claimed in the batch; a booked one's answer stored with
-- it (the text returned); a key answered before, or asked twice, leaves its
-- request single and its claim untouched; the claims of requests not booked
-- are dropped.  k5, k6 and k7 are fresh quotes; k-old was answered before.
DO $$
DECLARE
    q uuid;
    k text;
BEGIN
    FOREACH k IN ARRAY ARRAY['k5', 'k6', 'k7', 'k8'] LOOP
        INSERT INTO corridor.quote (org_code, expires_at, data_version, currency, request, options)
        SELECT org_code, now() + interval '30 minutes', data_version, currency, request, options
          FROM corridor.quote WHERE id = (SELECT v::uuid FROM t WHERE t.k = 'q1')
        RETURNING id INTO q;
        INSERT INTO t VALUES (k, q::text);
    END LOOP;
    INSERT INTO corridor.idempotency_key (org_code, key, request_hash, status_code, response_body)
    VALUES ('DEMOFWD', 'key-old', 'h-old', 409, '{"code":"capacity_unavailable"}');
END $$;
UPDATE corridor.departure SET capacity_teu = booked_teu + 8 WHERE id = (SELECT v::bigint FROM t WHERE k = 'dep');
SET ROLE corridor_app;
CREATE TEMP TABLE rk AS
SELECT * FROM corridor.booking_create_many(
    ARRAY['DEMOFWD', 'DEMOFWD', 'DEMOFWD', 'DEMOFWD', 'DEMOFWD'],
    ARRAY['forwarder', 'forwarder', 'forwarder', 'forwarder', 'forwarder'],
    ARRAY[(SELECT v::uuid FROM t WHERE k = 'k5'), (SELECT v::uuid FROM t WHERE k = 'k6'),
          (SELECT v::uuid FROM t WHERE k = 'k7'), (SELECT v::uuid FROM t WHERE k = 'k5'),
          (SELECT v::uuid FROM t WHERE k = 'k8')],
    ARRAY[1, 1, 1, 1, 1], ARRAY[NULL, NULL, NULL, NULL, NULL]::int[],
    ARRAY[NULL, NULL, NULL, NULL, NULL]::text[],
    ARRAY['key-5', 'key-old', NULL, 'key-5', 'key-8'],
    ARRAY['h5', 'h-old', NULL, 'h5', 'h8']);
RESET ROLE;
DO $$
DECLARE
    got text[] := ARRAY(SELECT outcome FROM rk ORDER BY i);
BEGIN
    -- 1 booked with its key; 2 a key answered before; 3 booked without a
    -- key; 4 the same key again; 5 a key of a request that finds no room
    -- (the departure had room for two)
    IF got IS DISTINCT FROM ARRAY['ok', 'single', 'ok', 'single', 'single'] THEN
        RAISE EXCEPTION 'outcomes with keys: %', got;
    END IF;
    IF (SELECT status_code FROM corridor.idempotency_key WHERE org_code = 'DEMOFWD' AND key = 'key-5') <> 201
       OR (SELECT response_body FROM corridor.idempotency_key WHERE org_code = 'DEMOFWD' AND key = 'key-5')
          IS DISTINCT FROM (SELECT booking::text FROM rk WHERE i = 1) THEN
        RAISE EXCEPTION 'the answer stored with key-5 is not the one returned';
    END IF;
    IF (SELECT status_code FROM corridor.idempotency_key WHERE org_code = 'DEMOFWD' AND key = 'key-old') <> 409 THEN
        RAISE EXCEPTION 'the answer of key-old was touched';
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.idempotency_key WHERE org_code = 'DEMOFWD' AND key = 'key-8') THEN
        RAISE EXCEPTION 'the claim of a request not booked stayed';
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.booking b JOIN t ON t.v::uuid = b.quote_id WHERE t.k = 'k8') THEN
        RAISE EXCEPTION 'k8 was booked';
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.check_invariants()) THEN
        RAISE EXCEPTION 'invariants: %', (SELECT json_agg(c) FROM corridor.check_invariants() c);
    END IF;
END $$;
