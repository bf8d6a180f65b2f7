-- tariff_history records every tariff change with who and when; the data
-- version moves on every reference-data change, once per transaction, and
-- not when only booked quantities change.  Each top-level statement below is
-- its own transaction (psql autocommit).

CREATE TEMP TABLE seen (label text PRIMARY KEY, version bigint);
GRANT SELECT, INSERT ON seen TO corridor_operator, corridor_app;
INSERT INTO seen SELECT 'start', version FROM corridor.data_version;

-- The seed itself wrote an INSERT history row for every tariff.
DO $$
BEGIN
    IF (SELECT count(*) FROM corridor.tariff) = 0 THEN
        RAISE EXCEPTION 'the seed has no tariffs';
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.tariff t
                WHERE NOT EXISTS (SELECT 1 FROM corridor.tariff_history h
                                   WHERE h.tariff_id = t.id AND h.op = 'INSERT'
                                     AND h.new_row ->> 'charge_code' = t.charge_code)) THEN
        RAISE EXCEPTION 'a seeded tariff has no INSERT history row';
    END IF;
END $$;

SET ROLE corridor_operator;

-- The operator raises a rate from a date: closes the old row, inserts the new.
UPDATE corridor.tariff SET valid_to = current_date + 13
 WHERE charge_code = 'PORT_HANDLING' AND node_code = 'TMKRW' AND container_type IS NULL
   AND valid_to IS NULL;
INSERT INTO seen SELECT 'after update', version FROM corridor.data_version;
INSERT INTO corridor.tariff (charge_code, node_code, basis, rate, currency, min_charge, valid_from, note)
VALUES ('PORT_HANDLING', 'TMKRW', 'per_container', 125, 'USD', 125, current_date + 14, 'test: new rate');
DELETE FROM corridor.tariff WHERE charge_code = 'PORT_HANDLING' AND node_code = 'TMKRW'
   AND container_type = '40RF';

DO $$
DECLARE
    h record;
    n int;
BEGIN
    SELECT * INTO h FROM corridor.tariff_history
     WHERE op = 'UPDATE' AND new_row ->> 'node_code' = 'TMKRW' ORDER BY id DESC LIMIT 1;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'no UPDATE history row for the closed tariff';
    END IF;
    IF h.changed_by <> 'corridor_operator' THEN
        RAISE EXCEPTION 'history says changed_by %, expected corridor_operator', h.changed_by;
    END IF;
    IF h.changed_at < now() - interval '1 minute' OR h.changed_at > now() THEN
        RAISE EXCEPTION 'history changed_at % is not the time of the change', h.changed_at;
    END IF;
    IF h.old_row ->> 'valid_to' IS NOT NULL
       OR (h.new_row ->> 'valid_to')::date <> current_date + 13 THEN
        RAISE EXCEPTION 'history old/new rows do not show the validity change: % -> %',
            h.old_row ->> 'valid_to', h.new_row ->> 'valid_to';
    END IF;
    SELECT count(*) INTO n FROM corridor.tariff_history
     WHERE op = 'INSERT' AND new_row ->> 'note' = 'test: new rate'
       AND (new_row ->> 'rate')::numeric = 125 AND changed_by = 'corridor_operator';
    IF n <> 1 THEN
        RAISE EXCEPTION 'expected one INSERT history row for the new rate, found %', n;
    END IF;
    SELECT count(*) INTO n FROM corridor.tariff_history
     WHERE op = 'DELETE' AND old_row ->> 'container_type' = '40RF'
       AND old_row ->> 'node_code' = 'TMKRW' AND new_row IS NULL;
    IF n <> 1 THEN
        RAISE EXCEPTION 'expected one DELETE history row, found %', n;
    END IF;
END $$;

-- History cannot be forged or rewritten by the operator.
DO $$
BEGIN
    BEGIN
        INSERT INTO corridor.tariff_history (tariff_id, op, new_row, changed_by)
        VALUES (1, 'INSERT', '{}', 'somebody_else');
        RAISE EXCEPTION 'the operator wrote a tariff_history row directly';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        DELETE FROM corridor.tariff_history;
        RAISE EXCEPTION 'the operator deleted tariff history';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        UPDATE corridor.tariff_history SET changed_by = 'nobody';
        RAISE EXCEPTION 'the operator rewrote tariff history';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
END $$;

-- Version: each operator statement above bumped it.
DO $$
DECLARE
    v0 bigint := (SELECT version FROM seen WHERE label = 'start');
    v1 bigint := (SELECT version FROM seen WHERE label = 'after update');
    v2 bigint := (SELECT version FROM corridor.data_version);
BEGIN
    IF v1 <> v0 + 1 THEN
        RAISE EXCEPTION 'a tariff update should bump the version once: % -> %', v0, v1;
    END IF;
    IF v2 <> v1 + 2 THEN
        RAISE EXCEPTION 'an insert and a delete (two transactions) should bump twice: % -> %', v1, v2;
    END IF;
END $$;

-- A statement that changes no row does not bump; one transaction with many
-- changes bumps once.
INSERT INTO seen SELECT 'before noop', version FROM corridor.data_version;
INSERT INTO corridor.currency (code, minor_units, name) VALUES ('USD', 2, 'US dollar')
ON CONFLICT DO NOTHING;
UPDATE corridor.node SET name = 'nothing' WHERE code = 'NONE1';
BEGIN;
UPDATE corridor.node SET transfer_minutes = transfer_minutes + 1 WHERE code = 'IRTHR';
UPDATE corridor.link SET transit_hours = transit_hours + 1 WHERE from_code = 'IRTHR' AND to_code = 'IRQAZ';
INSERT INTO corridor.fx_rate (currency, on_date, per_usd) VALUES ('KZT', current_date + 1, 521);
UPDATE corridor.departure SET status = 'closed'
 WHERE id = (SELECT min(id) FROM corridor.departure WHERE service LIKE 'N1 %');
COMMIT;
DO $$
DECLARE
    v0 bigint := (SELECT version FROM seen WHERE label = 'before noop');
    v1 bigint := (SELECT version FROM corridor.data_version);
BEGIN
    IF v1 <> v0 + 1 THEN
        RAISE EXCEPTION 'no-op statements plus one 4-statement transaction should bump once: % -> %', v0, v1;
    END IF;
END $$;

-- Capacity and window changes by the operator bump.
INSERT INTO seen SELECT 'before capacity', version FROM corridor.data_version;
UPDATE corridor.departure SET capacity_teu = capacity_teu + 10
 WHERE id = (SELECT min(id) FROM corridor.departure WHERE service LIKE 'E1 %');
UPDATE corridor.port_window SET capacity_teu = capacity_teu + 5
 WHERE id = (SELECT min(id) FROM corridor.port_window WHERE node_code = 'XIRINB');
DO $$
BEGIN
    IF (SELECT version FROM corridor.data_version) <> (SELECT version FROM seen WHERE label = 'before capacity') + 2 THEN
        RAISE EXCEPTION 'capacity changes on a departure and a window should bump twice';
    END IF;
END $$;
RESET ROLE;

-- Bookings change only booked quantities: no bump, no reload.
SET ROLE corridor_app;
INSERT INTO seen SELECT 'before booking', version FROM corridor.data_version;
UPDATE corridor.departure SET booked_teu = booked_teu + 2, booked_kg = booked_kg + 30000
 WHERE id IN (SELECT id FROM corridor.departure WHERE service LIKE 'E1 %' ORDER BY id LIMIT 13);
UPDATE corridor.port_window SET booked_teu = booked_teu + 2
 WHERE id = (SELECT min(id) FROM corridor.port_window WHERE node_code = 'XIRINB');
DO $$
DECLARE
    v0 bigint := (SELECT version FROM seen WHERE label = 'before booking');
    v1 bigint := (SELECT version FROM corridor.data_version);
BEGIN
    IF v1 <> v0 THEN
        RAISE EXCEPTION 'booked_teu/booked_kg updates bumped the data version: % -> %', v0, v1;
    END IF;
    IF (SELECT sum(booked_teu) FROM corridor.departure) <> 26 THEN
        RAISE EXCEPTION 'the booked_teu updates did not happen';
    END IF;
END $$;
RESET ROLE;

-- data_version stays a single row.
DO $$
BEGIN
    IF (SELECT count(*) FROM corridor.data_version) <> 1 THEN
        RAISE EXCEPTION 'data_version must have exactly one row';
    END IF;
    BEGIN
        INSERT INTO corridor.data_version (singleton, version) VALUES (false, 1);
        RAISE EXCEPTION 'accepted a second data_version row';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
END $$;
