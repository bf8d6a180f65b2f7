-- 003_keys: API keys.  Only a SHA-256 hash and a short prefix are stored;
-- the plaintext `csk_<prefix>_<secret>` is returned once by issue_api_key.

CREATE TABLE corridor.api_key (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    prefix     text NOT NULL UNIQUE CHECK (prefix ~ '^[0-9a-f]{8}$'),
    key_hash   text NOT NULL UNIQUE CHECK (key_hash ~ '^[0-9a-f]{64}$'),
    org_code   text NOT NULL REFERENCES corridor.org (code),
    role       text NOT NULL CHECK (role IN ('forwarder', 'carrier', 'operator')),
    label      text NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    revoked_at timestamptz NULL
);
CREATE INDEX api_key_org_idx ON corridor.api_key (org_code);

-- Any change to keys makes every server reload them (a revoked key stops
-- working within a second).
CREATE FUNCTION corridor.notify_keys_changed() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('corridor_keys', '');
    RETURN NULL;
END $$;
CREATE TRIGGER api_key_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON corridor.api_key
    FOR EACH STATEMENT EXECUTE FUNCTION corridor.notify_keys_changed();

-- Makes a key for org_code with role and returns its plaintext (the only
-- time it is ever visible).  Forwarder orgs get forwarder keys, carrier orgs
-- carrier keys, operator orgs any role.
CREATE FUNCTION corridor.issue_api_key(org_code text, role text, label text)
RETURNS text
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = corridor, public, pg_temp AS $$
DECLARE
    org_kind text;
    key_prefix text;
    key_secret text;
    plaintext text;
BEGIN
    SELECT o.kind INTO org_kind FROM corridor.org o WHERE o.code = issue_api_key.org_code;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'unknown organization "%"', issue_api_key.org_code
            USING ERRCODE = 'foreign_key_violation',
                  HINT = 'See SELECT code, kind FROM corridor.org.';
    END IF;
    IF issue_api_key.role IS NULL OR issue_api_key.role NOT IN ('forwarder', 'carrier', 'operator') THEN
        RAISE EXCEPTION 'invalid role "%"', issue_api_key.role
            USING ERRCODE = 'invalid_parameter_value',
                  HINT = 'The role is forwarder, carrier or operator.';
    END IF;
    IF org_kind <> 'operator' AND org_kind <> issue_api_key.role THEN
        RAISE EXCEPTION 'a % organization cannot have a % key', org_kind, issue_api_key.role
            USING ERRCODE = 'invalid_parameter_value',
                  DETAIL = format('Organization %s is a %s.', issue_api_key.org_code, org_kind),
                  HINT = 'Forwarders get forwarder keys, carriers carrier keys; operators any role.';
    END IF;
    LOOP
        key_prefix := encode(public.gen_random_bytes(4), 'hex');
        key_secret := encode(public.gen_random_bytes(16), 'hex');
        plaintext := 'csk_' || key_prefix || '_' || key_secret;
        BEGIN
            INSERT INTO corridor.api_key (prefix, key_hash, org_code, role, label)
            VALUES (key_prefix, encode(sha256(convert_to(plaintext, 'UTF8')), 'hex'),
                    issue_api_key.org_code, issue_api_key.role, issue_api_key.label);
            RETURN plaintext;
        EXCEPTION WHEN unique_violation THEN
            -- a prefix collision (1 in 4 billion): draw again
        END;
    END LOOP;
END $$;

-- Revokes the key with this prefix.  True when a live key was revoked,
-- false when there is none (unknown or already revoked).
CREATE FUNCTION corridor.revoke_api_key(prefix text) RETURNS boolean
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = corridor, public, pg_temp AS $$
BEGIN
    UPDATE corridor.api_key k SET revoked_at = now()
     WHERE k.prefix = revoke_api_key.prefix AND k.revoked_at IS NULL;
    RETURN FOUND;
END $$;

REVOKE ALL ON FUNCTION corridor.issue_api_key(text, text, text) FROM PUBLIC;
REVOKE ALL ON FUNCTION corridor.revoke_api_key(text) FROM PUBLIC;
