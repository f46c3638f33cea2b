-- CreateTable
CREATE TABLE "ComplianceRun" (
    "id" TEXT NOT NULL,
    "trigger" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "startedAt" TIMESTAMP(3) NOT NULL,
    "finishedAt" TIMESTAMP(3) NOT NULL,
    "initiatorId" TEXT,
    "impersonatorId" TEXT,
    "transactionIds" TEXT NOT NULL,
    "accountIds" TEXT,
    "rules" TEXT NOT NULL,
    "findings" INTEGER NOT NULL,
    "opened" INTEGER NOT NULL,
    "resolved" INTEGER NOT NULL,
    "logTransactionId" TEXT,

    CONSTRAINT "ComplianceRun_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ComplianceFinding" (
    "id" TEXT NOT NULL,
    "key" TEXT NOT NULL,
    "rule" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "accountId" TEXT NOT NULL,
    "sectionId" TEXT,
    "seriesId" TEXT,
    "firstSerial" BIGINT,
    "lastSerial" BIGINT,
    "message" TEXT NOT NULL,
    "data" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "foundAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ComplianceFinding_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ComplianceResolution" (
    "findingId" TEXT NOT NULL,
    "runId" TEXT NOT NULL,
    "resolvedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ComplianceResolution_pkey" PRIMARY KEY ("findingId")
);

-- CreateIndex
CREATE INDEX "ComplianceRun_finishedAt_idx" ON "ComplianceRun"("finishedAt");

-- CreateIndex
CREATE INDEX "ComplianceFinding_key_idx" ON "ComplianceFinding"("key");

-- CreateIndex
CREATE INDEX "ComplianceFinding_runId_idx" ON "ComplianceFinding"("runId");

-- CreateIndex
CREATE INDEX "ComplianceResolution_runId_idx" ON "ComplianceResolution"("runId");

-- Hand-written from here on.

-- Compliance reports are history, like the log: runs, findings and resolutions are only ever added.
CREATE TRIGGER "ComplianceRun_append_only"
  BEFORE UPDATE OR DELETE ON "ComplianceRun"
  FOR EACH ROW EXECUTE FUNCTION "registry_refuse_change"('is append-only');
CREATE TRIGGER "ComplianceRun_append_only_truncate"
  BEFORE TRUNCATE ON "ComplianceRun"
  FOR EACH STATEMENT EXECUTE FUNCTION "registry_refuse_change"('is append-only');

CREATE TRIGGER "ComplianceFinding_append_only"
  BEFORE UPDATE OR DELETE ON "ComplianceFinding"
  FOR EACH ROW EXECUTE FUNCTION "registry_refuse_change"('is append-only');
CREATE TRIGGER "ComplianceFinding_append_only_truncate"
  BEFORE TRUNCATE ON "ComplianceFinding"
  FOR EACH STATEMENT EXECUTE FUNCTION "registry_refuse_change"('is append-only');

CREATE TRIGGER "ComplianceResolution_append_only"
  BEFORE UPDATE OR DELETE ON "ComplianceResolution"
  FOR EACH ROW EXECUTE FUNCTION "registry_refuse_change"('is append-only');
CREATE TRIGGER "ComplianceResolution_append_only_truncate"
  BEFORE TRUNCATE ON "ComplianceResolution"
  FOR EACH STATEMENT EXECUTE FUNCTION "registry_refuse_change"('is append-only');
