-- 037_amended_charge_descriptions: an amendment of container counts also
-- rewrites the counts in the charge lines' descriptions.
--
-- A charge line's description names the container lines it prices, as the
-- quote wrote them (server/tariff.c): "Rail freight Aktau ... → Uzen ...,
-- 2 × 40HC" or "..., 2 × 40HC, 1 × 20DV".  booking_amend (021) recomputes
-- quantities and amounts when the counts change but kept the text, so a
-- booking amended to one container still said "2 × 40HC".
--
-- When a booking's containers change (only their counts can: 021 refuses
-- other types or weights), each "<count> × <type>" of a description is
-- matched, in order, to the next container line of that type and former
-- count, and takes its new count.  Lines without counts (surcharges,
-- discounts, per-shipment fees) and anything that does not match stay as
-- they are.  Bookings amended before this migration keep their texts.
CREATE FUNCTION corridor.booking_charge_descriptions() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    v_lines  jsonb := '[]';
    v_line   jsonb;
    v_m      text[];
    v_group  text;
    v_parts  text[];
    v_out    text[];
    v_k      int; -- the next container line a group may be
    v_j      int;
    v_n      int := jsonb_array_length(OLD.containers);
BEGIN
    IF jsonb_typeof(NEW.charges) IS DISTINCT FROM 'array'
       OR jsonb_typeof(OLD.containers) IS DISTINCT FROM 'array'
       OR jsonb_typeof(NEW.containers) IS DISTINCT FROM 'array'
       OR jsonb_array_length(NEW.containers) <> v_n THEN
        RETURN NEW;
    END IF;
    FOR v_line IN SELECT x FROM jsonb_array_elements(NEW.charges) WITH ORDINALITY AS t(x, i)
                  ORDER BY t.i LOOP
        v_m := regexp_match(v_line->>'description',
                            '^(.*?), ([0-9]+ × [^,]+(?:, [0-9]+ × [^,]+)*)$');
        IF v_m IS NOT NULL THEN
            v_out := '{}';
            v_k := 0;
            FOREACH v_group IN ARRAY string_to_array(v_m[2], ', ') LOOP
                v_parts := regexp_match(v_group, '^([0-9]+) × (.+)$');
                v_j := v_k;
                WHILE v_j < v_n
                      AND NOT (OLD.containers->v_j->>'type' = v_parts[2]
                               AND OLD.containers->v_j->>'count' = v_parts[1]) LOOP
                    v_j := v_j + 1;
                END LOOP;
                IF v_j < v_n THEN
                    v_out := v_out || ((NEW.containers->v_j->>'count') || ' × ' || v_parts[2]);
                    v_k := v_j + 1;
                ELSE
                    v_out := v_out || v_group; -- no such container line: as it was
                END IF;
            END LOOP;
            v_line := jsonb_set(v_line, '{description}',
                                to_jsonb(v_m[1] || ', ' || array_to_string(v_out, ', ')));
        END IF;
        v_lines := v_lines || jsonb_build_array(v_line);
    END LOOP;
    NEW.charges := v_lines;
    RETURN NEW;
END $$;

CREATE TRIGGER booking_charge_descriptions
    BEFORE UPDATE OF containers ON corridor.booking
    FOR EACH ROW WHEN (OLD.containers IS DISTINCT FROM NEW.containers)
    EXECUTE FUNCTION corridor.booking_charge_descriptions();
