-- A fixture of the booking SQL tests, included with \ir (not a test of its
-- own: tests/run.sh runs sql/tests/*.sql only).  Table n1 (temporary): the
-- three legs of an N1 train Amirabad -> Tehran -> Bafq -> Bandar Abbas
-- whose first cut-off is a day away or more, as an option's "legs"
-- ([{seq, departure_id}]), its "port_calls" (a discharge call in the Bandar
-- Abbas window of its arrival), that window and the arrival.
CREATE TEMP TABLE n1 (legs jsonb, port_calls jsonb, window_id bigint, last_arrival timestamptz);
GRANT ALL ON n1 TO corridor_app;
DO $$
DECLARE
    svc text := (SELECT service FROM corridor.departure
                  WHERE service LIKE 'N1 %' AND status = 'scheduled'
                  GROUP BY service HAVING min(cutoff_at) > now() + interval '1 day'
                  ORDER BY min(departs_at) LIMIT 1);
    legs jsonb;
    last_arrival timestamptz;
    w bigint;
BEGIN
    SELECT jsonb_agg(jsonb_build_object('seq', n, 'departure_id', id) ORDER BY n), max(arrives_at)
      INTO legs, last_arrival
      FROM (SELECT id, arrives_at, row_number() OVER (ORDER BY departs_at) AS n
              FROM corridor.departure WHERE service = svc) d;
    IF jsonb_array_length(legs) <> 3 THEN
        RAISE EXCEPTION 'expected 3 legs for service %, found %', svc, legs;
    END IF;
    SELECT id INTO w FROM corridor.port_window
     WHERE node_code = 'IRSRP' AND starts_at <= last_arrival AND last_arrival < ends_at;
    IF w IS NULL THEN
        RAISE EXCEPTION 'no window at IRSRP contains the arrival %', last_arrival;
    END IF;
    INSERT INTO n1 VALUES (
        legs,
        jsonb_build_array(jsonb_build_object(
            'node', 'IRSRP', 'kind', 'discharge', 'window_id', w,
            'at', to_char(last_arrival AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'))),
        w, last_arrival);
END $$;
