-- 企业接入: applications for API access and the enterprise clients they produced.
CREATE SCHEMA onboarding;

CREATE TABLE onboarding.application (
    id             uuid PRIMARY KEY,
    uscc           text NOT NULL CHECK (uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
    name           text NOT NULL,
    region_code    text NOT NULL REFERENCES dictionaries.region (code),
    contact_name   text NOT NULL,
    contact_phone  text NOT NULL,   -- personal data: masked whenever listed
    email          text NOT NULL DEFAULT '',
    note           text NOT NULL DEFAULT '',
    status         text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'approved', 'rejected')),
    submitted_at   timestamptz NOT NULL DEFAULT now(),
    decided_at     timestamptz,
    decided_by     text,
    reject_reason  text,
    client_id      text
);
-- One open application per enterprise at a time.
CREATE UNIQUE INDEX application_one_pending ON onboarding.application (uscc) WHERE status = 'pending';
CREATE INDEX application_region ON onboarding.application (region_code, submitted_at DESC);

-- Mirror of the enterprise clients in Keycloak (the source of truth), for listing by region.
-- Written on approve/rotate/enable/disable and reconciled from Keycloak periodically.
CREATE TABLE onboarding.enterprise_client (
    client_id          text PRIMARY KEY,
    uscc               text NOT NULL UNIQUE,
    name               text NOT NULL,
    region_code        text NOT NULL,
    enabled            boolean NOT NULL,
    created_at         timestamptz NOT NULL DEFAULT now(),
    secret_rotated_at  timestamptz,
    synced_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX enterprise_client_region ON onboarding.enterprise_client (region_code, client_id);
