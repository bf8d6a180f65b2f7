-- check_invariants(): empty on the seed and after a correct booking; reports
-- each kind of violation.  Also the operator views over a booking.

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM corridor.check_invariants()) THEN
        RAISE EXCEPTION 'check_invariants() is not empty on the seed: %',
            (SELECT string_agg(kind || ' ' || id || ': ' || detail, '; ') FROM corridor.check_invariants());
    END IF;
END $$;

-- A correct booking, written the way the server does it (as corridor_app):
-- 2 TEU / 40 000 kg on the three legs of an N1 train Amirabad -> Tehran ->
-- Bafq -> Bandar Abbas, a discharge call at Bandar Abbas in its window.
SET ROLE corridor_app;
CREATE TEMP TABLE t_booking (id bigint, reference text);
DO $$
DECLARE
    q uuid;
    b bigint;
    svc text := (SELECT service FROM corridor.departure WHERE service LIKE 'N1 %'
                  ORDER BY departs_at OFFSET 5 LIMIT 1);
    last_arrival timestamptz;
    w bigint;
    d record;
    seq int := 0;
BEGIN
    INSERT INTO corridor.quote (org_code, expires_at, data_version, currency, request, options)
    VALUES ('DEMOFWD', now() + interval '30 minutes',
            (SELECT version FROM corridor.data_version), 'USD', '{}', '[]')
    RETURNING id INTO q;
    INSERT INTO corridor.booking (reference, org_code, status, quote_id, option, containers,
                                  total_amount, currency)
    VALUES ('NSC-INV00001', 'DEMOFWD', 'CONFIRMED', q, 1,
            '[{"type":"40HC","count":1,"gross_weight_kg":40000}]', 1234.56, 'USD')
    RETURNING id INTO b;
    INSERT INTO t_booking VALUES (b, 'NSC-INV00001');
    FOR d IN SELECT id, arrives_at FROM corridor.departure WHERE service = svc ORDER BY departs_at LOOP
        seq := seq + 1;
        INSERT INTO corridor.booking_leg (booking_id, seq, departure_id, teu, kg) VALUES (b, seq, d.id, 2, 40000);
        UPDATE corridor.departure SET booked_teu = booked_teu + 2, booked_kg = booked_kg + 40000 WHERE id = d.id;
        last_arrival := d.arrives_at;
    END LOOP;
    IF seq <> 3 THEN
        RAISE EXCEPTION 'expected 3 legs for service %, found %', svc, seq;
    END IF;
    SELECT id INTO w FROM corridor.port_window
     WHERE node_code = 'IRSRP' AND starts_at <= last_arrival AND last_arrival < ends_at;
    IF w IS NULL THEN
        RAISE EXCEPTION 'no window at IRSRP contains the arrival %', last_arrival;
    END IF;
    INSERT INTO corridor.booking_port_call (booking_id, seq, node_code, kind, window_id, at, teu)
    VALUES (b, 1, 'IRSRP', 'discharge', w, last_arrival, 2);
    UPDATE corridor.port_window SET booked_teu = booked_teu + 2 WHERE id = w;
    UPDATE corridor.booking SET charges = '[
        {"line": 1, "code": "RAIL_FREIGHT", "leg": 1, "description": "rail", "basis": "per_container_km",
         "quantity": "414", "unit_price": {"amount": "0.24", "currency": "USD"},
         "amount": {"amount": "99.36", "currency": "USD"}, "fx_rate": "1", "tariff_id": null},
        {"line": 2, "code": "RAIL_FREIGHT", "leg": 2, "description": "rail", "basis": "per_container_km",
         "quantity": "715", "unit_price": {"amount": "0.24", "currency": "USD"},
         "amount": {"amount": "171.60", "currency": "USD"}, "fx_rate": "1", "tariff_id": null},
        {"line": 3, "code": "RAIL_FREIGHT", "leg": 3, "description": "rail", "basis": "per_container_km",
         "quantity": "626", "unit_price": {"amount": "0.24", "currency": "USD"},
         "amount": {"amount": "150.24", "currency": "USD"}, "fx_rate": "1", "tariff_id": null},
        {"line": 4, "code": "OTHER", "leg": null, "description": "the rest", "basis": "per_shipment",
         "quantity": "1", "unit_price": {"amount": "813.36", "currency": "USD"},
         "amount": {"amount": "813.36", "currency": "USD"}, "fx_rate": "1", "tariff_id": null}]'
     WHERE id = b;
    INSERT INTO corridor.booking_event (booking_id, org_code, type, data)
    VALUES (b, 'DEMOFWD', 'booking.confirmed', '{}');
END $$;
RESET ROLE;

DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM corridor.check_invariants()) THEN
        RAISE EXCEPTION 'check_invariants() reports a correct booking: %',
            (SELECT string_agg(kind || ' ' || id || ': ' || detail, '; ') FROM corridor.check_invariants());
    END IF;
END $$;

-- The operator views show it.
SET ROLE corridor_operator;
DO $$
DECLARE
    s record;
BEGIN
    SELECT * INTO s FROM corridor.booking_summary WHERE reference = 'NSC-INV00001';
    IF NOT FOUND THEN
        RAISE EXCEPTION 'booking_summary does not show the booking';
    END IF;
    IF s.origin <> 'IRAMD' OR s.destination <> 'IRSRP' OR s.teu <> 2 OR s.total_amount <> 1234.56
       OR s.org_name <> 'Demo Forwarding LLP' OR s.status <> 'CONFIRMED' THEN
        RAISE EXCEPTION 'booking_summary row is wrong: %', s;
    END IF;
    IF (SELECT count(*) FROM corridor.departure_utilization WHERE booked_teu = 2 AND teu_percent = 2.0
          AND service LIKE 'N1 %') <> 3 THEN
        RAISE EXCEPTION 'departure_utilization does not show 2 %% on the three booked legs';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM corridor.tariff_current
                    WHERE charge_code = 'RAIL_FREIGHT' AND from_code = 'KZUZE' AND to_code = 'XKZBOL'
                      AND from_name LIKE 'Uzen%' AND to_name LIKE 'Bolashak%') THEN
        RAISE EXCEPTION 'tariff_current lacks the Uzen-Bolashak rail freight with names';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM corridor.tariff_current
                    WHERE charge_code = 'PORT_HANDLING' AND node_code = 'KZAAU' AND node_name LIKE 'Aktau%') THEN
        RAISE EXCEPTION 'tariff_current lacks Aktau port handling with its name';
    END IF;
END $$;
RESET ROLE;

-- A departure whose booked_teu was changed by hand is reported.
UPDATE corridor.departure SET booked_teu = booked_teu + 5
 WHERE id = (SELECT min(id) FROM corridor.departure WHERE service LIKE 'E3 %');
DO $$
DECLARE
    did text := (SELECT min(id)::text FROM corridor.departure WHERE service LIKE 'E3 %');
BEGIN
    IF (SELECT count(*) FROM corridor.check_invariants()) <> 1
       OR NOT EXISTS (SELECT 1 FROM corridor.check_invariants() WHERE kind = 'departure' AND id = did) THEN
        RAISE EXCEPTION 'check_invariants() should report exactly departure %, got: %', did,
            (SELECT string_agg(kind || ' ' || id || ': ' || detail, '; ') FROM corridor.check_invariants());
    END IF;
END $$;
UPDATE corridor.departure SET booked_teu = booked_teu - 5
 WHERE id = (SELECT min(id) FROM corridor.departure WHERE service LIKE 'E3 %');

-- Cancelling the booking without releasing its capacity is reported on
-- every leg and the window; releasing it makes everything consistent again.
UPDATE corridor.booking SET status = 'CANCELLED' WHERE reference = 'NSC-INV00001';
DO $$
BEGIN
    IF (SELECT count(*) FROM corridor.check_invariants() WHERE kind = 'departure') <> 3
       OR (SELECT count(*) FROM corridor.check_invariants() WHERE kind = 'port_window') <> 1 THEN
        RAISE EXCEPTION 'an unreleased cancellation should show 3 departures and 1 window, got: %',
            (SELECT string_agg(kind || ' ' || id || ': ' || detail, '; ') FROM corridor.check_invariants());
    END IF;
END $$;
UPDATE corridor.departure d SET booked_teu = booked_teu - 2, booked_kg = booked_kg - 40000
  FROM corridor.booking_leg bl JOIN t_booking b ON b.id = bl.booking_id
 WHERE d.id = bl.departure_id;
UPDATE corridor.port_window w SET booked_teu = booked_teu - 2
  FROM corridor.booking_port_call pc JOIN t_booking b ON b.id = pc.booking_id
 WHERE w.id = pc.window_id;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM corridor.check_invariants()) THEN
        RAISE EXCEPTION 'after releasing, check_invariants() still reports: %',
            (SELECT string_agg(kind || ' ' || id || ': ' || detail, '; ') FROM corridor.check_invariants());
    END IF;
END $$;

-- Charges that do not add up, and a live booking without legs.
UPDATE corridor.booking SET charges = jsonb_set(charges, '{3,amount,amount}', '"813.37"')
 WHERE id = (SELECT id FROM t_booking);
INSERT INTO corridor.quote (org_code, expires_at, data_version, currency, options)
VALUES ('CASPFWD', now() + interval '30 minutes', 1, 'EUR', '[]');
INSERT INTO corridor.booking (reference, org_code, status, quote_id, option, containers, total_amount,
                              currency, hold_expires_at)
SELECT 'NSC-INV00002', 'CASPFWD', 'HELD', id, 1, '[]', 0, 'EUR', now() + interval '15 minutes'
  FROM corridor.quote WHERE org_code = 'CASPFWD';
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM corridor.check_invariants()
                    WHERE kind = 'booking_total' AND id = 'NSC-INV00001') THEN
        RAISE EXCEPTION 'charges not adding up to total_amount are not reported';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM corridor.check_invariants()
                    WHERE kind = 'booking_without_legs' AND id = 'NSC-INV00002') THEN
        RAISE EXCEPTION 'a HELD booking without legs is not reported';
    END IF;
    IF (SELECT count(*) FROM corridor.check_invariants()) <> 2 THEN
        RAISE EXCEPTION 'expected exactly 2 violations, got: %',
            (SELECT string_agg(kind || ' ' || id || ': ' || detail, '; ') FROM corridor.check_invariants());
    END IF;
END $$;
