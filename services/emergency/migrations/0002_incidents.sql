-- 突发事件 (ADR 0010 (b), docs/emergency.md): the incident, its report chain (首报/续报/终报), its
-- tasks, and its append-only timeline. The accident itself is the data centre's record
-- (accident_id); its grade and clocks are read from there, never stored here.
CREATE SCHEMA incidents;

CREATE TABLE incidents.incident (
    id                bigserial PRIMARY KEY,
    uid               uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),   -- stable across schema resets: the data centre's idempotency keys
    title             text NOT NULL,
    type              text NOT NULL,                 -- tables/incident_types
    subtype           text,                          -- for 生产安全事故 the GB 6441 type
    region_code       text NOT NULL,                 -- county or township (GB/T 2260)
    address           text NOT NULL,
    location          geography(Point, 4326),        -- WGS 84, when known
    occurred_at       timestamptz NOT NULL,
    reported_at       timestamptz NOT NULL,          -- when the agency learned of it (接报): the report clock starts here
    source            text NOT NULL,                 -- 电话, 网络, 企业接口, 监测报警, 12350, 上级交办
    uscc              text,
    enterprise_name   text,                          -- copied from the data centre's enterprise
    casualties        jsonb NOT NULL,                -- deaths, missing, injured, serious_injuries, trapped, affected, to_relocate
    direct_loss_cny   numeric(16, 2),
    description       text NOT NULL,
    status            text NOT NULL DEFAULT 'reported'
                      CHECK (status IN ('reported', 'responding', 'stabilised', 'closed', 'merged')),
    stabilised_at     timestamptz,                   -- the 终报's clock starts here
    merged_into       bigint REFERENCES incidents.incident (id),
    level             smallint CHECK (level BETWEEN 1 AND 4),   -- the decided response level Ⅰ–Ⅳ
    level_suggested   smallint CHECK (level_suggested BETWEEN 1 AND 4),   -- the suggestion when it was decided
    level_reason      text,
    plan_name         text,
    level_decided_by  text,
    level_decided_at  timestamptz,
    command           jsonb,                         -- {commander, groups: [{code, name, leader, members}]}
    accident_id       bigint,                        -- the data centre's accident record
    accident_version  integer,                       -- its version after our last write (a retried write repeats the same request)
    closure           jsonb,                         -- summary, evaluation, lessons, plan_changes
    closed_at         timestamptz,
    closed_by         text,
    created_by        text NOT NULL,
    created_account   text NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    version           integer NOT NULL DEFAULT 1,
    CHECK ((status = 'merged') = (merged_into IS NOT NULL))
);
CREATE INDEX ON incidents.incident (region_code, id);
CREATE INDEX ON incidents.incident (status, id);
CREATE INDEX ON incidents.incident USING gist (location);
CREATE INDEX ON incidents.incident (uscc) WHERE uscc IS NOT NULL;

-- The report chain: what was reported upwards and when. A report once made is not edited (a
-- correction is the next 续报), so the table is append-only like the timeline.
CREATE TABLE incidents.report (
    id                 bigserial PRIMARY KEY,
    incident_id        bigint NOT NULL REFERENCES incidents.incident (id),
    kind               text NOT NULL CHECK (kind IN ('first', 'follow_up', 'final')),
    number             integer NOT NULL DEFAULT 0,    -- 续报 1, 2, …; 0 for 首报 and 终报
    reported_at        timestamptz NOT NULL DEFAULT now(),
    phoned_at          timestamptz,                   -- 首报: when it was first given by phone
    grade              text NOT NULL,                 -- the grade the clock ran on when it was made
    course             text NOT NULL,
    cause              text,
    impact             text,
    trend              text,
    actions            text,
    requests           text,
    on_site_commander  text,
    casualties         jsonb NOT NULL,                -- the figures as of this report
    direct_loss_cny    numeric(16, 2),
    reporter           text NOT NULL,                 -- the person's name
    reporter_account   text NOT NULL,
    UNIQUE (incident_id, kind, number)
);
CREATE UNIQUE INDEX report_one_first ON incidents.report (incident_id) WHERE kind = 'first';
CREATE UNIQUE INDEX report_one_final ON incidents.report (incident_id) WHERE kind = 'final';

CREATE TABLE incidents.task (
    id           bigserial PRIMARY KEY,
    incident_id  bigint NOT NULL REFERENCES incidents.incident (id),
    title        text NOT NULL,
    group_code   text,                                -- a working group of the incident's command structure
    team_id      bigint,                              -- or a rescue team of the data centre
    team_name    text,                                -- copied from it
    due_at       timestamptz,
    note         text,
    status       text NOT NULL DEFAULT 'assigned'
                 CHECK (status IN ('assigned', 'accepted', 'in_progress', 'done', 'cancelled')),
    created_by   text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_by   text NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now(),
    version      integer NOT NULL DEFAULT 1,
    CHECK ((group_code IS NULL) <> (team_id IS NULL))
);
CREATE INDEX ON incidents.task (incident_id, id);

-- The incident's memory: every write appends its entry in its own transaction, numbered 1, 2, …
-- per incident under the incident's row lock. Never updated or deleted.
CREATE TABLE incidents.timeline (
    incident_id  bigint NOT NULL REFERENCES incidents.incident (id),
    seq          integer NOT NULL,
    at           timestamptz NOT NULL DEFAULT now(),
    kind         text NOT NULL,
    text         text NOT NULL,
    actor_name   text NOT NULL,
    actor        text NOT NULL,                       -- the account (Principal.label)
    detail       jsonb NOT NULL DEFAULT '{}',
    PRIMARY KEY (incident_id, seq)
);

CREATE TRIGGER timeline_append_only BEFORE UPDATE OR DELETE ON incidents.timeline
    FOR EACH ROW EXECUTE FUNCTION kit.append_only();
CREATE TRIGGER timeline_no_truncate BEFORE TRUNCATE ON incidents.timeline
    FOR EACH STATEMENT EXECUTE FUNCTION kit.append_only();
CREATE TRIGGER report_append_only BEFORE UPDATE OR DELETE ON incidents.report
    FOR EACH ROW EXECUTE FUNCTION kit.append_only();
CREATE TRIGGER report_no_truncate BEFORE TRUNCATE ON incidents.report
    FOR EACH STATEMENT EXECUTE FUNCTION kit.append_only();
