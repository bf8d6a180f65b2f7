-- booking_create (023_bookings_fast.sql): the rows written before the locks,
-- the answer rendered in parts, a refusal that changes nothing, and
-- booking_unwrite, which deletes nothing but the current transaction's rows.
-- Runs as the server does (corridor_app), each statement its own transaction.

-- A quote for 2 x 40HC (4 TEU, 48 000 kg) on the three legs of an N1 train
-- Amirabad -> Tehran -> Bafq -> Bandar Abbas, a discharge call in the
-- Bandar Abbas window of its arrival, charges in IQD (3 decimals) with a
-- tariff line and a percentage line, and a customer reference to escape.
\ir lib/n1_route.sql
CREATE TEMP TABLE t (k text PRIMARY KEY, v text);
GRANT ALL ON t TO corridor_app;
DO $$
DECLARE
    legs jsonb := (SELECT n1.legs FROM n1);
    w bigint := (SELECT n1.window_id FROM n1);
    tr bigint := (SELECT min(id) FROM corridor.tariff WHERE min_charge IS NOT NULL);
    opt jsonb;
    q uuid;
BEGIN
    opt := jsonb_build_object(
        'option', 1, 'teu', 4, 'kg', 48000,
        'containers', '[{"type": "40HC", "count": 2, "gross_weight_kg": 24000}]'::jsonb,
        'total', '{"amount": "1234.567", "currency": "IQD"}'::jsonb,
        'legs', legs,
        'port_calls', (SELECT n1.port_calls FROM n1),
        'charges', jsonb_build_array(
            jsonb_build_object('leg', 1, 'code', 'RAIL_FREIGHT', 'basis', 'per_container_km',
                'description', 'Rail "freight" \ leg 1', 'quantity', '414',
                'unit_price', jsonb_build_object('amount', '0.241235', 'currency', 'USD'),
                'amount', jsonb_build_object('amount', '1000.500', 'currency', 'IQD'),
                'fx_rate', '1310', 'tariff_id', tr),
            jsonb_build_object('leg', 1, 'code', 'DISCOUNT_INSTC', 'basis', 'percent',
                'description', 'Discount 5%', 'quantity', '5',
                'unit_price', jsonb_build_object('amount', '1000.500', 'currency', 'IQD'),
                'amount', jsonb_build_object('amount', '-50.025', 'currency', 'IQD'),
                'fx_rate', '1', 'tariff_id', tr),
            jsonb_build_object('leg', NULL, 'code', 'OTHER', 'basis', 'per_shipment',
                'description', NULL, 'quantity', '1', 'unit_price', NULL,
                'amount', jsonb_build_object('amount', '284.092', 'currency', 'IQD'),
                'fx_rate', NULL, 'tariff_id', NULL)));
    INSERT INTO corridor.quote (org_code, expires_at, data_version, currency, request, options)
    VALUES ('DEMOFWD', now() + interval '30 minutes', (SELECT version FROM corridor.data_version),
            'IQD', '{}', jsonb_build_array(opt))
    RETURNING id INTO q;
    INSERT INTO t VALUES ('quote', q::text), ('quote2', NULL), ('dep', legs->1->>'departure_id'),
                         ('window', w::text), ('tariff', tr::text);
    -- a second quote of the same option, for the refusal below
    INSERT INTO corridor.quote (org_code, expires_at, data_version, currency, request, options)
    VALUES ('DEMOFWD', now() + interval '30 minutes', (SELECT version FROM corridor.data_version),
            'IQD', '{}', jsonb_build_array(opt))
    RETURNING id INTO q;
    UPDATE t SET v = q::text WHERE k = 'quote2';
END $$;

SET ROLE corridor_app;
CREATE TEMP TABLE r AS
SELECT * FROM corridor.booking_create('DEMOFWD', 'forwarder', (SELECT v::uuid FROM t WHERE k = 'quote'),
                                      1, 900, 'PO "7" \ ünï');
RESET ROLE;

-- The answer is the booking exactly as GET shows it, and the rows are the
-- option's, through the columns' types.
DO $$
DECLARE
    res record;
    b corridor.booking;
    j json;
BEGIN
    SELECT * INTO res FROM r;
    IF res.outcome <> 'ok' OR res.booking_id IS NULL THEN
        RAISE EXCEPTION 'booking_create did not book: % % %', res.outcome, res.detail, res.problems;
    END IF;
    SELECT * INTO b FROM corridor.booking WHERE id = res.booking_id;
    j := corridor.booking_json(b.id);
    IF res.booking::text IS DISTINCT FROM j::text THEN
        RAISE EXCEPTION 'the answer differs from booking_json: % <> %', res.booking, j;
    END IF;
    IF b.status <> 'HELD' OR b.hold_expires_at IS NULL OR b.currency <> 'IQD'
       OR b.total_amount <> 1234.567 OR b.customer_reference <> 'PO "7" \ ünï' THEN
        RAISE EXCEPTION 'booking row is wrong: %', b;
    END IF;
    IF j->'total'->>'amount' <> '1234.567' OR j->>'customer_reference' <> 'PO "7" \ ünï'
       OR json_array_length(j->'legs') <> 3 OR json_array_length(j->'charges') <> 3
       OR json_array_length(j->'port_calls') <> 1
       OR json_array_length(j->'legs'->2->'port_windows') <> 1
       OR json_array_length(j->'legs'->0->'port_windows') <> 0 THEN
        RAISE EXCEPTION 'booking_json is wrong: %', j;
    END IF;
    IF j->'charges'->0->>'quantity' <> '414' OR j->'charges'->0->'unit_price'->>'amount' <> '0.241235'
       OR j->'charges'->0->'amount'->>'amount' <> '1000.500' OR j->'charges'->0->>'fx_rate' <> '1310'
       OR j->'charges'->1->'amount'->>'amount' <> '-50.025' OR j->'charges'->2->>'leg' IS NOT NULL
       OR j->'charges'->2->>'unit_price' IS NOT NULL
       -- the quote's lines had no numbers (quotes made before 034): added
       OR j->'charges'->0->>'line' <> '1' OR j->'charges'->2->>'line' <> '3' THEN
        RAISE EXCEPTION 'charge lines are wrong: %', j->'charges';
    END IF;
    -- the tariff's minimum is kept on tariff lines, not on percentage lines
    IF (SELECT min_charge FROM corridor.booking_charge WHERE booking_id = b.id AND line_no = 1)
           IS DISTINCT FROM (SELECT min_charge FROM corridor.tariff WHERE id = (SELECT v::bigint FROM t WHERE k = 'tariff'))
       OR (SELECT min_charge FROM corridor.booking_charge WHERE booking_id = b.id AND line_no = 2) IS NOT NULL THEN
        RAISE EXCEPTION 'min_charge is wrong on the charge lines';
    END IF;
    IF (SELECT count(*) FROM corridor.booking_leg WHERE booking_id = b.id AND teu = 4 AND kg = 48000) <> 3
       OR (SELECT count(*) FROM corridor.booking_port_call
            WHERE booking_id = b.id AND teu = 4 AND window_id = (SELECT v::bigint FROM t WHERE k = 'window')) <> 1 THEN
        RAISE EXCEPTION 'legs or port calls are wrong';
    END IF;
    IF (SELECT count(*) FROM corridor.booking_event WHERE booking_id = b.id AND type = 'booking.held') <> 1 THEN
        RAISE EXCEPTION 'no booking.held event';
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.check_invariants()) THEN
        RAISE EXCEPTION 'check_invariants() after the booking: %',
            (SELECT string_agg(kind || ' ' || id || ': ' || detail, '; ') FROM corridor.check_invariants());
    END IF;
END $$;

-- booking_unwrite deletes only rows of the transaction calling it: the
-- committed booking stays, with all its charge lines.
SET ROLE corridor_app;
DO $$ BEGIN PERFORM corridor.booking_unwrite((SELECT booking_id FROM r)); END $$;
RESET ROLE;
DO $$
BEGIN
    IF (SELECT count(*) FROM corridor.booking WHERE id = (SELECT booking_id FROM r)) <> 1
       OR (SELECT count(*) FROM corridor.booking_charge WHERE booking_id = (SELECT booking_id FROM r)) <> 3 THEN
        RAISE EXCEPTION 'booking_unwrite deleted a committed booking';
    END IF;
END $$;

-- No room left on the middle leg: the second quote is refused with the
-- detailed problem, and nothing is written.
UPDATE corridor.departure SET capacity_teu = booked_teu + 3
 WHERE id = (SELECT v::bigint FROM t WHERE k = 'dep');
SET ROLE corridor_app;
CREATE TEMP TABLE r2 AS
SELECT * FROM corridor.booking_create('DEMOFWD', 'forwarder', (SELECT v::uuid FROM t WHERE k = 'quote2'),
                                      1, NULL, NULL);
RESET ROLE;
DO $$
DECLARE
    res record;
BEGIN
    SELECT * INTO res FROM r2;
    IF res.outcome <> 'capacity_unavailable' OR res.booking_id IS NOT NULL
       OR jsonb_array_length(res.problems) <> 1 OR res.problems->0->>'pointer' <> '/legs/1'
       OR res.detail NOT LIKE 'leg 2: departure % has 3 TEU and % kg free, 4 TEU and 48000 kg needed' THEN
        RAISE EXCEPTION 'expected one capacity problem on leg 2, got % % %', res.outcome, res.detail, res.problems;
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.booking WHERE quote_id = (SELECT v::uuid FROM t WHERE k = 'quote2')) THEN
        RAISE EXCEPTION 'a refused booking left a row';
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.check_invariants()) THEN
        RAISE EXCEPTION 'check_invariants() after the refusal: %',
            (SELECT string_agg(kind || ' ' || id || ': ' || detail, '; ') FROM corridor.check_invariants());
    END IF;
END $$;
