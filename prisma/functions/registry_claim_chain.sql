CREATE OR REPLACE FUNCTION registry_claim_chain(chains integer, OUT chain integer, OUT head text)
 RETURNS record
 LANGUAGE plpgsql
AS $function$
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
$function$;
