-- 004_bookings: quotes, bookings with their legs, port calls and charges,
-- the booking event feed, and idempotency keys.  Written by the server
-- (role corridor_app); operators read them.

-- A priced answer to a quote request.  options is the JSON array exactly as
-- the API returns it, plus per option containers [{type,count,gross_weight_kg}],
-- teu and kg, which the booking transaction reserves on every leg and call.
CREATE TABLE corridor.quote (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    org_code     text NOT NULL REFERENCES corridor.org (code),
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    data_version bigint NOT NULL,
    currency     char(3) NOT NULL REFERENCES corridor.currency (code),
    request      jsonb NULL,
    options      jsonb NOT NULL CHECK (jsonb_typeof(options) = 'array'),
    fx           jsonb NULL
);
CREATE INDEX quote_org_idx ON corridor.quote (org_code, created_at DESC);

CREATE TABLE corridor.booking (
    id                 bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    reference          text NOT NULL UNIQUE CHECK (reference ~ '^NSC-[0-9A-Z]{8}$'),
    org_code           text NOT NULL REFERENCES corridor.org (code),
    status             text NOT NULL CHECK (status IN ('HELD', 'CONFIRMED', 'CANCELLED', 'EXPIRED')),
    -- a quote is booked at most once, ever
    quote_id           uuid NOT NULL UNIQUE REFERENCES corridor.quote (id),
    option             int NOT NULL,
    customer_reference text NULL,
    containers         jsonb NOT NULL,
    total_amount       numeric(18,4) NOT NULL,
    currency           char(3) NOT NULL REFERENCES corridor.currency (code),
    hold_expires_at    timestamptz NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    updated_at         timestamptz NOT NULL DEFAULT now(),
    version            int NOT NULL DEFAULT 1,
    CONSTRAINT booking_held_has_expiry CHECK (status <> 'HELD' OR hold_expires_at IS NOT NULL)
);
CREATE INDEX booking_org_idx ON corridor.booking (org_code, id DESC);
CREATE INDEX booking_hold_expiry_idx ON corridor.booking (hold_expires_at) WHERE status = 'HELD';

-- The departures a booking reserves: teu and kg on each.
CREATE TABLE corridor.booking_leg (
    booking_id   bigint NOT NULL REFERENCES corridor.booking (id),
    seq          int NOT NULL,
    departure_id bigint NOT NULL REFERENCES corridor.departure (id),
    teu          int NOT NULL CHECK (teu > 0),
    kg           bigint NOT NULL DEFAULT 0 CHECK (kg >= 0),
    PRIMARY KEY (booking_id, seq)
);
CREATE INDEX booking_leg_departure_idx ON corridor.booking_leg (departure_id);

-- Where cargo is loaded, discharged or transshipped; window_id is the port
-- window reserved (NULL at a node without windows).
CREATE TABLE corridor.booking_port_call (
    booking_id bigint NOT NULL REFERENCES corridor.booking (id),
    seq        int NOT NULL,
    node_code  text NOT NULL REFERENCES corridor.node (code),
    kind       text NOT NULL CHECK (kind IN ('load', 'discharge', 'transshipment')),
    window_id  bigint NULL REFERENCES corridor.port_window (id),
    at         timestamptz NOT NULL,
    teu        int NOT NULL DEFAULT 0 CHECK (teu >= 0),
    PRIMARY KEY (booking_id, seq)
);
CREATE INDEX booking_port_call_window_idx ON corridor.booking_port_call (window_id);

-- The priced lines of a booking, copied from the quote (the price lock).
CREATE TABLE corridor.booking_charge (
    booking_id    bigint NOT NULL REFERENCES corridor.booking (id),
    line_no       int NOT NULL,
    code          text NOT NULL,
    leg           int NULL,
    description   text NULL,
    basis         text NULL,
    quantity      numeric(18,4) NULL,
    unit_price    numeric(18,6) NULL,
    unit_currency char(3) NULL REFERENCES corridor.currency (code),
    amount        numeric(18,4) NOT NULL,
    fx_rate       numeric(20,10) NULL,
    tariff_id     bigint NULL,
    PRIMARY KEY (booking_id, line_no)
);

-- Every change of a booking, in the same transaction as the change.
CREATE TABLE corridor.booking_event (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    booking_id bigint NOT NULL REFERENCES corridor.booking (id),
    org_code   text NOT NULL,
    at         timestamptz NOT NULL DEFAULT clock_timestamp(),
    type       text NOT NULL CHECK (type IN ('booking.held', 'booking.confirmed',
                   'booking.cancelled', 'booking.expired', 'booking.amended')),
    data       jsonb NULL
);
CREATE INDEX booking_event_org_idx ON corridor.booking_event (org_code, id);
CREATE INDEX booking_event_booking_idx ON corridor.booking_event (booking_id, id);

-- Wakes long-polling event readers on every server: payload = newest id.
CREATE FUNCTION corridor.notify_booking_events() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    newest bigint;
BEGIN
    SELECT max(id) INTO newest FROM new_events;
    IF newest IS NOT NULL THEN
        PERFORM pg_notify('corridor_events', newest::text);
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER booking_event_inserted AFTER INSERT ON corridor.booking_event
    REFERENCING NEW TABLE AS new_events
    FOR EACH STATEMENT EXECUTE FUNCTION corridor.notify_booking_events();

-- Idempotency-Key of POST requests; status_code NULL while in progress.
-- The server purges rows older than 24 h.
CREATE TABLE corridor.idempotency_key (
    org_code      text NOT NULL,
    key           text NOT NULL,
    request_hash  text NOT NULL,
    status_code   int NULL,
    response_body text NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (org_code, key)
);
CREATE INDEX idempotency_key_created_idx ON corridor.idempotency_key (created_at);
