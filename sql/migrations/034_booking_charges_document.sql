-- 034_booking_charges_document: a booking's charge lines are one JSON
-- document in its row instead of one row each in corridor.booking_charge.
--
-- Why.  A booking of the 12-leg Almaty -> Bandar Abbas itinerary has ~26
-- charge lines.  Writing them as rows was the dearest part of booking_create
-- (pg_stat_statements, track = all, pgbench at one client): the insert 0.36
-- ms (26 heap tuples and index entries, 52 foreign-key checks, 26 look-ups
-- of the tariff's minimum) and rendering them back into the answer 0.14 ms,
-- of ~1.8 ms per booking.  Nothing reads one charge line alone: the answer
-- shows them all, an amendment recomputes them all, check_invariants sums
-- them.
--
-- What.
-- * corridor.booking.charges (jsonb, lz4): the lines as the API shows them,
--   [{"line": 1, "code": ..., "amount": {...}, ...}, ...].  A new booking
--   copies its option's lines from the quote as they are (quotes number
--   their lines since this change; an older quote's get "line" added here).
-- * corridor.booking.charge_minimums (jsonb): {"<tariff_id>": min_charge}
--   for the tariff rows of the lines that have a minimum charge (020's
--   min_charge, which amendments apply again), read from the tariff in one
--   statement when the booking is made.
-- * corridor.booking_charge is now a view over the two with the table's
--   columns (operators' queries, check_invariants and booking_amend read it
--   as before).  booking_amend (021) updates it: an INSTEAD OF UPDATE
--   trigger writes the changed line into the document.  Nothing inserts
--   into or deletes from it any more.
-- Existing bookings are converted with the rendering their answers used, so
-- their answers keep their content.

ALTER TABLE corridor.booking ADD COLUMN charges jsonb, ADD COLUMN charge_minimums jsonb;
DO $$
BEGIN
    ALTER TABLE corridor.booking ALTER COLUMN charges SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 is not supported by this PostgreSQL; booking charges stay pglz';
END $$;
-- 26 lines are ~6.5 KB, ~2.1 KB compressed: with the default target (2 KB)
-- they would go to the TOAST table (two more tuples and an index entry per
-- booking, and a look-up to read them); under 4 KB the row keeps them.
ALTER TABLE corridor.booking SET (toast_tuple_target = 4096);

UPDATE corridor.booking b
   SET charges = corridor.booking_json_charges(b.id, b.currency,
                     coalesce((SELECT cu.minor_units FROM corridor.currency cu
                                WHERE cu.code = b.currency), 2))::jsonb,
       charge_minimums = (SELECT jsonb_object_agg(c.tariff_id::text, c.min_charge)
                            FROM corridor.booking_charge c
                           WHERE c.booking_id = b.id AND c.tariff_id IS NOT NULL
                             AND c.min_charge IS NOT NULL);
ALTER TABLE corridor.booking ALTER COLUMN charges SET DEFAULT '[]',
    ALTER COLUMN charges SET NOT NULL,
    ADD CONSTRAINT booking_charges_array CHECK (jsonb_typeof(charges) = 'array');

DROP TABLE corridor.booking_charge;

-- The charge lines as rows, for psql and the functions that compute with
-- them: one row per line, the columns of 004's table.
CREATE VIEW corridor.booking_charge AS
SELECT b.id AS booking_id,
       (x->>'line')::int AS line_no,
       x->>'code' AS code,
       (x->>'leg')::int AS leg,
       x->>'description' AS description,
       x->>'basis' AS basis,
       (x->>'quantity')::numeric AS quantity,
       (x->'unit_price'->>'amount')::numeric AS unit_price,
       (x->'unit_price'->>'currency')::char(3) AS unit_currency,
       (x->'amount'->>'amount')::numeric AS amount,
       (x->>'fx_rate')::numeric AS fx_rate,
       (x->>'tariff_id')::bigint AS tariff_id,
       CASE WHEN x->>'basis' IS DISTINCT FROM 'percent'
            THEN (b.charge_minimums->>(x->>'tariff_id'))::numeric END AS min_charge
  FROM corridor.booking b
 CROSS JOIN LATERAL jsonb_array_elements(b.charges) AS t(x);
GRANT SELECT, UPDATE ON corridor.booking_charge TO corridor_app;
GRANT SELECT ON corridor.booking_charge TO corridor_operator;

-- One charge line rendered as the API shows it (023's booking_json_charges).
CREATE FUNCTION corridor.booking_charge_line(c corridor.booking_charge, p_currency text, p_mu int)
RETURNS jsonb
LANGUAGE sql STABLE AS $$
SELECT jsonb_build_object(
    'line', c.line_no, 'code', c.code, 'leg', c.leg,
    'description', c.description, 'basis', c.basis,
    'quantity', trim_scale(c.quantity)::text,
    'unit_price', CASE WHEN c.unit_price IS NULL THEN NULL ELSE
        jsonb_build_object('amount', trim_scale(c.unit_price)::text,
                           'currency', c.unit_currency) END,
    'amount', jsonb_build_object('amount', round(c.amount, p_mu)::text,
                                 'currency', p_currency),
    'fx_rate', trim_scale(c.fx_rate)::text,
    'tariff_id', c.tariff_id)
$$;

-- UPDATE of corridor.booking_charge (booking_amend): the line is rendered
-- again from the new values and replaces its old text in the document.  The
-- booking row is updated once per line (amendments are rare).  A line keeps
-- its booking, number and minimum charge (the tariff's when booked).
CREATE FUNCTION corridor.booking_charge_update() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.booking_id IS DISTINCT FROM OLD.booking_id OR NEW.line_no IS DISTINCT FROM OLD.line_no
       OR NEW.min_charge IS DISTINCT FROM OLD.min_charge THEN
        RAISE EXCEPTION 'a charge line keeps its booking, line number and minimum charge'
            USING ERRCODE = 'check_violation';
    END IF;
    UPDATE corridor.booking b
       SET charges = (SELECT jsonb_agg(CASE WHEN (x->>'line')::int = OLD.line_no
                                           THEN corridor.booking_charge_line(
                                                    NEW, b.currency,
                                                    coalesce((SELECT cu.minor_units
                                                                FROM corridor.currency cu
                                                               WHERE cu.code = b.currency), 2))
                                           ELSE x END ORDER BY i)
                        FROM jsonb_array_elements(b.charges) WITH ORDINALITY AS t(x, i))
     WHERE b.id = OLD.booking_id;
    RETURN NEW;
END $$;
CREATE TRIGGER booking_charge_update INSTEAD OF UPDATE ON corridor.booking_charge
    FOR EACH ROW EXECUTE FUNCTION corridor.booking_charge_update();

-- The booking's charge lines as the API shows them: the document.
CREATE OR REPLACE FUNCTION corridor.booking_json_charges(p_id bigint, p_currency text, p_mu int)
RETURNS json
LANGUAGE plpgsql STABLE AS $$
BEGIN
    RETURN coalesce((SELECT b.charges::json FROM corridor.booking b WHERE b.id = p_id), '[]');
END $$;

-- Writes the booking row (under a new reference) with its charge lines, the
-- option's price lock, for booking_create (023's, with the document).
CREATE OR REPLACE FUNCTION corridor.booking_write_head(p_org text, p_quote_id uuid, p_currency text,
                                            p_option int, p_customer_reference text,
                                            p_opt jsonb, p_status text, p_hold timestamptz)
RETURNS corridor.booking
LANGUAGE plpgsql AS $$
#variable_conflict use_column
DECLARE
    b       corridor.booking;
    v_lines jsonb := coalesce(p_opt->'charges', '[]');
    v_min   jsonb;
BEGIN
    IF jsonb_array_length(v_lines) > 0 AND NOT (v_lines->0 ? 'line') THEN
        -- a quote made before its lines were numbered
        SELECT jsonb_agg(jsonb_build_object('line', t.i) || t.x ORDER BY t.i) INTO v_lines
          FROM jsonb_array_elements(v_lines) WITH ORDINALITY AS t(x, i);
    END IF;
    SELECT jsonb_object_agg(tr.id::text, tr.min_charge) INTO v_min
      FROM corridor.tariff tr
     WHERE tr.id = ANY (ARRAY(SELECT (x->>'tariff_id')::bigint
                                FROM jsonb_array_elements(v_lines) x
                               WHERE x->>'basis' IS DISTINCT FROM 'percent'))
       AND tr.min_charge IS NOT NULL;
    LOOP
        INSERT INTO corridor.booking (reference, org_code, status, quote_id, option,
                                      customer_reference, containers, total_amount, currency,
                                      hold_expires_at, charges, charge_minimums)
        VALUES (corridor.booking_new_reference(), p_org, p_status, p_quote_id, p_option,
                p_customer_reference, coalesce(p_opt->'containers', '[]'),
                (p_opt->'total'->>'amount')::numeric, p_currency, p_hold, v_lines, v_min)
        ON CONFLICT (reference) DO NOTHING
        RETURNING * INTO b;
        EXIT WHEN b.id IS NOT NULL;
    END LOOP;
    RETURN b;
END $$;

-- Deletes booking p_id with its legs and port calls if this very transaction
-- wrote them (025's; the charge lines go with the row).
CREATE OR REPLACE FUNCTION corridor.booking_unwrite(p_id bigint) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    me xid := pg_current_xact_id()::xid;
BEGIN
    DELETE FROM corridor.booking_port_call c WHERE c.booking_id = p_id AND c.xmin = me;
    DELETE FROM corridor.booking_leg c WHERE c.booking_id = p_id AND c.xmin = me;
    DELETE FROM corridor.booking b WHERE b.id = p_id AND b.xmin = me;
END $$;
