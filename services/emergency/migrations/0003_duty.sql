-- 值班值守 (ADR 0010 (c), docs/emergency.md "Duty"): rosters, handovers, spot checks, daily and nil
-- reports, and the intake log (接报). Rules in services/emergency/duty/rules.py, thresholds in its tables/.
CREATE SCHEMA duty;

-- One shift of one agency (region_code: the city 620800 or a county) on one day. Two shifts of an
-- agency never overlap: SaveShift checks under the agency's advisory lock (same for every copy).
CREATE TABLE duty.shift (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_code text NOT NULL,
    day         date NOT NULL,
    shift       text NOT NULL,                  -- a code of the rule table duty_shifts
    starts_at   timestamptz NOT NULL,
    ends_at     timestamptz NOT NULL CHECK (ends_at > starts_at),
    leader      jsonb NOT NULL,                 -- 领导带班 {name, post, phone}
    officers    jsonb NOT NULL CHECK (jsonb_typeof(officers) = 'array' AND jsonb_array_length(officers) >= 1),
    contacts    jsonb NOT NULL DEFAULT '[]',    -- [{label, phone}]
    note        text NOT NULL DEFAULT '',
    table_from  date NOT NULL,                  -- effective_from of the duty_shifts version that timed it
    handed_over boolean NOT NULL DEFAULT false,
    created_by  text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text,
    updated_at  timestamptz,
    version     integer NOT NULL DEFAULT 1,
    UNIQUE (region_code, day, shift)
);
CREATE INDEX shift_agency_time ON duty.shift (region_code, starts_at);

-- 交接班: once per shift handing over, to the agency's next shift.
CREATE TABLE duty.handover (
    id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    from_shift_id bigint NOT NULL UNIQUE REFERENCES duty.shift (id),
    to_shift_id   bigint NOT NULL UNIQUE REFERENCES duty.shift (id),
    region_code   text NOT NULL,
    handed_by     text NOT NULL,
    received_by   text NOT NULL,
    notes         text NOT NULL DEFAULT '',
    open_matters  jsonb NOT NULL DEFAULT '[]',
    open_intakes  jsonb NOT NULL DEFAULT '[]',  -- the open intakes as they stood: [{id, channel, received_at, place, summary}]
    handed_at     timestamptz NOT NULL DEFAULT now(),
    recorded_by   text NOT NULL,
    CHECK (from_shift_id <> to_shift_id)
);

-- 查岗: asked by the level above, answered by the agency's duty desk; the limit in force when asked.
CREATE TABLE duty.spot_check (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_code      text NOT NULL,             -- the agency checked (a county)
    asked_by_agency  text NOT NULL,             -- the agency asking (the city)
    question         text NOT NULL,
    asked_by         text NOT NULL,
    asked_at         timestamptz NOT NULL DEFAULT now(),
    limit_seconds    integer NOT NULL CHECK (limit_seconds > 0),
    limit_op         text NOT NULL CHECK (limit_op IN ('lte', 'lt')),
    answer           text,
    answered_by      text,
    answered_at      timestamptz,
    answered_account text,
    response_seconds integer CHECK (response_seconds >= 0),
    version          integer NOT NULL DEFAULT 1,
    CHECK ((answered_at IS NULL) = (response_seconds IS NULL))
);
CREATE INDEX spot_check_region ON duty.spot_check (region_code, id DESC);

-- 日报 / 零报告: one per county agency and required day.
CREATE TABLE duty.daily_report (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    region_code  text NOT NULL,
    day          date NOT NULL,
    nil          boolean NOT NULL,
    content      text NOT NULL DEFAULT '',
    reasons      jsonb NOT NULL DEFAULT '[]',   -- why the day needs a report (春节, 全国两会 …)
    submitted_by text NOT NULL,
    submitted_at timestamptz NOT NULL DEFAULT now(),
    version      integer NOT NULL DEFAULT 1,
    UNIQUE (region_code, day)
);

-- 接报: every incoming report. caller_name / caller_phone are personal data: masked in every list,
-- never in an event or a log line.
CREATE TABLE duty.intake (
    id              bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    channel         text NOT NULL CHECK (channel IN ('phone', 'network', 'enterprise_api', 'monitoring_alarm', 'hotline_12350', 'superior')),
    received_at     timestamptz NOT NULL,
    caller_name     text NOT NULL DEFAULT '',
    caller_phone    text NOT NULL DEFAULT '',
    caller_unit     text NOT NULL DEFAULT '',
    content         text NOT NULL,
    place           text NOT NULL DEFAULT '',
    region_code     text NOT NULL,
    uscc            text,
    enterprise_name text,
    status          text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'became_incident', 'joined', 'closed_no_action')),
    is_open         boolean GENERATED ALWAYS AS (status = 'open') STORED,
    incident_id     bigint,                     -- the incident it became or joined (incidents.incident)
    closed_reason   text,
    handled_by      text,                       -- who turned it into or joined it to an incident, or closed it
    handled_at      timestamptz,
    logged_by       text NOT NULL,
    logged_by_kind  text NOT NULL,              -- staff | enterprise | system
    logged_at       timestamptz NOT NULL DEFAULT now(),
    source_event_id text UNIQUE,                -- the monitoring event an automatic intake came from
    version         integer NOT NULL DEFAULT 1,
    CHECK ((status IN ('became_incident', 'joined')) = (incident_id IS NOT NULL)),
    CHECK ((status = 'closed_no_action') = (closed_reason IS NOT NULL))
);
CREATE INDEX intake_open_first ON duty.intake (is_open DESC, id DESC);
CREATE INDEX intake_region ON duty.intake (region_code text_pattern_ops);
CREATE INDEX intake_uscc ON duty.intake (uscc, id DESC) WHERE uscc IS NOT NULL;
CREATE INDEX intake_incident ON duty.intake (incident_id) WHERE incident_id IS NOT NULL;
