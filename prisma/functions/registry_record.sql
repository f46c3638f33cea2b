CREATE OR REPLACE FUNCTION registry_record(r jsonb)
 RETURNS void
 LANGUAGE plpgsql
 SET enable_seqscan TO 'off'
AS $function$
BEGIN
  PERFORM "registry_record"(r, r->>'input', r->'log'->>'payload');
END;
$function$;

CREATE OR REPLACE FUNCTION registry_record(r jsonb, input_text text, payload_text text)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
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
    SELECT tx_id, r->>'idempotencyKey', r->>'kind', (r->>'status')::"TransactionStatus", r->>'initiatorId', r->>'impersonatorId', input_text, r->>'inputHash', r->>'ruleVersions', r->>'refusals', at
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
            payload_text, r->'log'->>'prevHash', r->'log'->>'hash', r->'log'->>'signature')
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
$function$;
