-- 001_core: extensions, schema, the corridor network and its timetable, and
-- the data version that tells running servers to reload.
--
-- Applied once by `corridord migrate` inside a transaction (simple query
-- protocol: plain SQL, no psql backslash commands).

CREATE EXTENSION IF NOT EXISTS btree_gist;
CREATE EXTENSION IF NOT EXISTS pgcrypto;

CREATE SCHEMA IF NOT EXISTS corridor;

-- corridord migrate may create this before applying the first file.
CREATE TABLE IF NOT EXISTS corridor.schema_migration (
    filename   text PRIMARY KEY,
    applied_at timestamptz NOT NULL DEFAULT now()
);

-- True when tz is an IANA time zone name PostgreSQL knows.  Used by a CHECK
-- constraint, so an operator typing 'Asia/Tehren' gets an error at once.
CREATE FUNCTION corridor.is_valid_timezone(tz text) RETURNS boolean
LANGUAGE plpgsql IMMUTABLE AS $$
BEGIN
    IF tz IS NULL OR tz = '' THEN
        RETURN false;
    END IF;
    PERFORM timestamptz '2000-01-01 00:00:00+00' AT TIME ZONE tz;
    RETURN true;
EXCEPTION WHEN invalid_parameter_value THEN
    RETURN false;
END $$;

-- ISO 4217 currencies and their minor units (2 = cents).
CREATE TABLE corridor.currency (
    code        char(3) PRIMARY KEY CHECK (code ~ '^[A-Z]{3}$'),
    minor_units smallint NOT NULL CHECK (minor_units BETWEEN 0 AND 4),
    name        text NOT NULL
);

-- Organizations: forwarders (customers), carriers (railways, shipping lines,
-- hauliers) and the corridor operator.
CREATE TABLE corridor.org (
    code text PRIMARY KEY CHECK (code ~ '^[A-Z0-9]{2,16}$'),
    name text NOT NULL,
    kind text NOT NULL CHECK (kind IN ('forwarder', 'carrier', 'operator'))
);

-- Places: UN/LOCODE, or an internal placeholder X + 5 letters where none exists.
CREATE TABLE corridor.node (
    code             text PRIMARY KEY
                     CHECK (code ~ '^[A-Z]{2}[A-Z0-9]{3}$' OR code ~ '^X[A-Z]{5}$'),
    name             text NOT NULL,
    country          char(2) NOT NULL CHECK (country ~ '^[A-Z]{2}$'),
    kind             text NOT NULL
                     CHECK (kind IN ('port', 'rail_station', 'border_crossing', 'terminal')),
    timezone         text NOT NULL CHECK (corridor.is_valid_timezone(timezone)),
    lat              numeric(9,6) NULL CHECK (lat BETWEEN -90 AND 90),
    lon              numeric(9,6) NULL CHECK (lon BETWEEN -180 AND 180),
    -- minimum minutes between arriving at the node and leaving it again
    transfer_minutes int NOT NULL DEFAULT 120 CHECK (transfer_minutes >= 0)
);

-- Directed links between nodes, each run by one carrier.
CREATE TABLE corridor.link (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_code     text NOT NULL REFERENCES corridor.node (code),
    to_code       text NOT NULL REFERENCES corridor.node (code),
    mode          text NOT NULL CHECK (mode IN ('rail', 'sea', 'road')),
    gauge_mm      int NULL CHECK (gauge_mm IN (1435, 1520, 1676)),
    distance_km   numeric(8,1) NOT NULL CHECK (distance_km > 0),
    transit_hours numeric(6,1) NOT NULL CHECK (transit_hours > 0),
    carrier       text NOT NULL REFERENCES corridor.org (code),
    CONSTRAINT link_not_a_loop CHECK (from_code <> to_code),
    CONSTRAINT link_gauge_only_on_rail CHECK ((mode = 'rail') = (gauge_mm IS NOT NULL)),
    CONSTRAINT link_unique UNIQUE (from_code, to_code, mode, carrier)
);
CREATE INDEX link_to_code_idx ON corridor.link (to_code);

-- One run of a service over one link (a train, a sailing, a truck convoy).
CREATE TABLE corridor.departure (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    link_id      bigint NOT NULL REFERENCES corridor.link (id),
    service      text NOT NULL CHECK (service <> ''),
    departs_at   timestamptz NOT NULL,
    arrives_at   timestamptz NOT NULL,
    cutoff_at    timestamptz NOT NULL,
    capacity_teu int NOT NULL CHECK (capacity_teu >= 0),
    capacity_kg  bigint NOT NULL CHECK (capacity_kg >= 0),
    booked_teu   int NOT NULL DEFAULT 0,
    booked_kg    bigint NOT NULL DEFAULT 0,
    status       text NOT NULL DEFAULT 'scheduled'
                 CHECK (status IN ('scheduled', 'closed', 'cancelled')),
    CONSTRAINT departure_arrives_after_departing CHECK (arrives_at > departs_at),
    CONSTRAINT departure_cutoff_before_departing CHECK (cutoff_at <= departs_at),
    CONSTRAINT departure_booked_teu_within_capacity
        CHECK (booked_teu >= 0 AND booked_teu <= capacity_teu),
    CONSTRAINT departure_booked_kg_within_capacity
        CHECK (booked_kg >= 0 AND booked_kg <= capacity_kg),
    CONSTRAINT departure_unique UNIQUE (link_id, departs_at)
);
CREATE INDEX departure_departs_at_idx ON corridor.departure (departs_at);

-- A departure inserted without cutoff_at gets the usual one: 24 h before a
-- sailing, 6 h before a train or a truck.
CREATE FUNCTION corridor.departure_default_cutoff() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.cutoff_at IS NULL AND NEW.departs_at IS NOT NULL THEN
        NEW.cutoff_at := NEW.departs_at -
            CASE WHEN (SELECT mode FROM corridor.link WHERE id = NEW.link_id) = 'sea'
                 THEN interval '24 hours' ELSE interval '6 hours' END;
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER departure_default_cutoff BEFORE INSERT ON corridor.departure
    FOR EACH ROW EXECUTE FUNCTION corridor.departure_default_cutoff();

-- Berth / transshipment slots.  Windows at one node never overlap, so a call
-- at time t falls in at most one window [starts_at, ends_at).  A node without
-- any window is unconstrained.
CREATE TABLE corridor.port_window (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    node_code    text NOT NULL REFERENCES corridor.node (code),
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL,
    capacity_teu int NOT NULL CHECK (capacity_teu >= 0),
    booked_teu   int NOT NULL DEFAULT 0,
    CONSTRAINT port_window_ends_after_start CHECK (ends_at > starts_at),
    CONSTRAINT port_window_booked_within_capacity
        CHECK (booked_teu >= 0 AND booked_teu <= capacity_teu),
    CONSTRAINT port_window_no_overlap
        EXCLUDE USING gist (node_code WITH =, tstzrange(starts_at, ends_at) WITH &&)
);

-- The version of the reference data; one row.  Servers reload their pricing
-- snapshot when it changes and quotes record the version they were priced with.
CREATE TABLE corridor.data_version (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version    bigint NOT NULL,
    changed_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO corridor.data_version (singleton, version, changed_at)
VALUES (true, 1, now()) ON CONFLICT DO NOTHING;

-- Bumps the version and tells every server (NOTIFY corridor_changed,
-- '<version>'), at most once per transaction: a transaction that changes 5000
-- departures sends one notification, and servers reload after it commits.
-- It runs as a row trigger (plus a statement trigger for TRUNCATE), so a
-- statement that changes no row (a re-run seed's ON CONFLICT DO NOTHING)
-- changes nothing.  SECURITY DEFINER so that operators need no privilege on
-- data_version; no SET clause, because a SET clause would undo the
-- transaction-local marker at function exit, hence every name is qualified.
CREATE FUNCTION corridor.bump_data_version() RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER AS $$
DECLARE
    v bigint;
    xact text := pg_catalog.pg_current_xact_id()::text;
BEGIN
    IF pg_catalog.current_setting('corridor.data_version_xact', true) IS NOT DISTINCT FROM xact THEN
        RETURN NULL;
    END IF;
    UPDATE corridor.data_version SET version = version + 1, changed_at = pg_catalog.now()
     WHERE singleton RETURNING version INTO v;
    PERFORM pg_catalog.set_config('corridor.data_version_xact', xact, true);
    PERFORM pg_catalog.pg_notify('corridor_changed', v::text);
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION corridor.bump_data_version() FROM PUBLIC;

-- Every change of reference data bumps the version.
CREATE PROCEDURE corridor.add_version_triggers(tbl regclass)
LANGUAGE plpgsql AS $$
DECLARE
    name text := (SELECT c.relname FROM pg_class c WHERE c.oid = tbl);
BEGIN
    EXECUTE format('CREATE TRIGGER %I AFTER INSERT OR UPDATE OR DELETE ON %s '
                   'FOR EACH ROW EXECUTE FUNCTION corridor.bump_data_version()',
                   name || '_changed', tbl);
    EXECUTE format('CREATE TRIGGER %I AFTER TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION corridor.bump_data_version()',
                   name || '_truncated', tbl);
END $$;
REVOKE ALL ON PROCEDURE corridor.add_version_triggers(regclass) FROM PUBLIC;
CALL corridor.add_version_triggers('corridor.currency');
CALL corridor.add_version_triggers('corridor.org');
CALL corridor.add_version_triggers('corridor.node');
CALL corridor.add_version_triggers('corridor.link');

-- Bookings change only booked_teu / booked_kg: those updates must not make
-- every server reload, so the UPDATE trigger fires only when another column
-- changes.
CREATE TRIGGER departure_changed AFTER INSERT OR DELETE ON corridor.departure
    FOR EACH ROW EXECUTE FUNCTION corridor.bump_data_version();
CREATE TRIGGER departure_updated AFTER UPDATE ON corridor.departure
    FOR EACH ROW
    WHEN ((OLD.link_id, OLD.service, OLD.departs_at, OLD.arrives_at, OLD.cutoff_at,
           OLD.capacity_teu, OLD.capacity_kg, OLD.status)
          IS DISTINCT FROM
          (NEW.link_id, NEW.service, NEW.departs_at, NEW.arrives_at, NEW.cutoff_at,
           NEW.capacity_teu, NEW.capacity_kg, NEW.status))
    EXECUTE FUNCTION corridor.bump_data_version();
CREATE TRIGGER departure_truncated AFTER TRUNCATE ON corridor.departure
    FOR EACH STATEMENT EXECUTE FUNCTION corridor.bump_data_version();
CREATE TRIGGER port_window_changed AFTER INSERT OR DELETE ON corridor.port_window
    FOR EACH ROW EXECUTE FUNCTION corridor.bump_data_version();
CREATE TRIGGER port_window_updated AFTER UPDATE ON corridor.port_window
    FOR EACH ROW
    WHEN ((OLD.node_code, OLD.starts_at, OLD.ends_at, OLD.capacity_teu)
          IS DISTINCT FROM (NEW.node_code, NEW.starts_at, NEW.ends_at, NEW.capacity_teu))
    EXECUTE FUNCTION corridor.bump_data_version();
CREATE TRIGGER port_window_truncated AFTER TRUNCATE ON corridor.port_window
    FOR EACH STATEMENT EXECUTE FUNCTION corridor.bump_data_version();
