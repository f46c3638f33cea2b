-- Identity and access (A6R-1..15, A6R-25, A6R-43, A6R-49..51): user status, identity checks, grant
-- suspension, step-up and impersonation on the session, sign-in throttling, the access log of reads.

-- AlterEnum
ALTER TYPE "Role" ADD VALUE 'EXTERNAL_SYSTEM';

-- CreateEnum
CREATE TYPE "UserStatus" AS ENUM ('ACTIVE', 'SUSPENDED');

-- CreateEnum
CREATE TYPE "VerificationOutcome" AS ENUM ('VERIFIED', 'REJECTED');

-- AlterTable
ALTER TABLE "User" ADD COLUMN     "status" "UserStatus" NOT NULL DEFAULT 'ACTIVE',
ADD COLUMN     "personalDataKey" TEXT,
ADD COLUMN     "anonymisedAt" TIMESTAMP(3);

-- AlterTable
ALTER TABLE "Grant" ADD COLUMN     "grantedById" TEXT,
ADD COLUMN     "suspendedAt" TIMESTAMP(3),
ADD COLUMN     "suspendedById" TEXT;

-- AlterTable
ALTER TABLE "AuthSession" ADD COLUMN     "stepUpAt" TIMESTAMP(3),
ADD COLUMN     "impersonatedUserId" TEXT,
ADD COLUMN     "impersonationEndsAt" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "IdentityVerification" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "method" TEXT NOT NULL,
    "outcome" "VerificationOutcome" NOT NULL,
    "verifiedById" TEXT NOT NULL,
    "checkedAt" TIMESTAMP(3) NOT NULL,
    "note" TEXT NOT NULL DEFAULT '',
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "IdentityVerification_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SignInAttempt" (
    "id" BIGSERIAL NOT NULL,
    "email" TEXT NOT NULL,
    "address" TEXT NOT NULL,
    "succeeded" BOOLEAN NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SignInAttempt_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "AccessLogEntry" (
    "id" BIGSERIAL NOT NULL,
    "userId" TEXT NOT NULL,
    "impersonatorId" TEXT,
    "action" TEXT NOT NULL,
    "resource" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "AccessLogEntry_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "IdentityVerification_userId_idx" ON "IdentityVerification"("userId");

-- CreateIndex
CREATE INDEX "SignInAttempt_email_createdAt_idx" ON "SignInAttempt"("email", "createdAt");

-- CreateIndex
CREATE INDEX "SignInAttempt_address_createdAt_idx" ON "SignInAttempt"("address", "createdAt");

-- CreateIndex
CREATE INDEX "AccessLogEntry_resource_createdAt_idx" ON "AccessLogEntry"("resource", "createdAt");

-- CreateIndex
CREATE INDEX "AccessLogEntry_userId_createdAt_idx" ON "AccessLogEntry"("userId", "createdAt");

-- AddForeignKey
ALTER TABLE "IdentityVerification" ADD CONSTRAINT "IdentityVerification_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written from here on.

-- Identity checks and the access log are evidence: append-only, like the ledger's log. The one change
-- an identity check accepts is the erasure of its free-text note when its user is anonymised (A6R-49).
CREATE FUNCTION "registry_identity_verification_guard"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF NEW."note" <> '' OR NEW."id" IS DISTINCT FROM OLD."id" OR NEW."userId" IS DISTINCT FROM OLD."userId"
     OR NEW."method" IS DISTINCT FROM OLD."method" OR NEW."outcome" IS DISTINCT FROM OLD."outcome"
     OR NEW."verifiedById" IS DISTINCT FROM OLD."verifiedById" OR NEW."checkedAt" IS DISTINCT FROM OLD."checkedAt"
     OR NEW."createdAt" IS DISTINCT FROM OLD."createdAt" THEN
    RAISE EXCEPTION 'IdentityVerification % is append-only; only its note can be erased: UPDATE refused', OLD."id";
  END IF;
  RETURN NEW;
END;
$$;
CREATE TRIGGER "IdentityVerification_erase_note_only"
  BEFORE UPDATE ON "IdentityVerification"
  FOR EACH ROW EXECUTE FUNCTION "registry_identity_verification_guard"();
CREATE TRIGGER "IdentityVerification_append_only"
  BEFORE DELETE ON "IdentityVerification"
  FOR EACH ROW EXECUTE FUNCTION "registry_refuse_change"('is append-only');
CREATE TRIGGER "IdentityVerification_append_only_truncate"
  BEFORE TRUNCATE ON "IdentityVerification"
  FOR EACH STATEMENT EXECUTE FUNCTION "registry_refuse_change"('is append-only');
CREATE TRIGGER "AccessLogEntry_append_only"
  BEFORE UPDATE OR DELETE ON "AccessLogEntry"
  FOR EACH ROW EXECUTE FUNCTION "registry_refuse_change"('is append-only');
CREATE TRIGGER "AccessLogEntry_append_only_truncate"
  BEFORE TRUNCATE ON "AccessLogEntry"
  FOR EACH STATEMENT EXECUTE FUNCTION "registry_refuse_change"('is append-only');
