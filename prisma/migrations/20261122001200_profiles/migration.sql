-- Profiles (A6R-9..11, A6R-49): versioned history and change requests.

-- CreateTable
CREATE TABLE "ProfileVersion" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "version" INTEGER NOT NULL,
    "data" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "requestId" TEXT,
    "anonymisedAt" TIMESTAMP(3),

    CONSTRAINT "ProfileVersion_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "ProfileChangeRequest" (
    "id" TEXT NOT NULL,
    "userId" TEXT NOT NULL,
    "proposed" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "decidedById" TEXT,
    "decidedAt" TIMESTAMP(3),

    CONSTRAINT "ProfileChangeRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE UNIQUE INDEX "ProfileVersion_userId_version_key" ON "ProfileVersion"("userId", "version");

-- CreateIndex
CREATE INDEX "ProfileChangeRequest_userId_idx" ON "ProfileChangeRequest"("userId");

-- CreateIndex
CREATE INDEX "ProfileChangeRequest_status_idx" ON "ProfileChangeRequest"("status");

-- Hand-written from here on.

-- A profile version is history: never deleted, and changed only by anonymisation, which erases its
-- data once (A6R-49). The log keeps only keyed digests, so it is not affected.
CREATE FUNCTION "registry_profile_version_guard"() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
  IF OLD."anonymisedAt" IS NOT NULL OR NEW."anonymisedAt" IS NULL OR NEW."data" <> '{}'
     OR NEW."id" IS DISTINCT FROM OLD."id" OR NEW."userId" IS DISTINCT FROM OLD."userId" OR NEW."version" IS DISTINCT FROM OLD."version"
     OR NEW."createdAt" IS DISTINCT FROM OLD."createdAt" OR NEW."requestId" IS DISTINCT FROM OLD."requestId" THEN
    RAISE EXCEPTION 'ProfileVersion % can only be anonymised (data erased, anonymisedAt set), once: UPDATE refused', OLD."id";
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER "ProfileVersion_anonymise_only"
  BEFORE UPDATE ON "ProfileVersion"
  FOR EACH ROW EXECUTE FUNCTION "registry_profile_version_guard"();
CREATE TRIGGER "ProfileVersion_no_delete"
  BEFORE DELETE ON "ProfileVersion"
  FOR EACH ROW EXECUTE FUNCTION "registry_refuse_change"('is never deleted');
CREATE TRIGGER "ProfileVersion_no_truncate"
  BEFORE TRUNCATE ON "ProfileVersion"
  FOR EACH STATEMENT EXECUTE FUNCTION "registry_refuse_change"('is never deleted');
