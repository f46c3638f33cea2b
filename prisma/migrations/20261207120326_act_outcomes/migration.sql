-- The first answer to each privileged act asked for with an idempotency key (server/access/acts.ts),
-- so that a retried request answers the same and changes nothing. Keys are unique per initiator, as
-- the ledger's are; the act's LedgerTransaction row carries the same key. Append-only, like the log:
-- an answer once given is never changed (the trigger function is from 20261122000100_immutability).

-- CreateTable
CREATE TABLE "ActOutcome" (
    "transactionId" TEXT NOT NULL,
    "initiatorId" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "fingerprint" TEXT NOT NULL,
    "result" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ActOutcome_pkey" PRIMARY KEY ("transactionId")
);

-- CreateIndex
CREATE UNIQUE INDEX "ActOutcome_initiatorId_idempotencyKey_key" ON "ActOutcome"("initiatorId", "idempotencyKey");

-- Append-only (hand-written: Prisma's schema language cannot express triggers).
CREATE TRIGGER "ActOutcome_append_only"
  BEFORE UPDATE OR DELETE ON "ActOutcome"
  FOR EACH ROW EXECUTE FUNCTION "registry_refuse_change"('is append-only');

CREATE TRIGGER "ActOutcome_append_only_truncate"
  BEFORE TRUNCATE ON "ActOutcome"
  FOR EACH STATEMENT EXECUTE FUNCTION "registry_refuse_change"('is append-only');
