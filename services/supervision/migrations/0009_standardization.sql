-- 安全生产标准化管理 (services/supervision/standardization, docs/standardization.md): grading
-- applications with their self-assessment, the reviewers' scores per element, every step, and the
-- certificates issued. The review and notice deadlines are stored for the queue's filters only
-- (reads compute the clock again); a deadline reaching into a year whose holiday notice is not yet
-- entered is provisional and recomputed when an administrator enters it (workdays.RECOMPUTERS).
-- The enterprise's current grade lives in the data centre (enterprises.enterprise.standardization_grade),
-- written there as the caller when a certificate is issued, downgraded or revoked.
CREATE SCHEMA standardization;

CREATE TABLE standardization.application (
    id                        bigserial PRIMARY KEY,
    kind                      text NOT NULL CHECK (kind IN ('new', 'renewal')),
    parent_id                 bigint REFERENCES standardization.application (id),  -- renewal: the application whose certificate it renews
    uscc                      text NOT NULL,
    enterprise_name           text NOT NULL,
    region_code               text NOT NULL CHECK (region_code ~ '^\d{6}(\d{3}(\d{3})?)?$'),
    sector                    text NOT NULL,                 -- the enterprise's supervised sector when it applied
    family                    text NOT NULL,                 -- the grading standard's family (gongmao, hazardous_chemicals, coal, …)
    agency_code               text NOT NULL,                 -- the reviewing agency's region (city or county)
    applied_grade             text NOT NULL CHECK (applied_grade IN ('1', '2', '3')),
    self_score                numeric(5, 1) NOT NULL CHECK (self_score BETWEEN 0 AND 100),
    self_assessment           text NOT NULL DEFAULT '',      -- reference (hash or file id) of the self-assessment report
    system_running_since      date NOT NULL,
    note                      text NOT NULL DEFAULT '',
    status                    text NOT NULL CHECK (status IN ('submitted', 'returned', 'accepted', 'under_review', 'not_passed',
                                  'reviewed', 'in_notice', 'certified')),
    submitted_at              timestamptz NOT NULL DEFAULT now(),
    submitted_by              text NOT NULL,
    received_on               date NOT NULL,
    accepted_on               date,
    return_reasons            text NOT NULL DEFAULT '',
    experts                   jsonb NOT NULL DEFAULT '[]',   -- the review's experts, by name
    total_score               numeric(5, 1),
    part_scores               jsonb NOT NULL DEFAULT '{}',   -- coal: {part: score}
    awarded_grade             text CHECK (awarded_grade IN ('1', '2', '3')),
    review                    jsonb,                         -- {considered: [{grade, unmet, preconditions}], accidents_read}
    reviewed_on               date,
    reviewed_by               text,
    notice_starts_on          date,
    notice_ends_on            date,
    notice_ends_provisional   boolean NOT NULL DEFAULT false,
    objections                jsonb NOT NULL DEFAULT '[]',   -- [{content, objector, received_on, by}]
    objections_handled        text NOT NULL DEFAULT '',
    certified_on              date,
    closed_on                 date,                          -- returned or not passed on
    review_due                date NOT NULL,
    review_due_provisional    boolean NOT NULL DEFAULT false,
    version                   integer NOT NULL DEFAULT 1,
    updated_at                timestamptz NOT NULL DEFAULT now(),
    CHECK (status <> 'returned' OR return_reasons <> ''),
    CHECK (status NOT IN ('reviewed', 'in_notice', 'certified') OR awarded_grade IS NOT NULL)
);
CREATE INDEX ON standardization.application (region_code text_pattern_ops, id);
CREATE INDEX ON standardization.application (uscc, id);
CREATE INDEX ON standardization.application (review_due) WHERE status IN ('submitted', 'accepted', 'under_review');
CREATE INDEX ON standardization.application (id) WHERE review_due_provisional OR notice_ends_provisional;
-- One renewal under way per certificate.
CREATE UNIQUE INDEX ON standardization.application (parent_id)
    WHERE parent_id IS NOT NULL AND status IN ('submitted', 'accepted', 'under_review', 'reviewed', 'in_notice');

-- The reviewers' score of each element (评审打分); a later entry replaces the earlier one.
CREATE TABLE standardization.score (
    application_id   bigint NOT NULL REFERENCES standardization.application (id),
    code             text NOT NULL,                  -- the element's code in the family's table
    score            numeric(5, 1),
    not_applicable   boolean NOT NULL DEFAULT false, -- 缺项: left out of the applicable points
    note             text NOT NULL DEFAULT '',       -- 扣分说明
    entered_by       text NOT NULL,
    entered_account  text NOT NULL,
    entered_at       timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (application_id, code),
    CHECK (not_applicable = (score IS NULL))
);

-- Who did what, when: every step of an application (append-only).
CREATE TABLE standardization.step (
    id              bigserial PRIMARY KEY,
    application_id  bigint NOT NULL REFERENCES standardization.application (id),
    action          text NOT NULL,
    status_from     text,
    status_to       text NOT NULL,
    actor           text NOT NULL,      -- the person's name as shown
    actor_account   text NOT NULL,      -- principal label (staff:… / enterprise:…)
    at              timestamptz NOT NULL DEFAULT now(),
    detail          jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX ON standardization.step (application_id, id);

-- The certificates (证书): one per certified application. `grade` is the current one (lowered by a
-- downgrade); a later certificate of the same enterprise (its renewal, or a new grading) replaces it.
CREATE TABLE standardization.certificate (
    id               bigserial PRIMARY KEY,
    application_id   bigint NOT NULL UNIQUE REFERENCES standardization.application (id),
    number           text NOT NULL UNIQUE,
    uscc             text NOT NULL,
    enterprise_name  text NOT NULL,
    region_code      text NOT NULL,
    family           text NOT NULL,
    agency_code      text NOT NULL,
    issued_grade     text NOT NULL CHECK (issued_grade IN ('1', '2', '3')),
    grade            text NOT NULL CHECK (grade IN ('1', '2', '3')),
    issued_on        date NOT NULL,
    valid_until      date NOT NULL,
    state            text NOT NULL DEFAULT 'valid' CHECK (state IN ('valid', 'downgraded', 'revoked', 'replaced')),
    actions          jsonb NOT NULL DEFAULT '[]',   -- [{action, from_grade, to_grade, reasons, accident_id, on, by}]
    replaced_by      bigint REFERENCES standardization.certificate (id),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CHECK (valid_until > issued_on)
);
CREATE INDEX ON standardization.certificate (uscc) WHERE state IN ('valid', 'downgraded');
