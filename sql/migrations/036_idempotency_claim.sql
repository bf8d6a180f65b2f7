-- 036_idempotency_claim: an Idempotency-Key is claimed inside the booking's
-- own transaction, so that a claim lives exactly as long as the request that
-- made it.
--
-- Before, the claim (a row of corridor.idempotency_key without an answer)
-- was committed on its own, then the booking and its answer committed
-- together.  A server that died in between left a claim that nobody would
-- answer, and the client's retry with the same key was refused with 409
-- idempotency_in_progress until the claim was 60 seconds old.
--
-- Now the claim is the first row the booking's transaction writes.  A
-- duplicate's INSERT waits for that transaction: when it commits, the
-- duplicate reads the stored answer (a replay); when it rolls back -- a
-- refusal that is not stored, an error, or a server whose connection
-- vanished, which PostgreSQL rolls back at once -- the duplicate's own
-- INSERT succeeds and it books.  The two never both book, and a retry after
-- a crash is answered at once.  The wait is bounded by p_wait_ms (then
-- 'in_progress', and the caller answers 409 idempotency_in_progress).
--
-- A claim committed without an answer can still come from a server of the
-- previous version (rolling upgrade): as before, it is in progress until it
-- is 60 seconds old, then taken over.
--
-- Returns one row: state 'new' (claimed by this transaction: book, then
-- store the answer with UPDATE ... SET status_code, response_body), 'taken_over'
-- (the same, after an abandoned claim), 'replay' (status_code and
-- response_body hold the first answer), 'reused' (the key was used with
-- another request) or 'in_progress'.
CREATE FUNCTION corridor.idempotency_claim(p_org text, p_key text, p_hash text, p_wait_ms int)
RETURNS TABLE (state text, status_code int, response_body text)
LANGUAGE plpgsql AS $$
DECLARE
    v_lock_timeout text := current_setting('lock_timeout');
    r record;
BEGIN
    PERFORM set_config('lock_timeout', greatest(p_wait_ms, 1) || 'ms', true);
    FOR attempt IN 1..3 LOOP
        INSERT INTO corridor.idempotency_key (org_code, key, request_hash)
        VALUES (p_org, p_key, p_hash) ON CONFLICT DO NOTHING;
        IF FOUND THEN
            PERFORM set_config('lock_timeout', v_lock_timeout, true);
            RETURN QUERY SELECT 'new'::text, NULL::int, NULL::text;
            RETURN;
        END IF;
        SELECT k.request_hash, k.status_code, k.response_body,
               k.created_at < now() - interval '60 seconds' AS stale
          INTO r
          FROM corridor.idempotency_key k
         WHERE k.org_code = p_org AND k.key = p_key
           FOR UPDATE;
        IF FOUND THEN
            PERFORM set_config('lock_timeout', v_lock_timeout, true);
            IF r.request_hash <> p_hash THEN
                RETURN QUERY SELECT 'reused'::text, NULL::int, NULL::text;
            ELSIF r.status_code IS NOT NULL THEN
                RETURN QUERY SELECT 'replay'::text, r.status_code, r.response_body;
            ELSIF r.stale THEN
                UPDATE corridor.idempotency_key k SET created_at = now()
                 WHERE k.org_code = p_org AND k.key = p_key;
                RETURN QUERY SELECT 'taken_over'::text, NULL::int, NULL::text;
            ELSE
                RETURN QUERY SELECT 'in_progress'::text, NULL::int, NULL::text;
            END IF;
            RETURN;
        END IF;
        -- purged between the two statements: claim it again
    END LOOP;
    RETURN QUERY SELECT 'in_progress'::text, NULL::int, NULL::text;
EXCEPTION WHEN lock_not_available THEN
    -- the first request's transaction is still running after p_wait_ms
    RETURN QUERY SELECT 'in_progress'::text, NULL::int, NULL::text;
END $$;

REVOKE ALL ON FUNCTION corridor.idempotency_claim(text, text, text, int) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION corridor.idempotency_claim(text, text, text, int) TO corridor_app;
