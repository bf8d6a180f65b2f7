-- Seed 003: tariffs, the BAF surcharge and the demo INSTC discount.
-- Everything is valid from current_date - 30, open-ended.  Idempotent: a row
-- whose key (code, link or node, container type, band) already has a row
-- whose validity overlaps is skipped, so a second run, or a run on a later
-- day, adds nothing, and a rate an operator has changed meanwhile is left
-- alone.  (Uses the generated key columns of migration 007.)
--
-- What is sourced and what is assumed (corridor.md section 4):
--   RAIL_FREIGHT on the eastern route (KZ, TM and IR rail of the KTI line,
--     Almaty-Beineu-Aktau, Turkmenbashi and the Sarakhs line, and the Iranian
--     trunk Incheh Borun-Tehran-Bafq-Bandar Abbas / Mashhad / Aprin): the 2023
--     unified rates agreed by RZD, KTZ, TRK and RAI, in USD: 0.15 per TEU-km
--     up to 24 t gross, 0.18 per TEU-km above, 0.24 per 40' container-km
--     (SOURCED; applying them to the whole Kazakh and Iranian network of the
--     seed, not just the KTI line, is an assumption).
--   RAIL_FREIGHT elsewhere (Azerbaijan, Turkey, western and Caspian Iran,
--     Chabahar): CHF, as TP SNG / ETT / RAI transit tariffs are quoted.  The
--     base-rate tables were not found; ASSUMPTION: 0.011 CHF per tonne-km
--     (RAI's 35 CHF/t Sarakhs-Bandar Abbas, 1 591 km, = 0.022 CHF/t-km, halved
--     for the transit-container discounts of 50-75 %) and 0.30 CHF per 40'
--     container-km, minimum 60 CHF.
--   SEA_FREIGHT: per-TEU Caspian rates were NOT found.  ASSUMPTION derived
--     from the truck ro-ro price Kuryk-Amirabad (USD 1 600-1 700 per truck of
--     about 2 TEU, i.e. ~800 USD per TEU over ~840 km) and the Interrail 20'/40'
--     ratio (2 305 / 2 972 USD = 1.29): per TEU 250 + 0.65 x sailing km
--     (rounded to 5 USD), 40'DV/HC per container 1.3 x that, reefers 1.6 x
--     (40'RF) and 1.25 x (20'RF).
--   ROAD_FREIGHT: ASSUMPTION, about 1 USD per container-km: 1 000 000 IRR per
--     container-km inside Iran (min. 150 000 000 IRR), 1.10 USD on the
--     international legs to Yerevan and Baghdad (min. 250 USD).
--   PORT_HANDLING: per container at every port; ASSUMPTION in the range of
--     Caspian THC (~100-130 USD per 20', 1.5 x per 40'), in the currency the
--     port bills: KZT at Aktau and Kuryk (Kazakh domestic charges are in KZT),
--     IRR per TEU at the private/free-zone ports Anzali, Nowshahr, Astara, USD at the
--     PMO ports (PMO sets THC in USD), Turkmenbashi and Alat.
--   TRANSSHIPMENT: per container where the gauge or the mode changes (the
--     bogie-exchange / reload fees at Incheh Borun, Etrek and Sarakhs were NOT
--     found): ASSUMPTION 85 USD at gauge-change points, 60 USD where rail or
--     road meets sea, 50 USD where road meets rail.
--   BAF 12 % on SEA_FREIGHT and the INSTC 5 % discount for DEMOFWD on
--   RAIL_FREIGHT are demo assumptions.

-- All rows are staged first and inserted at the end, only where no row of
-- the same key overlaps (so a re-run does not even consume identity values).
CREATE TEMP TABLE seed_tariff ON COMMIT DROP AS
SELECT charge_code, link_id, node_code, container_type, min_gross_kg, max_gross_kg, basis, rate,
       currency, min_charge, valid_from, note
  FROM corridor.tariff WITH NO DATA;

CREATE TEMP TABLE seed_rail_class ON COMMIT DROP AS
SELECT l.id AS link_id,
       -- the eastern route: every KTZ and TRK link, and RAI links that touch
       -- neither the Caspian/western lines nor the Chabahar line
       (l.carrier IN ('KTZ', 'TRK')
        OR (l.carrier = 'RAI'
            AND l.from_code NOT IN ('IRAMD', 'IRRAS', 'IRQAZ', 'IRTBZ', 'XIRRAZ', 'IRZAH', 'IRZBR')
            AND l.to_code NOT IN ('IRAMD', 'IRRAS', 'IRQAZ', 'IRTBZ', 'XIRRAZ', 'IRZAH', 'IRZBR')))
           AS eastern
  FROM corridor.link l
 WHERE l.mode = 'rail';

-- Eastern route, 2023 unified USD rates.
INSERT INTO seed_tariff (charge_code, link_id, node_code, container_type, min_gross_kg,
                         max_gross_kg, basis, rate, currency, min_charge, valid_from, note)
SELECT 'RAIL_FREIGHT', c.link_id, NULL, r.container_type, r.min_kg, r.max_kg, r.basis, r.rate,
       'USD', 0, current_date - 30, r.note
  FROM seed_rail_class c
 CROSS JOIN (VALUES
    (NULL, NULL, 24000, 'per_teu_km', 0.15,
     '2023 unified KZ/TM/IR container rate, up to 24 t gross per container (arfc.kz; index1520)'),
    (NULL, 24001, NULL, 'per_teu_km', 0.18,
     '2023 unified KZ/TM/IR container rate, above 24 t gross per container (arfc.kz; index1520)'),
    ('40DV', NULL, NULL, 'per_container_km', 0.24, '2023 unified KZ/TM/IR rate per 40'' container-km'),
    ('40HC', NULL, NULL, 'per_container_km', 0.24, '2023 unified KZ/TM/IR rate per 40'' container-km'),
    ('40RF', NULL, NULL, 'per_container_km', 0.24,
     '2023 unified KZ/TM/IR rate per 40'' container-km (applied to reefers: assumption)')
  ) AS r (container_type, min_kg, max_kg, basis, rate, note)
 WHERE c.eastern
 ORDER BY c.link_id, r.container_type NULLS FIRST, r.min_kg NULLS FIRST;

-- Other rail links, CHF (assumed rates, see above).
INSERT INTO seed_tariff (charge_code, link_id, node_code, container_type, min_gross_kg,
                         max_gross_kg, basis, rate, currency, min_charge, valid_from, note)
SELECT 'RAIL_FREIGHT', c.link_id, NULL, r.container_type, NULL, NULL, r.basis, r.rate,
       'CHF', 60, current_date - 30, r.note
  FROM seed_rail_class c
 CROSS JOIN (VALUES
    (NULL, 'per_tonne_km', 0.011,
     'ASSUMPTION: CHF transit rate per tonne-km (RAI 35 CHF/t Sarakhs-Bandar Abbas halved for container discounts)'),
    ('40DV', 'per_container_km', 0.30, 'ASSUMPTION: CHF transit rate per 40'' container-km'),
    ('40HC', 'per_container_km', 0.30, 'ASSUMPTION: CHF transit rate per 40'' container-km'),
    ('40RF', 'per_container_km', 0.30, 'ASSUMPTION: CHF transit rate per 40'' container-km')
  ) AS r (container_type, basis, rate, note)
 WHERE NOT c.eastern
 ORDER BY c.link_id, r.container_type NULLS FIRST;

-- Caspian sailings, USD.
INSERT INTO seed_tariff (charge_code, link_id, node_code, container_type, min_gross_kg,
                         max_gross_kg, basis, rate, currency, min_charge, valid_from, note)
SELECT 'SEA_FREIGHT', l.id, NULL, r.container_type, NULL, NULL, r.basis,
       round((250 + 0.65 * l.distance_km) * r.factor / 5) * 5, 'USD', 0, current_date - 30,
       'ASSUMPTION: Caspian freight derived from the Kuryk-Amirabad ro-ro price and the Interrail 20''/40'' ratio; '
       || r.what
  FROM corridor.link l
 CROSS JOIN (VALUES
    (NULL, 'per_teu', 1.0, 'per TEU'),
    ('40DV', 'per_container', 1.3, '40'' container'),
    ('40HC', 'per_container', 1.3, '40'' high cube'),
    ('40RF', 'per_container', 1.6, '40'' reefer'),
    ('20RF', 'per_container', 1.25, '20'' reefer')
  ) AS r (container_type, basis, factor, what)
 WHERE l.mode = 'sea'
 ORDER BY l.id, r.container_type NULLS FIRST;

-- Road legs.
INSERT INTO seed_tariff (charge_code, link_id, node_code, container_type, min_gross_kg,
                         max_gross_kg, basis, rate, currency, min_charge, valid_from, note)
SELECT 'ROAD_FREIGHT', l.id, NULL, NULL, NULL, NULL, 'per_container_km',
       CASE WHEN intl THEN 1.10 ELSE 1000000 END,
       CASE WHEN intl THEN 'USD' ELSE 'IRR' END,
       CASE WHEN intl THEN 250 ELSE 150000000 END,
       current_date - 30,
       CASE WHEN intl THEN 'ASSUMPTION: international trucking, about 1.10 USD per container-km'
            ELSE 'ASSUMPTION: Iranian domestic trucking, about 1 USD per container-km, billed in rials' END
  FROM corridor.link l
 CROSS JOIN LATERAL (SELECT l.from_code IN ('AMEVN', 'IQBGW') OR l.to_code IN ('AMEVN', 'IQBGW')) AS x (intl)
 WHERE l.mode = 'road'
 ORDER BY l.id;

-- Port handling at every port: per container for 20' (any type) and 40'
-- rows; the rial ports bill per TEU in one row instead (a 40' rate in rials
-- would not fit numeric(14,6): 150 000 000 > 10^8).
INSERT INTO seed_tariff (charge_code, link_id, node_code, container_type, min_gross_kg,
                         max_gross_kg, basis, rate, currency, min_charge, valid_from, note)
SELECT 'PORT_HANDLING', NULL, p.node, t.container_type, NULL, NULL,
       CASE WHEN p.currency = 'IRR' THEN 'per_teu' ELSE 'per_container' END,
       p.rate * t.factor, p.currency, p.rate, current_date - 30,
       'ASSUMPTION: terminal handling, ' || p.why
  FROM (VALUES
    ('KZAAU', 'KZT', 65000,    'Aktau bills in tenge (~125 USD per 20'')'),
    ('KZKUR', 'KZT', 60000,    'Kuryk bills in tenge (~115 USD per 20'')'),
    ('TMKRW', 'USD', 110,      'Turkmenbashi, USD'),
    ('AZALA', 'USD', 120,      'Alat, USD'),
    ('IRAMD', 'USD', 95,       'PMO port, THC set in USD'),
    ('IRBAZ', 'IRR', 63000000, 'Anzali free zone bills in rials per TEU (~60 USD)'),
    ('IRNSH', 'IRR', 58000000, 'Nowshahr bills in rials per TEU (~55 USD)'),
    ('IRASR', 'IRR', 58000000, 'Astara private port bills in rials per TEU (~55 USD)'),
    ('IRSRP', 'USD', 110,      'PMO port, THC set in USD'),
    ('IRZBR', 'USD', 100,      'Chabahar (IPGL), USD')
  ) AS p (node, currency, rate, why)
 CROSS JOIN (VALUES (NULL, 1.0), ('40DV', 1.5), ('40HC', 1.5), ('40RF', 1.5)) AS t (container_type, factor)
 WHERE p.currency <> 'IRR' OR t.container_type IS NULL
 ORDER BY p.node, t.container_type NULLS FIRST;

-- Transshipment wherever the gauge or the mode changes (computed from the
-- links: a node whose links have more than one (mode, gauge)), plus Etrek,
-- where containers are reloaded between gauges for trains that change there.
INSERT INTO seed_tariff (charge_code, link_id, node_code, container_type, min_gross_kg,
                         max_gross_kg, basis, rate, currency, min_charge, valid_from, note)
SELECT 'TRANSSHIPMENT', NULL, x.node, NULL, NULL, NULL, 'per_container',
       x.rate, 'USD', x.rate, current_date - 30, x.note
  FROM (SELECT k.node,
               CASE WHEN k.gauges > 1 OR k.node = 'XTMETR' THEN 85
                    WHEN k.has_sea THEN 60 ELSE 50 END AS rate,
               CASE WHEN k.gauges > 1 OR k.node = 'XTMETR'
                    THEN 'ASSUMPTION: gauge change 1520/1435 (bogie exchange or reload; fee not found)'
                    WHEN k.has_sea THEN 'ASSUMPTION: ship to rail or truck'
                    ELSE 'ASSUMPTION: truck to rail' END AS note
          FROM (SELECT n.code AS node,
                       count(DISTINCT l.gauge_mm) AS gauges,
                       count(DISTINCT (l.mode, coalesce(l.gauge_mm, 0))) AS kinds,
                       bool_or(l.mode = 'sea') AS has_sea
                  FROM corridor.node n
                  JOIN corridor.link l ON n.code IN (l.from_code, l.to_code)
                 GROUP BY n.code) k
         WHERE k.kinds > 1 OR k.node = 'XTMETR') x
 ORDER BY x.node;

INSERT INTO corridor.tariff (charge_code, link_id, node_code, container_type, min_gross_kg,
                             max_gross_kg, basis, rate, currency, min_charge, valid_from, note)
SELECT s.* FROM seed_tariff s
 WHERE NOT EXISTS (
        SELECT 1 FROM corridor.tariff t
         WHERE t.charge_code = s.charge_code
           AND t.applies_to = coalesce('link:' || s.link_id::text, 'node:' || s.node_code)
           AND t.type_key = coalesce(s.container_type, 'any')
           AND t.banded = (s.min_gross_kg IS NOT NULL OR s.max_gross_kg IS NOT NULL)
           AND t.band_kg && int4range(coalesce(s.min_gross_kg, 0), s.max_gross_kg, '[]')
           AND t.validity && daterange(s.valid_from, NULL, '[]'))
 ORDER BY s.link_id NULLS LAST, s.node_code, s.charge_code, s.container_type NULLS FIRST,
          s.min_gross_kg NULLS FIRST
ON CONFLICT DO NOTHING;

INSERT INTO corridor.surcharge (code, applies_to, mode, percent, valid_from)
SELECT 'BAF', 'SEA_FREIGHT', 'sea', 12, current_date - 30
 WHERE NOT EXISTS (SELECT 1 FROM corridor.surcharge WHERE code = 'BAF' AND applies_to = 'SEA_FREIGHT'
                      AND mode_key = 'sea' AND validity && daterange(current_date - 30, NULL, '[]'))
ON CONFLICT DO NOTHING;

INSERT INTO corridor.discount (code, org_code, applies_to, percent, valid_from)
SELECT 'INSTC', 'DEMOFWD', 'RAIL_FREIGHT', 5, current_date - 30
 WHERE NOT EXISTS (SELECT 1 FROM corridor.discount WHERE code = 'INSTC' AND org_key = 'DEMOFWD'
                      AND applies_key = 'RAIL_FREIGHT' AND validity && daterange(current_date - 30, NULL, '[]'))
ON CONFLICT DO NOTHING;
