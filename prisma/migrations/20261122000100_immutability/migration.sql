-- The registry's history is enforced by the database, not only by the application: whatever the
-- client (the application, a script, a console session), PostgreSQL refuses to rewrite a record.
--
--   "LogEntry", "LedgerTransaction": append-only. UPDATE, DELETE and TRUNCATE are refused.
--   "UnitBlock": never deleted or truncated. An UPDATE is accepted only when it closes the block:
--                "closedByTxId" and "closedAt" go from NULL to non-NULL together and every other
--                column keeps its value. A closed block can never change again.
--
-- Corrections are made by appending (a new transaction, new blocks, a new log entry), never by
-- editing. The errors use SQLSTATE P0001 (raise_exception), which Prisma passes through with the
-- message intact. Hand-written: Prisma's schema language cannot express triggers. Written for
-- PostgreSQL 11 and later (and PGlite).

-- Refuses the operation that fired it. The trigger's argument says why, e.g. 'is append-only' gives
-- "LogEntry is append-only: UPDATE refused".
CREATE FUNCTION "registry_refuse_change"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION '% %: % refused', TG_TABLE_NAME, TG_ARGV[0], TG_OP
    USING HINT = 'Records of the registry are never changed or removed; correct them by appending new records.';
END;
$$;

-- Lets a unit block be closed exactly once and refuses every other change to it.
CREATE FUNCTION "registry_unit_block_update_guard"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."closedByTxId" IS NOT NULL OR OLD."closedAt" IS NOT NULL THEN
    RAISE EXCEPTION 'UnitBlock % is closed: UPDATE refused', OLD."id"
      USING HINT = 'A closed unit block never changes; the units now live in the blocks that closed it.';
  END IF;
  IF NEW."closedByTxId" IS NULL OR NEW."closedAt" IS NULL THEN
    RAISE EXCEPTION 'UnitBlock % can only be closed (closedByTxId and closedAt both set): UPDATE refused', OLD."id";
  END IF;
  -- Every column but the two closing ones must stay as it was. (Listed rather than compared as whole
  -- rows: this runs for every block a transfer closes, and a column added later must be added here.)
  IF NEW."id" IS DISTINCT FROM OLD."id" OR NEW."seriesId" IS DISTINCT FROM OLD."seriesId"
     OR NEW."firstSerial" IS DISTINCT FROM OLD."firstSerial" OR NEW."lastSerial" IS DISTINCT FROM OLD."lastSerial"
     OR NEW."accountId" IS DISTINCT FROM OLD."accountId" OR NEW."createdByTxId" IS DISTINCT FROM OLD."createdByTxId"
     OR NEW."createdAt" IS DISTINCT FROM OLD."createdAt" THEN
    RAISE EXCEPTION 'UnitBlock % is immutable except for closing it: UPDATE refused', OLD."id"
      USING HINT = 'Only "closedByTxId" and "closedAt" may be set, once, from NULL.';
  END IF;
  RETURN NEW;
END;
$$;

-- LogEntry
CREATE TRIGGER "LogEntry_append_only"
  BEFORE UPDATE OR DELETE ON "LogEntry"
  FOR EACH ROW EXECUTE FUNCTION "registry_refuse_change"('is append-only');

CREATE TRIGGER "LogEntry_append_only_truncate"
  BEFORE TRUNCATE ON "LogEntry"
  FOR EACH STATEMENT EXECUTE FUNCTION "registry_refuse_change"('is append-only');

-- LedgerTransaction
CREATE TRIGGER "LedgerTransaction_append_only"
  BEFORE UPDATE OR DELETE ON "LedgerTransaction"
  FOR EACH ROW EXECUTE FUNCTION "registry_refuse_change"('is append-only');

CREATE TRIGGER "LedgerTransaction_append_only_truncate"
  BEFORE TRUNCATE ON "LedgerTransaction"
  FOR EACH STATEMENT EXECUTE FUNCTION "registry_refuse_change"('is append-only');

-- UnitBlock
-- The WHEN clause is evaluated without calling the function, so the legitimate update (closing an
-- open block, nothing else) costs next to nothing; anything else reaches the function, which refuses it.
CREATE TRIGGER "UnitBlock_close_only"
  BEFORE UPDATE ON "UnitBlock"
  FOR EACH ROW
  WHEN (OLD."closedByTxId" IS NOT NULL OR OLD."closedAt" IS NOT NULL OR NEW."closedByTxId" IS NULL OR NEW."closedAt" IS NULL
        OR NEW."id" IS DISTINCT FROM OLD."id" OR NEW."seriesId" IS DISTINCT FROM OLD."seriesId"
        OR NEW."firstSerial" IS DISTINCT FROM OLD."firstSerial" OR NEW."lastSerial" IS DISTINCT FROM OLD."lastSerial"
        OR NEW."accountId" IS DISTINCT FROM OLD."accountId" OR NEW."createdByTxId" IS DISTINCT FROM OLD."createdByTxId"
        OR NEW."createdAt" IS DISTINCT FROM OLD."createdAt")
  EXECUTE FUNCTION "registry_unit_block_update_guard"();

CREATE TRIGGER "UnitBlock_no_delete"
  BEFORE DELETE ON "UnitBlock"
  FOR EACH ROW EXECUTE FUNCTION "registry_refuse_change"('is never deleted');

CREATE TRIGGER "UnitBlock_no_truncate"
  BEFORE TRUNCATE ON "UnitBlock"
  FOR EACH STATEMENT EXECUTE FUNCTION "registry_refuse_change"('is never deleted');


-- A block is a non-empty range of positive serials, created open. (A trigger rather than a CHECK
-- constraint: the WebAssembly schema engine cannot diff CHECK constraints when creating migrations.)
CREATE FUNCTION "registry_unit_block_insert_guard"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."firstSerial" < 1 OR NEW."firstSerial" > NEW."lastSerial" THEN
    RAISE EXCEPTION 'UnitBlock [%, %] is not a non-empty range of positive serials: INSERT refused', NEW."firstSerial", NEW."lastSerial";
  END IF;
  IF NEW."closedByTxId" IS NOT NULL OR NEW."closedAt" IS NOT NULL THEN
    RAISE EXCEPTION 'UnitBlock is created open: INSERT refused';
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER "UnitBlock_insert_guard"
  BEFORE INSERT ON "UnitBlock"
  FOR EACH ROW
  WHEN (NEW."firstSerial" < 1 OR NEW."firstSerial" > NEW."lastSerial" OR NEW."closedByTxId" IS NOT NULL OR NEW."closedAt" IS NOT NULL)
  EXECUTE FUNCTION "registry_unit_block_insert_guard"();
