-- pgbench script for tests/bench/run.sh: one booking exactly as corridord
-- makes it for POST /v1/bookings (server/api_bookings.c change_work ->
-- db_transaction in server/db.c -> store_booking_create in
-- server/store_booking.c): BEGIN, one call of corridor.booking_create (which
-- locks the quote, the departures then the port windows in id order, updates
-- the booked quantities, inserts the booking, its legs, port calls, charges
-- and event, and marks the quote used), COMMIT.  Three round trips, as the
-- server sends them.  The quote is the next one of a pool pre-created by
-- run.sh (bench.quote_pool, taken in order through the bench.quote_take
-- sequence inside the same statement, so taking it costs no round trip).
--   -D org=DEMOFWD   the forwarder organization (the server passes the key's)
BEGIN ISOLATION LEVEL READ COMMITTED;
SELECT outcome, detail, problems::text, booking::text FROM corridor.booking_create(:org::text, 'forwarder'::text, (SELECT p.quote_id FROM bench.quote_pool p WHERE p.n = (SELECT nextval('bench.quote_take'))), 1, NULL::int, NULL::text);
COMMIT;
