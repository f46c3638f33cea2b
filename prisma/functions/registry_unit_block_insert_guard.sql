CREATE OR REPLACE FUNCTION registry_unit_block_insert_guard()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  IF NEW."firstSerial" < 1 OR NEW."firstSerial" > NEW."lastSerial" THEN
    RAISE EXCEPTION 'UnitBlock [%, %] is not a non-empty range of positive serials: INSERT refused', NEW."firstSerial", NEW."lastSerial";
  END IF;
  IF NEW."closedByTxId" IS NOT NULL OR NEW."closedAt" IS NOT NULL THEN
    RAISE EXCEPTION 'UnitBlock is created open: INSERT refused';
  END IF;
  RETURN NEW;
END;
$function$;
