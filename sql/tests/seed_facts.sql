-- Facts about the seeded corridor that the server and the demo rely on.

-- Network: the 38 nodes and 48 links of the dataset, each link both ways.
DO $$
BEGIN
    IF (SELECT count(*) FROM corridor.node) <> 38 THEN
        RAISE EXCEPTION 'expected 38 nodes, found %', (SELECT count(*) FROM corridor.node);
    END IF;
    IF (SELECT count(*) FROM corridor.link) <> 96 THEN
        RAISE EXCEPTION 'expected 96 links (48 x 2 directions), found %', (SELECT count(*) FROM corridor.link);
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.link a
                WHERE NOT EXISTS (SELECT 1 FROM corridor.link b
                                   WHERE b.from_code = a.to_code AND b.to_code = a.from_code
                                     AND b.mode = a.mode AND b.carrier = a.carrier
                                     AND b.gauge_mm IS NOT DISTINCT FROM a.gauge_mm
                                     AND b.distance_km = a.distance_km)) THEN
        RAISE EXCEPTION 'a link has no reverse twin';
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.node n
                WHERE NOT EXISTS (SELECT 1 FROM corridor.link l WHERE n.code IN (l.from_code, l.to_code))) THEN
        RAISE EXCEPTION 'a node has no link';
    END IF;
    -- the codes of the research brief, including the X placeholders
    IF (SELECT count(*) FROM corridor.node WHERE code IN
          ('KZALA','XKZBEI','KZAAU','KZKUR','KZUZE','XKZBOL','XTMSRY','XTMBRK','XTMETR','XTMAKY',
           'TMKRW','TMTEJ','TMSRK','XIRINB','IRGBT','IRTHR','XIRAPR','XIRBFQ','IRSRP','IRZBR','IRZAH',
           'IRMHD','IRCKT','IRAMD','IRBAZ','IRNSH','IRASR','IRRAS','IRQAZ','IRTBZ','XIRRAZ','AZALA',
           'AZAST','TRKPY','TRVAN','TRIST','AMEVN','IQBGW')) <> 38 THEN
        RAISE EXCEPTION 'a dataset node code is missing';
    END IF;
    -- gauges: 1520 on the Kazakh/Turkmen/Azeri side (and on the short links
    -- into the gauge-change nodes), 1435 in Iran and Turkey
    IF EXISTS (SELECT 1 FROM corridor.link l
                 JOIN corridor.node f ON f.code = l.from_code JOIN corridor.node t ON t.code = l.to_code
                WHERE l.mode = 'rail' AND
                      CASE WHEN f.country IN ('KZ','TM','AZ') OR t.country IN ('KZ','TM','AZ')
                           THEN l.gauge_mm <> 1520 ELSE l.gauge_mm <> 1435 END) THEN
        RAISE EXCEPTION 'a rail link has the wrong gauge for its side of the border';
    END IF;
    -- rail meets rail of the other gauge at Incheh Borun and Sarakhs (IR);
    -- at Astara (IR) the 1520 line meets ships and trucks (Rasht-Astara
    -- railway not built)
    IF (SELECT string_agg(n.code, ',' ORDER BY n.code) FROM corridor.node n WHERE
          (SELECT count(DISTINCT l.gauge_mm) FROM corridor.link l
            WHERE l.mode = 'rail' AND n.code IN (l.from_code, l.to_code)) = 2) IS DISTINCT FROM 'IRCKT,XIRINB' THEN
        RAISE EXCEPTION 'expected the gauge to change at exactly Incheh Borun and Sarakhs (IR)';
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.node WHERE code IN ('XIRINB','IRCKT','IRASR','XTMETR')
                                             AND transfer_minutes < 480) THEN
        RAISE EXCEPTION 'gauge-change points should need at least 480 transfer minutes';
    END IF;
END $$;

-- Organizations and currencies the demo and the tests use.
DO $$
BEGIN
    IF (SELECT kind FROM corridor.org WHERE code = 'CORRIDOR') IS DISTINCT FROM 'operator'
       OR (SELECT kind FROM corridor.org WHERE code = 'DEMOFWD') IS DISTINCT FROM 'forwarder'
       OR (SELECT kind FROM corridor.org WHERE code = 'CASPFWD') IS DISTINCT FROM 'forwarder'
       OR (SELECT count(*) FROM corridor.org
            WHERE kind = 'carrier' AND code IN ('KTZ','TRK','RAI','ADY','TCDD','KMTF','ASCO','KSSL','IRTRUCK')) <> 9 THEN
        RAISE EXCEPTION 'seeded organizations are incomplete';
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.link l JOIN corridor.org o ON o.code = l.carrier WHERE o.kind <> 'carrier') THEN
        RAISE EXCEPTION 'a link is run by an organization that is no carrier';
    END IF;
    IF (SELECT count(*) FROM corridor.currency WHERE code IN
          ('USD','EUR','CHF','KZT','TMT','IRR','RUB','CNY','AZN','TRY')) <> 10 THEN
        RAISE EXCEPTION 'a required currency is missing';
    END IF;
    -- every currency has a rate on or before today (and on today - 30)
    IF EXISTS (SELECT 1 FROM corridor.currency c
                WHERE NOT EXISTS (SELECT 1 FROM corridor.fx_rate f WHERE f.currency = c.code
                                    AND f.on_date <= current_date - 30)) THEN
        RAISE EXCEPTION 'a currency has no FX rate 30 days ago';
    END IF;
    IF (SELECT per_usd FROM corridor.fx_rate WHERE currency = 'CHF' AND on_date = current_date) <> 0.80
       OR (SELECT per_usd FROM corridor.fx_rate WHERE currency = 'TMT' AND on_date = current_date) <> 3.5 THEN
        RAISE EXCEPTION 'FX rates differ from the documented assumptions';
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.api_key) THEN
        RAISE EXCEPTION 'the seed must not create API keys';
    END IF;
END $$;

-- Tariffs: every link that has departures is priced today for any weight,
-- every port has handling, every place where the gauge or mode changes has
-- a transshipment charge; the 2023 unified rates are there.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT l.id, l.from_code, l.to_code, l.mode, w.kg
          FROM corridor.link l
         CROSS JOIN (VALUES (1), (12000), (24000), (24001), (30480)) AS w (kg)
         WHERE EXISTS (SELECT 1 FROM corridor.departure d WHERE d.link_id = l.id)
           AND NOT EXISTS (
                SELECT 1 FROM corridor.tariff t
                 WHERE t.link_id = l.id AND t.container_type IS NULL
                   AND t.charge_code = upper(l.mode) || '_FREIGHT'
                   AND t.valid_from <= current_date AND (t.valid_to IS NULL OR t.valid_to >= current_date)
                   AND (t.min_gross_kg IS NULL OR t.min_gross_kg <= w.kg)
                   AND (t.max_gross_kg IS NULL OR t.max_gross_kg >= w.kg))
    LOOP
        RAISE EXCEPTION 'link % % -> % (%) has departures but no % tariff today for a % kg container',
            r.id, r.from_code, r.to_code, r.mode, upper(r.mode) || '_FREIGHT', r.kg;
    END LOOP;
    FOR r IN SELECT n.code FROM corridor.node n
              WHERE n.kind = 'port'
                AND NOT EXISTS (SELECT 1 FROM corridor.tariff t
                                 WHERE t.node_code = n.code AND t.charge_code = 'PORT_HANDLING'
                                   AND t.container_type IS NULL AND t.valid_from <= current_date
                                   AND (t.valid_to IS NULL OR t.valid_to >= current_date))
    LOOP
        RAISE EXCEPTION 'port % has no PORT_HANDLING tariff today', r.code;
    END LOOP;
    FOR r IN SELECT n.code FROM corridor.node n
              WHERE (SELECT count(DISTINCT (l.mode, coalesce(l.gauge_mm, 0))) FROM corridor.link l
                      WHERE n.code IN (l.from_code, l.to_code)) > 1
                AND NOT EXISTS (SELECT 1 FROM corridor.tariff t
                                 WHERE t.node_code = n.code AND t.charge_code = 'TRANSSHIPMENT'
                                   AND t.container_type IS NULL AND t.valid_from <= current_date
                                   AND (t.valid_to IS NULL OR t.valid_to >= current_date))
    LOOP
        RAISE EXCEPTION 'node % changes gauge or mode but has no TRANSSHIPMENT tariff today', r.code;
    END LOOP;
    IF (SELECT string_agg(rate::text || ' ' || currency || ' ' || basis || ' ' ||
                          coalesce(container_type, '*') || ' ' || coalesce(min_gross_kg::text, '') || '-' ||
                          coalesce(max_gross_kg::text, ''), '; ' ORDER BY container_type NULLS FIRST, min_gross_kg NULLS FIRST)
          FROM corridor.tariff_current
         WHERE charge_code = 'RAIL_FREIGHT' AND from_code = 'KZUZE' AND to_code = 'XKZBOL')
       IS DISTINCT FROM
       '0.150000 USD per_teu_km * -24000; 0.180000 USD per_teu_km * 24001-; '
       '0.240000 USD per_container_km 40DV -; 0.240000 USD per_container_km 40HC -; '
       '0.240000 USD per_container_km 40RF -' THEN
        RAISE EXCEPTION 'Uzen-Bolashak does not carry the 2023 unified rates';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM corridor.tariff t JOIN corridor.link l ON l.id = t.link_id
                    WHERE t.charge_code = 'RAIL_FREIGHT' AND t.currency = 'CHF' AND l.carrier = 'ADY') THEN
        RAISE EXCEPTION 'no CHF rail tariff on the Azerbaijani links';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM corridor.tariff WHERE charge_code = 'PORT_HANDLING'
                    AND node_code = 'KZAAU' AND currency = 'KZT') THEN
        RAISE EXCEPTION 'Aktau port handling should be in KZT';
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.tariff WHERE note IS NULL OR note = '') THEN
        RAISE EXCEPTION 'every seeded tariff should say where its number comes from (note)';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM corridor.surcharge WHERE code = 'BAF' AND applies_to = 'SEA_FREIGHT'
                    AND mode = 'sea' AND percent = 12 AND valid_from <= current_date AND valid_to IS NULL)
       OR NOT EXISTS (SELECT 1 FROM corridor.discount WHERE code = 'INSTC' AND org_code = 'DEMOFWD'
                    AND applies_to = 'RAIL_FREIGHT' AND percent = 5) THEN
        RAISE EXCEPTION 'BAF surcharge or INSTC discount missing';
    END IF;
END $$;

-- Timetable: departures on every day from today to today + 90, in the low
-- thousands, each port call inside a window where the node has windows.
DO $$
DECLARE
    missing date;
    n bigint := (SELECT count(*) FROM corridor.departure);
BEGIN
    IF n < 1000 OR n > 8000 THEN
        RAISE EXCEPTION 'expected departures in the low thousands, found %', n;
    END IF;
    SELECT d::date INTO missing
      FROM generate_series(current_date, current_date + 90, interval '1 day') d
     WHERE NOT EXISTS (SELECT 1 FROM corridor.departure
                        WHERE departs_at >= d::date::timestamp AT TIME ZONE 'UTC'
                          AND departs_at < (d::date + 1)::timestamp AT TIME ZONE 'UTC')
     LIMIT 1;
    IF missing IS NOT NULL THEN
        RAISE EXCEPTION 'no departure on %', missing;
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.departure
                WHERE status <> 'scheduled' OR booked_teu <> 0 OR cutoff_at > departs_at
                   OR capacity_teu <= 0 OR capacity_kg <= 0) THEN
        RAISE EXCEPTION 'a seeded departure is not a clean scheduled departure';
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.departure d JOIN corridor.link l ON l.id = d.link_id
                WHERE d.departs_at - d.cutoff_at <> CASE WHEN l.mode = 'sea' THEN interval '24 hours'
                                                         ELSE interval '6 hours' END) THEN
        RAISE EXCEPTION 'cutoff is not 24 h before sailings and 6 h before trains and trucks';
    END IF;
    IF EXISTS (SELECT 1 FROM corridor.departure d JOIN corridor.link l ON l.id = d.link_id
                WHERE d.arrives_at - d.departs_at <> l.transit_hours * interval '1 hour') THEN
        RAISE EXCEPTION 'a departure''s duration differs from its link''s transit_hours';
    END IF;
    -- every load and discharge time at a node with windows falls in one
    IF EXISTS (SELECT 1 FROM corridor.departure d JOIN corridor.link l ON l.id = d.link_id
                CROSS JOIN LATERAL (VALUES (l.from_code, d.departs_at), (l.to_code, d.arrives_at)) AS c (node, at)
                WHERE EXISTS (SELECT 1 FROM corridor.port_window w WHERE w.node_code = c.node)
                  AND NOT EXISTS (SELECT 1 FROM corridor.port_window w
                                   WHERE w.node_code = c.node AND w.starts_at <= c.at AND c.at < w.ends_at)) THEN
        RAISE EXCEPTION 'a departure calls at a windowed node outside every window';
    END IF;
    IF (SELECT count(DISTINCT node_code) FROM corridor.port_window) <> 13
       OR EXISTS (SELECT 1 FROM corridor.port_window WHERE ends_at - starts_at <> interval '6 hours') THEN
        RAISE EXCEPTION 'expected 6-hour windows at 13 ports and gauge-change points';
    END IF;
END $$;

-- Almaty and Shahid Rajaee (Bandar Abbas) are connected, in both
-- directions, respecting every node's transfer time (a connection scan over
-- the timetable, as the route search does).
CREATE FUNCTION pg_temp.earliest_arrival(origin text, dest text, after timestamptz) RETURNS timestamptz
LANGUAGE plpgsql AS $$
DECLARE
    best jsonb := jsonb_build_object(origin, extract(epoch FROM after));
    c record;
    ready double precision;
BEGIN
    FOR c IN SELECT l.from_code, l.to_code, extract(epoch FROM d.departs_at) AS dep,
                    extract(epoch FROM d.arrives_at) AS arr, n.transfer_minutes
               FROM corridor.departure d
               JOIN corridor.link l ON l.id = d.link_id
               JOIN corridor.node n ON n.code = l.from_code
              WHERE d.departs_at >= after AND d.status = 'scheduled'
              ORDER BY d.departs_at
    LOOP
        ready := (best ->> c.from_code)::double precision;
        CONTINUE WHEN ready IS NULL;
        IF c.from_code <> origin THEN
            ready := ready + c.transfer_minutes * 60;
        END IF;
        IF c.dep >= ready AND c.arr < coalesce((best ->> c.to_code)::double precision, 'Infinity') THEN
            best := best || jsonb_build_object(c.to_code, c.arr);
        END IF;
    END LOOP;
    RETURN to_timestamp((best ->> dest)::double precision);
END $$;

DO $$
DECLARE
    t0 timestamptz := (current_date + 1)::timestamp AT TIME ZONE 'UTC';
    south timestamptz := pg_temp.earliest_arrival('KZALA', 'IRSRP', t0);
    north timestamptz := pg_temp.earliest_arrival('IRSRP', 'KZALA', t0);
    caspian timestamptz := pg_temp.earliest_arrival('KZAAU', 'IRSRP', t0);
BEGIN
    IF south IS NULL OR south > t0 + interval '16 days' THEN
        RAISE EXCEPTION 'Almaty -> Shahid Rajaee: no arrival within 16 days (got %)', south;
    END IF;
    IF north IS NULL OR north > t0 + interval '16 days' THEN
        RAISE EXCEPTION 'Shahid Rajaee -> Almaty: no arrival within 16 days (got %)', north;
    END IF;
    IF caspian IS NULL OR caspian > t0 + interval '10 days' THEN
        RAISE EXCEPTION 'Aktau -> Shahid Rajaee: no arrival within 10 days (got %)', caspian;
    END IF;
    RAISE NOTICE 'earliest arrivals from %: Almaty->Bandar Abbas %, back %, Aktau->Bandar Abbas %',
        t0, south, north, caspian;
END $$;

-- Every Caspian sailing into an Iranian port connects onward (rail or
-- truck) within two days of the port's transfer time.
DO $$
DECLARE
    r record;
BEGIN
    FOR r IN
        SELECT d.service, l.to_code, d.arrives_at
          FROM corridor.departure d
          JOIN corridor.link l ON l.id = d.link_id
          JOIN corridor.node n ON n.code = l.to_code
         WHERE l.mode = 'sea' AND n.country = 'IR'
           AND NOT EXISTS (
                SELECT 1 FROM corridor.departure d2 JOIN corridor.link l2 ON l2.id = d2.link_id
                 WHERE l2.from_code = l.to_code AND l2.mode <> 'sea'
                   AND d2.departs_at >= d.arrives_at + n.transfer_minutes * interval '1 minute'
                   AND d2.departs_at <= d.arrives_at + n.transfer_minutes * interval '1 minute'
                                        + interval '2 days')
           AND d.arrives_at < current_date + 85
    LOOP
        RAISE EXCEPTION 'sailing % arriving at % on % has no onward departure within 2 days',
            r.service, r.to_code, r.arrives_at;
    END LOOP;
END $$;

-- The template was seeded twice (tests/run.sh): the second run inserted no
-- row and did not even consume identity values.
DO $$
BEGIN
    IF (SELECT last_value FROM corridor.departure_id_seq) <> (SELECT count(*) FROM corridor.departure)
       OR (SELECT last_value FROM corridor.port_window_id_seq) <> (SELECT count(*) FROM corridor.port_window)
       OR (SELECT last_value FROM corridor.tariff_id_seq) <> (SELECT count(*) FROM corridor.tariff)
       OR (SELECT last_value FROM corridor.link_id_seq) <> (SELECT count(*) FROM corridor.link) THEN
        RAISE EXCEPTION 'seeding again inserted rows or consumed identity values';
    END IF;
    IF (SELECT count(*) FROM corridor.tariff_history) <> (SELECT count(*) FROM corridor.tariff) THEN
        RAISE EXCEPTION 'seeding again wrote tariff history';
    END IF;
END $$;
