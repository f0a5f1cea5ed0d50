-- The rollup job moves two marks: `until`, the boundary below which the evaluator marks a late
-- reading's minute dirty (moved first, in a short transaction), and `done`, how far the minutes are
-- actually rolled up (moved after the aggregation commits). A failed aggregation is redone from `done`.
ALTER TABLE monitoring.rollup_watermark ADD COLUMN done timestamptz;
UPDATE monitoring.rollup_watermark SET done = until;
