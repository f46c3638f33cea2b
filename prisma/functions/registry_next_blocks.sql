CREATE OR REPLACE FUNCTION registry_next_blocks(account text, after_size bigint, after_series text, after_first bigint, page integer)
 RETURNS TABLE(id bigint, "seriesId" text, "firstSerial" bigint, "lastSerial" bigint)
 LANGUAGE plpgsql
 STABLE
 SET enable_sort TO 'off'
 SET enable_seqscan TO 'off'
AS $function$
BEGIN
  RETURN QUERY
    SELECT b.id, b."seriesId", b."firstSerial", b."lastSerial" FROM "UnitBlock" b
    WHERE b."accountId" = account AND b."closedByTxId" IS NULL
      AND ((b."lastSerial" - b."firstSerial" + 1), b."seriesId", b."firstSerial") > (after_size, after_series, after_first)
    ORDER BY (b."lastSerial" - b."firstSerial" + 1), b."seriesId", b."firstSerial"
    LIMIT page;
END;
$function$;
