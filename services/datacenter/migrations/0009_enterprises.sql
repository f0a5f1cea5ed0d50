-- 生产经营单位: the remaining fields of the enterprises database, soft delete and search.
ALTER TABLE enterprises.enterprise
    ADD COLUMN legal_representative text CHECK (char_length(legal_representative) BETWEEN 2 AND 50),
    ADD COLUMN lon double precision CHECK (lon >= 73 AND lon <= 136),
    ADD COLUMN lat double precision CHECK (lat >= 3 AND lat <= 54),
    ADD COLUMN sector text CHECK (char_length(sector) BETWEEN 1 AND 40) REFERENCES dictionaries.sector (code),
    ADD COLUMN scale text CHECK (scale IN ('large', 'medium', 'small', 'micro')),
    ADD COLUMN employees integer CHECK (employees >= 0 AND employees <= 1e+06),
    ADD COLUMN safety_manager text CHECK (char_length(safety_manager) BETWEEN 2 AND 50),
    ADD COLUMN safety_manager_phone text,
    ADD COLUMN contact_phone text,
    ADD COLUMN risk_colour text CHECK (risk_colour IN ('red', 'orange', 'yellow', 'blue')),
    ADD COLUMN standardization_grade text CHECK (standardization_grade IN ('1', '2', '3')),
    ADD COLUMN status text CHECK (status IN ('operating', 'suspended', 'under_construction', 'closed')),
    ADD COLUMN search tsvector,
    ADD COLUMN deleted_at timestamptz,
    ADD COLUMN deleted_by text;
CREATE INDEX ON enterprises.enterprise (industry_code, uscc);
CREATE INDEX ON enterprises.enterprise (sector, uscc);
CREATE INDEX ON enterprises.enterprise (scale, uscc);
CREATE INDEX ON enterprises.enterprise (risk_colour, uscc);
CREATE INDEX ON enterprises.enterprise (standardization_grade, uscc);
CREATE INDEX ON enterprises.enterprise (status, uscc);
DROP INDEX enterprises.enterprise_region;
CREATE INDEX ON enterprises.enterprise (region_code text_pattern_ops, uscc);
CREATE INDEX ON enterprises.enterprise USING gin (search);
SELECT registry.count_rows_of('enterprises.enterprise', 'enterprise', 'region_code', 'sector', '(created_at AT TIME ZONE ''Asia/Shanghai'')');
-- Count the enterprises registered before the counters existed.
INSERT INTO registry.stat (kind, region_code, category, month, n)
    SELECT 'enterprise', region_code, coalesce(sector, ''), date_trunc('month', created_at AT TIME ZONE 'Asia/Shanghai')::date, count(*)
      FROM enterprises.enterprise GROUP BY 2, 3, 4;
