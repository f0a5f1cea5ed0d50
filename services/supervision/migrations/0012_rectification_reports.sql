-- 整改情况报告: what the enterprise reports against a rectification order before the re-check.
-- Every report is kept (a corrected one is appended, not overwritten); reported_on is the day of
-- the first, from which the re-check falls due (rule table enforcement_deadlines, recheck_after_report).
ALTER TABLE inspections.recheck
    ADD COLUMN reports     jsonb NOT NULL DEFAULT '[]',
    ADD COLUMN reported_on date;
