CREATE OR REPLACE FUNCTION registry_recorded(closed bigint, expected integer, moved bigint, chain integer, prev_hash text, generation_now bigint, generation_judged bigint)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
  -- The rules engine's commit-time check, when the transaction was judged by rules that send no units
  -- to other accounts (with receivers, registry_record makes it): the rule settings it was judged by are
  -- still the current ones.
  IF generation_judged IS NOT NULL AND generation_now IS DISTINCT FROM generation_judged THEN
    RAISE EXCEPTION 'the rule settings changed (generation % is now %)', generation_judged, generation_now USING ERRCODE = 'RG001';
  END IF;
  IF closed <> expected THEN
    RAISE EXCEPTION 'registry_record: closed % of % blocks; a block changed under its account''s lock', closed, expected;
  END IF;
  IF moved <> 1 THEN
    RAISE EXCEPTION 'registry_record: chain % does not end at the entry''s prevHash %', chain, prev_hash;
  END IF;
END;
$function$;
