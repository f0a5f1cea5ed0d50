-- 远程监控监测预警 (docs/monitoring.md): the copies of the data centre's points and sources that the
-- evaluator works from, raw readings partitioned by day with their 1-minute and 1-hour rollups,
-- alarms and their history, four-colour warnings, daily safety commitments and data quality.
CREATE SCHEMA monitoring;

-- Copies of data-centre records, kept from their change events (catalogue.py). `version` orders them.
CREATE TABLE monitoring.source (
    id               integer PRIMARY KEY,
    uscc             text NOT NULL,
    enterprise_name  text NOT NULL,
    region_code      text NOT NULL,
    name             text NOT NULL,
    grade            text,
    people           jsonb NOT NULL DEFAULT '[]',   -- the three 包保 people: [{duty, name, phone}]
    lon              double precision,
    lat              double precision,
    version          bigint NOT NULL,
    deleted          boolean NOT NULL DEFAULT false
);
CREATE INDEX ON monitoring.source (uscc);

CREATE TABLE monitoring.point (
    id               integer PRIMARY KEY,
    uscc             text NOT NULL,
    enterprise_name  text NOT NULL,
    region_code      text NOT NULL,
    point_code       text NOT NULL,
    site_type        text NOT NULL,
    source_id        integer,
    location         text NOT NULL,
    quantity         text NOT NULL,
    unit             text,
    gas              text,
    switch_kind      text,
    low_low          double precision,
    low              double precision,
    high             double precision,
    high_high        double precision,
    interval_s       integer NOT NULL,
    coal_location    text,
    zone             text,
    calibration_due  date,
    status           text NOT NULL,
    version          bigint NOT NULL,
    deleted          boolean NOT NULL DEFAULT false,
    updated_at       timestamptz NOT NULL DEFAULT now()   -- when this copy changed: the evaluator reloads from it
);
CREATE INDEX ON monitoring.point (uscc, point_code);
CREATE INDEX ON monitoring.point (updated_at);
CREATE INDEX ON monitoring.point (region_code, id);

-- Where each point stands: last reading seen (written at most every few seconds per point, and on
-- every change of online state) — what the offline sweep reads.
CREATE TABLE monitoring.point_state (
    point_id         integer PRIMARY KEY,
    last_time        timestamptz,                  -- NULL: never reported
    last_value       double precision,
    seen_at          timestamptz NOT NULL,
    online           boolean NOT NULL DEFAULT true
);
CREATE INDEX point_state_seen ON monitoring.point_state (seen_at) WHERE online;

-- Raw readings, one partition per day (Asia/Shanghai days), created ahead and dropped after the
-- retention by the maintenance job (partitions.py). A repeated reading (same point and time) is
-- stored once: the primary key, and INSERT … ON CONFLICT DO NOTHING.
CREATE TABLE monitoring.reading (
    point_id     integer NOT NULL,
    time         timestamptz NOT NULL,
    value        double precision NOT NULL,
    received_at  timestamptz NOT NULL,
    PRIMARY KEY (point_id, time)
) PARTITION BY RANGE (time);

CREATE TABLE monitoring.rollup_1m (
    point_id  integer NOT NULL,
    bucket    timestamptz NOT NULL,
    min       double precision NOT NULL,
    max       double precision NOT NULL,
    sum       double precision NOT NULL,
    count     integer NOT NULL,
    timely    integer NOT NULL,     -- readings that arrived within the timeliness limit
    PRIMARY KEY (point_id, bucket)
) PARTITION BY RANGE (bucket);

CREATE TABLE monitoring.rollup_1h (
    point_id  integer NOT NULL,
    bucket    timestamptz NOT NULL,
    min       double precision NOT NULL,
    max       double precision NOT NULL,
    sum       double precision NOT NULL,
    count     integer NOT NULL,
    timely    integer NOT NULL,
    PRIMARY KEY (point_id, bucket)
) PARTITION BY RANGE (bucket);

-- The rollup job's progress: every minute before `until` is rolled up; a reading that arrives for
-- an earlier minute marks its bucket here to be rolled up again.
CREATE TABLE monitoring.rollup_watermark (
    name   text PRIMARY KEY,
    until  timestamptz NOT NULL
);
CREATE TABLE monitoring.rollup_dirty (
    point_id  integer NOT NULL,
    bucket    timestamptz NOT NULL,
    PRIMARY KEY (point_id, bucket)
);

-- The evaluator's position in the readings topic, committed in the transaction that stores and
-- evaluates the readings: a batch is applied exactly once, whatever crashes.
CREATE TABLE monitoring.consumer_offset (
    consumer     text NOT NULL,
    topic        text NOT NULL,
    partition    integer NOT NULL,
    next_offset  bigint NOT NULL,
    PRIMARY KEY (consumer, topic, partition)
);

CREATE TABLE monitoring.alarm (
    id                  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    point_id            integer NOT NULL,
    uscc                text NOT NULL,
    region_code         text NOT NULL,
    source_id           integer,
    condition           text NOT NULL,
    level               text NOT NULL CHECK (level IN ('warning', 'critical')),
    status              text NOT NULL CHECK (status IN ('raised', 'acknowledged', 'disposed', 'closed')),
    active              boolean NOT NULL,          -- the condition still holds
    threshold           double precision,
    peak_value          double precision,
    last_value          double precision,
    raised_at           timestamptz NOT NULL,      -- reading time that raised it
    last_at             timestamptz NOT NULL,      -- latest reading time that kept it active
    cleared_at          timestamptz,
    critical_at         timestamptz,               -- when it reached the critical level (coal: power cut due)
    escalation          text NOT NULL DEFAULT 'enterprise' CHECK (escalation IN ('enterprise', 'county', 'city')),
    next_escalation_at  timestamptz,
    acknowledged_at     timestamptz,
    acknowledged_by     text,
    acknowledge_note    text,
    disposed_at         timestamptz,
    disposed_by         text,
    cause               text,
    measures            text,
    result              text,
    closed_at           timestamptz,
    version             integer NOT NULL DEFAULT 1,
    created_at          timestamptz NOT NULL DEFAULT now()
);
-- One open alarm per point and condition.
CREATE UNIQUE INDEX alarm_one_open ON monitoring.alarm (point_id, condition) WHERE status <> 'closed';
CREATE INDEX alarm_active ON monitoring.alarm (point_id) WHERE active;
CREATE INDEX alarm_open_region ON monitoring.alarm (region_code, id) WHERE status <> 'closed';
CREATE INDEX alarm_region ON monitoring.alarm (region_code, id);
CREATE INDEX alarm_uscc ON monitoring.alarm (uscc, id);
CREATE INDEX alarm_escalation_due ON monitoring.alarm (next_escalation_at) WHERE status = 'raised';

CREATE TABLE monitoring.alarm_history (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alarm_id  bigint NOT NULL REFERENCES monitoring.alarm (id),
    at        timestamptz NOT NULL DEFAULT now(),
    action    text NOT NULL,
    actor     text NOT NULL,
    detail    jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX ON monitoring.alarm_history (alarm_id, id);

-- Who was told of an alarm, at which escalation step (the platform's own notice; SMS gateways are
-- a deployment's choice and read this table's events).
CREATE TABLE monitoring.notification (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alarm_id      bigint NOT NULL REFERENCES monitoring.alarm (id),
    step          text NOT NULL,
    duty          text NOT NULL,      -- 主要负责人 / 技术负责人 / 操作负责人 / 网格员 ...
    name          text NOT NULL,
    phone         text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (alarm_id, step, duty, name)
);

-- The four-colour warning of every enterprise ('enterprise', uscc) and source ('source', id).
CREATE TABLE monitoring.warning (
    scope        text NOT NULL CHECK (scope IN ('enterprise', 'source')),
    scope_id     text NOT NULL,
    uscc         text NOT NULL,
    region_code  text NOT NULL,
    colour       text NOT NULL CHECK (colour IN ('red', 'orange', 'yellow', 'blue', 'none')),
    reason       text NOT NULL DEFAULT '',
    changed_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (scope, scope_id)
);
CREATE INDEX ON monitoring.warning (region_code);

-- 安全承诺: one per enterprise and day (Asia/Shanghai), filed by a person of the enterprise.
CREATE TABLE monitoring.commitment (
    uscc         text NOT NULL,
    day          date NOT NULL,
    region_code  text NOT NULL,
    filed_at     timestamptz NOT NULL,
    filed_by     text NOT NULL,
    late         boolean NOT NULL,
    sources      jsonb NOT NULL,
    PRIMARY KEY (uscc, day)
);
-- Missing commitments flagged to the county once the deadline has passed.
CREATE TABLE monitoring.commitment_flag (
    uscc         text NOT NULL,
    day          date NOT NULL,
    region_code  text NOT NULL,
    flagged_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (uscc, day)
);

-- Data quality per enterprise and day, recomputed through the day and final after it.
CREATE TABLE monitoring.quality_daily (
    day            date NOT NULL,
    uscc           text NOT NULL,
    region_code    text NOT NULL,
    points         integer NOT NULL,
    expected       bigint NOT NULL,
    received       bigint NOT NULL,
    timely         bigint NOT NULL,
    offline_s      bigint NOT NULL,
    observed_s     bigint NOT NULL,    -- point-seconds of the day so far
    computed_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (day, uscc)
);

-- Where the map puts an enterprise (from the enterprise's events, beside its registration).
ALTER TABLE supervision.registration ADD COLUMN lon double precision, ADD COLUMN lat double precision;

-- The people of a grid, told of its alarms when they escalate to the county (grid supervision
-- extends this table).
CREATE TABLE supervision.grid_member (
    grid_code     text NOT NULL REFERENCES supervision.grid (code),
    username      text NOT NULL,
    display_name  text NOT NULL,
    duty          text NOT NULL DEFAULT '网格员',
    phone         text,
    PRIMARY KEY (grid_code, username)
);
