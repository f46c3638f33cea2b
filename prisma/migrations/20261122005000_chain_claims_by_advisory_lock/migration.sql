-- A log chain is claimed with a transaction-scoped advisory lock instead of a row lock on its head.
--
-- The row lock (`FOR UPDATE SKIP LOCKED` on "LogChainHead", ordered from a random start) cost every
-- transaction a sort, a lock-rows node and a tuple lock written into the head's page and the WAL,
-- only to be followed by the UPDATE that moves the head anyway. An advisory lock lives in the lock
-- manager's memory, is released at commit or rollback, and excludes the same way:
--   key (6274301, chain): try each chain from a random start and keep the first no one holds; when all
--   are held, wait for the one at the start.
-- The head is read after the lock, in a statement of its own, so it is the head the previous holder
-- committed. Every writer of the log claims its chain here or in registry_lock, and registry_record
-- still moves a head only from the entry's prevHash: a writer that appended without the lock could
-- not break a chain, only fail.
CREATE OR REPLACE FUNCTION "registry_claim_chain"(chains integer, OUT chain integer, OUT head text)
LANGUAGE plpgsql AS $$
DECLARE
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

-- registry_lock (last defined in 20261122004100_account_locks) claims its chain the same way, after the
-- account locks.
CREATE OR REPLACE FUNCTION "registry_lock"(ids text[], exclusive boolean[], chains integer) RETURNS jsonb
LANGUAGE plpgsql
SET enable_seqscan = off
AS $$
DECLARE
  k record;
  locked jsonb;
  start integer := floor(random() * chains)::integer;
  claimed integer;
  head text;
BEGIN
  IF coalesce(cardinality(ids), 0) <> coalesce(cardinality(exclusive), 0) THEN
    RAISE EXCEPTION 'registry_lock: % accounts but % lock modes', coalesce(cardinality(ids), 0), coalesce(cardinality(exclusive), 0);
  END IF;
  FOR k IN SELECT hashtext(u.id) AS key, bool_or(u.x) AS x FROM unnest(ids, exclusive) AS u(id, x) GROUP BY 1 ORDER BY 1 LOOP
    IF k.x THEN
      PERFORM pg_advisory_xact_lock(6274300, k.key);
    ELSE
      PERFORM pg_advisory_xact_lock_shared(6274300, k.key);
    END IF;
  END LOOP;
  SELECT coalesce(jsonb_agg(jsonb_build_object('id', a.id, 'registry', a.registry, 'type', a.type, 'status', a.status, 'sectionId', a."sectionId") ORDER BY a.id), '[]'::jsonb)
    INTO locked FROM "Account" a WHERE a.id = ANY(ids);
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
