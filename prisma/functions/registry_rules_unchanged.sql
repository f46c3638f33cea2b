CREATE OR REPLACE FUNCTION registry_rules_unchanged(g bigint, accounts text[])
 RETURNS void
 LANGUAGE plpgsql
AS $function$
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
$function$;
