-- 007_tariff_keys: readable overlap errors for tariffs.
--
-- The tariff_no_overlap exclusion of 002 worked on expressions, so its error
-- DETAIL printed a page of CASE/COALESCE text.  The same rule now works on
-- generated columns, which also help operators query validity:
--   applies_to  'link:<id>' or 'node:<code>'
--   type_key    the container type, or 'any'
--   banded      true when the row has a weight band
--   band_kg     the inclusive weight band [min, max] (unbounded when NULL)
--   validity    the inclusive validity [valid_from, valid_to] (open when NULL)
-- An overlapping insert now reads:
--   ERROR: conflicting key value violates exclusion constraint "tariff_no_overlap"
--   DETAIL: Key (charge_code, applies_to, type_key, banded, band_kg, validity)=
--     (PORT_HANDLING, node:KZAAU, any, f, [0,), [2026-12-01,)) conflicts with
--     existing key (...)=(PORT_HANDLING, node:KZAAU, any, f, [0,), [2026-10-30,)).
-- (A backwards band or validity is refused by the CHECK constraints of 002;
-- the CASEs only keep the generated ranges computable until then.)
-- Rule unchanged: same code, link or node, container type and band flag, with
-- overlapping weight bands and overlapping validity, is refused.

ALTER TABLE corridor.tariff
    ADD COLUMN applies_to text GENERATED ALWAYS AS
        (coalesce('link:' || link_id::text, 'node:' || node_code)) STORED,
    ADD COLUMN type_key text GENERATED ALWAYS AS (coalesce(container_type, 'any')) STORED,
    ADD COLUMN banded boolean GENERATED ALWAYS AS
        (min_gross_kg IS NOT NULL OR max_gross_kg IS NOT NULL) STORED,
    ADD COLUMN band_kg int4range GENERATED ALWAYS AS
        (int4range(coalesce(min_gross_kg, 0),
                   CASE WHEN max_gross_kg < coalesce(min_gross_kg, 0) THEN coalesce(min_gross_kg, 0)
                        ELSE max_gross_kg END, '[]')) STORED,
    ADD COLUMN validity daterange GENERATED ALWAYS AS
        (daterange(valid_from, CASE WHEN valid_to < valid_from THEN valid_from ELSE valid_to END,
                   '[]')) STORED;

ALTER TABLE corridor.tariff DROP CONSTRAINT tariff_no_overlap;
ALTER TABLE corridor.tariff ADD CONSTRAINT tariff_no_overlap EXCLUDE USING gist (
    charge_code WITH =, applies_to WITH =, type_key WITH =, banded WITH =,
    band_kg WITH &&, validity WITH &&);

-- Same for surcharges and discounts.
ALTER TABLE corridor.surcharge
    ADD COLUMN validity daterange GENERATED ALWAYS AS
        (daterange(valid_from, CASE WHEN valid_to < valid_from THEN valid_from ELSE valid_to END,
                   '[]')) STORED,
    ADD COLUMN mode_key text GENERATED ALWAYS AS (coalesce(mode, 'any')) STORED;
ALTER TABLE corridor.surcharge DROP CONSTRAINT surcharge_no_overlap;
ALTER TABLE corridor.surcharge ADD CONSTRAINT surcharge_no_overlap EXCLUDE USING gist (
    code WITH =, applies_to WITH =, mode_key WITH =, validity WITH &&);

ALTER TABLE corridor.discount
    ADD COLUMN validity daterange GENERATED ALWAYS AS
        (daterange(valid_from, CASE WHEN valid_to < valid_from THEN valid_from ELSE valid_to END,
                   '[]')) STORED,
    ADD COLUMN org_key text GENERATED ALWAYS AS (coalesce(org_code, 'everyone')) STORED,
    ADD COLUMN applies_key text GENERATED ALWAYS AS (coalesce(applies_to, 'every charge')) STORED;
ALTER TABLE corridor.discount DROP CONSTRAINT discount_no_overlap;
ALTER TABLE corridor.discount ADD CONSTRAINT discount_no_overlap EXCLUDE USING gist (
    code WITH =, org_key WITH =, applies_key WITH =, validity WITH &&);

-- New columns of reference tables are readable by both roles (006 granted
-- table-level SELECT, which covers them; repeated here for clarity).
GRANT SELECT ON corridor.tariff, corridor.surcharge, corridor.discount TO corridor_app, corridor_operator;
