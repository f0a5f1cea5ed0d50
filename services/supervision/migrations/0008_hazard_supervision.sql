-- 隐患排查治理 at the platform level: supervision's copy of the data centre's hazards (kept from
-- their change events, for the board, the counts and overdue escalation), listed supervision
-- (挂牌督办) of major hazards with its extension requests and escalations, and the enterprises'
-- quarterly and annual hazard reports (季报/年报).
CREATE SCHEMA hazard_supervision;

CREATE TABLE hazard_supervision.hazard (
    id                  bigint PRIMARY KEY,            -- the data centre's hazard id
    uscc                text NOT NULL,
    enterprise_name     text NOT NULL DEFAULT '',
    region_code         text NOT NULL,
    level               text NOT NULL,
    source              text,
    status              text NOT NULL,
    description         text NOT NULL DEFAULT '',
    responsible_person  text,
    found_at            timestamptz,
    deadline            date,
    closed_at           timestamptz,
    verification        jsonb,
    version             bigint NOT NULL,
    deleted             boolean NOT NULL DEFAULT false
);
CREATE INDEX ON hazard_supervision.hazard (region_code, found_at);
CREATE INDEX ON hazard_supervision.hazard (uscc);

CREATE TABLE hazard_supervision.listing (
    id               bigserial PRIMARY KEY,
    hazard_id        bigint NOT NULL REFERENCES hazard_supervision.hazard (id),
    uscc             text NOT NULL,
    enterprise_name  text NOT NULL,
    region_code      text NOT NULL,
    level            text NOT NULL CHECK (level IN ('province', 'city', 'county')),   -- the supervising level
    agency_region    text NOT NULL,                 -- the supervising agency's region
    document_number  text NOT NULL UNIQUE,
    listed_on        date NOT NULL,
    deadline         date NOT NULL,                 -- in force: the listed one, or the last approved extension's
    listed_deadline  date NOT NULL,                 -- as listed (the data centre's supervision.deadline)
    requirements     text NOT NULL,
    status           text NOT NULL CHECK (status IN ('listed', 'closed')),
    escalated_to     text CHECK (escalated_to IN ('province', 'city')),
    escalated_at     timestamptz,
    closed_on        date,
    closed_by        text,
    closure_note     text,
    listed_by        text NOT NULL,
    version          integer NOT NULL DEFAULT 1
);
CREATE UNIQUE INDEX listing_one_open_per_hazard ON hazard_supervision.listing (hazard_id) WHERE status = 'listed';
CREATE INDEX ON hazard_supervision.listing (region_code, status, deadline);

CREATE TABLE hazard_supervision.extension (
    id            bigserial PRIMARY KEY,
    listing_id    bigint NOT NULL REFERENCES hazard_supervision.listing (id),
    requested_on  date NOT NULL,
    new_deadline  date NOT NULL,
    reason        text NOT NULL,
    requested_by  text NOT NULL,
    status        text NOT NULL CHECK (status IN ('pending', 'approved', 'refused')),
    decided_by    text,
    decided_at    timestamptz,
    decision_note text
);
CREATE UNIQUE INDEX extension_one_pending ON hazard_supervision.extension (listing_id) WHERE status = 'pending';

CREATE TABLE hazard_supervision.report (
    id              bigserial PRIMARY KEY,
    uscc            text NOT NULL,
    enterprise_name text NOT NULL,
    region_code     text NOT NULL,
    period          text NOT NULL CHECK (period ~ '^\d{4}(Q[1-4])?$'),   -- 2026Q4 (季报) or 2026 (年报)
    figures         jsonb NOT NULL,                -- found / rectified, general and major, funds
    principal       text NOT NULL,                 -- 主要负责人 who signs it
    signed_at       timestamptz NOT NULL,
    submitted_by    text NOT NULL,
    submitted_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (uscc, period)
);
CREATE INDEX ON hazard_supervision.report (period, region_code);
