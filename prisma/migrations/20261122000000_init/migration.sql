-- CreateEnum
CREATE TYPE "Registry" AS ENUM ('INTERNATIONAL', 'MECHANISM');

-- CreateEnum
CREATE TYPE "Role" AS ENUM ('SYSTEM_ADMIN', 'REGISTRY_ADMIN', 'SECTION_ADMIN', 'ACCOUNT_HOLDER', 'VIEWER');

-- CreateEnum
CREATE TYPE "GrantStatus" AS ENUM ('ACTIVE', 'SUSPENDED');

-- CreateEnum
CREATE TYPE "AccountType" AS ENUM ('ISSUANCE', 'PENDING', 'HOLDING', 'USE', 'CANCELLATION', 'ADMIN_CANCELLATION', 'ADMIN_HOLDING', 'ADAPTATION_FUND', 'PROXY', 'HIGHER_TIER');

-- CreateEnum
CREATE TYPE "AccountStatus" AS ENUM ('INITIAL', 'ACTIVE', 'RESTRICTED', 'SUSPENDED', 'FROZEN', 'TERMINATED');

-- CreateEnum
CREATE TYPE "TransactionStatus" AS ENUM ('RECORDED', 'REJECTED');

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "email" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Grant" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "role" "Role" NOT NULL,
    "sectionId" TEXT,
    "accountId" TEXT,
    "status" "GrantStatus" NOT NULL DEFAULT 'ACTIVE',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Grant_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "WebAuthnCredential" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "publicKey" BYTEA NOT NULL,
    "counter" BIGINT NOT NULL,
    "transports" TEXT[],
    "label" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" TIMESTAMP(3),

    CONSTRAINT "WebAuthnCredential_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AuthSession" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "secondFactorAt" TIMESTAMP(3),
    "revokedAt" TIMESTAMP(3),
    "challenge" TEXT,

    CONSTRAINT "AuthSession_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Section" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Section_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "CooperativeApproach" (
    "id" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "CooperativeApproach_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "Account" (
    "id" TEXT NOT NULL,
    "registry" "Registry" NOT NULL,
    "name" TEXT NOT NULL,
    "type" "AccountType" NOT NULL,
    "status" "AccountStatus" NOT NULL DEFAULT 'INITIAL',
    "holderName" TEXT NOT NULL,
    "sectionId" TEXT,
    "cooperativeApproachId" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "Account_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UnitSeries" (
    "id" TEXT NOT NULL,
    "unitType" TEXT NOT NULL,
    "cooperativeApproachId" TEXT,
    "originatingRegistry" TEXT NOT NULL,
    "hostParty" TEXT NOT NULL,
    "firstTransferringParty" TEXT NOT NULL,
    "activityId" TEXT NOT NULL,
    "vintage" INTEGER NOT NULL,
    "sectors" TEXT[],
    "activityTypes" TEXT[],
    "metric" TEXT NOT NULL DEFAULT 'tCO2e',
    "pre2021" BOOLEAN NOT NULL DEFAULT false,
    "extra" TEXT NOT NULL DEFAULT '{}',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "UnitSeries_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "UnitBlock" (
    "id" BIGSERIAL NOT NULL,
    "seriesId" TEXT NOT NULL,
    "firstSerial" BIGINT NOT NULL,
    "lastSerial" BIGINT NOT NULL,
    "accountId" TEXT NOT NULL,
    "createdByTxId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "closedByTxId" TEXT,
    "closedAt" TIMESTAMP(3),

    CONSTRAINT "UnitBlock_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LedgerTransaction" (
    "id" TEXT NOT NULL,
    "idempotencyKey" TEXT NOT NULL,
    "kind" TEXT NOT NULL,
    "status" "TransactionStatus" NOT NULL,
    "initiatorId" TEXT,
    "impersonatorId" TEXT,
    "input" TEXT NOT NULL,
    "inputHash" TEXT NOT NULL,
    "ruleVersions" TEXT NOT NULL DEFAULT '{}',
    "refusals" TEXT NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "LedgerTransaction_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "LogEntry" (
    "seq" BIGSERIAL NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "kind" TEXT NOT NULL,
    "transactionId" TEXT,
    "payload" TEXT NOT NULL,
    "prevHash" TEXT NOT NULL,
    "hash" TEXT NOT NULL,
    "signature" TEXT NOT NULL,

    CONSTRAINT "LogEntry_pkey" PRIMARY KEY ("seq")
);

-- CreateIndex
CREATE UNIQUE INDEX "User_email_key" ON "User"("email");

-- CreateIndex
CREATE INDEX "Grant_userId_idx" ON "Grant"("userId");

-- CreateIndex
CREATE INDEX "WebAuthnCredential_userId_idx" ON "WebAuthnCredential"("userId");

-- CreateIndex
CREATE INDEX "AuthSession_userId_idx" ON "AuthSession"("userId");

-- CreateIndex
CREATE INDEX "Account_sectionId_idx" ON "Account"("sectionId");

-- CreateIndex
CREATE UNIQUE INDEX "UnitSeries_unitType_cooperativeApproachId_originatingRegist_key" ON "UnitSeries"("unitType", "cooperativeApproachId", "originatingRegistry", "hostParty", "firstTransferringParty", "activityId", "vintage");

-- CreateIndex
CREATE INDEX "UnitBlock_accountId_idx" ON "UnitBlock"("accountId");

-- CreateIndex
CREATE INDEX "UnitBlock_seriesId_lastSerial_idx" ON "UnitBlock"("seriesId", "lastSerial");

-- CreateIndex
CREATE UNIQUE INDEX "LedgerTransaction_idempotencyKey_key" ON "LedgerTransaction"("idempotencyKey");

-- CreateIndex
CREATE INDEX "LogEntry_transactionId_idx" ON "LogEntry"("transactionId");

-- AddForeignKey
ALTER TABLE "Grant" ADD CONSTRAINT "Grant_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Grant" ADD CONSTRAINT "Grant_sectionId_fkey" FOREIGN KEY ("sectionId") REFERENCES "Section"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Grant" ADD CONSTRAINT "Grant_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "WebAuthnCredential" ADD CONSTRAINT "WebAuthnCredential_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuthSession" ADD CONSTRAINT "AuthSession_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Account" ADD CONSTRAINT "Account_sectionId_fkey" FOREIGN KEY ("sectionId") REFERENCES "Section"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Account" ADD CONSTRAINT "Account_cooperativeApproachId_fkey" FOREIGN KEY ("cooperativeApproachId") REFERENCES "CooperativeApproach"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitSeries" ADD CONSTRAINT "UnitSeries_cooperativeApproachId_fkey" FOREIGN KEY ("cooperativeApproachId") REFERENCES "CooperativeApproach"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitBlock" ADD CONSTRAINT "UnitBlock_seriesId_fkey" FOREIGN KEY ("seriesId") REFERENCES "UnitSeries"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitBlock" ADD CONSTRAINT "UnitBlock_accountId_fkey" FOREIGN KEY ("accountId") REFERENCES "Account"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitBlock" ADD CONSTRAINT "UnitBlock_createdByTxId_fkey" FOREIGN KEY ("createdByTxId") REFERENCES "LedgerTransaction"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "UnitBlock" ADD CONSTRAINT "UnitBlock_closedByTxId_fkey" FOREIGN KEY ("closedByTxId") REFERENCES "LedgerTransaction"("id") ON DELETE SET NULL ON UPDATE CASCADE;
