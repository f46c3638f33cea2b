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

-- CreateIndex
CREATE INDEX "AdministrativeRecord_kind_subject_scopeType_scopeId_idx" ON "AdministrativeRecord"("kind", "subject", "scopeType", "scopeId");

-- Hand-written from here on.

-- Rule settings, suspensions and corrections are history: append-only, like the log.
CREATE TRIGGER "AdministrativeRecord_append_only"
  BEFORE UPDATE OR DELETE ON "AdministrativeRecord"
  FOR EACH ROW EXECUTE FUNCTION "registry_refuse_change"('is append-only');

CREATE TRIGGER "AdministrativeRecord_append_only_truncate"
  BEFORE TRUNCATE ON "AdministrativeRecord"
  FOR EACH STATEMENT EXECUTE FUNCTION "registry_refuse_change"('is append-only');

-- Writes the administrative records one ledger transaction decided (server/ledger/rules/records.ts),
-- inside that transaction and before its registry_record call: they commit with it or not at all.
-- Kept apart from registry_record so that the transfer's hot path is unchanged when there are none.
CREATE FUNCTION "registry_record_administrative"(r jsonb) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO "AdministrativeRecord" (id, kind, subject, "scopeType", "scopeId", body, "validFrom", "validUntil", "transactionId", "createdAt")
    SELECT x.id, x.kind, x.subject, x."scopeType", x."scopeId", x.body, x."validFrom"::timestamp(3), x."validUntil"::timestamp(3), r->>'transactionId', (r->>'createdAt')::timestamp(3)
    FROM jsonb_to_recordset(r->'records') AS x(id text, kind text, subject text, "scopeType" text, "scopeId" text, body text, "validFrom" text, "validUntil" text);
END;
$$;
