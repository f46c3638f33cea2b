-- Grants limited to cooperative approaches (A6R-12, A6R-46): an empty list is the whole scope of the
-- grant's section or account, as before; a non-empty one limits the grant to the accounts and units
-- of those approaches. Registry-wide roles are never limited.
ALTER TABLE "Grant" ADD COLUMN "cooperativeApproachIds" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];

-- The database refuses a limit on a registry-wide role as well (a trigger rather than a CHECK
-- constraint, which the WebAssembly schema engine cannot introspect when it creates migrations).
CREATE FUNCTION grant_approach_limit_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF cardinality(NEW."cooperativeApproachIds") > 0 AND NEW."role" IN ('SYSTEM_ADMIN', 'REGISTRY_ADMIN') THEN
    RAISE EXCEPTION 'A registry-wide role is not limited to cooperative approaches (grant %)', NEW."id" USING ERRCODE = 'check_violation';
  END IF;
  RETURN NEW;
END
$$;

CREATE TRIGGER "Grant_approach_limit_guard" BEFORE INSERT OR UPDATE ON "Grant"
  FOR EACH ROW EXECUTE FUNCTION grant_approach_limit_guard();
