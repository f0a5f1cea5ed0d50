-- 执法检查: yearly inspection plans with their 双随机 draw, officers' declared conflicts of interest,
-- inspections with their findings, the enforcement documents they produce (numbered per agency,
-- type and year by kit.document_serial), and the re-checks of rectification orders.
CREATE SCHEMA inspections;

CREATE TABLE inspections.plan (
    id            bigserial PRIMARY KEY,
    county_code   text NOT NULL CHECK (county_code ~ '^\d{6}$'),
    year          integer NOT NULL CHECK (year BETWEEN 2000 AND 2100),
    status        text NOT NULL CHECK (status IN ('draft', 'published')),
    seed          bigint NOT NULL,
    digest        text NOT NULL,                 -- sha256 of the draw's canonical inputs
    tables        jsonb NOT NULL,                -- rule table name → effective_from
    inputs        jsonb NOT NULL,                -- the draw's inputs, so anyone can re-run and verify it
    summary       jsonb NOT NULL,
    unassigned    jsonb NOT NULL DEFAULT '[]',
    created_by    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_by  text,
    published_at  timestamptz,
    version       integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX plan_one_per_county_year ON inspections.plan (county_code, year);

CREATE TABLE inspections.plan_item (
    id               bigserial PRIMARY KEY,
    plan_id          bigint NOT NULL REFERENCES inspections.plan (id) ON DELETE CASCADE,
    uscc             text NOT NULL,
    enterprise_name  text NOT NULL,
    month            integer NOT NULL CHECK (month BETWEEN 1 AND 12),
    key_target       boolean NOT NULL,
    officer_ids      text[] NOT NULL CHECK (cardinality(officer_ids) = 2),
    officer_names    text[] NOT NULL,
    reason           text NOT NULL,
    inspection_id    bigint
);
CREATE INDEX ON inspections.plan_item (plan_id, month);
CREATE INDEX ON inspections.plan_item (uscc);

-- 回避: an officer never inspects an enterprise they have a declared conflict with.
CREATE TABLE inspections.officer_conflict (
    officer_id   text NOT NULL,
    uscc         text NOT NULL,
    reason       text NOT NULL,
    declared_by  text NOT NULL,
    declared_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (officer_id, uscc)
);

CREATE TABLE inspections.inspection (
    id               bigserial PRIMARY KEY,
    plan_item_id     bigint REFERENCES inspections.plan_item (id),
    uscc             text NOT NULL,
    enterprise_name  text NOT NULL,
    region_code      text NOT NULL,
    sector           text NOT NULL,
    agency_region    text NOT NULL,              -- the inspecting agency's region (its documents' agency)
    mode             text NOT NULL CHECK (mode IN ('routine', 'special', 'unannounced')),
    status           text NOT NULL CHECK (status IN ('in_progress', 'completed')),
    place            text NOT NULL,
    started_at       timestamptz NOT NULL,
    ended_at         timestamptz,
    officers         jsonb NOT NULL,             -- [{id, name, certificate_number, valid_until}], at least two
    checklist        text[] NOT NULL DEFAULT '{}',
    content          text NOT NULL DEFAULT '',
    unit_present     jsonb,                      -- {name, post}
    created_by       text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    completed_at     timestamptz,
    version          integer NOT NULL DEFAULT 1
);
CREATE INDEX ON inspections.inspection (region_code, started_at DESC);
CREATE INDEX ON inspections.inspection (uscc, started_at DESC);

CREATE TABLE inspections.finding (
    inspection_id  bigint NOT NULL REFERENCES inspections.inspection (id),
    seq            integer NOT NULL,
    item_code      text,                         -- the checklist item it matches, if any
    description    text NOT NULL,
    major          boolean NOT NULL,             -- matches a 重大事故隐患判定标准 item
    handling       text NOT NULL CHECK (handling IN ('fixed_on_site', 'order', 'measures')),
    deadline       date,                         -- rectification deadline (order, measures)
    basis          text NOT NULL DEFAULT '',
    hazard_id      text,                         -- the data centre's hazard record, once written
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (inspection_id, seq)
);

CREATE TABLE inspections.document (
    id             bigserial PRIMARY KEY,
    type           text NOT NULL,
    number         text UNIQUE,                  -- NULL for a document type without a number (送达回执)
    agency_region  text NOT NULL,
    agency_name    text NOT NULL,
    year           integer NOT NULL,
    serial         integer,
    inspection_id  bigint REFERENCES inspections.inspection (id),
    parent_id      bigint REFERENCES inspections.document (id),   -- the order a re-check opinion answers
    uscc           text NOT NULL,
    enterprise_name text NOT NULL,
    region_code    text NOT NULL,
    body           jsonb NOT NULL,               -- what the printed document says
    signatures     jsonb NOT NULL DEFAULT '[]',
    due_on         date,                         -- an order's rectification deadline
    issued_by      text NOT NULL,
    issued_at      timestamptz NOT NULL DEFAULT now(),
    UNIQUE (agency_region, type, year, serial)
);
CREATE INDEX ON inspections.document (region_code, issued_at DESC);
CREATE INDEX ON inspections.document (inspection_id);

CREATE TABLE inspections.recheck (
    id              bigserial PRIMARY KEY,
    order_id        bigint NOT NULL UNIQUE REFERENCES inspections.document (id),
    uscc            text NOT NULL,
    enterprise_name text NOT NULL,
    region_code     text NOT NULL,
    rectify_by      date NOT NULL,               -- the order's deadline
    due_on          date NOT NULL,               -- re-check due (rule table: days after the deadline)
    done_on         date,
    result          text CHECK (result IN ('passed', 'failed')),
    opinion         text,
    next_action     text CHECK (next_action IN ('new_order', 'case')),
    opinion_id      bigint REFERENCES inspections.document (id),
    done_by         text,
    version         integer NOT NULL DEFAULT 1
);
CREATE INDEX ON inspections.recheck (region_code, due_on) WHERE done_on IS NULL;
