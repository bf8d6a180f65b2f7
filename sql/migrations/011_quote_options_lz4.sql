-- 011_quote_options_lz4: compress corridor.quote.options with lz4 instead
-- of pglz.  Every quote stores its options (~22 KB of JSON, ~25 KB as
-- jsonb), so every quote compressed them for TOAST: pglz_compress was the
-- largest single item in PostgreSQL's CPU profile of POST /v1/quotes
-- (~22 %).  lz4 compresses the same document in half the time and smaller
-- (4.5 KB instead of 5.1 KB), and decompresses it (booking_create, GET
-- /v1/quotes/{id}) twice as fast.  Existing rows keep their pglz data and
-- stay readable; only new values use lz4.  Nothing else changes: the
-- column is still jsonb and reads the same.
--
-- A PostgreSQL built without lz4 refuses the method (feature_not_supported);
-- it then keeps pglz rather than failing the migration.
DO $$
BEGIN
    ALTER TABLE corridor.quote ALTER COLUMN options SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 is not supported by this PostgreSQL; corridor.quote.options stays pglz';
END $$;
