-- Operators may not move booked quantities by hand (they would break the
-- reservation invariant); they may still edit everything else.
SET ROLE corridor_operator;
DO $$
DECLARE d bigint;
BEGIN
    SELECT id INTO d FROM corridor.departure ORDER BY id LIMIT 1;
    BEGIN
        UPDATE corridor.departure SET booked_teu = booked_teu + 1 WHERE id = d;
        RAISE EXCEPTION 'operator changed departure.booked_teu';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    BEGIN
        UPDATE corridor.port_window SET booked_teu = 1
         WHERE id = (SELECT min(id) FROM corridor.port_window);
        RAISE EXCEPTION 'operator changed port_window.booked_teu';
    EXCEPTION WHEN insufficient_privilege THEN NULL;
    END;
    -- what operators do every day still works
    UPDATE corridor.departure SET capacity_teu = capacity_teu + 10 WHERE id = d;
    UPDATE corridor.departure SET status = 'closed' WHERE id = d;
    IF (SELECT status FROM corridor.departure WHERE id = d) <> 'closed' THEN
        RAISE EXCEPTION 'operator could not close a departure';
    END IF;
END $$;
RESET ROLE;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM corridor.check_invariants()) THEN
        RAISE EXCEPTION 'invariants broken';
    END IF;
END $$;
