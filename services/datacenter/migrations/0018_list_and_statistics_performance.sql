-- Found by bench/datacenter.py at 1,000,000 enterprises and 5,000,000 hazards (docs/benchmarks.md).

-- 1. Lists scoped to a county: an equality on the county code with the list's order behind it.
CREATE INDEX ON enterprises.enterprise (left(region_code, 6), uscc);
CREATE INDEX ON hazards.hazard (left(region_code, 6), id);
CREATE INDEX ON major_hazards.source (left(region_code, 6), id);
CREATE INDEX ON rescue_teams.team (left(region_code, 6), id);
CREATE INDEX ON supplies.warehouse (left(region_code, 6), id);
CREATE INDEX ON supplies.item (left(region_code, 6), id);
CREATE INDEX ON supplies.movement (left(region_code, 6), id);
CREATE INDEX ON accidents.accident (left(region_code, 6), id);
CREATE INDEX ON experts.expert (left(region_code, 6), id);
CREATE INDEX ON licences.licence (left(region_code, 6), id);
CREATE INDEX ON personnel.officer (left(region_code, 6), id);
CREATE INDEX ON personnel.trainee (left(region_code, 6), id);

-- 2. Statistics without a month range read counters without the month dimension.
CREATE TABLE registry.stat_total (
    kind         text NOT NULL,
    region_code  text NOT NULL,
    category     text NOT NULL,
    n            bigint NOT NULL,
    PRIMARY KEY (kind, region_code, category)
);
INSERT INTO registry.stat_total (kind, region_code, category, n)
    SELECT kind, region_code, category, sum(n) FROM registry.stat GROUP BY 1, 2, 3;

CREATE OR REPLACE FUNCTION registry.count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    region   text := CASE WHEN TG_ARGV[1] = 'NULL' THEN '''''' ELSE format('coalesce(%I, '''')', TG_ARGV[1]) END;
    category text := CASE WHEN TG_ARGV[2] = 'NULL' THEN '''''' ELSE format('coalesce(%I::text, '''')', TG_ARGV[2]) END;
    month    text := format('coalesce(date_trunc(''month'', %s)::date, date ''1970-01-01'')', TG_ARGV[3]);
    grouped  text;
BEGIN
    grouped := CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT %s r, %s c, %s m, count(*) d FROM new_rows WHERE deleted_at IS NULL GROUP BY 1, 2, 3', region, category, month)
        WHEN 'DELETE' THEN format('SELECT %s r, %s c, %s m, -count(*) d FROM old_rows WHERE deleted_at IS NULL GROUP BY 1, 2, 3', region, category, month)
        ELSE format('SELECT r, c, m, sum(d) d FROM (SELECT %1$s r, %2$s c, %3$s m, 1 d FROM new_rows WHERE deleted_at IS NULL
                     UNION ALL SELECT %1$s, %2$s, %3$s, -1 FROM old_rows WHERE deleted_at IS NULL) x GROUP BY 1, 2, 3', region, category, month)
    END;
    -- One pass over the transition rows feeds both counter tables.
    EXECUTE format('WITH g AS (SELECT r, c, m, d FROM (%s) x WHERE d <> 0),
                         monthly AS (INSERT INTO registry.stat AS s (kind, region_code, category, month, n)
                                     SELECT %L, r, c, m, d FROM g
                                     ON CONFLICT (kind, region_code, category, month) DO UPDATE SET n = s.n + excluded.n)
                    INSERT INTO registry.stat_total AS t (kind, region_code, category, n)
                    SELECT %L, r, c, sum(d) FROM g GROUP BY r, c HAVING sum(d) <> 0
                    ON CONFLICT (kind, region_code, category) DO UPDATE SET n = t.n + excluded.n', grouped, TG_ARGV[0], TG_ARGV[0]);
    RETURN NULL;
END $$;
