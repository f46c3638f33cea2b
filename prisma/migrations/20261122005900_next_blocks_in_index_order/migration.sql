-- The further pages of an implicit selection without constraints (server/ledger/operations/
-- select-units.ts: READ_NEXT) are read by a function that, like registry_lock's first read
-- (20261122005800), takes the account's open blocks in the order of "UnitBlock_open_by_size" with sorts
-- disabled: on statistics from a small table the statement's plan could walk every block the account
-- ever had through "UnitBlock_accountId_idx" and sort them, which for an account of 100,000 fragments
-- and its history is the difference between a few pages of an index and the whole account. A PL/pgSQL
-- function keeps its plan per connection, as the named statement did.

CREATE FUNCTION "registry_next_blocks"(account text, after_size bigint, after_series text, after_first bigint, page integer)
RETURNS TABLE (id bigint, "seriesId" text, "firstSerial" bigint, "lastSerial" bigint)
LANGUAGE plpgsql STABLE
SET enable_sort = off
SET enable_seqscan = off
AS $$
BEGIN
  RETURN QUERY
    SELECT b.id, b."seriesId", b."firstSerial", b."lastSerial" FROM "UnitBlock" b
    WHERE b."accountId" = account AND b."closedByTxId" IS NULL
      AND ((b."lastSerial" - b."firstSerial" + 1), b."seriesId", b."firstSerial") > (after_size, after_series, after_first)
    ORDER BY (b."lastSerial" - b."firstSerial" + 1), b."seriesId", b."firstSerial"
    LIMIT page;
END;
$$;
