-- When supervision first heard of a point: data quality expects its readings from then on, not from
-- the start of a day it did not yet exist in.
ALTER TABLE monitoring.point ADD COLUMN registered_at timestamptz NOT NULL DEFAULT now();
