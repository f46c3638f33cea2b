-- The UnitBlock guards call their functions for every row instead of filtering with a WHEN clause.
-- The functions (20261122000100_immutability) make every check themselves and let the legitimate
-- change through, so what is refused, and with which error, is unchanged.
--
-- Why: PostgreSQL rebuilds a trigger's WHEN clause for every statement that fires it (it reads the
-- stored expression back, rewrites and plans it), and the clause on block updates has eleven
-- conditions. Measured on PostgreSQL 15, one row per statement as a transfer writes it: the WHEN
-- clause cost about 7-9 µs per UPDATE and 2-5 µs per INSERT; calling the PL/pgSQL function, whose
-- compiled form and expressions the session keeps, about 1-3 µs and 1 µs per row.
DROP TRIGGER "UnitBlock_close_only" ON "UnitBlock";
CREATE TRIGGER "UnitBlock_close_only"
  AFTER UPDATE ON "UnitBlock"
  FOR EACH ROW
  EXECUTE FUNCTION "registry_unit_block_update_guard"();

DROP TRIGGER "UnitBlock_insert_guard" ON "UnitBlock";
CREATE TRIGGER "UnitBlock_insert_guard"
  BEFORE INSERT ON "UnitBlock"
  FOR EACH ROW
  EXECUTE FUNCTION "registry_unit_block_insert_guard"();
