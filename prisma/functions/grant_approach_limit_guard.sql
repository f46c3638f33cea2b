CREATE OR REPLACE FUNCTION grant_approach_limit_guard()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  IF cardinality(NEW."cooperativeApproachIds") > 0 AND NEW."role" IN ('SYSTEM_ADMIN', 'REGISTRY_ADMIN') THEN
    RAISE EXCEPTION 'A registry-wide role is not limited to cooperative approaches (grant %)', NEW."id" USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$function$;
