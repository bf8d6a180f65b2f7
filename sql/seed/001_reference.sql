-- Seed 001: currencies, exchange rates, organizations and the 38 nodes of
-- the corridor (shared/data/corridor-network.json).  Idempotent: natural keys
-- with ON CONFLICT DO NOTHING, so a second run changes nothing.

-- ISO 4217, with the minor units ISO gives (IRR: 2 by ISO, although rials are
-- never split in practice; IQD: 3).
INSERT INTO corridor.currency (code, minor_units, name) VALUES
    ('USD', 2, 'US dollar'),
    ('EUR', 2, 'Euro'),
    ('CHF', 2, 'Swiss franc'),
    ('KZT', 2, 'Kazakhstani tenge'),
    ('TMT', 2, 'Turkmenistan manat'),
    ('IRR', 2, 'Iranian rial'),
    ('RUB', 2, 'Russian ruble'),
    ('CNY', 2, 'Chinese yuan renminbi'),
    ('AZN', 2, 'Azerbaijani manat'),
    ('TRY', 2, 'Turkish lira'),
    ('AMD', 2, 'Armenian dram'),
    ('IQD', 3, 'Iraqi dinar')
ON CONFLICT (code) DO NOTHING;

-- Units of each currency for one USD, on current_date - 30 and current_date.
-- ASSUMPTIONS: late-2026 market levels, not quotes from a source:
--   EUR ~0.92, CHF ~0.80 (the TP SNG coefficient was 0.87 CHF->USD in Q2 2024,
--   see corridor.md 4.1), KZT ~520, TMT 3.5 (official rate; the street rate
--   is far higher), IRR ~1 050 000 (open market; the official rate is much
--   lower), RUB ~80, CNY ~7.2, AZN 1.70 (pegged), TRY ~44, AMD ~390, IQD ~1310.
INSERT INTO corridor.fx_rate (currency, on_date, per_usd)
SELECT r.currency, current_date + r.day_offset, r.per_usd
  FROM (VALUES
    ('USD', -30, 1), ('USD', 0, 1),
    ('EUR', -30, 0.93), ('EUR', 0, 0.92),
    ('CHF', -30, 0.81), ('CHF', 0, 0.80),
    ('KZT', -30, 512), ('KZT', 0, 520),
    ('TMT', -30, 3.5), ('TMT', 0, 3.5),
    ('IRR', -30, 1020000), ('IRR', 0, 1050000),
    ('RUB', -30, 82), ('RUB', 0, 80),
    ('CNY', -30, 7.25), ('CNY', 0, 7.2),
    ('AZN', -30, 1.7), ('AZN', 0, 1.7),
    ('TRY', -30, 43.1), ('TRY', 0, 44),
    ('AMD', -30, 392), ('AMD', 0, 390),
    ('IQD', -30, 1310), ('IQD', 0, 1310)
  ) AS r (currency, day_offset, per_usd)
ON CONFLICT (currency, on_date) DO NOTHING;

INSERT INTO corridor.org (code, name, kind) VALUES
    ('CORRIDOR', 'INSTC Corridor Operations', 'operator'),
    ('DEMOFWD', 'Demo Forwarding LLP', 'forwarder'),
    ('CASPFWD', 'Caspian Freight Forwarders', 'forwarder'),
    ('KTZ', 'Kazakhstan Temir Zholy', 'carrier'),
    ('TRK', 'Türkmendemirýollary', 'carrier'),
    ('RAI', 'Iranian railways (RAI)', 'carrier'),
    ('ADY', 'Azerbaijan Railways', 'carrier'),
    ('TCDD', 'Turkish State Railways (TCDD Taşımacılık)', 'carrier'),
    ('KMTF', 'Kazmortransflot', 'carrier'),
    ('ASCO', 'Azerbaijan Caspian Shipping Company', 'carrier'),
    ('KSSL', 'Khazar Sea Shipping Lines', 'carrier'),
    ('IRTRUCK', 'Iranian road hauliers (pooled)', 'carrier')
ON CONFLICT (code) DO NOTHING;

-- Nodes.  kind maps the dataset's "type": seaports -> port; border stations
-- -> border_crossing; the Etrek gauge-interchange terminal, Aprin dry port and
-- the onward destinations (Van pier, Yerevan, Baghdad) -> terminal; every
-- other station or junction -> rail_station.  Astara (IR) is both a port and a
-- 1520/1435 rail terminal; it is a port here.
--
-- Coordinates: from the dataset (UN/LOCODE extract or sources) except the
-- seven it lacks, which are ESTIMATES from neighbours and line geometry:
--   Beineu 45.317, 55.183 (town position; Beineu-Mangistau 404 km by rail)
--   Bolashak 42.30, 53.50 (on the KTI line ~146 rail km south-east of Uzen)
--   Serhetyaka 42.20, 53.55 (just across the border from Bolashak)
--   Akyayla 37.50, 54.75 (between Etrek and the Atrek river border)
--   Incheh Borun 37.45, 54.72 (south bank of the Atrek, 88 rail km from Gorgan)
--   Bafq 31.60, 55.40 (town position)
--   Razi 38.52, 44.36 (6 rail km east of Kapikoy)
-- Chabahar: the LOCODE extract carries wrong coordinates; the dataset's
-- corrected 25.300, 60.613 are used.
--
-- transfer_minutes (minimum time between arriving and leaving again), an
-- ASSUMPTION by kind of place: 120 at border stations (document exchange,
-- about 120 min per train at Bolashak since 2020), 180 at ordinary stations
-- and junctions, 240 at hubs and terminals, 360-720 at ports (berthing,
-- discharge and loading; longest at Shahid Rajaee), 600-720 at gauge-change
-- points where containers are reloaded or bogies exchanged (Etrek, Incheh
-- Borun, Sarakhs IR, Astara IR).
INSERT INTO corridor.node (code, name, country, kind, timezone, lat, lon, transfer_minutes) VALUES
    ('KZALA',  'Almaty',                              'KZ', 'rail_station',    'Asia/Almaty',     43.250000, 76.950000, 240),
    ('XKZBEI', 'Beineu junction',                     'KZ', 'rail_station',    'Asia/Aqtau',      45.317000, 55.183000, 180),
    ('KZAAU',  'Aktau Sea Trade Port',                'KZ', 'port',            'Asia/Aqtau',      43.650000, 51.150000, 480),
    ('KZKUR',  'Kuryk port (rail/road ferry complex)', 'KZ', 'port',           'Asia/Aqtau',      43.200000, 51.650000, 480),
    ('KZUZE',  'Uzen (Zhanaozen) station',            'KZ', 'rail_station',    'Asia/Aqtau',      43.337780, 52.855280, 180),
    ('XKZBOL', 'Bolashak border station',             'KZ', 'border_crossing', 'Asia/Aqtau',      42.300000, 53.500000, 120),
    ('XTMSRY', 'Serhetyaka border station',           'TM', 'border_crossing', 'Asia/Ashgabat',   42.200000, 53.550000, 120),
    ('XTMBRK', 'Bereket (Gazanjyk) junction',         'TM', 'rail_station',    'Asia/Ashgabat',   39.243060, 55.516940, 180),
    ('XTMETR', 'Etrek gauge-interchange terminal',    'TM', 'terminal',        'Asia/Ashgabat',   37.661390, 54.760560, 600),
    ('XTMAKY', 'Akyayla border station',              'TM', 'border_crossing', 'Asia/Ashgabat',   37.500000, 54.750000, 120),
    ('TMKRW',  'Turkmenbashi International Seaport',  'TM', 'port',            'Asia/Ashgabat',   40.016670, 52.966670, 480),
    ('TMTEJ',  'Tejen junction',                      'TM', 'rail_station',    'Asia/Ashgabat',   37.366670, 60.483330, 180),
    ('TMSRK',  'Sarakhs (TM) border station',         'TM', 'border_crossing', 'Asia/Ashgabat',   36.523740, 61.215220, 120),
    ('XIRINB', 'Incheh Borun border station and gauge interchange', 'IR', 'border_crossing', 'Asia/Tehran', 37.450000, 54.720000, 720),
    ('IRGBT',  'Gorgan',                              'IR', 'rail_station',    'Asia/Tehran',     36.900000, 54.400000, 180),
    ('IRTHR',  'Tehran',                              'IR', 'rail_station',    'Asia/Tehran',     35.666670, 51.416670, 240),
    ('XIRAPR', 'Aprin dry port (Tehran)',             'IR', 'terminal',        'Asia/Tehran',     35.550000, 51.250000, 240),
    ('XIRBFQ', 'Bafq junction',                       'IR', 'rail_station',    'Asia/Tehran',     31.600000, 55.400000, 180),
    ('IRSRP',  'Shahid Rajaee port (Bandar Abbas)',   'IR', 'port',            'Asia/Tehran',     27.116670, 56.066670, 720),
    ('IRZBR',  'Chabahar (Shahid Beheshti)',          'IR', 'port',            'Asia/Tehran',     25.300280, 60.612780, 600),
    ('IRZAH',  'Zahedan',                             'IR', 'rail_station',    'Asia/Tehran',     29.480009, 60.874922, 360),
    ('IRMHD',  'Mashhad',                             'IR', 'rail_station',    'Asia/Tehran',     36.234090, 59.641870, 240),
    ('IRCKT',  'Sarakhs (IR) border station and gauge interchange', 'IR', 'border_crossing', 'Asia/Tehran', 36.544900, 61.157700, 600),
    ('IRAMD',  'Bandar Amirabad port',                'IR', 'port',            'Asia/Tehran',     36.783330, 53.350000, 480),
    ('IRBAZ',  'Bandar Anzali port',                  'IR', 'port',            'Asia/Tehran',     37.466670, 49.466670, 480),
    ('IRNSH',  'Nowshahr port',                       'IR', 'port',            'Asia/Tehran',     36.649000, 51.496000, 480),
    ('IRASR',  'Astara (IR) port and 1520/1435 rail terminal', 'IR', 'port',   'Asia/Tehran',     38.419300, 48.871500, 600),
    ('IRRAS',  'Rasht',                               'IR', 'rail_station',    'Asia/Tehran',     37.324020, 49.610400, 180),
    ('IRQAZ',  'Qazvin',                              'IR', 'rail_station',    'Asia/Tehran',     36.266670, 50.000000, 180),
    ('IRTBZ',  'Tabriz',                              'IR', 'rail_station',    'Asia/Tehran',     38.136420, 46.243390, 240),
    ('XIRRAZ', 'Razi border station',                 'IR', 'border_crossing', 'Asia/Tehran',     38.520000, 44.360000, 120),
    ('AZALA',  'Alat (Baku International Sea Trade Port)', 'AZ', 'port',       'Asia/Baku',       39.950000, 49.400000, 480),
    ('AZAST',  'Astara (AZ) border station',          'AZ', 'border_crossing', 'Asia/Baku',       38.450000, 48.866670, 120),
    ('TRKPY',  'Kapikoy border station',              'TR', 'border_crossing', 'Europe/Istanbul', 38.500000, 44.300000, 120),
    ('TRVAN',  'Van (Lake Van train-ferry pier)',     'TR', 'terminal',        'Europe/Istanbul', 38.468190, 43.331290, 240),
    ('TRIST',  'Istanbul',                            'TR', 'rail_station',    'Europe/Istanbul', 41.016670, 28.966670, 240),
    ('AMEVN',  'Yerevan',                             'AM', 'terminal',        'Asia/Yerevan',    40.183330, 44.516670, 240),
    ('IQBGW',  'Baghdad',                             'IQ', 'terminal',        'Asia/Baghdad',    33.333330, 44.383330, 240)
ON CONFLICT (code) DO NOTHING;
