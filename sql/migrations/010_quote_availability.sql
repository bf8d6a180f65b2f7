-- 010_quote_availability: indexes for the availability read of every quote
-- (SQL_AVAILABILITY in server/store_quote.c).  While the server's pricing
-- snapshot is current, a quote only needs the departures and port windows
-- with something booked: the snapshot knows every other one's capacity.
-- Without these indexes that read filtered ~1400 departures of the horizon
-- and scanned all ~5300 windows (~0.75 ms of PostgreSQL CPU per quote);
-- with them it visits only booked rows (~0.07 ms).
--
-- The indexes are partial on a stored generated flag, is_booked, not on
-- "booked_teu > 0 OR booked_kg > 0" itself: a column named in an index
-- predicate blocks HOT updates whenever its value changes, and bookings
-- change booked_teu / booked_kg on every departure and window they reserve.
-- With the predicate on booked_teu every booking update became a non-HOT
-- update (new entries in every index of the row, uniqueness and exclusion
-- checks against all its dead versions): ~20 % fewer pgbench bookings.
-- is_booked changes only when a row goes from nothing booked to something
-- booked or back, so the other booking updates stay HOT.  Nobody writes
-- is_booked: PostgreSQL computes it.
--
-- Windows are indexed by ends_at, not starts_at: the read asks for windows
-- overlapping [from, to), i.e. ends_at > from AND starts_at < to, and
-- booked windows in the past keep their booked_teu, so a range on starts_at
-- (< to) would grow with history while ends_at > from covers only windows
-- from the ready date on.  starts_at is the second column, so the other
-- half of the overlap test is checked in the index, not the heap.
ALTER TABLE corridor.departure
    ADD COLUMN is_booked boolean GENERATED ALWAYS AS (booked_teu > 0 OR booked_kg > 0) STORED;
ALTER TABLE corridor.port_window
    ADD COLUMN is_booked boolean GENERATED ALWAYS AS (booked_teu > 0) STORED;
COMMENT ON COLUMN corridor.departure.is_booked IS
    'booked_teu > 0 OR booked_kg > 0 (computed; indexed for the quote availability read)';
COMMENT ON COLUMN corridor.port_window.is_booked IS
    'booked_teu > 0 (computed; indexed for the quote availability read)';
CREATE INDEX departure_booked_departs_at_idx ON corridor.departure (departs_at)
    WHERE is_booked;
CREATE INDEX port_window_booked_ends_at_idx ON corridor.port_window (ends_at, starts_at)
    WHERE is_booked;
