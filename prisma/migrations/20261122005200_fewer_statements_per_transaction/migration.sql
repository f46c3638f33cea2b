-- Fewer statements per transaction, each of which PL/pgSQL or the protocol pays an executor start-up
-- and a round of messages for:
--   registry_lock takes all its account locks in one statement instead of a cursor loop and a PERFORM
--   per account (last defined in 20261122005000_chain_claims_by_advisory_lock), and neither it nor
--   registry_record sets up an aggregate (an Agg node's start-up is among the dearest) to count or to
--   collect rows: arrays do it;
--   registry_record (last defined in 20261122004200_record_in_one_statement) makes the rules engine's
--   commit-time check itself, from the record's "rules" member ({generation, receivers}), instead of a
--   statement of its own (SELECT registry_rules_unchanged(...)) sent before it, with the same locks
--   and the same errors; registry_rules_unchanged stays for other callers.
-- Nothing else changes in either function; a repeated account is still locked once in effect,
-- exclusively if any request for it is exclusive.

CREATE OR REPLACE FUNCTION "registry_lock"(ids text[], exclusive boolean[], chains integer) RETURNS jsonb
LANGUAGE plpgsql
SET enable_seqscan = off
AS $$
DECLARE
  locked jsonb;
  start integer := floor(random() * chains)::integer;
  claimed integer;
  head text;
BEGIN
  IF coalesce(cardinality(ids), 0) <> coalesce(cardinality(exclusive), 0) THEN
    RAISE EXCEPTION 'registry_lock: % accounts but % lock modes', coalesce(cardinality(ids), 0), coalesce(cardinality(exclusive), 0);
  END IF;
  -- One statement takes every account lock, in the order of the keys: the sorted subquery (which
  -- PostgreSQL never flattens, for its ORDER BY) hands the rows to the lock calls one by one. Within a
  -- key the exclusive request comes first, so that a repeated id or a colliding hash asked for shared
  -- as well is granted at once (a transaction never waits for its own lock) instead of upgrading.
  PERFORM CASE WHEN k.x THEN pg_advisory_xact_lock(6274300, k.key)::text ELSE pg_advisory_xact_lock_shared(6274300, k.key)::text END
    FROM (SELECT hashtext(u.id) AS key, u.x FROM unnest(ids, exclusive) AS u(id, x) ORDER BY 1, 2 DESC) k;
  -- An array rather than an aggregate: the primary key's order serves ORDER BY, and no Agg node is set
  -- up for every call.
  locked := to_jsonb(ARRAY(SELECT jsonb_build_object('id', a.id, 'registry', a.registry, 'type', a.type, 'status', a.status, 'sectionId', a."sectionId")
                           FROM "Account" a WHERE a.id = ANY(ids) ORDER BY a.id));
  FOR i IN 0 .. chains - 1 LOOP
    IF pg_try_advisory_xact_lock(6274301, (start + i) % chains) THEN
      claimed := (start + i) % chains;
      EXIT;
    END IF;
  END LOOP;
  IF claimed IS NULL THEN
    PERFORM pg_advisory_xact_lock(6274301, start);
    claimed := start;
  END IF;
  SELECT h.hash INTO head FROM "LogChainHead" h WHERE h.chain = claimed;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'registry_lock: no head row for chain %', claimed;
  END IF;
  RETURN jsonb_build_object('accounts', locked, 'chain', claimed, 'head', head);
END;
$$;

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
  generation_now bigint;
BEGIN
  -- The rules engine's commit-time check (registry_rules_unchanged), when the transaction was judged by
  -- rules: the generation of the rule settings it was judged by is still the current one, and the
  -- accounts that receive supplementary units are still active (under their shared locks).
  IF r ? 'rules' THEN
    SELECT generation INTO generation_now FROM "RuleGeneration" WHERE id = 1;
    IF generation_now IS DISTINCT FROM (r->'rules'->>'generation')::bigint THEN
      RAISE EXCEPTION 'the rule settings changed (generation % is now %)', r->'rules'->>'generation', generation_now USING ERRCODE = 'RG001';
    END IF;
    IF jsonb_array_length(r->'rules'->'receivers') > 0 THEN
      -- The receivers are held with the shared account lock, in key order,
      -- as registry_rules_unchanged holds them (the operation has normally locked them already, and a
      -- lock a transaction holds is granted again at once); then each must still be active.
      PERFORM pg_advisory_xact_lock_shared(6274300, k.key)
        FROM (SELECT DISTINCT hashtext(x) AS key FROM jsonb_array_elements_text(r->'rules'->'receivers') AS x ORDER BY 1) k;
      IF (SELECT count(*) FROM "Account" a WHERE a.id IN (SELECT jsonb_array_elements_text(r->'rules'->'receivers')) AND a.status = 'ACTIVE')
         <> (SELECT count(DISTINCT x) FROM jsonb_array_elements_text(r->'rules'->'receivers') AS x) THEN
        RAISE EXCEPTION 'an account that receives supplementary units is no longer active' USING ERRCODE = 'RG001';
      END IF;
    END IF;
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
  SELECT cardinality(ARRAY(SELECT 1 FROM closed)), cardinality(ARRAY(SELECT 1 FROM head)) INTO changed, moved;
  IF changed <> coalesce(cardinality(close_ids), 0) THEN
    RAISE EXCEPTION 'registry_record: closed % of % blocks; a block changed under its account''s lock', changed, coalesce(cardinality(close_ids), 0);
  END IF;
  IF moved <> 1 THEN
    RAISE EXCEPTION 'registry_record: chain % does not end at the entry''s prevHash %', r->'log'->>'chain', r->'log'->>'prevHash';
  END IF;
END;
$$;
