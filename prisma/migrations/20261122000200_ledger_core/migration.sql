/*
  Warnings:

  - Added the required column `chain` to the `LogEntry` table without a default value. This is not possible if the table is not empty.

*/
-- AlterTable
ALTER TABLE "LogEntry" ADD COLUMN     "chain" INTEGER NOT NULL;

-- CreateTable
CREATE TABLE "AccountEvent" (
    "id" BIGSERIAL NOT NULL,
    "accountId" TEXT NOT NULL,
    "status" "AccountStatus" NOT NULL,
    "transactionId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AccountEvent_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "NomenclatureEntry" (
    "nomenclature" TEXT NOT NULL,
    "code" TEXT NOT NULL,
    "label" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "NomenclatureEntry_pkey" PRIMARY KEY ("nomenclature","code")
);

-- CreateIndex
CREATE INDEX "AccountEvent_accountId_createdAt_idx" ON "AccountEvent"("accountId", "createdAt");

-- CreateIndex
CREATE INDEX "LogEntry_chain_seq_idx" ON "LogEntry"("chain", "seq");

-- CreateIndex
CREATE INDEX "LogEntry_createdAt_idx" ON "LogEntry"("createdAt");

-- AddForeignKey
ALTER TABLE "AccountEvent" ADD CONSTRAINT "AccountEvent_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written from here on.

-- Account history is append-only, like the log.
CREATE TRIGGER "AccountEvent_append_only"
  BEFORE UPDATE OR DELETE ON "AccountEvent"
  FOR EACH ROW EXECUTE FUNCTION "registry_refuse_change"('is append-only');
CREATE TRIGGER "AccountEvent_append_only_truncate"
  BEFORE TRUNCATE ON "AccountEvent"
  FOR EACH STATEMENT EXECUTE FUNCTION "registry_refuse_change"('is append-only');

-- Implicit splitting reads an account's open blocks smallest first (A6R-52); this index serves that
-- order directly, so a fragmented account is read only as far as the quantity needs.
CREATE INDEX "UnitBlock_open_by_size" ON "UnitBlock" ("accountId", ("lastSerial" - "firstSerial" + 1), "seriesId", "firstSerial")
  WHERE "closedByTxId" IS NULL;

-- Claims one of `chains` log chains for the calling transaction and returns its head. Each chain is
-- guarded by a transaction-scoped advisory lock, tried from a random start so that concurrent writers
-- spread over the chains and none waits while another chain is free; only when all are busy does it
-- wait, on one of them. The lock is held until commit, keeping each chain's order equal to its
-- sequence order.
CREATE FUNCTION "registry_claim_chain"(chains integer, OUT chain integer, OUT head text)
LANGUAGE plpgsql AS $$
DECLARE
  start integer := floor(random() * chains)::integer;
  i integer;
BEGIN
  FOR i IN 0 .. chains - 1 LOOP
    chain := (start + i) % chains;
    IF pg_try_advisory_xact_lock(6274000, chain) THEN
      SELECT e."hash" INTO head FROM "LogEntry" e WHERE e."chain" = registry_claim_chain.chain ORDER BY e."seq" DESC LIMIT 1;
      RETURN;
    END IF;
  END LOOP;
  chain := start;
  PERFORM pg_advisory_xact_lock(6274000, chain);
  SELECT e."hash" INTO head FROM "LogEntry" e WHERE e."chain" = registry_claim_chain.chain ORDER BY e."seq" DESC LIMIT 1;
END;
$$;

-- Opens a ledger transaction's critical section in one round trip: locks the accounts it touches in id
-- order (FOR NO KEY UPDATE where units leave or the account changes, FOR SHARE where units only
-- arrive), then claims a log chain (see registry_claim_chain). Returns the accounts found and the chain.
CREATE FUNCTION "registry_lock"(exclusive text[], shared text[], chains integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  account_id text;
  found jsonb := '[]'::jsonb;
  row jsonb;
  claimed record;
BEGIN
  FOR account_id IN SELECT DISTINCT x FROM unnest(exclusive || shared) AS x ORDER BY x LOOP
    IF account_id = ANY(exclusive) THEN
      SELECT jsonb_build_object('id', a.id, 'type', a.type, 'status', a.status, 'sectionId', a."sectionId") INTO row
        FROM "Account" a WHERE a.id = account_id FOR NO KEY UPDATE;
    ELSE
      SELECT jsonb_build_object('id', a.id, 'type', a.type, 'status', a.status, 'sectionId', a."sectionId") INTO row
        FROM "Account" a WHERE a.id = account_id FOR SHARE;
    END IF;
    IF row IS NOT NULL THEN found := found || jsonb_build_array(row); END IF;
    row := NULL;
  END LOOP;
  SELECT * INTO claimed FROM "registry_claim_chain"(chains);
  RETURN jsonb_build_object('accounts', found, 'chain', claimed.chain, 'head', claimed.head);
END;
$$;
