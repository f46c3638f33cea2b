-- The transfer path, made cheaper where measurement showed it cost (docs/ledger.md, "Measured").


-- A block's series is no longer a foreign key. Every transfer's new blocks would take a KEY SHARE lock
-- on their series row, and with several writers moving units of the same series at once each of those
-- locks becomes a new MultiXact: a shared, growing cost on the hottest rows in the registry. Blocks are
-- only ever created by registry_record, from an issuance that inserts its series in the same statement
-- or by splitting blocks that already name one. Invariant 1 (every open block lies inside a range
-- its series generated) and ledger:verify (the blocks equal a replay of the log) check it.
ALTER TABLE "UnitBlock" DROP CONSTRAINT "UnitBlock_seriesId_fkey";

-- The other changes to the transfer path are in the next migrations: blocks closed by primary key and
-- chain heads (20261122000400_chain_heads), registry_lock in one pass (20261122000500_lock_in_one_pass).
