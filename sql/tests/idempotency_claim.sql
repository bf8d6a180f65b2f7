-- corridor.idempotency_claim (036): a claim lives in the claiming
-- transaction; answered keys replay, keys of another request are reused,
-- and claims committed without an answer (servers before 036) are in
-- progress until 60 seconds old, then taken over.  As corridor_app, which
-- calls it.  (The waits between two sessions are tested through the server:
-- tests/integration/check_booking_storm.c.)

SET ROLE corridor_app;

-- a new key is claimed by this transaction, and gone when it rolls back
BEGIN;
DO $$
DECLARE r record;
BEGIN
    SELECT * INTO r FROM corridor.idempotency_claim('DEMOFWD', 'k-new', 'h1', 3000);
    IF r.state <> 'new' OR r.status_code IS NOT NULL OR r.response_body IS NOT NULL THEN
        RAISE EXCEPTION 'a new key: %', r;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM corridor.idempotency_key
                    WHERE org_code = 'DEMOFWD' AND key = 'k-new' AND request_hash = 'h1'
                      AND status_code IS NULL) THEN
        RAISE EXCEPTION 'the claim row is not there';
    END IF;
    IF current_setting('lock_timeout') <> '0' THEN
        RAISE EXCEPTION 'lock_timeout left at % after the claim', current_setting('lock_timeout');
    END IF;
END $$;
ROLLBACK;
DO $$
BEGIN
    IF EXISTS (SELECT 1 FROM corridor.idempotency_key WHERE key = 'k-new') THEN
        RAISE EXCEPTION 'a rolled-back claim stayed';
    END IF;
END $$;

-- claimed and answered in one transaction: later the answer replays, another
-- request with the key is refused, another organization's key is its own
BEGIN;
SELECT state FROM corridor.idempotency_claim('DEMOFWD', 'k-done', 'h1', 3000);
UPDATE corridor.idempotency_key SET status_code = 201, response_body = '{"reference":"NSC-TEST0001"}'
 WHERE org_code = 'DEMOFWD' AND key = 'k-done';
COMMIT;
DO $$
DECLARE r record;
BEGIN
    SELECT * INTO r FROM corridor.idempotency_claim('DEMOFWD', 'k-done', 'h1', 3000);
    IF r.state <> 'replay' OR r.status_code <> 201
       OR r.response_body <> '{"reference":"NSC-TEST0001"}' THEN
        RAISE EXCEPTION 'an answered key: %', r;
    END IF;
    SELECT * INTO r FROM corridor.idempotency_claim('DEMOFWD', 'k-done', 'h2', 3000);
    IF r.state <> 'reused' OR r.status_code IS NOT NULL THEN
        RAISE EXCEPTION 'the key with another request: %', r;
    END IF;
    SELECT * INTO r FROM corridor.idempotency_claim('CASPFWD', 'k-done', 'h2', 3000);
    IF r.state <> 'new' THEN
        RAISE EXCEPTION 'another organization''s key: %', r;
    END IF;
END $$;

-- committed claims without an answer, as servers before 036 left them
RESET ROLE;
INSERT INTO corridor.idempotency_key (org_code, key, request_hash, created_at)
VALUES ('DEMOFWD', 'k-young', 'h1', now() - interval '5 seconds'),
       ('DEMOFWD', 'k-old', 'h1', now() - interval '61 seconds');
SET ROLE corridor_app;
DO $$
DECLARE r record;
BEGIN
    SELECT * INTO r FROM corridor.idempotency_claim('DEMOFWD', 'k-young', 'h1', 3000);
    IF r.state <> 'in_progress' THEN
        RAISE EXCEPTION 'a claim of 5 s without an answer: %', r;
    END IF;
    SELECT * INTO r FROM corridor.idempotency_claim('DEMOFWD', 'k-young', 'h2', 3000);
    IF r.state <> 'reused' THEN
        RAISE EXCEPTION 'a claim of 5 s with another request: %', r;
    END IF;
    SELECT * INTO r FROM corridor.idempotency_claim('DEMOFWD', 'k-old', 'h1', 3000);
    IF r.state <> 'taken_over' THEN
        RAISE EXCEPTION 'a claim of 61 s without an answer: %', r;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM corridor.idempotency_key
                    WHERE key = 'k-old' AND created_at > now() - interval '1 second') THEN
        RAISE EXCEPTION 'a claim taken over keeps its old time';
    END IF;
END $$;

-- only the server's role may claim
RESET ROLE;
SET ROLE corridor_operator;
DO $$
BEGIN
    PERFORM corridor.idempotency_claim('DEMOFWD', 'k-op', 'h1', 3000);
    RAISE EXCEPTION 'corridor_operator could claim a key';
EXCEPTION WHEN insufficient_privilege THEN
    NULL;
END $$;
