-- Guard rails: an operator's mistake gets a clear PostgreSQL error, never a
-- bad row.  Runs on a fresh clone of the migrated and seeded template, as the
-- operator role (so the test also proves the operator may make the valid
-- changes).  Each DO block fails the file when a bad row is accepted.

SET ROLE corridor_operator;

-- Overlapping tariff validity for the same key is refused.
DO $$
DECLARE
    lid bigint := (SELECT id FROM corridor.link WHERE from_code = 'KZUZE' AND to_code = 'XKZBOL');
BEGIN
    BEGIN
        INSERT INTO corridor.tariff (charge_code, link_id, max_gross_kg, basis, rate, currency, valid_from)
        VALUES ('RAIL_FREIGHT', lid, 24000, 'per_teu_km', 0.16, 'USD', current_date + 10);
        RAISE EXCEPTION 'accepted a tariff overlapping the seeded RAIL_FREIGHT band';
    EXCEPTION WHEN exclusion_violation THEN NULL;
    END;
    -- a banded row overlapping another band (20 000..30 000 vs 0..24 000)
    BEGIN
        INSERT INTO corridor.tariff (charge_code, link_id, min_gross_kg, max_gross_kg, basis, rate,
                                     currency, valid_from, valid_to)
        VALUES ('RAIL_FREIGHT', lid, 20000, 30000, 'per_teu_km', 0.16, 'USD', current_date - 400,
                current_date - 31 + 1);
        RAISE EXCEPTION 'accepted overlapping weight bands with overlapping validity';
    EXCEPTION WHEN exclusion_violation THEN NULL;
    END;
END $$;

-- Same key, validity that does not overlap: accepted (a rate change from a date).
DO $$
DECLARE
    lid bigint := (SELECT id FROM corridor.link WHERE from_code = 'KZUZE' AND to_code = 'XKZBOL');
BEGIN
    INSERT INTO corridor.tariff (charge_code, link_id, max_gross_kg, basis, rate, currency,
                                 valid_from, valid_to)
    VALUES ('RAIL_FREIGHT', lid, 24000, 'per_teu_km', 0.14, 'USD', current_date - 400, current_date - 31);
END $$;

-- A banded and an unbanded row for the same key coexist; a second unbanded
-- row does not.
DO $$
DECLARE
    nid text := 'IRGBT';
BEGIN
    INSERT INTO corridor.tariff (charge_code, node_code, basis, rate, currency, valid_from, note)
    VALUES ('TEST_CHARGE', nid, 'per_container', 10, 'USD', current_date, 'unbanded');
    INSERT INTO corridor.tariff (charge_code, node_code, min_gross_kg, basis, rate, currency, valid_from, note)
    VALUES ('TEST_CHARGE', nid, 24001, 'per_container', 15, 'USD', current_date, 'heavy band');
    INSERT INTO corridor.tariff (charge_code, node_code, max_gross_kg, basis, rate, currency, valid_from, note)
    VALUES ('TEST_CHARGE', nid, 24000, 'per_container', 9, 'USD', current_date, 'light band');
    -- a type-specific row is another key
    INSERT INTO corridor.tariff (charge_code, node_code, container_type, basis, rate, currency, valid_from)
    VALUES ('TEST_CHARGE', nid, '40HC', 'per_container', 20, 'USD', current_date);
    IF (SELECT count(*) FROM corridor.tariff WHERE charge_code = 'TEST_CHARGE') <> 4 THEN
        RAISE EXCEPTION 'banded, unbanded and typed rows should coexist';
    END IF;
    BEGIN
        INSERT INTO corridor.tariff (charge_code, node_code, basis, rate, currency, valid_from)
        VALUES ('TEST_CHARGE', nid, 'per_container', 11, 'USD', current_date + 5);
        RAISE EXCEPTION 'accepted a second unbanded row with overlapping validity';
    EXCEPTION WHEN exclusion_violation THEN NULL;
    END;
    -- the weight band is inclusive at both ends: 24000 and 24000 overlap
    BEGIN
        INSERT INTO corridor.tariff (charge_code, node_code, min_gross_kg, max_gross_kg, basis, rate,
                                     currency, valid_from)
        VALUES ('TEST_CHARGE', nid, 24000, 24000, 'per_container', 9, 'USD', current_date);
        RAISE EXCEPTION 'accepted a band touching another band at an inclusive end';
    EXCEPTION WHEN exclusion_violation THEN NULL;
    END;
END $$;

-- Negative rates, percentages and capacities; bad codes and bases.
DO $$
DECLARE
    lid bigint := (SELECT id FROM corridor.link WHERE from_code = 'KZUZE' AND to_code = 'XKZBOL');
BEGIN
    BEGIN
        INSERT INTO corridor.tariff (charge_code, node_code, basis, rate, currency, valid_from)
        VALUES ('NEG', 'IRGBT', 'per_container', -1, 'USD', current_date);
        RAISE EXCEPTION 'accepted a negative rate';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.tariff (charge_code, node_code, basis, rate, currency, min_charge, valid_from)
        VALUES ('NEG', 'IRGBT', 'per_container', 1, 'USD', -5, current_date);
        RAISE EXCEPTION 'accepted a negative min_charge';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.tariff (charge_code, node_code, basis, rate, currency, valid_from)
        VALUES ('NODE_KM', 'IRGBT', 'per_container_km', 1, 'USD', current_date);
        RAISE EXCEPTION 'accepted a per-km basis on a node (no distance)';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.tariff (charge_code, link_id, node_code, basis, rate, currency, valid_from)
        VALUES ('BOTH', lid, 'IRGBT', 'per_container', 1, 'USD', current_date);
        RAISE EXCEPTION 'accepted a tariff on both a link and a node';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.tariff (charge_code, node_code, basis, rate, currency, valid_from, valid_to)
        VALUES ('BACKWARDS', 'IRGBT', 'per_container', 1, 'USD', current_date, current_date - 1);
        RAISE EXCEPTION 'accepted valid_to before valid_from';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.tariff (charge_code, node_code, min_gross_kg, max_gross_kg, basis, rate,
                                     currency, valid_from)
        VALUES ('BAND', 'IRGBT', 30000, 20000, 'per_container', 1, 'USD', current_date);
        RAISE EXCEPTION 'accepted a weight band with max below min';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.tariff (charge_code, node_code, basis, rate, currency, valid_from)
        VALUES ('lower_case', 'IRGBT', 'per_container', 1, 'USD', current_date);
        RAISE EXCEPTION 'accepted a lower-case charge code';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.tariff (charge_code, node_code, basis, rate, currency, valid_from)
        VALUES ('BASIS', 'IRGBT', 'per_wagon', 1, 'USD', current_date);
        RAISE EXCEPTION 'accepted an unknown basis';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.surcharge (code, applies_to, mode, percent, valid_from)
        VALUES ('WAR', 'SEA_FREIGHT', 'sea', -150, current_date);
        RAISE EXCEPTION 'accepted a surcharge below -100 %%';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.discount (code, org_code, applies_to, percent, valid_from)
        VALUES ('NEGATIVE', 'CASPFWD', NULL, -5, current_date);
        RAISE EXCEPTION 'accepted a negative discount';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.surcharge (code, applies_to, mode, percent, valid_from, valid_to)
        VALUES ('LATE', 'SEA_FREIGHT', NULL, 5, current_date, current_date - 3);
        RAISE EXCEPTION 'accepted a surcharge ending before it starts';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.discount (code, org_code, applies_to, percent, valid_from, valid_to)
        VALUES ('LATE', NULL, NULL, 5, current_date, current_date - 3);
        RAISE EXCEPTION 'accepted a discount ending before it starts';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.fx_rate (currency, on_date, per_usd) VALUES ('EUR', current_date + 1, 0);
        RAISE EXCEPTION 'accepted a zero exchange rate';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.fx_rate (currency, on_date, per_usd) VALUES ('USD', current_date + 1, 2);
        RAISE EXCEPTION 'accepted a USD rate other than 1';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        UPDATE corridor.departure SET capacity_teu = -1
         WHERE id = (SELECT min(id) FROM corridor.departure);
        RAISE EXCEPTION 'accepted a negative capacity';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.node (code, name, country, kind, timezone, transfer_minutes)
        VALUES ('KZXYZ', 'Nowhere', 'KZ', 'rail_station', 'Asia/Aqtau', -10);
        RAISE EXCEPTION 'accepted negative transfer_minutes';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
END $$;

-- Overlapping surcharge / discount validity for the same key.
DO $$
BEGIN
    BEGIN
        INSERT INTO corridor.surcharge (code, applies_to, mode, percent, valid_from)
        VALUES ('BAF', 'SEA_FREIGHT', 'sea', 15, current_date + 7);
        RAISE EXCEPTION 'accepted an overlapping BAF';
    EXCEPTION WHEN exclusion_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.discount (code, org_code, applies_to, percent, valid_from)
        VALUES ('INSTC', 'DEMOFWD', 'RAIL_FREIGHT', 7, current_date);
        RAISE EXCEPTION 'accepted an overlapping discount';
    EXCEPTION WHEN exclusion_violation THEN NULL;
    END;
    -- the same discount code for another organization is fine
    INSERT INTO corridor.discount (code, org_code, applies_to, percent, valid_from)
    VALUES ('INSTC', 'CASPFWD', 'RAIL_FREIGHT', 3, current_date);
END $$;

-- Unknown currency, unknown nodes, unknown carrier.
DO $$
BEGIN
    BEGIN
        INSERT INTO corridor.tariff (charge_code, node_code, basis, rate, currency, valid_from)
        VALUES ('CUR', 'IRGBT', 'per_container', 1, 'XYZ', current_date);
        RAISE EXCEPTION 'accepted an unknown currency';
    EXCEPTION WHEN foreign_key_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.fx_rate (currency, on_date, per_usd) VALUES ('GBP', current_date, 0.79);
        RAISE EXCEPTION 'accepted an FX rate of an unknown currency';
    EXCEPTION WHEN foreign_key_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.link (from_code, to_code, mode, gauge_mm, distance_km, transit_hours, carrier)
        VALUES ('KZAAU', 'RUMCX', 'sea', NULL, 400, 20, 'ASCO');
        RAISE EXCEPTION 'accepted a link to an unknown node';
    EXCEPTION WHEN foreign_key_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.link (from_code, to_code, mode, gauge_mm, distance_km, transit_hours, carrier)
        VALUES ('KZAAU', 'IRAMD', 'sea', NULL, 400, 20, 'NOBODY');
        RAISE EXCEPTION 'accepted a link of an unknown carrier';
    EXCEPTION WHEN foreign_key_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.tariff (charge_code, node_code, basis, rate, currency, valid_from)
        VALUES ('PORT_HANDLING', 'XXNOPE', 'per_container', 1, 'USD', current_date);
        RAISE EXCEPTION 'accepted a tariff at an unknown node';
    EXCEPTION WHEN foreign_key_violation OR check_violation THEN NULL;
    END;
END $$;

-- Links: gauge only on rail, no loops, positive distance and time, node codes.
DO $$
BEGIN
    BEGIN
        INSERT INTO corridor.link (from_code, to_code, mode, gauge_mm, distance_km, transit_hours, carrier)
        VALUES ('KZAAU', 'TMKRW', 'sea', 1520, 300, 15, 'ASCO');
        RAISE EXCEPTION 'accepted a gauge on a sea link';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.link (from_code, to_code, mode, gauge_mm, distance_km, transit_hours, carrier)
        VALUES ('IRTHR', 'IRQAZ', 'rail', NULL, 150, 4, 'RAI');
        RAISE EXCEPTION 'accepted a rail link without a gauge';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.link (from_code, to_code, mode, gauge_mm, distance_km, transit_hours, carrier)
        VALUES ('IRTHR', 'IRQAZ', 'rail', 1000, 150, 4, 'RAI');
        RAISE EXCEPTION 'accepted a metre gauge';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.link (from_code, to_code, mode, gauge_mm, distance_km, transit_hours, carrier)
        VALUES ('IRTHR', 'IRTHR', 'road', NULL, 10, 1, 'IRTRUCK');
        RAISE EXCEPTION 'accepted a link from a node to itself';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.link (from_code, to_code, mode, gauge_mm, distance_km, transit_hours, carrier)
        VALUES ('IRTHR', 'IRAMD', 'road', NULL, 0, 1, 'IRTRUCK');
        RAISE EXCEPTION 'accepted a zero distance';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.link (from_code, to_code, mode, gauge_mm, distance_km, transit_hours, carrier)
        VALUES ('IRTHR', 'IRAMD', 'road', NULL, 300, 0, 'IRTRUCK');
        RAISE EXCEPTION 'accepted a zero transit time';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.node (code, name, country, kind, timezone)
        VALUES ('tehran', 'Lower case', 'IR', 'rail_station', 'Asia/Tehran');
        RAISE EXCEPTION 'accepted a node code that is no UN/LOCODE';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.node (code, name, country, kind, timezone)
        VALUES ('IRXYZ', 'Typo zone', 'IR', 'rail_station', 'Asia/Tehren');
        RAISE EXCEPTION 'accepted an unknown time zone';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    -- a valid new link is accepted
    INSERT INTO corridor.link (from_code, to_code, mode, gauge_mm, distance_km, transit_hours, carrier)
    VALUES ('KZAAU', 'TMKRW', 'sea', NULL, 300, 15, 'ASCO');
END $$;

-- Departures: arrival after departure, cutoff not after departure, capacity
-- not below what is booked, one departure per link and time.
DO $$
DECLARE
    lid bigint := (SELECT id FROM corridor.link WHERE from_code = 'KZAAU' AND to_code = 'IRAMD');
    did bigint;
BEGIN
    BEGIN
        INSERT INTO corridor.departure (link_id, service, departs_at, arrives_at, cutoff_at,
                                        capacity_teu, capacity_kg)
        VALUES (lid, 'TEST', now() + interval '10 days', now() + interval '9 days',
                now() + interval '9 days', 100, 1000000);
        RAISE EXCEPTION 'accepted an arrival before the departure';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.departure (link_id, service, departs_at, arrives_at, cutoff_at,
                                        capacity_teu, capacity_kg)
        VALUES (lid, 'TEST', now() + interval '10 days', now() + interval '11 days',
                now() + interval '10 days 1 hour', 100, 1000000);
        RAISE EXCEPTION 'accepted a cutoff after the departure';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    -- without cutoff_at a sailing gets the default 24 h cutoff
    INSERT INTO corridor.departure (link_id, service, departs_at, arrives_at, capacity_teu, capacity_kg)
    VALUES (lid, 'TEST', date_trunc('hour', now()) + interval '200 days',
            date_trunc('hour', now()) + interval '202 days', 100, 1000000)
    RETURNING id INTO did;
    IF (SELECT departs_at - cutoff_at FROM corridor.departure WHERE id = did) <> interval '24 hours' THEN
        RAISE EXCEPTION 'a sailing without cutoff_at should close 24 h before departure';
    END IF;
    BEGIN
        INSERT INTO corridor.departure (link_id, service, departs_at, arrives_at, capacity_teu, capacity_kg)
        VALUES (lid, 'TWICE', date_trunc('hour', now()) + interval '200 days',
                date_trunc('hour', now()) + interval '203 days', 100, 1000000);
        RAISE EXCEPTION 'accepted a second departure on the same link at the same time';
    EXCEPTION WHEN unique_violation THEN NULL;
    END;
END $$;

RESET ROLE;
-- book 40 TEU on a departure (as the server would), then the operator may
-- not cut its capacity below that
UPDATE corridor.departure SET booked_teu = 40, booked_kg = 400000
 WHERE id = (SELECT min(id) FROM corridor.departure WHERE service LIKE 'CS Aktau-Amirabad%');
SET ROLE corridor_operator;
DO $$
DECLARE
    did bigint := (SELECT min(id) FROM corridor.departure WHERE service LIKE 'CS Aktau-Amirabad%');
BEGIN
    BEGIN
        UPDATE corridor.departure SET capacity_teu = 30 WHERE id = did;
        RAISE EXCEPTION 'accepted a capacity below what is booked';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        UPDATE corridor.departure SET capacity_kg = 1000 WHERE id = did;
        RAISE EXCEPTION 'accepted a kg capacity below what is booked';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    UPDATE corridor.departure SET capacity_teu = 40 WHERE id = did;  -- exactly full is fine
    BEGIN
        DELETE FROM corridor.link WHERE id = (SELECT link_id FROM corridor.departure WHERE id = did);
        RAISE EXCEPTION 'deleted a link that has departures';
    EXCEPTION WHEN foreign_key_violation THEN NULL;
    END;
END $$;

-- Port windows never overlap at one node; capacity not below booked.
DO $$
DECLARE
    w corridor.port_window;
BEGIN
    SELECT * INTO w FROM corridor.port_window WHERE node_code = 'KZAAU' ORDER BY starts_at LIMIT 1 OFFSET 10;
    BEGIN
        INSERT INTO corridor.port_window (node_code, starts_at, ends_at, capacity_teu)
        VALUES ('KZAAU', w.starts_at + interval '3 hours', w.ends_at + interval '3 hours', 50);
        RAISE EXCEPTION 'accepted an overlapping port window';
    EXCEPTION WHEN exclusion_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.port_window (node_code, starts_at, ends_at, capacity_teu)
        VALUES ('IRGBT', w.starts_at, w.starts_at, 50);
        RAISE EXCEPTION 'accepted an empty port window';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    BEGIN
        INSERT INTO corridor.port_window (node_code, starts_at, ends_at, capacity_teu)
        VALUES ('IRGBT', w.starts_at, w.ends_at, -1);
        RAISE EXCEPTION 'accepted a negative window capacity';
    EXCEPTION WHEN check_violation THEN NULL;
    END;
    -- adjacent windows [a, b) and [b, c) do not overlap; another node is independent
    INSERT INTO corridor.port_window (node_code, starts_at, ends_at, capacity_teu)
    VALUES ('IRGBT', w.starts_at, w.ends_at, 10), ('IRGBT', w.ends_at, w.ends_at + interval '6 hours', 10);
END $$;

RESET ROLE;
