-- 生产经营单位基本信息: the first of the ten databases (the rest arrive with the data-centre issue).
CREATE SCHEMA enterprises;

CREATE TABLE enterprises.enterprise (
    uscc           text PRIMARY KEY CHECK (uscc ~ '^[0-9A-HJ-NPQRTUWXY]{18}$'),
    name           text NOT NULL CHECK (char_length(name) BETWEEN 2 AND 200),
    region_code    text NOT NULL REFERENCES dictionaries.region (code),
    address        text NOT NULL CHECK (char_length(address) BETWEEN 2 AND 300),
    industry_code  text NOT NULL CHECK (industry_code ~ '^[A-T](\d{2}(\d{1,2})?)?$'),
    version        bigint NOT NULL DEFAULT 1 CHECK (version > 0),
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    created_by     text NOT NULL,
    updated_by     text NOT NULL
);
CREATE INDEX enterprise_region ON enterprises.enterprise (region_code);
