-- The transfer path, lighter again where measurement showed it cost (docs/ledger.md, "Measured").

-- A block's creating and closing transactions are no longer foreign keys. Each cost a referential check
-- (an SPI query taking a KEY SHARE lock) for every block a transfer creates or closes: three per
-- ordinary transfer, always against the transaction row the same statement inserted a moment before.
-- Blocks are only ever written by registry_record, with the id of the transaction it records; the
-- invariant checker (invariant 6, block lifecycle: the creator and the closer exist, were recorded at
-- the block's times, and the closer was RECORDED) and ledger:verify (every block equals what the log
-- created and closed) check the reference, and the immutability triggers keep closed blocks as they are.
ALTER TABLE "UnitBlock" DROP CONSTRAINT "UnitBlock_createdByTxId_fkey";
ALTER TABLE "UnitBlock" DROP CONSTRAINT "UnitBlock_closedByTxId_fkey";

-- Every block written paid an entry in this index, and every close another; its one reader on the
-- write path, an issuance finding the highest serial of its series, now reads the open blocks of the
-- series (UnitBlock_open_by_serial): they cover every serial the series has ever had, since units are
-- never destroyed, only moved into other blocks.
DROP INDEX "UnitBlock_seriesId_lastSerial_idx";
