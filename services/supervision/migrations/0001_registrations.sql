-- Enterprises registered for supervision, each assigned to a grid (网格化监管).
CREATE SCHEMA supervision;

CREATE TABLE supervision.grid (
    code         text PRIMARY KEY,
    name         text NOT NULL,
    region_code  text NOT NULL CHECK (region_code ~ '^\d{6}(\d{3}(\d{3})?)?$')  -- the area the grid covers
);

-- One default grid per county of Pingliang and one for enterprises registered at city level;
-- finer township grids are drawn by the grid-supervision issue.
INSERT INTO supervision.grid (code, name, region_code) VALUES
    ('620800-G00', '平凉市市直监管网格', '620800'),
    ('620802-G01', '崆峒区安全生产监管网格', '620802'),
    ('620821-G01', '泾川县安全生产监管网格', '620821'),
    ('620822-G01', '灵台县安全生产监管网格', '620822'),
    ('620823-G01', '崇信县安全生产监管网格', '620823'),
    ('620825-G01', '庄浪县安全生产监管网格', '620825'),
    ('620826-G01', '静宁县安全生产监管网格', '620826'),
    ('620881-G01', '华亭市安全生产监管网格', '620881');

CREATE TABLE supervision.registration (
    uscc            text PRIMARY KEY,
    name            text NOT NULL,
    region_code     text NOT NULL,
    county_code     text,
    grid_code       text NOT NULL REFERENCES supervision.grid (code),
    source_version  bigint NOT NULL,
    registered_at   timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX registration_region ON supervision.registration (region_code, uscc);
