-- External systems (A6R-8): API clients with Ed25519 keys, and the nonces that refuse replays.

-- CreateTable
CREATE TABLE "ApiClient" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "publicKey" TEXT NOT NULL,
    "riskLevel" TEXT NOT NULL,
    "riskAssessment" TEXT NOT NULL,
    "registeredById" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "revokedAt" TIMESTAMP(3),
    "revokedById" TEXT,

    CONSTRAINT "ApiClient_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ApiNonce" (
    "clientId" TEXT NOT NULL,
    "nonce" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "ApiNonce_pkey" PRIMARY KEY ("clientId","nonce")
);

-- CreateIndex
CREATE UNIQUE INDEX "ApiClient_userId_key" ON "ApiClient"("userId");

-- CreateIndex
CREATE INDEX "ApiNonce_createdAt_idx" ON "ApiNonce"("createdAt");
