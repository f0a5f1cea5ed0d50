-- Enterprises of one sector in one county (the supervising department's everyday list): without
-- this, PostgreSQL walks the sector's index past every other county (~1 s at 1,000,000 enterprises).
CREATE INDEX ON enterprises.enterprise (sector, left(region_code, 6), uscc);
ANALYZE enterprises.enterprise;
