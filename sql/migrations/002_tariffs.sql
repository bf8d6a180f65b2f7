-- 002_tariffs: tariffs, surcharges, discounts, exchange rates, and the
-- history of every tariff change.

-- A charge on a link (freight) or at a node (handling, transshipment).
-- Weight band: per container gross kg, inclusive at both ends, NULL =
-- unbounded on that side.  Validity: [valid_from, valid_to], NULL = open.
-- The most specific row wins: a container type over NULL, a band over none.
CREATE TABLE corridor.tariff (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    charge_code    text NOT NULL CHECK (charge_code ~ '^[A-Z][A-Z0-9_]*$'),
    link_id        bigint NULL REFERENCES corridor.link (id),
    node_code      text NULL REFERENCES corridor.node (code),
    container_type text NULL CHECK (container_type IN ('20DV', '40DV', '40HC', '20RF', '40RF')),
    min_gross_kg   int NULL CHECK (min_gross_kg >= 0),
    max_gross_kg   int NULL CHECK (max_gross_kg >= 0 AND max_gross_kg < 2147483647),
    basis          text NOT NULL CHECK (basis IN ('per_container', 'per_teu', 'per_tonne',
                       'per_container_km', 'per_teu_km', 'per_tonne_km', 'per_shipment')),
    rate           numeric(14,6) NOT NULL CHECK (rate >= 0),
    currency       char(3) NOT NULL REFERENCES corridor.currency (code),
    min_charge     numeric(14,4) NOT NULL DEFAULT 0 CHECK (min_charge >= 0),
    valid_from     date NOT NULL,
    valid_to       date NULL,
    note           text NULL,
    CONSTRAINT tariff_link_xor_node CHECK ((link_id IS NULL) <> (node_code IS NULL)),
    CONSTRAINT tariff_band_ordered CHECK (max_gross_kg >= min_gross_kg),
    CONSTRAINT tariff_validity_ordered CHECK (valid_to >= valid_from),
    -- a distance basis needs a distance: only on links
    CONSTRAINT tariff_km_basis_on_link CHECK (basis NOT LIKE '%\_km' OR link_id IS NOT NULL),
    CONSTRAINT tariff_no_overlap EXCLUDE USING gist (
        charge_code WITH =,
        (coalesce(link_id, 0)) WITH =,
        (coalesce(node_code, '')) WITH =,
        (coalesce(container_type, '')) WITH =,
        ((CASE WHEN min_gross_kg IS NULL AND max_gross_kg IS NULL THEN 0 ELSE 1 END)) WITH =,
        (int4range(coalesce(min_gross_kg, 0), max_gross_kg, '[]')) WITH &&,
        (daterange(valid_from, valid_to, '[]')) WITH &&)
);
CREATE INDEX tariff_link_idx ON corridor.tariff (link_id) WHERE link_id IS NOT NULL;
CREATE INDEX tariff_node_idx ON corridor.tariff (node_code) WHERE node_code IS NOT NULL;

-- A percentage added to the charges with code applies_to (and mode, NULL = any).
CREATE TABLE corridor.surcharge (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       text NOT NULL CHECK (code ~ '^[A-Z][A-Z0-9_]*$'),
    applies_to text NOT NULL CHECK (applies_to ~ '^[A-Z][A-Z0-9_]*$'),
    mode       text NULL CHECK (mode IN ('rail', 'sea', 'road')),
    percent    numeric(7,3) NOT NULL CHECK (percent BETWEEN -100 AND 1000),
    valid_from date NOT NULL,
    valid_to   date NULL,
    CONSTRAINT surcharge_validity_ordered CHECK (valid_to >= valid_from),
    CONSTRAINT surcharge_no_overlap EXCLUDE USING gist (
        code WITH =, applies_to WITH =, (coalesce(mode, '')) WITH =,
        (daterange(valid_from, valid_to, '[]')) WITH &&)
);

-- A percentage off the charges with code applies_to (NULL = every charge),
-- for one organization (NULL = everyone).
CREATE TABLE corridor.discount (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    code       text NOT NULL CHECK (code ~ '^[A-Z][A-Z0-9_]*$'),
    org_code   text NULL REFERENCES corridor.org (code),
    applies_to text NULL CHECK (applies_to ~ '^[A-Z][A-Z0-9_]*$'),
    percent    numeric(6,3) NOT NULL CHECK (percent > 0 AND percent <= 100),
    valid_from date NOT NULL,
    valid_to   date NULL,
    CONSTRAINT discount_validity_ordered CHECK (valid_to >= valid_from),
    CONSTRAINT discount_no_overlap EXCLUDE USING gist (
        code WITH =, (coalesce(org_code, '')) WITH =, (coalesce(applies_to, '')) WITH =,
        (daterange(valid_from, valid_to, '[]')) WITH &&)
);

-- Units of currency for one USD; the rate used is the latest on_date not
-- after the quote's date.
CREATE TABLE corridor.fx_rate (
    currency char(3) NOT NULL REFERENCES corridor.currency (code),
    on_date  date NOT NULL,
    per_usd  numeric(20,8) NOT NULL CHECK (per_usd > 0),
    PRIMARY KEY (currency, on_date),
    CONSTRAINT fx_rate_usd_is_one CHECK (currency <> 'USD' OR per_usd = 1)
);

CALL corridor.add_version_triggers('corridor.tariff');
CALL corridor.add_version_triggers('corridor.surcharge');
CALL corridor.add_version_triggers('corridor.discount');
CALL corridor.add_version_triggers('corridor.fx_rate');

-- Every tariff change, with who and when.
CREATE TABLE corridor.tariff_history (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    tariff_id  bigint NOT NULL,
    op         text NOT NULL CHECK (op IN ('INSERT', 'UPDATE', 'DELETE')),
    old_row    jsonb NULL,
    new_row    jsonb NULL,
    changed_by text NOT NULL DEFAULT current_user,
    changed_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tariff_history_tariff_idx ON corridor.tariff_history (tariff_id, id);

-- Row trigger on tariff.  It runs with the privileges of whoever changed the
-- tariff, so that changed_by is really that role (current_user).
CREATE FUNCTION corridor.tariff_record_history() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO corridor.tariff_history (tariff_id, op, old_row, new_row)
        VALUES (NEW.id, TG_OP, NULL, to_jsonb(NEW));
    ELSIF TG_OP = 'UPDATE' THEN
        INSERT INTO corridor.tariff_history (tariff_id, op, old_row, new_row)
        VALUES (NEW.id, TG_OP, to_jsonb(OLD), to_jsonb(NEW));
    ELSE
        INSERT INTO corridor.tariff_history (tariff_id, op, old_row, new_row)
        VALUES (OLD.id, TG_OP, to_jsonb(OLD), NULL);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER tariff_history AFTER INSERT OR UPDATE OR DELETE ON corridor.tariff
    FOR EACH ROW EXECUTE FUNCTION corridor.tariff_record_history();

-- History rows are written only by that trigger (never directly), with the
-- real user and time whatever the insert says.
CREATE FUNCTION corridor.tariff_history_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF pg_trigger_depth() < 2 THEN
        RAISE EXCEPTION 'tariff_history is written only by the tariff trigger'
            USING ERRCODE = 'insufficient_privilege',
                  HINT = 'Change corridor.tariff; its history is recorded automatically.';
    END IF;
    NEW.changed_by := current_user;
    NEW.changed_at := now();
    RETURN NEW;
END $$;
CREATE TRIGGER tariff_history_guard BEFORE INSERT ON corridor.tariff_history
    FOR EACH ROW EXECUTE FUNCTION corridor.tariff_history_guard();
