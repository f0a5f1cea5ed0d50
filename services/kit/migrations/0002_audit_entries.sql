-- Audit entries carry everything the platform-wide trail needs; each is also published
-- (through the outbox, same transaction) on safety.audit.v1 for the data centre's index.
ALTER TABLE kit.audit_log
    ADD COLUMN entry_id      uuid,
    ADD COLUMN service       text NOT NULL DEFAULT 'unknown',
    ADD COLUMN actor_subject text NOT NULL DEFAULT '',
    ADD COLUMN actor_uscc    text,
    ADD COLUMN target_region text,
    ADD COLUMN uscc          text,
    ADD COLUMN reason        text,
    ADD COLUMN source_ip     text;
CREATE UNIQUE INDEX audit_log_entry ON kit.audit_log (entry_id);
