-- Tables every service database carries for the shared mechanisms.

-- Transactional outbox: a service writes its state change and its event in one transaction;
-- the relay publishes rows in seq order and marks them published after the broker acknowledged.
CREATE TABLE kit.outbox (
    seq           bigserial PRIMARY KEY,
    event_id      uuid NOT NULL UNIQUE,          -- ce_id
    topic         text NOT NULL,
    record_key    text NOT NULL,                 -- the aggregate id (Kafka partitioning key)
    headers       jsonb NOT NULL,                -- ce_* headers and content-type
    payload       bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    published_at  timestamptz,
    attempts      integer NOT NULL DEFAULT 0,
    last_error    text
);
CREATE INDEX outbox_unpublished ON kit.outbox (seq) WHERE published_at IS NULL;

-- Idempotent consumers: an event id is processed at most once per consumer.
CREATE TABLE kit.processed_events (
    consumer      text NOT NULL,
    event_id      text NOT NULL,
    processed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, event_id)
);

-- Idempotency keys of write RPCs: a retry with the same key returns the first response;
-- the same key with a different request is refused.
CREATE TABLE kit.idempotency_keys (
    caller        text NOT NULL,
    method        text NOT NULL,
    key           text NOT NULL,
    request_hash  text NOT NULL,
    response      bytea NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (caller, method, key)
);

-- Audit trail, append-only: who did what, when, from where, with which request id.
CREATE TABLE kit.audit_log (
    id            bigserial PRIMARY KEY,
    at            timestamptz NOT NULL DEFAULT now(),
    actor         text NOT NULL,
    actor_kind    text NOT NULL,
    actor_roles   text[] NOT NULL DEFAULT '{}',
    actor_region  text,
    action        text NOT NULL,
    target_type   text NOT NULL,
    target_id     text NOT NULL,
    summary       jsonb NOT NULL DEFAULT '{}',
    outcome       text NOT NULL,
    request_id    text,
    trace_id      text
);
CREATE INDEX audit_log_target ON kit.audit_log (target_type, target_id, at);
CREATE INDEX audit_log_actor ON kit.audit_log (actor, at);

CREATE FUNCTION kit.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'kit.audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON kit.audit_log
    FOR EACH ROW EXECUTE FUNCTION kit.audit_log_append_only();
