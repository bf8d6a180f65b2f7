-- booking_create (025_bookings_short_locks.sql): the legs and port calls
-- written and rendered before the locks, their foreign keys checked at
-- commit, booking_unwrite removing them too.

-- Two quotes for 2 x 40HC on the three legs of an N1 train Amirabad ->
-- Tehran -> Bafq -> Bandar Abbas, with a discharge call in the Bandar Abbas
-- window of its arrival (as in booking_create.sql).
\ir lib/n1_route.sql
CREATE TEMP TABLE t (k text PRIMARY KEY, v text);
GRANT ALL ON t TO corridor_app;
DO $$
DECLARE
    legs jsonb := (SELECT n1.legs FROM n1);
    w bigint := (SELECT n1.window_id FROM n1);
    opt jsonb;
    q uuid;
BEGIN
    opt := jsonb_build_object(
        'option', 1, 'teu', 4, 'kg', 48000,
        'containers', '[{"type": "40HC", "count": 2, "gross_weight_kg": 24000}]'::jsonb,
        'total', '{"amount": "100.00", "currency": "USD"}'::jsonb,
        'legs', legs,
        'port_calls', (SELECT n1.port_calls FROM n1),
        'charges', jsonb_build_array(jsonb_build_object(
            'leg', 0, 'code', 'OTHER', 'basis', 'per_shipment', 'quantity', '1',
            'amount', jsonb_build_object('amount', '100.00', 'currency', 'USD'))));
    FOR i IN 1..2 LOOP
        INSERT INTO corridor.quote (org_code, expires_at, data_version, currency, request, options)
        VALUES ('DEMOFWD', now() + interval '30 minutes', (SELECT version FROM corridor.data_version),
                'USD', '{}', jsonb_build_array(opt))
        RETURNING id INTO q;
        INSERT INTO t VALUES ('quote' || i, q::text);
    END LOOP;
    INSERT INTO t VALUES ('opt', opt::text), ('window', w::text),
                         ('dep', legs->0->>'departure_id');
END $$;

-- 1. A booking with room takes the path that renders the legs before the
-- locks and keeps them (booking_json_legs is called once, not again under
-- the locks), and its answer is the booking exactly as GET shows it.
BEGIN;
SET LOCAL track_functions = 'pl';
SET LOCAL ROLE corridor_app;
CREATE TEMP TABLE r ON COMMIT DROP AS
SELECT * FROM corridor.booking_create('DEMOFWD', 'forwarder', (SELECT v::uuid FROM t WHERE k = 'quote1'),
                                      1, NULL, NULL);
RESET ROLE;
DO $$
DECLARE
    res record;
    legs_calls bigint := (SELECT calls FROM pg_stat_xact_user_functions
                           WHERE schemaname = 'corridor' AND funcname = 'booking_json_legs');
BEGIN
    SELECT * INTO res FROM r;
    IF res.outcome <> 'ok' THEN
        RAISE EXCEPTION 'booking_create did not book: % %', res.outcome, res.detail;
    END IF;
    IF legs_calls IS DISTINCT FROM 1 THEN
        RAISE EXCEPTION 'booking_json_legs ran % times: the legs rendered before the locks were not kept',
            legs_calls;
    END IF;
    IF res.booking::text IS DISTINCT FROM corridor.booking_json(res.booking_id)::text THEN
        RAISE EXCEPTION 'the answer differs from booking_json: % <> %', res.booking,
            corridor.booking_json(res.booking_id);
    END IF;
    IF (SELECT count(*) FROM corridor.booking_leg WHERE booking_id = res.booking_id) <> 3
       OR (SELECT count(*) FROM corridor.booking_port_call WHERE booking_id = res.booking_id) <> 1
       OR (SELECT count(*) FROM corridor.booking_event WHERE booking_id = res.booking_id) <> 1 THEN
        RAISE EXCEPTION 'legs, port calls or the event are missing';
    END IF;
END $$;
COMMIT;

-- 2. booking_unwrite deletes the booking, charge lines, legs and port calls
-- that its own transaction wrote (the refusal under the locks after the
-- rows were written before them).
SET ROLE corridor_app;
DO $$
DECLARE
    opt jsonb := (SELECT v::jsonb FROM t WHERE k = 'opt');
    b corridor.booking;
BEGIN
    b := corridor.booking_write_head('DEMOFWD', (SELECT v::uuid FROM t WHERE k = 'quote2'), 'USD', 1,
                                     NULL, opt, 'CONFIRMED', NULL);
    PERFORM corridor.booking_write_route(b.id, opt, 4, 48000);
    IF (SELECT count(*) FROM corridor.booking_leg WHERE booking_id = b.id) <> 3
       OR (SELECT count(*) FROM corridor.booking_port_call WHERE booking_id = b.id) <> 1 THEN
        RAISE EXCEPTION 'fixture: the route was not written';
    END IF;
    PERFORM corridor.booking_unwrite(b.id);
    IF EXISTS (SELECT 1 FROM corridor.booking WHERE id = b.id)
       OR EXISTS (SELECT 1 FROM corridor.booking_charge WHERE booking_id = b.id)
       OR EXISTS (SELECT 1 FROM corridor.booking_leg WHERE booking_id = b.id)
       OR EXISTS (SELECT 1 FROM corridor.booking_port_call WHERE booking_id = b.id) THEN
        RAISE EXCEPTION 'booking_unwrite left rows of booking %', b.id;
    END IF;
END $$;
RESET ROLE;
-- ... and nothing of a committed booking
SET ROLE corridor_app;
DO $$ BEGIN PERFORM corridor.booking_unwrite((SELECT id FROM corridor.booking
                                              WHERE quote_id = (SELECT v::uuid FROM t WHERE k = 'quote1'))); END $$;
RESET ROLE;
DO $$
DECLARE
    id bigint := (SELECT b.id FROM corridor.booking b WHERE b.quote_id = (SELECT v::uuid FROM t WHERE k = 'quote1'));
BEGIN
    IF id IS NULL OR (SELECT count(*) FROM corridor.booking_leg WHERE booking_id = id) <> 3
       OR (SELECT count(*) FROM corridor.booking_port_call WHERE booking_id = id) <> 1 THEN
        RAISE EXCEPTION 'booking_unwrite deleted rows of a committed booking';
    END IF;
END $$;

-- 3. The foreign keys of legs and port calls still hold, checked at commit:
-- a leg or call naming a departure or window that does not exist is
-- accepted by the INSERT and refused when the constraint is checked; a
-- departure or window that a leg or call names cannot be deleted.
DO $$
DECLARE
    bid bigint := (SELECT b.id FROM corridor.booking b WHERE b.quote_id = (SELECT v::uuid FROM t WHERE k = 'quote1'));
    refused boolean;
BEGIN
    refused := false;
    BEGIN
        INSERT INTO corridor.booking_leg (booking_id, seq, departure_id, teu, kg)
        VALUES (bid, 99, -1, 1, 0);
        SET CONSTRAINTS corridor.booking_leg_departure_id_fkey IMMEDIATE;
    EXCEPTION WHEN foreign_key_violation THEN
        refused := true;
    END;
    IF NOT refused THEN
        RAISE EXCEPTION 'a leg on a departure that does not exist was accepted';
    END IF;
    refused := false;
    BEGIN
        INSERT INTO corridor.booking_port_call (booking_id, seq, node_code, kind, window_id, at, teu)
        VALUES (bid, 99, 'IRSRP', 'discharge', -1, now(), 1);
        SET CONSTRAINTS corridor.booking_port_call_window_id_fkey IMMEDIATE;
    EXCEPTION WHEN foreign_key_violation THEN
        refused := true;
    END;
    IF NOT refused THEN
        RAISE EXCEPTION 'a port call on a window that does not exist was accepted';
    END IF;
    refused := false;
    BEGIN
        DELETE FROM corridor.departure WHERE id = (SELECT v::bigint FROM t WHERE k = 'dep');
        SET CONSTRAINTS ALL IMMEDIATE;
    EXCEPTION WHEN foreign_key_violation THEN
        refused := true;
    END;
    IF NOT refused THEN
        RAISE EXCEPTION 'a booked departure could be deleted';
    END IF;
    refused := false;
    BEGIN
        DELETE FROM corridor.port_window WHERE id = (SELECT v::bigint FROM t WHERE k = 'window');
        SET CONSTRAINTS ALL IMMEDIATE;
    EXCEPTION WHEN foreign_key_violation THEN
        refused := true;
    END;
    IF NOT refused THEN
        RAISE EXCEPTION 'a booked port window could be deleted';
    END IF;
END $$;
-- at COMMIT, without SET CONSTRAINTS
\set ON_ERROR_STOP 0
BEGIN;
INSERT INTO corridor.booking_leg (booking_id, seq, departure_id, teu, kg)
SELECT b.id, 98, -1, 1, 0 FROM corridor.booking b
 WHERE b.quote_id = (SELECT v::uuid FROM t WHERE k = 'quote1');
COMMIT;
\set ON_ERROR_STOP 1
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM corridor.booking_leg WHERE departure_id = -1) THEN
        RAISE EXCEPTION 'a leg on a departure that does not exist was committed';
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.check_invariants()) THEN
        RAISE EXCEPTION 'check_invariants(): %',
            (SELECT string_agg(kind || ' ' || id || ': ' || detail, '; ') FROM corridor.check_invariants());
    END IF;
END $$;

-- 035: the option cut out of its offer's text at option_at.  An offer of
-- two options (the fixture's, numbered 1 and 2, different totals); option 2
-- booked through correct offsets, and through offsets that cut option 1
-- instead (then the options are read whole, and option 2 is still booked).
DO $$
DECLARE
    opt jsonb := (SELECT v::jsonb FROM t WHERE k = 'opt');
    o1 text := opt::text;
    o2 text := jsonb_set(jsonb_set(opt, '{option}', '2'), '{total,amount}', '"200.00"')::text;
    body text := '[' || o1 || ',' || o2 || ']';
    good int[] := ARRAY[1, 2 + octet_length(o1), octet_length(body)];
    bad int[] := ARRAY[1, 1, 2 + octet_length(o1)];
    res record;
    k int := 0;
    at int[];
BEGIN
    FOREACH at SLICE 1 IN ARRAY ARRAY[good, bad] LOOP
        k := k + 1;
        INSERT INTO corridor.quote_offer_stored (id, options, request, fx, option_at)
        VALUES (('01a22a00-0000-7000-8000-0000000000c' || k)::uuid, body::json, '{}', '{}', at);
        INSERT INTO corridor.quote (id, org_code, expires_at, data_version, currency, offer_id)
        VALUES (('01a22a00-0000-7000-8000-0000000000d' || k)::uuid, 'DEMOFWD', now() + interval '30 min',
                (SELECT version FROM corridor.data_version), 'USD',
                ('01a22a00-0000-7000-8000-0000000000c' || k)::uuid);
        SELECT * INTO res FROM corridor.booking_create('DEMOFWD', 'forwarder',
            ('01a22a00-0000-7000-8000-0000000000d' || k)::uuid, 2, NULL, NULL);
        IF res.outcome <> 'ok' OR res.booking->>'option' <> '2'
           OR res.booking->'total'->>'amount' <> '200.00' THEN
            RAISE EXCEPTION 'offsets %: option 2 not booked as quoted: % % %', at, res.outcome,
                res.detail, res.booking;
        END IF;
        IF res.booking::text IS DISTINCT FROM corridor.booking_json(res.booking_id)::text THEN
            RAISE EXCEPTION 'offsets %: the answer differs from booking_json', at;
        END IF;
    END LOOP;
    -- an option the offer does not have: 422 with the number it has
    INSERT INTO corridor.quote (id, org_code, expires_at, data_version, currency, offer_id)
    VALUES ('01a22a00-0000-7000-8000-0000000000d3', 'DEMOFWD', now() + interval '30 min',
            (SELECT version FROM corridor.data_version), 'USD', '01a22a00-0000-7000-8000-0000000000c1');
    SELECT * INTO res FROM corridor.booking_create('DEMOFWD', 'forwarder',
        '01a22a00-0000-7000-8000-0000000000d3'::uuid, 3, NULL, NULL);
    IF res.outcome <> 'validation_failed' OR res.detail NOT LIKE '%(it has 2)%' THEN
        RAISE EXCEPTION 'option 3 of 2: % %', res.outcome, res.detail;
    END IF;
END $$;
