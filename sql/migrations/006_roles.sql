-- 006_roles: the two roles besides the owner.  Roles are cluster-wide and
-- may already exist (another database of the same cluster), so they are
-- created only when missing.  Neither role owns anything, so neither can do DDL.
--   corridor_app       what the server runs as (SET ROLE after connecting)
--   corridor_operator  what operators use in psql

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'corridor_app') THEN
        BEGIN
            CREATE ROLE corridor_app NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL; -- created meanwhile by a concurrent migration
        END;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'corridor_operator') THEN
        BEGIN
            CREATE ROLE corridor_operator NOLOGIN;
        EXCEPTION WHEN duplicate_object OR unique_violation THEN
            NULL;
        END;
    END IF;
END $$;

GRANT USAGE ON SCHEMA corridor TO corridor_app, corridor_operator;

-- corridor_app: reads reference data and keys, changes only booked
-- quantities, writes quotes and bookings.
GRANT SELECT ON corridor.currency, corridor.org, corridor.node, corridor.link,
                corridor.departure, corridor.port_window, corridor.tariff,
                corridor.surcharge, corridor.discount, corridor.fx_rate,
                corridor.api_key, corridor.data_version
    TO corridor_app;
GRANT UPDATE (booked_teu, booked_kg) ON corridor.departure TO corridor_app;
GRANT UPDATE (booked_teu) ON corridor.port_window TO corridor_app;
GRANT SELECT, INSERT, UPDATE ON corridor.quote, corridor.booking, corridor.booking_leg,
                                corridor.booking_port_call, corridor.booking_charge,
                                corridor.booking_event, corridor.idempotency_key
    TO corridor_app;
GRANT DELETE ON corridor.idempotency_key TO corridor_app;
GRANT EXECUTE ON FUNCTION corridor.check_invariants() TO corridor_app;

-- corridor_operator: full DML on reference data, read-only elsewhere, keys
-- through the two SECURITY DEFINER functions.
GRANT SELECT, INSERT, UPDATE, DELETE ON corridor.currency, corridor.org, corridor.node,
      corridor.link, corridor.departure, corridor.port_window, corridor.tariff,
      corridor.surcharge, corridor.discount, corridor.fx_rate
    TO corridor_operator;
GRANT SELECT ON ALL TABLES IN SCHEMA corridor TO corridor_operator;
-- The tariff history trigger runs as the operator (so it records who); its
-- guard trigger refuses any insert that does not come from that trigger.
GRANT INSERT ON corridor.tariff_history TO corridor_operator;
GRANT EXECUTE ON FUNCTION corridor.issue_api_key(text, text, text),
                          corridor.revoke_api_key(text),
                          corridor.check_invariants()
    TO corridor_operator;
