-- 行政许可管理 (services/supervision/licensing, docs/licensing.md): one row per application (new,
-- renewal or change of a licence), with the inputs of its clock (received_on, accepted_on, pauses,
-- extension, decided_on) and the deadlines computed from them. The deadlines are stored for the
-- queue's filters and order only; reads compute the clock again from the calendar. A deadline
-- that reaches into a year whose holiday notice is not yet entered is provisional, and is
-- recomputed when an administrator enters that year (services/kit/workdays.py RECOMPUTERS).
-- The licence itself lives in the data centre (licences.licence); licence_record_id points at it.
CREATE SCHEMA licensing;

CREATE TABLE licensing.application (
    id                           bigserial PRIMARY KEY,
    licence_type                 text NOT NULL,                 -- the data centre's LICENCE_TYPES code
    kind                         text NOT NULL CHECK (kind IN ('new', 'renewal', 'change')),
    parent_id                    bigint REFERENCES licensing.application (id),  -- renewal / change: the application that issued the licence
    uscc                         text NOT NULL,
    enterprise_name              text NOT NULL,
    region_code                  text NOT NULL CHECK (region_code ~ '^\d{6}(\d{3}(\d{3})?)?$'),
    agency_code                  text NOT NULL,                 -- the issuing agency's region (city or county)
    status                       text NOT NULL CHECK (status IN ('submitted', 'correction_requested', 'accepted', 'under_review',
                                     'on_site_check', 'expert_review', 'hearing', 'testing', 'approved', 'refused',
                                     'certificate_issued', 'delivered', 'withdrawn')),
    sector                       text,                          -- 安全生产许可证: the sector code of its number (FM, WH, YH)
    scope                        text NOT NULL,                 -- 许可范围 as applied for; the approved scope after the decision
    changes                      jsonb NOT NULL DEFAULT '{}',   -- change: the fields to change and why
    materials                    jsonb NOT NULL DEFAULT '[]',   -- [{code, name, reference}] as submitted (and completed)
    note                         text NOT NULL DEFAULT '',
    submitted_at                 timestamptz NOT NULL DEFAULT now(),
    submitted_by                 text NOT NULL,
    received_on                  date NOT NULL,                 -- the day the (last, completed) materials arrived
    correction                   jsonb,                         -- the one notice: {notified_on, missing, note, by}
    accepted_on                  date,
    deemed_accepted              boolean NOT NULL DEFAULT false, -- no notice within the limit: accepted on receipt
    pauses                       jsonb NOT NULL DEFAULT '[]',   -- [{kind, started_on, ended_on, note, result}]
    extension                    jsonb,                         -- {days, approved_by, reason, on, by}
    decision                     text CHECK (decision IN ('approved', 'refused')),
    decision_number              text UNIQUE,                   -- 准予/不予行政许可决定书 文号
    decided_on                   date,
    decided_by                   text,
    reasons                      text NOT NULL DEFAULT '',
    review_skipped               boolean NOT NULL DEFAULT false, -- renewal extended without re-review
    certificate_number           text,
    issued_on                    date,
    valid_until                  date,
    licence_record_id            text,                          -- the data centre's licence record
    licence_state                text CHECK (licence_state IN ('valid', 'suspended', 'revoked')),
    licence_actions              jsonb NOT NULL DEFAULT '[]',   -- [{action, reasons, on, until, by}] suspension / revocation
    delivered_on                 date,
    delivery                     jsonb,                         -- {method, recipient, on, by}
    closed_on                    date,                          -- withdrawn on
    notice_due                   date NOT NULL,
    notice_due_provisional       boolean NOT NULL DEFAULT false,
    decision_due                 date,
    decision_due_provisional     boolean NOT NULL DEFAULT false,
    delivery_due                 date,
    delivery_due_provisional     boolean NOT NULL DEFAULT false,
    publication_due              date,
    publication_due_provisional  boolean NOT NULL DEFAULT false,
    version                      integer NOT NULL DEFAULT 1,
    updated_at                   timestamptz NOT NULL DEFAULT now(),
    CHECK (decision IS NULL OR decided_on IS NOT NULL),
    CHECK (decision IS DISTINCT FROM 'refused' OR reasons <> '')
);
CREATE INDEX ON licensing.application (region_code text_pattern_ops, id);
CREATE INDEX ON licensing.application (uscc, id);
CREATE INDEX ON licensing.application (licence_record_id) WHERE licence_record_id IS NOT NULL;
CREATE INDEX ON licensing.application (decision_due) WHERE status IN ('submitted', 'accepted', 'under_review');
CREATE INDEX ON licensing.application (id) WHERE notice_due_provisional OR decision_due_provisional
                                                 OR delivery_due_provisional OR publication_due_provisional;
-- One certificate number per licence; its renewals and changes carry the same number.
CREATE UNIQUE INDEX ON licensing.application (certificate_number) WHERE kind = 'new' AND certificate_number IS NOT NULL;

-- Who did what, when: every step of an application (append-only).
CREATE TABLE licensing.step (
    id              bigserial PRIMARY KEY,
    application_id  bigint NOT NULL REFERENCES licensing.application (id),
    action          text NOT NULL,
    status_from     text,
    status_to       text NOT NULL,
    actor           text NOT NULL,      -- the person's name as shown
    actor_account   text NOT NULL,      -- principal label (staff:… / enterprise:…)
    at              timestamptz NOT NULL DEFAULT now(),
    detail          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX ON licensing.step (application_id, id);
