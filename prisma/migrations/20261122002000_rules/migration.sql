-- CreateTable
CREATE TABLE "AdministrativeRecord" (
    "id" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "subject" TEXT NOT NULL,
    "scopeType" TEXT NOT NULL,
    "scopeId" TEXT NOT NULL,
    "body" TEXT NOT NULL,
    "validFrom" TIMESTAMP(3),
    "validUntil" TIMESTAMP(3),
    "transactionId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AdministrativeRecord_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "RuleGeneration" (
    "id" INTEGER NOT NULL,
    "generation" BIGINT NOT NULL,

    CONSTRAINT "RuleGeneration_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AdministrativeRecord_kind_subject_scopeType_scopeId_idx" ON "AdministrativeRecord"("kind", "subject", "scopeType", "scopeId");

-- Hand-written from here on.

-- Rule settings, suspensions, corrections and descriptor records are history: append-only, like the log.
CREATE TRIGGER "AdministrativeRecord_append_only"
  BEFORE UPDATE OR DELETE ON "AdministrativeRecord"
  FOR EACH ROW EXECUTE FUNCTION "registry_refuse_change"('is append-only');

CREATE TRIGGER "AdministrativeRecord_append_only_truncate"
  BEFORE TRUNCATE ON "AdministrativeRecord"
  FOR EACH STATEMENT EXECUTE FUNCTION "registry_refuse_change"('is append-only');

INSERT INTO "RuleGeneration" (id, generation) VALUES (1, 0);

-- Writes the administrative records one ledger transaction decided (server/ledger/rules/records.ts),
-- inside that transaction and before its registry_record call: they commit with it or not at all.
-- Kept apart from registry_record so that the transfer's hot path is unchanged when there are none.
CREATE FUNCTION "registry_record_administrative"(r jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "AdministrativeRecord" (id, kind, subject, "scopeType", "scopeId", body, "validFrom", "validUntil", "transactionId", "createdAt")
    SELECT x.id, x.kind, x.subject, x."scopeType", x."scopeId", x.body, x."validFrom"::timestamp(3), x."validUntil"::timestamp(3), r->>'transactionId', (r->>'createdAt')::timestamp(3)
    FROM jsonb_to_recordset(r->'records') AS x(id text, kind text, subject text, "scopeType" text, "scopeId" text, body text, "validFrom" text, "validUntil" text);
  -- Rule settings, suspensions and authorizations change what the rules engine keeps in memory: raise
  -- the generation, under its row lock, so that transactions judged by the old ones fail their last statement.
  IF EXISTS (SELECT 1 FROM jsonb_to_recordset(r->'records') AS x(kind text) WHERE x.kind IN ('RULE_SETTING', 'RULE_SUSPENSION', 'AUTHORIZATION')) THEN
    UPDATE "RuleGeneration" SET generation = generation + 1 WHERE id = 1;
  END IF;
END;
$$;

-- The last statement of a transaction judged by the rules engine, sent with its record and COMMIT:
-- the settings and suspensions it was judged by are still the current ones (generation `g`), and the
-- accounts its supplementary operations send units to are still active (locked FOR SHARE until commit).
-- Otherwise the transaction fails with SQLSTATE RG001 and the write path judges it again.
CREATE FUNCTION "registry_rules_unchanged"(g bigint, accounts text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  current bigint;
  active integer;
BEGIN
  SELECT generation INTO current FROM "RuleGeneration" WHERE id = 1;
  IF current IS DISTINCT FROM g THEN
    RAISE EXCEPTION 'the rule settings changed (generation % is now %)', g, current USING ERRCODE = 'RG001';
  END IF;
  IF cardinality(accounts) > 0 THEN
    SELECT count(*) INTO active FROM (SELECT 1 FROM "Account" a WHERE a.id = ANY(accounts) AND a.status = 'ACTIVE' ORDER BY a.id FOR SHARE) x;
    IF active <> cardinality(accounts) THEN
      RAISE EXCEPTION 'an account that receives supplementary units is no longer active' USING ERRCODE = 'RG001';
    END IF;
  END IF;
END;
$$;
