CREATE OR REPLACE FUNCTION registry_record_administrative(r jsonb)
 RETURNS void
 LANGUAGE plpgsql
AS $function$
BEGIN
  INSERT INTO "AdministrativeRecord" (id, kind, subject, "scopeType", "scopeId", body, "validFrom", "validUntil", "transactionId", "createdAt")
    SELECT x.id, x.kind, x.subject, x."scopeType", x."scopeId", x.body, x."validFrom"::timestamp(3), x."validUntil"::timestamp(3), r->>'transactionId', (r->>'createdAt')::timestamp(3)
    FROM jsonb_to_recordset(r->'records') AS x(id text, kind text, subject text, "scopeType" text, "scopeId" text, body text, "validFrom" text, "validUntil" text);
  -- Rule settings, suspensions (and their lifts) and authorizations change what the rules engine keeps in
  -- memory: raise the generation, under its row lock, so that transactions judged by the old ones fail their last statement.
  IF EXISTS (SELECT 1 FROM jsonb_to_recordset(r->'records') AS x(kind text) WHERE x.kind IN ('RULE_SETTING', 'RULE_SUSPENSION', 'RULE_SUSPENSION_LIFT', 'AUTHORIZATION')) THEN
    UPDATE "RuleGeneration" SET generation = generation + 1 WHERE id = 1;
  END IF;
END;
$function$;
