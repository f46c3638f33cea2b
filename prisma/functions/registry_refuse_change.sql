CREATE OR REPLACE FUNCTION registry_refuse_change()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
  RAISE EXCEPTION '% %: % refused', TG_TABLE_NAME, TG_ARGV[0], TG_OP
    USING HINT = 'Records of the registry are never changed or removed; correct them by appending new records.';
END;
$function$;
