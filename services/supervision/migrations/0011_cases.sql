-- 行政处罚案件: the case chain 立案 → 调查 → 告知 → 陈述申辩/听证 → 决定 → 送达 → 执行 → 结案, each
-- step with its deadline (rule table enforcement_deadlines) and the documents it issues.
CREATE TABLE inspections.penalty_case (
    id               bigserial PRIMARY KEY,
    case_number      text UNIQUE,                  -- the 立案审批表's number
    uscc             text NOT NULL,
    enterprise_name  text NOT NULL,
    region_code      text NOT NULL,
    agency_region    text NOT NULL,
    inspection_id    bigint REFERENCES inspections.inspection (id),
    recheck_id       bigint REFERENCES inspections.recheck (id),
    source           text NOT NULL,                -- 现场检查 / 复查不合格 / 举报 / 其他
    cause            text NOT NULL,                -- 案由
    step             text NOT NULL,                -- the next step to take, or 'closed'
    due_on           date,                         -- that step's deadline
    due_provisional  boolean NOT NULL DEFAULT false,
    steps            jsonb NOT NULL DEFAULT '[]',  -- [{step, done_at, by, fields, document_id, number}]
    penalty          jsonb,                        -- {content, amount_cny}
    opened_at        timestamptz NOT NULL DEFAULT now(),
    opened_by        text NOT NULL,
    closed_at        timestamptz,
    version          integer NOT NULL DEFAULT 1
);
CREATE INDEX ON inspections.penalty_case (region_code, step, due_on);
CREATE UNIQUE INDEX penalty_case_one_per_recheck ON inspections.penalty_case (recheck_id) WHERE recheck_id IS NOT NULL;
