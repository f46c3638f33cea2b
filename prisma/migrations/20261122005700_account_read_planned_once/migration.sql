-- registry_lock reads the accounts it locked with a plan made once per connection and kept.
--
-- PostgreSQL plans a statement with parameters (every statement of a PL/pgSQL function that uses its
-- arguments) for its values five times, then keeps the generic plan only if that is estimated no
-- dearer than the average of those five; otherwise it plans for the values at every call, for the life
-- of the connection. The first calls on a connection of a new registry see tables of a few rows, so
-- their plans are estimated very cheap and the generic plan never wins. Found on the benchmark:
-- registry_lock's read of the locked accounts was planned at every call on some connections (at one
-- client, 3,674 plannings in 3,673 calls at 57 µs each, more than the read itself; at eight, 1,307 in
-- 10,225), while the same statement from a fresh connection kept its generic plan after five calls.
-- Its generic plan is the primary key's index scan whatever the statistics were when it was made.
--
-- Only this statement is forced: a generic plan is made once, from the statistics of that moment, and
-- the read of blocks that follows has more than one plan (an index walk in size order, or a bitmap scan
-- and a sort); forced from a connection's first call, some connections kept the bitmap scan, which
-- reads every open block of the account. The mode is set back at once: the statements after the
-- function may be planned per call on purpose (server/ledger/operations/select-units.ts). A SET clause
-- cannot do this, as it would also undo the function's transaction-wide enable_seqscan setting
-- (20261122005500). Otherwise registry_lock is as last defined (20261122005600).

CREATE OR REPLACE FUNCTION "registry_lock"(ids text[], exclusive boolean[], chains integer, read_account text, read_quantity bigint, read_rows integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  setting text := set_config('enable_seqscan', 'off', true);
  plans text;
  mode text;
  locked jsonb;
  start integer := floor(random() * chains)::integer;
  claimed integer;
  head text;
  blocks jsonb;
BEGIN
  IF coalesce(cardinality(ids), 0) <> coalesce(cardinality(exclusive), 0) THEN
    RAISE EXCEPTION 'registry_lock: % accounts but % lock modes', coalesce(cardinality(ids), 0), coalesce(cardinality(exclusive), 0);
  END IF;
  -- One statement takes every account lock, in the order of the keys: the sorted subquery (which
  -- PostgreSQL never flattens, for its ORDER BY) hands the rows to the lock calls one by one. Within a
  -- key the exclusive request comes first, so that a repeated id or a colliding hash asked for shared
  -- as well is granted at once (a transaction never waits for its own lock) instead of upgrading.
  PERFORM CASE WHEN k.x THEN pg_advisory_xact_lock(6274300, k.key)::text ELSE pg_advisory_xact_lock_shared(6274300, k.key)::text END
    FROM (SELECT hashtext(u.id) AS key, u.x FROM unnest(ids, exclusive) AS u(id, x) ORDER BY 1, 2 DESC) k;
  -- An array rather than an aggregate: the primary key's order serves ORDER BY, and no Agg node is set
  -- up for every call.
  -- Planned once per connection (see above), then the transaction's own mode again.
  plans := current_setting('plan_cache_mode');
  mode := set_config('plan_cache_mode', 'force_generic_plan', true);
  locked := to_jsonb(ARRAY(SELECT jsonb_build_object('id', a.id, 'registry', a.registry, 'type', a.type, 'status', a.status, 'sectionId', a."sectionId")
                           FROM "Account" a WHERE a.id = ANY(ids) ORDER BY a.id));
  mode := set_config('plan_cache_mode', plans, true);
  FOR i IN 0 .. chains - 1 LOOP
    IF pg_try_advisory_xact_lock(6274301, (start + i) % chains) THEN
      claimed := (start + i) % chains;
      EXIT;
    END IF;
  END LOOP;
  IF claimed IS NULL THEN
    PERFORM pg_advisory_xact_lock(6274301, start);
    claimed := start;
  END IF;
  SELECT h.hash INTO head FROM "LogChainHead" h WHERE h.chain = claimed;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'registry_lock: no head row for chain %', claimed;
  END IF;
  IF read_account IS NULL THEN
    RETURN jsonb_build_object('accounts', locked, 'chain', claimed, 'head', head);
  END IF;
  -- The first read of an implicit selection without constraints (server/ledger/operations/
  -- select-units.ts), under the locks: the account's open block of exactly the quantity, if any, then
  -- its `read_rows` smallest open blocks, each as [exact, id, seriesId, firstSerial, lastSerial].
  blocks := to_jsonb(ARRAY(
    SELECT jsonb_build_array(q.exact, q.id::text, q."seriesId", q."firstSerial"::text, q."lastSerial"::text) FROM (
      (SELECT true AS exact, b.id, b."seriesId", b."firstSerial", b."lastSerial" FROM "UnitBlock" b
        WHERE b."accountId" = read_account AND b."closedByTxId" IS NULL AND (b."lastSerial" - b."firstSerial" + 1) = read_quantity
        ORDER BY (b."lastSerial" - b."firstSerial" + 1), b."seriesId", b."firstSerial" LIMIT 1)
      UNION ALL
      (SELECT false AS exact, b.id, b."seriesId", b."firstSerial", b."lastSerial" FROM "UnitBlock" b
        WHERE b."accountId" = read_account AND b."closedByTxId" IS NULL
        ORDER BY (b."lastSerial" - b."firstSerial" + 1), b."seriesId", b."firstSerial" LIMIT read_rows)) q));
  RETURN jsonb_build_object('accounts', locked, 'chain', claimed, 'head', head, 'blocks', blocks);
END;
$$;
