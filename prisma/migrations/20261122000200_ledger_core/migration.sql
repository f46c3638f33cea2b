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
-- Explicit ranges and arrivals look up the open block of a series that holds a serial.
CREATE INDEX "UnitBlock_open_by_serial" ON "UnitBlock" ("seriesId", "firstSerial") WHERE "closedByTxId" IS NULL;

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

-- Records one ledger transaction: its row, the configuration and unit changes it decided, and its log
-- entry, as one call whose statements PostgreSQL plans once per connection. `r` is built by the write
-- path (server/ledger/write-path.ts). The number of blocks closed must equal the number the transaction
-- read under its locks; anything else is a broken invariant and aborts everything.
CREATE FUNCTION "registry_record"(r jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  at timestamp(3) := (r->>'createdAt')::timestamp(3);
  tx_id text := r->>'id';
  changed integer;
BEGIN
  IF r->>'status' <> 'REFUSED_DUPLICATE' THEN
    INSERT INTO "LedgerTransaction" (id, "idempotencyKey", kind, status, "initiatorId", "impersonatorId", input, "inputHash", "ruleVersions", refusals, "createdAt")
    VALUES (tx_id, r->>'idempotencyKey', r->>'kind', (r->>'status')::"TransactionStatus", r->>'initiatorId', r->>'impersonatorId', r->>'input', r->>'inputHash', r->>'ruleVersions', r->>'refusals', at);
  END IF;

  IF jsonb_array_length(r->'references') > 0 THEN
    INSERT INTO "Section" (id, name, "createdAt")
      SELECT x.id, x.name, at FROM jsonb_to_recordset(r->'references') AS x(type text, id text, name text) WHERE x.type = 'SECTION';
    INSERT INTO "CooperativeApproach" (id, name, "createdAt")
      SELECT x.id, x.name, at FROM jsonb_to_recordset(r->'references') AS x(type text, id text, name text) WHERE x.type = 'COOPERATIVE_APPROACH';
    INSERT INTO "NomenclatureEntry" (nomenclature, code, label, "createdAt")
      SELECT x.nomenclature, x.id, x.name, at FROM jsonb_to_recordset(r->'references') AS x(type text, nomenclature text, id text, name text) WHERE x.type = 'NOMENCLATURE_ENTRY';
  END IF;

  IF jsonb_array_length(r->'series') > 0 THEN
    INSERT INTO "UnitSeries" (id, "unitType", "cooperativeApproachId", "originatingRegistry", "hostParty", "firstTransferringParty", "activityId", vintage, sectors, "activityTypes", metric, pre2021, extra, "createdAt")
      SELECT s.id, s."unitType", s."cooperativeApproachId", s."originatingRegistry", s."hostParty", s."firstTransferringParty", s."activityId", s.vintage,
             ARRAY(SELECT jsonb_array_elements_text(s.sectors)), ARRAY(SELECT jsonb_array_elements_text(s."activityTypes")), s.metric, s.pre2021, COALESCE(s.extra, '{}'), at
      FROM jsonb_to_recordset(r->'series') AS s(id text, "unitType" text, "cooperativeApproachId" text, "originatingRegistry" text, "hostParty" text, "firstTransferringParty" text, "activityId" text, vintage int, sectors jsonb, "activityTypes" jsonb, metric text, pre2021 boolean, extra text)
    ON CONFLICT (id) DO NOTHING;
  END IF;

  IF jsonb_array_length(r->'openAccounts') > 0 THEN
    INSERT INTO "Account" (id, registry, name, type, status, "holderName", "sectionId", "cooperativeApproachId", "createdAt")
      SELECT a.id, a.registry::"Registry", a.name, a.type::"AccountType", a.status::"AccountStatus", a."holderName", a."sectionId", a."cooperativeApproachId", at
      FROM jsonb_to_recordset(r->'openAccounts') AS a(id text, registry text, name text, type text, status text, "holderName" text, "sectionId" text, "cooperativeApproachId" text);
    INSERT INTO "AccountEvent" ("accountId", status, "transactionId", "createdAt")
      SELECT a.id, a.status::"AccountStatus", tx_id, at FROM jsonb_to_recordset(r->'openAccounts') AS a(id text, status text);
  END IF;

  IF jsonb_array_length(r->'statusChanges') > 0 THEN
    UPDATE "Account" acc SET status = s."to"::"AccountStatus"
      FROM jsonb_to_recordset(r->'statusChanges') AS s("accountId" text, "from" text, "to" text)
      WHERE acc.id = s."accountId" AND acc.status = s."from"::"AccountStatus";
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed <> jsonb_array_length(r->'statusChanges') THEN
      RAISE EXCEPTION 'registry_record: % of % account statuses changed; an account changed under its lock', changed, jsonb_array_length(r->'statusChanges');
    END IF;
    INSERT INTO "AccountEvent" ("accountId", status, "transactionId", "createdAt")
      SELECT s."accountId", s."to"::"AccountStatus", tx_id, at FROM jsonb_to_recordset(r->'statusChanges') AS s("accountId" text, "to" text);
  END IF;

  IF jsonb_array_length(r->'close') > 0 THEN
    -- Joined with the list of ids, so that the cached generic plan probes the primary key for each
    -- instead of scanning the open blocks (which grows with the registry).
    UPDATE "UnitBlock" b SET "closedByTxId" = tx_id, "closedAt" = at
      FROM unnest(ARRAY(SELECT (jsonb_array_elements_text(r->'close'))::bigint)) AS c(id)
      WHERE b.id = c.id AND b."closedByTxId" IS NULL;
    GET DIAGNOSTICS changed = ROW_COUNT;
    IF changed <> jsonb_array_length(r->'close') THEN
      RAISE EXCEPTION 'registry_record: closed % of % blocks; a block changed under its account''s lock', changed, jsonb_array_length(r->'close');
    END IF;
  END IF;

  IF jsonb_array_length(r->'create') > 0 THEN
    INSERT INTO "UnitBlock" ("seriesId", "firstSerial", "lastSerial", "accountId", "createdByTxId", "createdAt")
      SELECT b."seriesId", b."firstSerial"::bigint, b."lastSerial"::bigint, b."accountId", tx_id, at
      FROM jsonb_to_recordset(r->'create') AS b("seriesId" text, "firstSerial" text, "lastSerial" text, "accountId" text);
  END IF;

  INSERT INTO "LogEntry" (chain, "createdAt", kind, "transactionId", payload, "prevHash", hash, signature)
  VALUES ((r->'log'->>'chain')::integer, at, r->>'kind', CASE WHEN r->>'status' = 'REFUSED_DUPLICATE' THEN NULL ELSE tx_id END,
          r->'log'->>'payload', r->'log'->>'prevHash', r->'log'->>'hash', r->'log'->>'signature');
END;
$$;
