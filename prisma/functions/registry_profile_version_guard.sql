CREATE OR REPLACE FUNCTION registry_profile_version_guard()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  IF OLD."anonymisedAt" IS NOT NULL OR NEW."anonymisedAt" IS NULL OR NEW."data" <> '{}'
     OR NEW."id" IS DISTINCT FROM OLD."id" OR NEW."userId" IS DISTINCT FROM OLD."userId" OR NEW."version" IS DISTINCT FROM OLD."version"
     OR NEW."createdAt" IS DISTINCT FROM OLD."createdAt" OR NEW."requestId" IS DISTINCT FROM OLD."requestId" THEN
    RAISE EXCEPTION 'ProfileVersion % can only be anonymised (data erased, anonymisedAt set), once: UPDATE refused', OLD."id";
  END IF;
  RETURN NEW;
END;
$function$;
