-- Booked quantities belong to bookings.  departure.booked_teu/booked_kg and
-- port_window.booked_teu are the sums of the reservations of HELD and
-- CONFIRMED bookings (corridor.check_invariants() checks it); only the
-- server's booking transactions may move them.  Operators keep full DML on
-- every other column of the two tables (publish, reschedule, resize, close,
-- delete an unbooked departure), but cannot write the booked columns.
REVOKE INSERT, UPDATE ON corridor.departure, corridor.port_window FROM corridor_operator;
GRANT INSERT (link_id, service, departs_at, arrives_at, cutoff_at, capacity_teu, capacity_kg, status),
      UPDATE (link_id, service, departs_at, arrives_at, cutoff_at, capacity_teu, capacity_kg, status)
    ON corridor.departure TO corridor_operator;
GRANT INSERT (node_code, starts_at, ends_at, capacity_teu),
      UPDATE (node_code, starts_at, ends_at, capacity_teu)
    ON corridor.port_window TO corridor_operator;
