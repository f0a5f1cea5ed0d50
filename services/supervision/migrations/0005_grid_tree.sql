-- 网格化监管: the grid tree (city → county → township → village), each grid with its people and
-- responsibilities (定区域、定人员、定责任); every registered enterprise in exactly one grid, with the
-- history of its assignments; the yearly enterprise class (A/B/C/D) with its inputs.

ALTER TABLE supervision.grid
    ADD COLUMN parent_code       text REFERENCES supervision.grid (code),
    ADD COLUMN level             text NOT NULL DEFAULT 'county' CHECK (level IN ('city', 'county', 'township', 'village')),
    ADD COLUMN responsibilities  text NOT NULL DEFAULT '',
    ADD COLUMN created_at        timestamptz NOT NULL DEFAULT now(),
    ADD COLUMN version           integer NOT NULL DEFAULT 1,
    ADD CONSTRAINT grid_not_own_parent CHECK (parent_code IS DISTINCT FROM code);
UPDATE supervision.grid SET level = 'city' WHERE code = '620800-G00';
UPDATE supervision.grid SET parent_code = '620800-G00' WHERE code <> '620800-G00';
CREATE INDEX ON supervision.grid (parent_code);

-- The people of a grid: 网格长 (leader), 网格监管员 (agency officers responsible for it), 网格员
-- (village or township members who walk it), 市级值班 (the city grid's duty officers).
ALTER TABLE supervision.grid_member
    ADD COLUMN officer_id  text,                 -- the data centre's officer record, for officers
    ADD COLUMN added_at    timestamptz NOT NULL DEFAULT now();

-- What the registry keeps of the enterprise record for supervision's rules (classes, plans, checklists).
ALTER TABLE supervision.registration
    ADD COLUMN sector                 text,
    ADD COLUMN standardization_grade  text,
    ADD COLUMN risk_colour            text,
    ADD COLUMN status                 text,
    ADD COLUMN grid_assigned_manually boolean NOT NULL DEFAULT false;
CREATE INDEX ON supervision.registration (grid_code, uscc);

-- Every assignment an enterprise has had: one open row (ended_at NULL) per enterprise.
CREATE TABLE supervision.grid_assignment (
    id           bigserial PRIMARY KEY,
    uscc         text NOT NULL REFERENCES supervision.registration (uscc),
    grid_code    text NOT NULL REFERENCES supervision.grid (code),
    assigned_at  timestamptz NOT NULL DEFAULT now(),
    ended_at     timestamptz,
    reason       text NOT NULL,
    assigned_by  text NOT NULL
);
CREATE UNIQUE INDEX grid_assignment_open ON supervision.grid_assignment (uscc) WHERE ended_at IS NULL;
CREATE INDEX ON supervision.grid_assignment (uscc, assigned_at);
INSERT INTO supervision.grid_assignment (uscc, grid_code, assigned_at, reason, assigned_by)
    SELECT uscc, grid_code, registered_at, '按所在行政区划自动划入', 'system' FROM supervision.registration;

-- The yearly class (分类分级) of each enterprise: the class, the score, the inputs it was computed
-- from and the rule table version, so a class can be explained and recomputed.
CREATE TABLE supervision.enterprise_class (
    uscc           text NOT NULL REFERENCES supervision.registration (uscc),
    year           integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    class          text NOT NULL CHECK (class IN ('A', 'B', 'C', 'D')),
    score          numeric NOT NULL,
    key_target     boolean NOT NULL,
    key_reasons    text[] NOT NULL DEFAULT '{}',   -- why a key target is one (D类, 一级重大危险源, …)
    inputs         jsonb NOT NULL,
    factors        jsonb NOT NULL,
    table_version  date NOT NULL,
    computed_at    timestamptz NOT NULL DEFAULT now(),
    computed_by    text NOT NULL,
    PRIMARY KEY (uscc, year)
);
CREATE INDEX ON supervision.enterprise_class (year, class);
