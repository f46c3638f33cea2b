-- Accounts are locked with transaction-scoped advisory locks instead of row locks.
--
-- A row lock is written into the account's row: every transfer dirtied two account pages and wrote two
-- WAL records just to lock, and when several transactions share a row lock (FOR SHARE by everyone
-- sending into one account, or the KEY SHARE lock of the foreign key from a new block to its account)
-- PostgreSQL records the holders as a MultiXact, a cost that grows with the number of writers. Popular
-- receiving accounts (the OMGE cancellation account, the Adaptation Fund account, fee accounts under
-- the rules, an exchange's holding account) made every writer pay it. Advisory locks live only in the
-- lock manager's memory, are released at commit or rollback, and conflict the same way:
--   exclusive (units leave, or the account changes)  x  exclusive or shared: wait;
--   shared (units only arrive)                        x  shared: no wait.
-- Key: (6274300, hashtext(account id)). Two ids whose hashes collide merely share a lock.

-- A block's account is no longer a foreign key (its KEY SHARE lock is the MultiXact above). Blocks are
-- only written by registry_record, into accounts registry_lock found under their locks; the accounts
-- are never deleted and their ids never change (triggers below), and ledger:verify and invariant 6
-- (blocks equal a replay of the log, accounts included) check the reference.
ALTER TABLE "UnitBlock" DROP CONSTRAINT "UnitBlock_accountId_fkey";

CREATE TRIGGER "Account_never_deleted"
  BEFORE DELETE ON "Account"
  FOR EACH ROW EXECUTE FUNCTION "registry_refuse_change"('is never deleted (accounts are terminated)');
CREATE TRIGGER "Account_never_truncated"
  BEFORE TRUNCATE ON "Account"
  FOR EACH STATEMENT EXECUTE FUNCTION "registry_refuse_change"('is never deleted (accounts are terminated)');
CREATE TRIGGER "Account_id_fixed"
  BEFORE UPDATE ON "Account"
  FOR EACH ROW WHEN (NEW.id IS DISTINCT FROM OLD.id)
  EXECUTE FUNCTION "registry_refuse_change"('id never changes');

-- Locks the accounts a transaction touches and claims a log chain; returns the accounts found, the
-- chain and its head. The locks are taken in the order of their keys, the one order every transaction
-- uses, so that none waits for another in a cycle; an account given twice is locked once, exclusively
-- if either asks so. The accounts are read after the locks, so the statement sees what was committed
-- before it: a status change holds the exclusive lock until it commits.
CREATE OR REPLACE FUNCTION "registry_lock"(ids text[], exclusive boolean[], chains integer) RETURNS jsonb
LANGUAGE plpgsql AS $$
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

-- The rules engine's commit-time guard (first defined in 20261122002000_rules): the accounts that
-- receive supplementary units are held with the shared account lock, like any receiving account.
CREATE OR REPLACE FUNCTION "registry_rules_unchanged"(g bigint, accounts text[]) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
  current bigint;
  active integer;
  k integer;
BEGIN
  SELECT generation INTO current FROM "RuleGeneration" WHERE id = 1;
  IF current IS DISTINCT FROM g THEN
    RAISE EXCEPTION 'the rule settings changed (generation % is now %)', g, current USING ERRCODE = 'RG001';
  END IF;
  IF cardinality(accounts) > 0 THEN
    FOR k IN SELECT DISTINCT hashtext(a) FROM unnest(accounts) AS a ORDER BY 1 LOOP
      PERFORM pg_advisory_xact_lock_shared(6274300, k);
    END LOOP;
    SELECT count(*) INTO active FROM "Account" a WHERE a.id = ANY(accounts) AND a.status = 'ACTIVE';
    IF active <> cardinality(accounts) THEN
      RAISE EXCEPTION 'an account that receives supplementary units is no longer active' USING ERRCODE = 'RG001';
    END IF;
  END IF;
END;
$$;
