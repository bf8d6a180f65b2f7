-- API keys (issue_api_key / revoke_api_key) and the privileges of the two
-- roles.

SET ROLE corridor_operator;

CREATE TEMP TABLE issued (label text PRIMARY KEY, plaintext text);

DO $$
DECLARE
    k text;
    row corridor.api_key;
BEGIN
    k := corridor.issue_api_key('DEMOFWD', 'forwarder', 'test key');
    INSERT INTO issued VALUES ('fwd', k);
    IF k !~ '^csk_[0-9a-f]{8}_[0-9a-f]{32}$' THEN
        RAISE EXCEPTION 'key % does not look like csk_<8 hex>_<32 hex>', k;
    END IF;
    SELECT * INTO row FROM corridor.api_key WHERE prefix = substr(k, 5, 8);
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no api_key row with the key''s prefix';
    END IF;
    IF row.key_hash <> encode(sha256(convert_to(k, 'UTF8')), 'hex') THEN
        RAISE EXCEPTION 'key_hash is not the SHA-256 of the plaintext';
    END IF;
    IF row.org_code <> 'DEMOFWD' OR row.role <> 'forwarder' OR row.label <> 'test key'
       OR row.revoked_at IS NOT NULL OR row.created_at IS NULL THEN
        RAISE EXCEPTION 'api_key row has wrong attributes: %', row;
    END IF;
    -- the plaintext (and its secret part) is stored nowhere
    IF EXISTS (SELECT 1 FROM corridor.api_key a
                WHERE a::text LIKE '%' || substr(k, 14) || '%') THEN
        RAISE EXCEPTION 'the secret part of the key is stored in api_key';
    END IF;
    -- two keys differ
    IF corridor.issue_api_key('DEMOFWD', 'forwarder', 'second') = k THEN
        RAISE EXCEPTION 'two issued keys are equal';
    END IF;
    -- carriers get carrier keys; the operator org any role
    PERFORM corridor.issue_api_key('KTZ', 'carrier', 'ktz');
    PERFORM corridor.issue_api_key('CORRIDOR', 'operator', 'ops');
    PERFORM corridor.issue_api_key('CORRIDOR', 'forwarder', 'ops acting as forwarder');
    PERFORM corridor.issue_api_key('CORRIDOR', 'carrier', 'ops acting as carrier');
END $$;

-- Refusals.
DO $$
BEGIN
    BEGIN
        PERFORM corridor.issue_api_key('DEMOFWD', 'operator', 'escalation');
        RAISE EXCEPTION 'a forwarder organization got an operator key';
    EXCEPTION WHEN invalid_parameter_value THEN NULL;
    END;
    BEGIN
        PERFORM corridor.issue_api_key('DEMOFWD', 'carrier', 'wrong role');
        RAISE EXCEPTION 'a forwarder organization got a carrier key';
    EXCEPTION WHEN invalid_parameter_value THEN NULL;
    END;
    BEGIN
        PERFORM corridor.issue_api_key('KTZ', 'forwarder', 'wrong role');
        RAISE EXCEPTION 'a carrier organization got a forwarder key';
    EXCEPTION WHEN invalid_parameter_value THEN NULL;
    END;
    BEGIN
        PERFORM corridor.issue_api_key('DEMOFWD', 'admin', 'bad role');
        RAISE EXCEPTION 'accepted role admin';
    EXCEPTION WHEN invalid_parameter_value THEN NULL;
    END;
    BEGIN
        PERFORM corridor.issue_api_key('NOSUCHORG', 'forwarder', 'unknown org');
        RAISE EXCEPTION 'issued a key to an unknown organization';
    EXCEPTION WHEN foreign_key_violation THEN NULL;
    END;
    IF (SELECT count(*) FROM corridor.api_key) <> 6 THEN
        RAISE EXCEPTION 'expected 6 keys after the refusals, found %', (SELECT count(*) FROM corridor.api_key);
    END IF;
END $$;

-- Revocation.
DO $$
DECLARE
    p text := substr((SELECT plaintext FROM issued WHERE label = 'fwd'), 5, 8);
BEGIN
    IF NOT corridor.revoke_api_key(p) THEN
        RAISE EXCEPTION 'revoke_api_key returned false for a live key';
    END IF;
    IF (SELECT revoked_at FROM corridor.api_key WHERE prefix = p) IS NULL THEN
        RAISE EXCEPTION 'revoked key has no revoked_at';
    END IF;
    IF corridor.revoke_api_key(p) THEN
        RAISE EXCEPTION 'revoking twice returned true';
    END IF;
    IF corridor.revoke_api_key('00000000') THEN
        RAISE EXCEPTION 'revoking an unknown prefix returned true';
    END IF;
    IF (SELECT count(*) FROM corridor.api_key WHERE revoked_at IS NULL) <> 5 THEN
        RAISE EXCEPTION 'revocation touched other keys';
    END IF;
END $$;

-- The operator reads keys but cannot write them except through the functions.
DO $$
BEGIN
    BEGIN
        INSERT INTO corridor.api_key (prefix, key_hash, org_code, role)
        VALUES ('abcdef01', repeat('a', 64), 'DEMOFWD', 'operator');
        RAISE EXCEPTION 'the operator inserted an api_key row directly';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        UPDATE corridor.api_key SET role = 'operator';
        RAISE EXCEPTION 'the operator changed a key''s role directly';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
END $$;

-- The operator: read-only on bookings and quotes, no DDL.
DO $$
BEGIN
    PERFORM count(*) FROM corridor.booking;
    PERFORM count(*) FROM corridor.booking_summary;
    PERFORM count(*) FROM corridor.departure_utilization;
    PERFORM count(*) FROM corridor.tariff_current;
    PERFORM count(*) FROM corridor.check_invariants();
    BEGIN
        UPDATE corridor.booking SET status = 'CANCELLED';
        RAISE EXCEPTION 'the operator updated bookings';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        DELETE FROM corridor.booking_leg;
        RAISE EXCEPTION 'the operator deleted booking legs';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.quote (org_code, expires_at, data_version, currency, options)
        VALUES ('DEMOFWD', now(), 1, 'USD', '[]');
        RAISE EXCEPTION 'the operator inserted a quote';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        CREATE TABLE corridor.operator_scratch (i int);
        RAISE EXCEPTION 'the operator created a table in corridor';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        CREATE TABLE public.operator_scratch (i int);
        RAISE EXCEPTION 'the operator created a table in public';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        ALTER TABLE corridor.tariff DROP CONSTRAINT tariff_no_overlap;
        RAISE EXCEPTION 'the operator dropped a constraint';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        DROP TABLE corridor.surcharge;
        RAISE EXCEPTION 'the operator dropped a table';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        TRUNCATE corridor.tariff_history;
        RAISE EXCEPTION 'the operator truncated tariff history';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        UPDATE corridor.data_version SET version = 0;
        RAISE EXCEPTION 'the operator set the data version';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
END $$;
RESET ROLE;

-- The server's role: reads reference data and keys, changes only booked
-- quantities, writes quotes and bookings, no DDL, no keys.
SET ROLE corridor_app;
DO $$
DECLARE
    did bigint := (SELECT min(id) FROM corridor.departure WHERE service LIKE 'E1 %');
    wid bigint := (SELECT min(id) FROM corridor.port_window WHERE node_code = 'KZAAU');
BEGIN
    PERFORM count(*) FROM corridor.tariff;
    PERFORM count(*) FROM corridor.api_key;
    PERFORM version FROM corridor.data_version;
    UPDATE corridor.departure SET booked_teu = booked_teu + 1, booked_kg = booked_kg + 10000 WHERE id = did;
    UPDATE corridor.port_window SET booked_teu = booked_teu + 1 WHERE id = wid;
    -- lock rows in id order, as the booking transaction does
    PERFORM 1 FROM corridor.departure WHERE id = did FOR UPDATE;
    PERFORM 1 FROM corridor.port_window WHERE id = wid FOR UPDATE;
    BEGIN
        UPDATE corridor.tariff SET rate = 0 WHERE charge_code = 'RAIL_FREIGHT';
        RAISE EXCEPTION 'the server role updated a tariff';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        UPDATE corridor.departure SET capacity_teu = capacity_teu + 100 WHERE id = did;
        RAISE EXCEPTION 'the server role raised a departure''s capacity';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        UPDATE corridor.departure SET status = 'cancelled' WHERE id = did;
        RAISE EXCEPTION 'the server role cancelled a departure';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        UPDATE corridor.port_window SET capacity_teu = 10000 WHERE id = wid;
        RAISE EXCEPTION 'the server role changed a window''s capacity';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.departure (link_id, service, departs_at, arrives_at, capacity_teu, capacity_kg)
        SELECT link_id, 'X', departs_at + interval '1 minute', arrives_at, 1, 1
          FROM corridor.departure WHERE id = did;
        RAISE EXCEPTION 'the server role published a departure';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.fx_rate (currency, on_date, per_usd) VALUES ('EUR', current_date + 5, 1);
        RAISE EXCEPTION 'the server role inserted an FX rate';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        PERFORM corridor.issue_api_key('CORRIDOR', 'operator', 'from the server');
        RAISE EXCEPTION 'the server role issued an API key';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        UPDATE corridor.api_key SET revoked_at = NULL;
        RAISE EXCEPTION 'the server role un-revoked keys';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        CREATE TABLE corridor.app_scratch (i int);
        RAISE EXCEPTION 'the server role created a table';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        DELETE FROM corridor.booking;
        RAISE EXCEPTION 'the server role deleted bookings';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    -- booked quantities stay within capacity whatever the server does
    BEGIN
        UPDATE corridor.departure SET booked_teu = capacity_teu + 1 WHERE id = did;
        RAISE EXCEPTION 'overbooked a departure';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        UPDATE corridor.port_window SET booked_teu = -1 WHERE id = wid;
        RAISE EXCEPTION 'accepted a negative booked_teu';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
END $$;

-- The server writes quotes, bookings, events and idempotency keys.
DO $$
DECLARE
    q uuid;
    b bigint;
BEGIN
    INSERT INTO corridor.quote (org_code, expires_at, data_version, currency, request, options)
    VALUES ('DEMOFWD', now() + interval '30 minutes', 1, 'USD', '{}', '[]') RETURNING id INTO q;
    INSERT INTO corridor.booking (reference, org_code, status, quote_id, option, containers,
                                  total_amount, currency)
    VALUES ('NSC-TEST0001', 'DEMOFWD', 'CONFIRMED', q, 1, '[]', 0, 'USD') RETURNING id INTO b;
    UPDATE corridor.booking SET customer_reference = 'PO-1', version = version + 1 WHERE id = b;
    INSERT INTO corridor.booking_event (booking_id, org_code, type, data)
    VALUES (b, 'DEMOFWD', 'booking.confirmed', '{}');
    INSERT INTO corridor.idempotency_key (org_code, key, request_hash) VALUES ('DEMOFWD', 'k1', 'h');
    UPDATE corridor.idempotency_key SET status_code = 201, response_body = '{}' WHERE key = 'k1';
    DELETE FROM corridor.idempotency_key WHERE created_at < now() - interval '24 hours';
    -- a quote is booked at most once
    BEGIN
        INSERT INTO corridor.booking (reference, org_code, status, quote_id, option, containers,
                                      total_amount, currency)
        VALUES ('NSC-TEST0002', 'DEMOFWD', 'CONFIRMED', q, 2, '[]', 0, 'USD');
        RAISE EXCEPTION 'booked one quote twice';
    EXCEPTION WHEN unique_violation THEN NULL;
    END;
    INSERT INTO corridor.quote (org_code, expires_at, data_version, currency, options)
    VALUES ('DEMOFWD', now() + interval '30 minutes', 1, 'USD', '[]') RETURNING id INTO q;
    BEGIN
        INSERT INTO corridor.booking (reference, org_code, status, quote_id, option, containers,
                                      total_amount, currency)
        VALUES ('NSC-TEST0003', 'DEMOFWD', 'HELD', q, 1, '[]', 0, 'USD');
        RAISE EXCEPTION 'accepted a HELD booking without hold_expires_at';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.booking (reference, org_code, status, quote_id, option, containers,
                                      total_amount, currency)
        VALUES ('nsc-bad', 'DEMOFWD', 'CONFIRMED', q, 1, '[]', 0, 'USD');
        RAISE EXCEPTION 'accepted a malformed booking reference';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.booking_event (booking_id, org_code, type) VALUES (b, 'DEMOFWD', 'booking.lost');
        RAISE EXCEPTION 'accepted an unknown event type';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
END $$;
RESET ROLE;

-- A table a later migration adds is readable by operators by default.
CREATE TABLE corridor.later_migration_probe (i int);
INSERT INTO corridor.later_migration_probe VALUES (1);
SET ROLE corridor_operator;
DO $$
BEGIN
    IF (SELECT i FROM corridor.later_migration_probe) <> 1 THEN
        RAISE EXCEPTION 'operators cannot read a newly added table';
    END IF;
END $$;
RESET ROLE;
