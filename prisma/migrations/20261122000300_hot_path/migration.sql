-- The transfer path, made cheaper where measurement showed it cost (docs/ledger.md, "Measured").

-- A block's series is no longer a foreign key. Every transfer's new blocks would take a KEY SHARE lock
-- on their series row, and with several writers moving units of the same series at once each of those
-- locks becomes a new MultiXact: a shared, growing cost on the hottest rows in the registry. Blocks are
-- only ever created by registry_record, from an issuance that inserts its series in the same statement
-- or by splitting blocks that already name one. Invariant 1 (every open block lies inside a range
-- its series generated) and ledger:verify (the blocks equal a replay of the log) check it.
ALTER TABLE "UnitBlock" DROP CONSTRAINT "UnitBlock_seriesId_fkey";

-- Blocks are closed by primary key, one statement each, whatever plan PL/pgSQL has cached.
CREATE OR REPLACE FUNCTION "registry_record"(r jsonb) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  at timestamp(3) := (r->>'createdAt')::timestamp(3);
  tx_id text := r->>'id';
  changed integer;
  block_id bigint;
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
          r->'log'->>'payload', r->'log'->>'prevHash', r->'log'->>'hash', r->'log'->>'signature');
END;
$$;

-- The accounts a transaction locks are returned with their registry too: units go from the mechanism
-- registry to the international registry one way (DOMAIN.md), which the transfer checks.
CREATE OR REPLACE FUNCTION "registry_lock"(exclusive text[], shared text[], chains integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  account_id text;
  found jsonb := '[]'::jsonb;
  row jsonb;
  claimed record;
BEGIN
  FOR account_id IN SELECT DISTINCT x FROM unnest(exclusive || shared) AS x ORDER BY x LOOP
    IF account_id = ANY(exclusive) THEN
      SELECT jsonb_build_object('id', a.id, 'registry', a.registry, 'type', a.type, 'status', a.status, 'sectionId', a."sectionId") INTO row
        FROM "Account" a WHERE a.id = account_id FOR NO KEY UPDATE;
    ELSE
      SELECT jsonb_build_object('id', a.id, 'registry', a.registry, 'type', a.type, 'status', a.status, 'sectionId', a."sectionId") INTO row
        FROM "Account" a WHERE a.id = account_id FOR SHARE;
    END IF;
    IF row IS NOT NULL THEN found := found || jsonb_build_array(row); END IF;
    row := NULL;
  END LOOP;
  SELECT * INTO claimed FROM "registry_claim_chain"(chains);
  RETURN jsonb_build_object('accounts', found, 'chain', claimed.chain, 'head', claimed.head);
END;
$$;
