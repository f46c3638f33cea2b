CREATE OR REPLACE FUNCTION registry_lock(ids text[], exclusive boolean[], chains integer)
 RETURNS jsonb
 LANGUAGE sql
AS $function$
  SELECT "registry_lock"(ids, exclusive, chains, NULL, NULL, NULL);
$function$;

CREATE OR REPLACE FUNCTION registry_lock(ids text[], exclusive boolean[], chains integer, read_account text, read_quantity bigint, read_rows integer)
 RETURNS jsonb
 LANGUAGE plpgsql
AS $function$
DECLARE
  setting text := set_config('enable_seqscan', 'off', true);
  plans text;
  sorts text := current_setting('enable_sort');
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
  -- A chain, after the accounts: the first free one from a random start, else wait for that one.
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
  -- The accounts (an array rather than an aggregate: the primary key's order serves ORDER BY) and the
  -- chain's head, in one statement planned once per connection (20261122005700), then the
  -- transaction's own plan cache mode again.
  plans := current_setting('plan_cache_mode');
  mode := set_config('plan_cache_mode', 'force_generic_plan', true);
  SELECT to_jsonb(ARRAY(SELECT jsonb_build_object('id', a.id, 'registry', a.registry, 'type', a.type, 'status', a.status, 'sectionId', a."sectionId")
                        FROM "Account" a WHERE a.id = ANY(ids) ORDER BY a.id)), h.hash
    INTO locked, head
    FROM "LogChainHead" h WHERE h.chain = claimed;
  mode := set_config('plan_cache_mode', plans, true);
  IF head IS NULL THEN
    RAISE EXCEPTION 'registry_lock: no head row for chain %', claimed;
  END IF;
  IF read_account IS NULL THEN
    RETURN jsonb_build_object('accounts', locked, 'chain', claimed, 'head', head);
  END IF;
  -- The first read of an implicit selection without constraints (server/ledger/operations/
  -- select-units.ts), under the locks: the account's open block of exactly the quantity, if any, then
  -- its `read_rows` smallest open blocks, each as [exact, id, seriesId, firstSerial, lastSerial]. No
  -- sort: they are read in the order of "UnitBlock_open_by_size" (see above).
  mode := set_config('enable_sort', 'off', true);
  blocks := to_jsonb(ARRAY(
    SELECT jsonb_build_array(q.exact, q.id::text, q."seriesId", q."firstSerial"::text, q."lastSerial"::text) FROM (
      (SELECT true AS exact, b.id, b."seriesId", b."firstSerial", b."lastSerial" FROM "UnitBlock" b
        WHERE b."accountId" = read_account AND b."closedByTxId" IS NULL AND (b."lastSerial" - b."firstSerial" + 1) = read_quantity
        ORDER BY (b."lastSerial" - b."firstSerial" + 1), b."seriesId", b."firstSerial" LIMIT 1)
      UNION ALL
      (SELECT false AS exact, b.id, b."seriesId", b."firstSerial", b."lastSerial" FROM "UnitBlock" b
        WHERE b."accountId" = read_account AND b."closedByTxId" IS NULL
        ORDER BY (b."lastSerial" - b."firstSerial" + 1), b."seriesId", b."firstSerial" LIMIT read_rows)) q));
  mode := set_config('enable_sort', sorts, true);
  RETURN jsonb_build_object('accounts', locked, 'chain', claimed, 'head', head, 'blocks', blocks);
END;
$function$;
