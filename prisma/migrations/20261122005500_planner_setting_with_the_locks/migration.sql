-- The write path's planner setting comes with its first statement instead of a statement of its own.
--
-- Every write-path transaction plans without sequential scans (server/ledger/sql.ts explains why): it
-- sent SET LOCAL enable_seqscan = off with its BEGIN, one more statement for every transfer. Its first
-- statement is registry_lock (operations) or registry_claim_chain (refusals, duplicates), so these now
-- make the setting themselves, for the rest of the transaction (set_config(..., true), as SET LOCAL
-- does). registry_lock therefore loses its own SET clause, which would restore the setting when it
-- returns; its statements run after the setting is made, so they are planned under it as before.
-- A transaction that begins otherwise still sends SET LOCAL with its BEGIN.

CREATE OR REPLACE FUNCTION "registry_lock"(ids text[], exclusive boolean[], chains integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  setting text := set_config('enable_seqscan', 'off', true);
  locked jsonb;
  start integer := floor(random() * chains)::integer;
  claimed integer;
  head text;
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
  locked := to_jsonb(ARRAY(SELECT jsonb_build_object('id', a.id, 'registry', a.registry, 'type', a.type, 'status', a.status, 'sectionId', a."sectionId")
                           FROM "Account" a WHERE a.id = ANY(ids) ORDER BY a.id));
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
  RETURN jsonb_build_object('accounts', locked, 'chain', claimed, 'head', head);
END;
$$;

CREATE OR REPLACE FUNCTION "registry_claim_chain"(chains integer, OUT chain integer, OUT head text)
LANGUAGE plpgsql AS $$
DECLARE
  setting text := set_config('enable_seqscan', 'off', true);
  start integer := floor(random() * chains)::integer;
BEGIN
  chain := NULL;
  FOR i IN 0 .. chains - 1 LOOP
    IF pg_try_advisory_xact_lock(6274301, (start + i) % chains) THEN
      chain := (start + i) % chains;
      EXIT;
    END IF;
  END LOOP;
  IF chain IS NULL THEN
    PERFORM pg_advisory_xact_lock(6274301, start);
    chain := start;
  END IF;
  SELECT h.hash INTO head FROM "LogChainHead" h WHERE h.chain = registry_claim_chain.chain;
  IF NOT FOUND THEN
    RAISE EXCEPTION 'registry_claim_chain: no head row for chain %', chain;
  END IF;
END;
$$;
