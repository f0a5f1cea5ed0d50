-- 审计日志检索: the platform-wide audit trail, indexed from topic safety.audit.v1.
-- Append-only: entries are inserted once (by id) and never changed or deleted through any API.
CREATE SCHEMA audit;

CREATE TABLE audit.entry (
    id             uuid PRIMARY KEY,
    at             timestamptz NOT NULL,
    service        text NOT NULL,
    actor_label    text NOT NULL,
    actor_kind     text NOT NULL,
    actor_subject  text NOT NULL DEFAULT '',
    actor_name     text NOT NULL DEFAULT '',
    actor_roles    text[] NOT NULL DEFAULT '{}',
    actor_region   text,
    actor_uscc     text,
    action         text NOT NULL,
    target_type    text NOT NULL,
    target_id      text NOT NULL,
    target_region  text,
    uscc           text,
    summary        jsonb NOT NULL DEFAULT '{}',
    outcome        text NOT NULL,
    reason         text,
    request_id     text,
    trace_id       text,
    source_ip      text
);
CREATE INDEX entry_at ON audit.entry (at DESC, id DESC);
CREATE INDEX entry_actor ON audit.entry (actor_name, at DESC);
CREATE INDEX entry_uscc ON audit.entry (uscc, at DESC);
CREATE INDEX entry_target ON audit.entry (target_id, at DESC);
CREATE INDEX entry_action ON audit.entry (action, at DESC);

CREATE TRIGGER entry_no_update BEFORE UPDATE OR DELETE ON audit.entry
    FOR EACH ROW EXECUTE FUNCTION kit.append_only();
