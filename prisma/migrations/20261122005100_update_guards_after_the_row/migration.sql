-- The guards on UnitBlock updates (a block is only ever closed, once) and on chain heads (a head only
-- moves forward) run after the row is updated instead of before it: they refuse exactly the same
-- changes, with the same errors, and the statement and its transaction still fail with them.
--
-- Why: before a BEFORE UPDATE row trigger runs, PostgreSQL locks the row it is about to update (to hand
-- the trigger a stable old version), whether or not the trigger's WHEN clause will call it. That lock
-- is written into the row and to the WAL: every transfer wrote two such records (the block it closes
-- and its chain's head) and dirtied their pages twice, for a check that the legitimate update passes.
-- An AFTER row trigger's WHEN clause is evaluated on the old and new versions as the update is made,
-- with no lock and no write; only a refused change queues the trigger, which then raises.
DROP TRIGGER "UnitBlock_close_only" ON "UnitBlock";
CREATE TRIGGER "UnitBlock_close_only"
  AFTER UPDATE ON "UnitBlock"
  FOR EACH ROW
  WHEN (OLD."closedByTxId" IS NOT NULL OR OLD."closedAt" IS NOT NULL OR NEW."closedByTxId" IS NULL OR NEW."closedAt" IS NULL
        OR NEW."id" IS DISTINCT FROM OLD."id" OR NEW."seriesId" IS DISTINCT FROM OLD."seriesId"
        OR NEW."firstSerial" IS DISTINCT FROM OLD."firstSerial" OR NEW."lastSerial" IS DISTINCT FROM OLD."lastSerial"
        OR NEW."accountId" IS DISTINCT FROM OLD."accountId" OR NEW."createdByTxId" IS DISTINCT FROM OLD."createdByTxId"
        OR NEW."createdAt" IS DISTINCT FROM OLD."createdAt")
  EXECUTE FUNCTION "registry_unit_block_update_guard"();

DROP TRIGGER "LogChainHead_forward_only" ON "LogChainHead";
CREATE TRIGGER "LogChainHead_forward_only"
  AFTER UPDATE ON "LogChainHead"
  FOR EACH ROW WHEN (NEW.chain <> OLD.chain OR NEW.seq <= OLD.seq)
  EXECUTE FUNCTION "registry_chain_head_guard"();
