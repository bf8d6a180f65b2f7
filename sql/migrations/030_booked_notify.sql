-- 030_booked_notify: every change of booked quantities tells the servers
-- (NOTIFY corridor_booked), whoever makes it: the booking functions, the
-- sweeper, or a superuser fixing rows by hand.  corridord keeps the booked
-- rows in memory for quoting (server/quote_cache.c) and reads them again
-- after this notification.  The triggers are per statement and PostgreSQL
-- folds identical notifications of one transaction into one, so a booking
-- sends one notification however many departures and windows it reserves;
-- a transaction that rolls back sends none.  Changes of capacity or status
-- are reference data: they bump the data version (001) instead.
CREATE FUNCTION corridor.notify_booked() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_catalog.pg_notify('corridor_booked', '');
    RETURN NULL;
END $$;
REVOKE ALL ON FUNCTION corridor.notify_booked() FROM PUBLIC;

CREATE TRIGGER departure_booked AFTER UPDATE OF booked_teu, booked_kg ON corridor.departure
    FOR EACH STATEMENT EXECUTE FUNCTION corridor.notify_booked();
CREATE TRIGGER port_window_booked AFTER UPDATE OF booked_teu ON corridor.port_window
    FOR EACH STATEMENT EXECUTE FUNCTION corridor.notify_booked();
