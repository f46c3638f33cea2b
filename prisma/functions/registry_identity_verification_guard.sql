CREATE OR REPLACE FUNCTION registry_identity_verification_guard()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  IF NEW."note" <> '' OR NEW."id" IS DISTINCT FROM OLD."id" OR NEW."userId" IS DISTINCT FROM OLD."userId"
     OR NEW."method" IS DISTINCT FROM OLD."method" OR NEW."outcome" IS DISTINCT FROM OLD."outcome"
     OR NEW."verifiedById" IS DISTINCT FROM OLD."verifiedById" OR NEW."checkedAt" IS DISTINCT FROM OLD."checkedAt"
     OR NEW."createdAt" IS DISTINCT FROM OLD."createdAt" THEN
    RAISE EXCEPTION 'IdentityVerification % is append-only; only its note can be erased: UPDATE refused', OLD."id";
  END IF;
  RETURN NEW;
END;
$function$;
