-- registry_lock in one pass: the caller sends the accounts already sorted and without duplicates, with
-- the lock mode of each, and the chain is claimed inline. Two statements and a function call fewer on
-- every transaction's first round trip than registry_lock(text[], text[], integer) and
-- registry_claim_chain, which stays for the proposals that only append to the log.
DROP FUNCTION "registry_lock"(text[], text[], integer);

-- Locks the accounts a transaction touches, in the order given (server/ledger/operations/lock-accounts.ts
-- sorts them, so that every transaction locks in the same order and none waits for another in a
-- cycle): FOR NO KEY UPDATE where `exclusive` (units leave, or the account changes), FOR SHARE where
-- units only arrive. Then claims a log chain as registry_claim_chain does. Returns the accounts found,
-- the chain and its head.
CREATE FUNCTION "registry_lock"(ids text[], exclusive boolean[], chains integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
DECLARE
  i integer;
  locked jsonb := '[]'::jsonb;
  row jsonb;
  start integer := floor(random() * chains)::integer;
  claimed integer;
  head text;
BEGIN
  IF coalesce(array_length(ids, 1), 0) <> coalesce(array_length(exclusive, 1), 0) THEN
    RAISE EXCEPTION 'registry_lock: % accounts but % lock modes', coalesce(array_length(ids, 1), 0), coalesce(array_length(exclusive, 1), 0);
  END IF;
  FOR i IN 1 .. coalesce(array_length(ids, 1), 0) LOOP
    IF i > 1 AND ids[i] <= ids[i - 1] THEN
      RAISE EXCEPTION 'registry_lock: accounts must come sorted and distinct (% after %)', ids[i], ids[i - 1];
    END IF;
    IF exclusive[i] THEN
      SELECT jsonb_build_object('id', a.id, 'registry', a.registry, 'type', a.type, 'status', a.status, 'sectionId', a."sectionId") INTO row
        FROM "Account" a WHERE a.id = ids[i] FOR NO KEY UPDATE;
    ELSE
      SELECT jsonb_build_object('id', a.id, 'registry', a.registry, 'type', a.type, 'status', a.status, 'sectionId', a."sectionId") INTO row
        FROM "Account" a WHERE a.id = ids[i] FOR SHARE;
    END IF;
    IF row IS NOT NULL THEN locked := locked || jsonb_build_array(row); END IF;
    row := NULL;
  END LOOP;
  SELECT h.chain, h.hash INTO claimed, head FROM "LogChainHead" h
    WHERE h.chain < chains ORDER BY (h.chain - start + chains) % chains LIMIT 1 FOR UPDATE SKIP LOCKED;
  IF NOT FOUND THEN
    claimed := start;
    SELECT h.hash INTO head FROM "LogChainHead" h WHERE h.chain = start FOR UPDATE;
    IF NOT FOUND THEN
      RAISE EXCEPTION 'registry_lock: no head row for chain %', start;
    END IF;
  END IF;
  RETURN jsonb_build_object('accounts', locked, 'chain', claimed, 'head', head);
END;
$$;
