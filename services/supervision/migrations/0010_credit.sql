-- 安全生产诚信 (services/supervision/credit, docs/credit.md): the enterprises' credit ledger, the
-- serious-dishonesty list (应急管理部令第11号), the register of third-party service agencies with
-- their work and the findings against them, and the one-year accident follow-ups (回头看).
-- Scores, grades, a listing's state and a follow-up's state are computed when read, never stored.
CREATE SCHEMA credit;

-- The ledger (append-only): one row per credit event of an enterprise, from another subsystem's
-- event (event_id: its CloudEvent id) or entered by staff. One fact is stored once: the same type,
-- reference and day of one enterprise is refused or skipped.
CREATE TABLE credit.entry (
    id                   bigserial PRIMARY KEY,
    uscc                 text NOT NULL,
    region_code          text NOT NULL CHECK (region_code ~ '^\d{6}(\d{3}(\d{3})?)?$'),
    source               text NOT NULL CHECK (source IN ('hazard', 'recheck', 'accident', 'commitment', 'licensing', 'follow_up', 'staff')),
    type                 text NOT NULL,          -- an event type of the rule table credit_scoring
    points               integer NOT NULL,       -- as the table in force on the day it was recorded gave them
    reason               text NOT NULL,
    reference            text NOT NULL,          -- a document number, or source:id (hazard:12, accident:7, commitment:2026-03-02)
    occurred_on          date NOT NULL,
    recorded_by          text NOT NULL,          -- the person's name, or 'system' for an event
    recorded_by_account  text NOT NULL,          -- principal label, or the consumer's name
    event_id             text,
    recorded_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (uscc, type, reference, occurred_on)
);
CREATE INDEX ON credit.entry (uscc, occurred_on);
CREATE INDEX ON credit.entry (occurred_on);

-- Supervision's copy of the data centre's 重大事故隐患 (from safety.datacenter.hazard.v1), so a
-- hazard whose deadline passes with no further change still counts when the score is read.
CREATE TABLE credit.major_hazard (
    id           text PRIMARY KEY,               -- the data centre's hazard id
    uscc         text NOT NULL,
    deadline     date,
    open         boolean NOT NULL,               -- major and not closed
    version      bigint NOT NULL
);
CREATE INDEX ON credit.major_hazard (uscc) WHERE open;

-- 严重失信主体名单: one row per listing decision.
CREATE TABLE credit.listing (
    id               bigserial PRIMARY KEY,
    uscc             text NOT NULL,
    enterprise_name  text NOT NULL,
    region_code      text NOT NULL CHECK (region_code ~ '^\d{6}(\d{3}(\d{3})?)?$'),
    agency_code      text NOT NULL,               -- the deciding bureau's region
    agency_name      text NOT NULL,
    situation        text NOT NULL,               -- a situation of the rule table dishonesty_list
    facts            text NOT NULL,
    penalty_number   text NOT NULL UNIQUE,        -- the penalty decision the listing follows (谁处罚、谁决定)
    principal_name   text NOT NULL DEFAULT '',    -- 主要负责人, listed with the unit where the situation says so
    decision_number  text NOT NULL UNIQUE,        -- 列入决定书 文号
    listed_on        date NOT NULL,
    expires_on       date NOT NULL,               -- the term's last day
    decided_by       text NOT NULL,
    status           text NOT NULL DEFAULT 'listed' CHECK (status IN ('listed', 'removed')),
    repairs          jsonb NOT NULL DEFAULT '[]', -- [{applied_on, statement, conditions, state, by, decision, opinion, decided_on, decided_by}]
    removal_reason   text CHECK (removal_reason IN ('expired', 'repaired')),
    removed_on       date,
    removed_by       text,
    removal_note     text NOT NULL DEFAULT '',
    version          integer NOT NULL DEFAULT 1,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK ((status = 'removed') = (removed_on IS NOT NULL AND removal_reason IS NOT NULL))
);
CREATE INDEX ON credit.listing (uscc);
CREATE INDEX ON credit.listing (region_code text_pattern_ops, id);

-- 第三方技术服务机构 (安全评价、检测检验): the register, their work, the findings against them.
CREATE TABLE credit.agency (
    id                    bigserial PRIMARY KEY,
    name                  text NOT NULL,
    uscc                  text NOT NULL UNIQUE,
    qualification_type    text NOT NULL,          -- a qualification type of the rule table agency_rating
    qualification_number  text NOT NULL,
    scope                 text NOT NULL,
    valid_until           date NOT NULL,
    region_code           text NOT NULL CHECK (region_code ~ '^\d{6}(\d{3}(\d{3})?)?$'),
    registered_by         text NOT NULL,
    version               integer NOT NULL DEFAULT 1,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON credit.agency (region_code text_pattern_ops, id);

CREATE TABLE credit.agency_work (
    id             bigserial PRIMARY KEY,
    agency_id      bigint NOT NULL REFERENCES credit.agency (id),
    for_uscc       text NOT NULL,
    for_name       text NOT NULL,
    content        text NOT NULL,
    report_number  text NOT NULL,
    report_date    date NOT NULL,
    recorded_by    text NOT NULL,
    recorded_at    timestamptz NOT NULL DEFAULT now(),
    UNIQUE (agency_id, report_number)
);

CREATE TABLE credit.agency_finding (
    id           bigserial PRIMARY KEY,
    agency_id    bigint NOT NULL REFERENCES credit.agency (id),
    type         text NOT NULL,                   -- an event type of the rule table agency_rating
    points       integer NOT NULL,
    reason       text NOT NULL,
    reference    text NOT NULL,
    found_on     date NOT NULL,
    recorded_by  text NOT NULL,
    recorded_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON credit.agency_finding (agency_id, found_on);

-- 事故整改措施落实情况评估 (回头看): one row per closed accident, scheduled by the accident consumer.
CREATE TABLE credit.follow_up (
    id                bigserial PRIMARY KEY,
    accident_id       text NOT NULL UNIQUE,       -- the data centre's accident id
    accident_version  bigint NOT NULL,            -- of the accident event that (re)scheduled it
    uscc              text NOT NULL,
    enterprise_name   text NOT NULL,
    region_code       text NOT NULL CHECK (region_code ~ '^\d{6}(\d{3}(\d{3})?)?$'),
    accident_title    text NOT NULL,
    accident_grade    text,
    occurred_on       date NOT NULL,
    closed_on         date NOT NULL,
    opens_on          date NOT NULL,
    due_on            date NOT NULL,
    measures          jsonb NOT NULL DEFAULT '[]', -- [{measure, result, note}]
    conclusion        text,
    summary           text NOT NULL DEFAULT '',
    team              text NOT NULL DEFAULT '',
    evaluated_on      date,
    recorded_on       date,
    recorded_by       text,
    version           integer NOT NULL DEFAULT 1,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON credit.follow_up (region_code text_pattern_ops, due_on);
