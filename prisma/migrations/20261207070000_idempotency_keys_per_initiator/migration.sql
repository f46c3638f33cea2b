-- Idempotency keys are unique per initiator, not across the registry (issue: a second user who reused
-- the first user's key was refused with the first user's transaction id). The initiator is the user the
-- transaction was proposed for (the one acted for when a registry administrator impersonates), an API
-- client's user, or a job's own user. Rows without an initiator (none are written today) share one key
-- space: NULLS NOT DISTINCT keeps them unique among themselves.
DROP INDEX "LedgerTransaction_idempotencyKey_key";
CREATE UNIQUE INDEX "LedgerTransaction_initiatorId_idempotencyKey_key" ON "LedgerTransaction" ("initiatorId", "idempotencyKey") NULLS NOT DISTINCT;
