CREATE OR REPLACE FUNCTION registry_chain_head_guard()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  IF NEW.chain <> OLD.chain OR NEW.seq <= OLD.seq THEN
    RAISE EXCEPTION 'LogChainHead %: a chain head only moves forward (from seq % to % refused)', OLD.chain, OLD.seq, NEW.seq
      USING HINT = 'Heads move with the entries appended to their chain, by registry_record.';
  END IF;
  RETURN NULL;
END;
$function$;
