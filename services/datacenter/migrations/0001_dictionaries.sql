-- Shared dictionaries served by the data centre. Regions: GB/T 2260, Pingliang down to county
-- (townships and villages are loaded with the full dictionary; see docs/datacenter.md).
CREATE SCHEMA dictionaries;

CREATE TABLE dictionaries.region (
    code         text PRIMARY KEY CHECK (code ~ '^\d{6}(\d{3}(\d{3})?)?$'),
    name         text NOT NULL,
    parent_code  text REFERENCES dictionaries.region (code),
    level        text NOT NULL CHECK (level IN ('province', 'city', 'county', 'township', 'village'))
);

INSERT INTO dictionaries.region (code, name, parent_code, level) VALUES
    ('620000', '甘肃省', NULL, 'province'),
    ('620800', '平凉市', '620000', 'city'),
    ('620802', '崆峒区', '620800', 'county'),
    ('620821', '泾川县', '620800', 'county'),
    ('620822', '灵台县', '620800', 'county'),
    ('620823', '崇信县', '620800', 'county'),
    ('620825', '庄浪县', '620800', 'county'),
    ('620826', '静宁县', '620800', 'county'),
    ('620881', '华亭市', '620800', 'county');
