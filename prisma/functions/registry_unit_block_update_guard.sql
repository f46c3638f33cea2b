CREATE OR REPLACE FUNCTION registry_unit_block_update_guard()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
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
$function$;
