-- Seed 002: the 48 links of the dataset, each in both directions (96 rows).
--
-- Mapping of the dataset's modes:
--   rail_1520 / rail_1435      -> rail with that gauge;
--   rail_1435_with_lake_ferry  -> rail 1435 (Van-Istanbul; the Lake Van train
--                                 ferry is inside the link's time);
--   rail_gauge_break / rail_dual_gauge -> a short rail link on the 1520 side
--       whose far end is the gauge-change node (Incheh Borun, Sarakhs IR,
--       Astara IR).  The gauge therefore changes AT that node: the next link
--       out of it is 1435, and the route search adds the node's (long)
--       transfer_minutes and the pricing a TRANSSHIPMENT charge there;
--   sea_* (general cargo, ro-ro, rail ferry, feeder) -> sea;
--   road -> road.
-- One exception: Rasht-Astara is "rail_1435, planned / not built" in the
-- dataset.  Cargo moves between Astara and Rasht by truck today, so the link
-- is a road link until the railway opens (then an operator adds the rail
-- link and closes the trucks' departures).
--
-- distance_km: sourced where the dataset has a source; otherwise an ESTIMATE,
-- marked "est." below: great-circle between the node coordinates x 1.2 for
-- rail, x 1.15 for sailings (the dataset's sea figures are great-circle lower
-- bounds; sailing distances were not found), x 1.3-1.6 for mountain roads.
-- transit_hours: sourced where the dataset has a time; otherwise an ESTIMATE
-- from an average speed including stops: block trains 40 km/h (the range is
-- 35-45), ships 20 km/h (about 11 knots), trucks 50 km/h, plus 2 h at each
-- border crossing for rail (document exchange, about 120 min per train at
-- Bolashak since 2020) and 6 h for trucks at international borders; at least
-- 1 h.  Carriers: one per link by country and mode (KTZ, TRK, RAI, ADY, TCDD
-- for rail; KMTF, ASCO, KSSL at sea; IRTRUCK for road).
INSERT INTO corridor.link (from_code, to_code, mode, gauge_mm, distance_km, transit_hours, carrier)
SELECT d.from_code, d.to_code, l.mode, l.gauge_mm, l.distance_km, l.transit_hours, l.carrier
  FROM (VALUES
    ('KZALA', 'XKZBEI', 'rail', 1520, 2091, 52.3, 'KTZ'), -- est.: great-circle 1742.5 km x 1.2 (via Zhezkazgan-Beineu; real distance not found)
    ('XKZBEI', 'KZAAU', 'rail', 1520, 404, 10.1, 'KTZ'), -- Beineu-Mangistau 404 km (xalqqazeti.az); the Mangistau-Aktau port spur is not counted
    ('KZAAU', 'KZUZE', 'rail', 1520, 170, 4.2, 'KTZ'), -- est.: great-circle 142 km x 1.2 (via Mangistau)
    ('KZKUR', 'KZUZE', 'rail', 1520, 119, 3.0, 'KTZ'), -- est.: great-circle 99 km x 1.2 (Yeraliyevo-Kuryk spur)
    ('KZUZE', 'XKZBOL', 'rail', 1520, 146, 3.6, 'KTZ'), -- Kazinform 2013 (other sources 120-140 km)
    ('XKZBOL', 'XTMSRY', 'rail', 1520, 14, 2.5, 'KTZ'), -- est.: great-circle 11.9 km x 1.2; border interchange, same gauge: +2 h documents
    ('XTMSRY', 'XTMBRK', 'rail', 1520, 467, 11.7, 'TRK'), -- IsDB northern section (split inferred)
    ('XTMBRK', 'XTMETR', 'rail', 1520, 257, 6.4, 'TRK'), -- IsDB Bereket-Etrek section
    ('XTMETR', 'XTMAKY', 'rail', 1520, 22, 1.0, 'TRK'), -- est.: great-circle 18 km x 1.2
    ('XTMAKY', 'XIRINB', 'rail', 1520, 8, 2.5, 'TRK'), -- dataset "rail_gauge_break": the 1520 mm track (8 km, 2021) to the bogie-exchange shop at Incheh Borun, where the gauge changes; +2 h border
    ('XIRINB', 'IRGBT', 'rail', 1435, 88, 2.2, 'RAI'), -- Mehr 2018 (82-90 km)
    ('IRGBT', 'IRTHR', 'rail', 1435, 497, 12.4, 'RAI'), -- km posts (alternative reading ~609 km)
    ('IRTHR', 'XIRAPR', 'rail', 1435, 20, 1.0, 'RAI'), -- Mehr 2023
    ('IRTHR', 'XIRBFQ', 'rail', 1435, 715, 17.9, 'RAI'), -- derived: Qom-Bafq 590.3 km posts + Tehran-Qom
    ('XIRBFQ', 'IRSRP', 'rail', 1435, 626, 15.7, 'RAI'), -- Farnworth
    ('XIRBFQ', 'IRMHD', 'rail', 1435, 800, 20.0, 'RAI'), -- JRTR; km posts ~812
    ('IRMHD', 'IRCKT', 'rail', 1435, 165, 4.1, 'RAI'), -- Farnworth (also 155 / 195)
    ('TMSRK', 'IRCKT', 'rail', 1520, 7, 2.5, 'TRK'), -- dataset "rail_gauge_break": 1520 mm approach (est.: great-circle 5.7 km x 1.2) to Sarakhs IR, where bogies are exchanged; +2 h border
    ('TMSRK', 'TMTEJ', 'rail', 1520, 130, 3.2, 'TRK'), -- derived: Mashhad-Sarakhs-Tejen 295 - 165
    ('TMTEJ', 'XTMBRK', 'rail', 1520, 481, 12.0, 'TRK'), -- dataset (via Ashgabat)
    ('TMKRW', 'XTMBRK', 'rail', 1520, 340, 8.5, 'TRK'), -- Wikipedia
    ('IRZBR', 'IRZAH', 'rail', 1435, 630, 15.8, 'RAI'), -- 610-700 km; ASSUMED open by late 2026 (84 % complete Nov 2025)
    ('IRZAH', 'XIRBFQ', 'rail', 1435, 690, 17.2, 'RAI'), -- est.: great-circle 574.8 km x 1.2 (via Bam and Kerman)
    ('KZAAU', 'IRBAZ', 'sea', NULL, 807, 40.4, 'KSSL'), -- sailing est.: great-circle 702 km x 1.15
    ('KZAAU', 'IRAMD', 'sea', NULL, 904, 45.2, 'KMTF'), -- sailing est.: great-circle 786 km x 1.15
    ('KZAAU', 'IRNSH', 'sea', NULL, 896, 44.8, 'KSSL'), -- sailing est.: great-circle 779 km x 1.15
    ('KZAAU', 'IRASR', 'sea', NULL, 704, 35.2, 'KSSL'), -- sailing est.: great-circle 612 km x 1.15; container line, 2 ships a week
    ('KZKUR', 'IRAMD', 'sea', NULL, 837, 41.9, 'KMTF'), -- ro-ro, sailing est.: great-circle 728 km x 1.15
    ('KZKUR', 'IRBAZ', 'sea', NULL, 764, 38.2, 'KMTF'), -- ro-ro, sailing est.: great-circle 664 km x 1.15
    ('KZAAU', 'AZALA', 'sea', NULL, 501, 20.0, 'ASCO'), -- sailing est.: great-circle 436 km x 1.15; about 20 h (traveller report)
    ('KZKUR', 'AZALA', 'sea', NULL, 468, 21.0, 'ASCO'), -- sailing est.: great-circle 407 km x 1.15; 20-22 h (ASCO 2022)
    ('TMKRW', 'AZALA', 'sea', NULL, 343, 17.1, 'ASCO'), -- 343 km quoted for Baku (rail ferry since 1962)
    ('TMKRW', 'IRAMD', 'sea', NULL, 415, 20.8, 'KSSL'), -- sailing est.: great-circle 361 km x 1.15
    ('IRAMD', 'IRTHR', 'rail', 1435, 414, 10.3, 'RAI'), -- derived: km post 392 + 22 km branch
    ('IRBAZ', 'IRRAS', 'road', NULL, 40, 1.0, 'IRTRUCK'), -- dataset
    ('IRNSH', 'IRTHR', 'road', NULL, 175, 3.5, 'IRTRUCK'), -- est.: great-circle 109.5 km x 1.6 (Chalus mountain road)
    ('IRASR', 'IRRAS', 'road', NULL, 175, 3.5, 'IRTRUCK'), -- dataset "rail_1435, planned / not built": the Rasht-Astara railway (162 km) does not exist yet, so this is the road, est. 175 km, run by trucks
    ('IRRAS', 'IRQAZ', 'rail', 1435, 164, 4.1, 'RAI'), -- opened 2019
    ('IRQAZ', 'IRTHR', 'rail', 1435, 173, 4.3, 'RAI'), -- est.: great-circle 143.9 km x 1.2
    ('IRASR', 'AZAST', 'rail', 1520, 8.3, 2.5, 'ADY'), -- dataset "rail_dual_gauge": 1520 mm side of the 8.3 km section; the gauge changes at the Astara (IR) terminal; +2 h border
    ('AZAST', 'AZALA', 'rail', 1520, 208, 5.2, 'ADY'), -- est.: great-circle 173 km x 1.2
    ('IRTHR', 'IRTBZ', 'rail', 1435, 742, 18.6, 'RAI'), -- dataset
    ('IRTBZ', 'XIRRAZ', 'rail', 1435, 186, 4.7, 'RAI'), -- derived: 928 - 742 (km posts suggest ~218)
    ('XIRRAZ', 'TRKPY', 'rail', 1435, 6, 2.5, 'TCDD'), -- km posts; +2 h border
    ('TRKPY', 'TRVAN', 'rail', 1435, 114, 2.9, 'TCDD'), -- km posts
    ('TRVAN', 'TRIST', 'rail', 1435, 1920, 55.5, 'TCDD'), -- derived from Tehran-Istanbul 2968 km; 48 h by rail + Lake Van train ferry (3-3.5 h) + 4 h ferry loading
    ('IRASR', 'AMEVN', 'road', NULL, 635, 18.7, 'IRTRUCK'), -- est.: great-circle 423 km x 1.5 (via Norduz); +6 h borders
    ('IRTHR', 'IQBGW', 'road', NULL, 904, 24.1, 'IRTRUCK') -- est.: great-circle 695 km x 1.3 (via Kermanshah); +6 h border
  ) AS l (a, b, mode, gauge_mm, distance_km, transit_hours, carrier)
 CROSS JOIN LATERAL (VALUES (l.a, l.b), (l.b, l.a)) AS d (from_code, to_code)
 WHERE NOT EXISTS (SELECT 1 FROM corridor.link x WHERE x.from_code = d.from_code AND x.to_code = d.to_code
                      AND x.mode = l.mode AND x.carrier = l.carrier)
 ORDER BY l.a, l.b, d.from_code
ON CONFLICT (from_code, to_code, mode, carrier) DO NOTHING;
