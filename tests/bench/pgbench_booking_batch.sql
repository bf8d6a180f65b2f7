-- pgbench script for tests/bench/run.sh: one batch of 8 bookings exactly as
-- corridord books the creates that waited for its booking lane together
-- (server/api_bookings.c create_batch -> store_booking_create_many in
-- server/store_booking.c): one call of corridor.booking_create_many (038) as
-- its own transaction, the next 8 quotes of the pool (bench.quote_pool,
-- taken through bench.quote_take inside the statement).  Bookings per second
-- = 8 x tps.  A reference beside pgbench_booking.sql, not the target's.
--   -D org=DEMOFWD   the forwarder organization
SELECT i, outcome, booking_id, booking::text FROM corridor.booking_create_many(array_fill(:org::text, ARRAY[8]), array_fill('forwarder'::text, ARRAY[8]), (SELECT array_agg(p.quote_id ORDER BY p.n) FROM bench.quote_pool p WHERE p.n IN (SELECT nextval('bench.quote_take') FROM generate_series(1, 8))), array_fill(1, ARRAY[8]), array_fill(NULL::int, ARRAY[8]), array_fill(NULL::text, ARRAY[8]), NULL::text[], NULL::text[]);
