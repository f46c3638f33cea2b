-- Grants limited to cooperative approaches (A6R-12, A6R-46): an empty list is the whole scope of the
-- grant's section or account, as before; a non-empty one limits the grant to the accounts and units
-- of those approaches. Registry-wide roles are never limited.
ALTER TABLE "Grant" ADD COLUMN "cooperativeApproachIds" TEXT[] NOT NULL DEFAULT ARRAY[]::TEXT[];
ALTER TABLE "Grant" ADD CONSTRAINT "Grant_registry_roles_unlimited"
  CHECK (cardinality("cooperativeApproachIds") = 0 OR "role" NOT IN ('SYSTEM_ADMIN', 'REGISTRY_ADMIN'));
