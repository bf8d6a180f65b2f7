-- 005_admin: the operator's views and the invariant check.

-- Tariff rows in force today, with the names of what they apply to.
CREATE VIEW corridor.tariff_current AS
SELECT t.id, t.charge_code,
       t.link_id, l.from_code, fn.name AS from_name, l.to_code, tn.name AS to_name, l.mode,
       t.node_code, nn.name AS node_name,
       t.container_type, t.min_gross_kg, t.max_gross_kg, t.basis, t.rate, t.currency,
       t.min_charge, t.valid_from, t.valid_to, t.note
  FROM corridor.tariff t
  LEFT JOIN corridor.link l ON l.id = t.link_id
  LEFT JOIN corridor.node fn ON fn.code = l.from_code
  LEFT JOIN corridor.node tn ON tn.code = l.to_code
  LEFT JOIN corridor.node nn ON nn.code = t.node_code
 WHERE t.valid_from <= current_date
   AND (t.valid_to IS NULL OR t.valid_to >= current_date);

-- Each departure with its link and how full it is.
CREATE VIEW corridor.departure_utilization AS
SELECT d.id, d.service, d.link_id, l.from_code, l.to_code, l.mode, l.carrier,
       d.departs_at, d.arrives_at, d.cutoff_at, d.status,
       d.booked_teu, d.capacity_teu,
       CASE WHEN d.capacity_teu > 0
            THEN round(100.0 * d.booked_teu / d.capacity_teu, 1) END AS teu_percent,
       d.booked_kg, d.capacity_kg,
       CASE WHEN d.capacity_kg > 0
            THEN round(100.0 * d.booked_kg / d.capacity_kg, 1) END AS kg_percent,
       greatest(CASE WHEN d.capacity_teu > 0 THEN round(100.0 * d.booked_teu / d.capacity_teu, 1) END,
                CASE WHEN d.capacity_kg > 0 THEN round(100.0 * d.booked_kg / d.capacity_kg, 1) END)
           AS percent
  FROM corridor.departure d
  JOIN corridor.link l ON l.id = d.link_id;

-- Bookings with organization, route (first origin, last destination), TEU,
-- total and status.
CREATE VIEW corridor.booking_summary AS
SELECT b.id, b.reference, b.org_code, o.name AS org_name, b.status,
       first_leg.from_code AS origin, last_leg.to_code AS destination,
       first_leg.departs_at, last_leg.arrives_at,
       legs.teu, legs.kg, legs.legs,
       b.total_amount, b.currency, b.customer_reference,
       b.hold_expires_at, b.created_at, b.updated_at, b.version
  FROM corridor.booking b
  JOIN corridor.org o ON o.code = b.org_code
  LEFT JOIN LATERAL (
        SELECT max(bl.teu) AS teu, max(bl.kg) AS kg, count(*) AS legs
          FROM corridor.booking_leg bl WHERE bl.booking_id = b.id) legs ON true
  LEFT JOIN LATERAL (
        SELECT l.from_code, d.departs_at
          FROM corridor.booking_leg bl
          JOIN corridor.departure d ON d.id = bl.departure_id
          JOIN corridor.link l ON l.id = d.link_id
         WHERE bl.booking_id = b.id ORDER BY bl.seq LIMIT 1) first_leg ON true
  LEFT JOIN LATERAL (
        SELECT l.to_code, d.arrives_at
          FROM corridor.booking_leg bl
          JOIN corridor.departure d ON d.id = bl.departure_id
          JOIN corridor.link l ON l.id = d.link_id
         WHERE bl.booking_id = b.id ORDER BY bl.seq DESC LIMIT 1) last_leg ON true;

-- Every violation of the reservation invariants; empty when all is well.
--   departure    booked_teu/booked_kg <> sum of live (HELD/CONFIRMED) booking legs
--   port_window  booked_teu <> sum of live booking port calls
--   booking_total  charges do not add up to total_amount
--   booking_without_legs  a HELD/CONFIRMED booking reserves nothing
CREATE FUNCTION corridor.check_invariants()
RETURNS TABLE (kind text, id text, detail text)
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = corridor, pg_temp AS $$
    WITH live_legs AS (
        SELECT bl.departure_id, sum(bl.teu)::bigint AS teu, sum(bl.kg)::bigint AS kg
          FROM corridor.booking_leg bl
          JOIN corridor.booking b ON b.id = bl.booking_id
         WHERE b.status IN ('HELD', 'CONFIRMED')
         GROUP BY bl.departure_id
    ), live_calls AS (
        SELECT pc.window_id, sum(pc.teu)::bigint AS teu
          FROM corridor.booking_port_call pc
          JOIN corridor.booking b ON b.id = pc.booking_id
         WHERE b.status IN ('HELD', 'CONFIRMED') AND pc.window_id IS NOT NULL
         GROUP BY pc.window_id
    )
    SELECT 'departure', d.id::text,
           format('booked %s TEU / %s kg, live bookings hold %s TEU / %s kg',
                  d.booked_teu, d.booked_kg, coalesce(x.teu, 0), coalesce(x.kg, 0))
      FROM corridor.departure d
      LEFT JOIN live_legs x ON x.departure_id = d.id
     WHERE d.booked_teu <> coalesce(x.teu, 0) OR d.booked_kg <> coalesce(x.kg, 0)
    UNION ALL
    SELECT 'port_window', w.id::text,
           format('booked %s TEU, live bookings hold %s TEU', w.booked_teu, coalesce(x.teu, 0))
      FROM corridor.port_window w
      LEFT JOIN live_calls x ON x.window_id = w.id
     WHERE w.booked_teu <> coalesce(x.teu, 0)
    UNION ALL
    SELECT 'booking_total', b.reference,
           format('total_amount %s %s, charges add up to %s', b.total_amount, b.currency,
                  coalesce(c.total, 0))
      FROM corridor.booking b
      LEFT JOIN (SELECT booking_id, sum(amount) AS total
                   FROM corridor.booking_charge GROUP BY booking_id) c ON c.booking_id = b.id
     WHERE b.total_amount <> coalesce(c.total, 0)
    UNION ALL
    SELECT 'booking_without_legs', b.reference, format('status %s but no booking_leg rows', b.status)
      FROM corridor.booking b
     WHERE b.status IN ('HELD', 'CONFIRMED')
       AND NOT EXISTS (SELECT 1 FROM corridor.booking_leg bl WHERE bl.booking_id = b.id)
    ORDER BY 1, 2
$$;
REVOKE ALL ON FUNCTION corridor.check_invariants() FROM PUBLIC;
