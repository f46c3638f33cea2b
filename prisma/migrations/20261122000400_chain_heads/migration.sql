-- CreateTable
CREATE TABLE "LogChainHead" (
    "chain" INTEGER NOT NULL,
    "seq" BIGINT NOT NULL,
    "hash" TEXT NOT NULL,

    CONSTRAINT "LogChainHead_pkey" PRIMARY KEY ("chain")
);

-- Hand-written from here on.

-- A chain's last entry was looked up through this index; its head row names it now.
DROP INDEX "LogEntry_chain_seq_idx";

-- Every transaction updates one of these 16 rows. Each row gets most of a page to itself, so that its
-- updates stay on that page (HOT) and are pruned as they go, and autovacuum visits the table often.
ALTER TABLE "LogChainHead" SET (fillfactor = 10, autovacuum_vacuum_threshold = 1000, autovacuum_vacuum_scale_factor = 0);
-- Every transfer closes (updates) blocks and creates new ones: keep the table's statistics and its
-- free space current long before the default 20 % of a large table has changed.
ALTER TABLE "UnitBlock" SET (autovacuum_vacuum_scale_factor = 0.02, autovacuum_analyze_scale_factor = 0.02);

-- One row per chain (server/ledger/log.ts LOG_CHAINS = 16), from the log as it stands: its last entry,
-- or the genesis hash at seq 0 for a chain without entries. More chains need a migration adding rows.
INSERT INTO "LogChainHead" (chain, seq, hash)
  SELECT DISTINCT ON (chain) chain, seq, hash FROM "LogEntry" ORDER BY chain, seq DESC;
INSERT INTO "LogChainHead" (chain, seq, hash)
  SELECT c, 0, repeat('0', 64) FROM generate_series(0, 15) AS c
  ON CONFLICT (chain) DO NOTHING;

-- A head only moves forward, to a later entry; it is never added, removed or emptied outside a migration.
CREATE FUNCTION "registry_chain_head_guard"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'LogChainHead %: a chain head only moves forward (from seq % to % refused)', OLD.chain, OLD.seq, NEW.seq
    USING HINT = 'Heads move with the entries appended to their chain, by registry_record.';
END;
$$;
CREATE TRIGGER "LogChainHead_forward_only"
  BEFORE UPDATE ON "LogChainHead"
  FOR EACH ROW WHEN (NEW.chain <> OLD.chain OR NEW.seq <= OLD.seq)
  EXECUTE FUNCTION "registry_chain_head_guard"();
CREATE TRIGGER "LogChainHead_no_insert_delete"
  BEFORE INSERT OR DELETE ON "LogChainHead"
  FOR EACH ROW EXECUTE FUNCTION "registry_refuse_change"('rows belong to the migrations');
CREATE TRIGGER "LogChainHead_no_truncate"
  BEFORE TRUNCATE ON "LogChainHead"
  FOR EACH STATEMENT EXECUTE FUNCTION "registry_refuse_change"('rows belong to the migrations');

-- Claims one of `chains` log chains for the calling transaction and returns its head: the first head
-- row, from a random start, that no other transaction holds (FOR UPDATE SKIP LOCKED), so concurrent
-- writers spread over the chains and none waits while another chain is free; only when all are busy
-- does it wait, for one of them. The row lock is held until commit, keeping each chain's order equal
-- to its sequence order; registry_record moves the head in the same transaction. (This replaces the
-- advisory locks and the lookup of each chain's last entry.)
CREATE OR REPLACE FUNCTION "registry_claim_chain"(chains integer, OUT chain integer, OUT head text)
LANGUAGE plpgsql AS $$
DECLARE
  start integer := floor(random() * chains)::integer;
BEGIN
  SELECT h.chain, h.hash INTO chain, head FROM "LogChainHead" h
    WHERE h.chain < chains ORDER BY (h.chain - start + chains) % chains LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF FOUND THEN RETURN; END IF;
  SELECT h.chain, h.hash INTO chain, head FROM "LogChainHead" h WHERE h.chain = start FOR UPDATE;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'registry_claim_chain: no head row for chain %', start;
  END IF;
END;
$$;

-- Records one ledger transaction (first defined in 20261122000200_ledger_core), now closing blocks by
-- primary key and moving its chain's head.
CREATE OR REPLACE FUNCTION "registry_record"(r jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  at timestamp(3) := (r->>'createdAt')::timestamp(3);
  tx_id text := r->>'id';
  changed integer;
  block_id bigint;
  entry_seq bigint;
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

  -- One primary-key update per block. (A join with the list of ids let PL/pgSQL's cached generic
  -- plan, made while the table was small, scan every open block of the registry instead: a transfer
  -- then cost time in proportion to the registry's size.)
  changed := 0;
  FOR block_id IN SELECT (jsonb_array_elements_text(r->'close'))::bigint LOOP
    UPDATE "UnitBlock" SET "closedByTxId" = tx_id, "closedAt" = at WHERE id = block_id AND "closedByTxId" IS NULL;
    IF FOUND THEN changed := changed + 1; END IF;
  END LOOP;
  IF changed <> jsonb_array_length(r->'close') THEN
    RAISE EXCEPTION 'registry_record: closed % of % blocks; a block changed under its account''s lock', changed, jsonb_array_length(r->'close');
  END IF;

  IF jsonb_array_length(r->'create') > 0 THEN
    INSERT INTO "UnitBlock" ("seriesId", "firstSerial", "lastSerial", "accountId", "createdByTxId", "createdAt")
      SELECT b."seriesId", b."firstSerial"::bigint, b."lastSerial"::bigint, b."accountId", tx_id, at
      FROM jsonb_to_recordset(r->'create') AS b("seriesId" text, "firstSerial" text, "lastSerial" text, "accountId" text);
  END IF;

  INSERT INTO "LogEntry" (chain, "createdAt", kind, "transactionId", payload, "prevHash", hash, signature)
  VALUES ((r->'log'->>'chain')::integer, at, r->>'kind', CASE WHEN r->>'status' = 'REFUSED_DUPLICATE' THEN NULL ELSE tx_id END,
          r->'log'->>'payload', r->'log'->>'prevHash', r->'log'->>'hash', r->'log'->>'signature')
  RETURNING seq INTO entry_seq;

  -- The chain's head moves to the new entry, from the head the entry was chained to: the head row is
  -- locked by this transaction since registry_claim_chain, so anything else is a broken invariant.
  UPDATE "LogChainHead" SET seq = entry_seq, hash = r->'log'->>'hash'
    WHERE chain = (r->'log'->>'chain')::integer AND hash = r->'log'->>'prevHash';
  IF NOT FOUND THEN
    RAISE EXCEPTION 'registry_record: chain % does not end at the entry''s prevHash %', r->'log'->>'chain', r->'log'->>'prevHash';
  END IF;
END;
$$;
