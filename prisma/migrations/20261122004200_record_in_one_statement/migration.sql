-- registry_record (last defined in 20261122000400_chain_heads) writes what every transaction writes
-- (its row, the blocks it closes and creates, its log entry and its chain's head) in one statement of
-- data-modifying common table expressions instead of five statements and a loop: PL/pgSQL pays an
-- executor start-up for every statement it runs, which was most of the cost of recording a transfer.
-- The rarer parts (reference data, series, accounts opened, status changes) keep their statements.
--
-- The blocks to close arrive as a JSON array of decimal strings; turned into a bigint[] by a plain
-- expression, they are closed by primary key alone (`id = ANY(...)`). With `"closedByTxId" IS NULL` in
-- the condition too, the plan PL/pgSQL caches while the table is small reads the partial index of open
-- blocks, every open block of the registry, instead of the primary key. A block already closed is
-- refused by the trigger UnitBlock_close_only (a closed record never changes), and the number closed
-- must still equal the number the operation selected under its locks.
--
-- The function is planned with sequential scans off (its SET clause): PL/pgSQL keeps a generic plan,
-- and one made while UnitBlock fitted in a page or two reads the whole table for every block closed,
-- long after the table has grown (until the next ANALYZE; never on a server without autovacuum). Every
-- statement here reaches rows by primary key or by the rows it is given, so no plan needs a
-- sequential scan.
CREATE OR REPLACE FUNCTION "registry_record"(r jsonb) RETURNS void
LANGUAGE plpgsql
SET enable_seqscan = off
AS $$
DECLARE
  at timestamp(3) := (r->>'createdAt')::timestamp(3);
  tx_id text := r->>'id';
  changed integer;
  moved integer;
  close_ids bigint[] := translate(coalesce(r->'close', '[]'::jsonb)::text, '[]"', '{}')::bigint[];
BEGIN
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

  WITH recorded AS (
    INSERT INTO "LedgerTransaction" (id, "idempotencyKey", kind, status, "initiatorId", "impersonatorId", input, "inputHash", "ruleVersions", refusals, "createdAt")
    SELECT tx_id, r->>'idempotencyKey', r->>'kind', (r->>'status')::"TransactionStatus", r->>'initiatorId', r->>'impersonatorId', r->>'input', r->>'inputHash', r->>'ruleVersions', r->>'refusals', at
    WHERE r->>'status' <> 'REFUSED_DUPLICATE'
  ), closed AS (
    UPDATE "UnitBlock" SET "closedByTxId" = tx_id, "closedAt" = at
    WHERE id = ANY(close_ids)
    RETURNING 1
  ), created AS (
    INSERT INTO "UnitBlock" ("seriesId", "firstSerial", "lastSerial", "accountId", "createdByTxId", "createdAt")
    SELECT b."seriesId", b."firstSerial"::bigint, b."lastSerial"::bigint, b."accountId", tx_id, at
    FROM jsonb_to_recordset(coalesce(r->'create', '[]'::jsonb)) AS b("seriesId" text, "firstSerial" text, "lastSerial" text, "accountId" text)
  ), entry AS (
    INSERT INTO "LogEntry" (chain, "createdAt", kind, "transactionId", payload, "prevHash", hash, signature)
    VALUES ((r->'log'->>'chain')::integer, at, r->>'kind', CASE WHEN r->>'status' = 'REFUSED_DUPLICATE' THEN NULL ELSE tx_id END,
            r->'log'->>'payload', r->'log'->>'prevHash', r->'log'->>'hash', r->'log'->>'signature')
    RETURNING seq
  ), head AS (
    -- The chain's head moves to the new entry, from the head the entry was chained to: the head row is
    -- locked by this transaction since registry_lock, so anything else is a broken invariant.
    UPDATE "LogChainHead" h SET seq = entry.seq, hash = r->'log'->>'hash'
    FROM entry
    WHERE h.chain = (r->'log'->>'chain')::integer AND h.hash = r->'log'->>'prevHash'
    RETURNING 1
  )
  SELECT (SELECT count(*) FROM closed), (SELECT count(*) FROM head) INTO changed, moved;
  IF changed <> coalesce(cardinality(close_ids), 0) THEN
    RAISE EXCEPTION 'registry_record: closed % of % blocks; a block changed under its account''s lock', changed, coalesce(cardinality(close_ids), 0);
  END IF;
  IF moved <> 1 THEN
    RAISE EXCEPTION 'registry_record: chain % does not end at the entry''s prevHash %', r->'log'->>'chain', r->'log'->>'prevHash';
  END IF;
END;
$$;

-- registry_lock reads the accounts it locks by primary key (`id = ANY(ids)`) and the chain heads by
-- theirs: planned, for the same reason, without sequential scans.
ALTER FUNCTION "registry_lock"(text[], boolean[], integer) SET enable_seqscan = off;
