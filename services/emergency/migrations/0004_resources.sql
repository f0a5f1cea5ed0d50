-- 应急资源 (ADR 0010 (d), docs/emergency.md "Resources"): copies of the data centre's rescue teams,
-- supply warehouses and their items, experts and major hazard sources, fed only by the data centre's
-- change events (services/emergency/resources/consumers.py), never written by the emergency service
-- otherwise. Each row is keyed by the data centre's id and carries the record's version: an event
-- replaces a copy only when its version is newer; a DELETED event removes it. `location` is NULL when
-- the record has no coordinates (such a copy is listed but never ranked by distance).
CREATE SCHEMA resources;

CREATE TABLE resources.team (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    region_code text NOT NULL,
    team_type   text,
    specialty   text,
    headcount   integer,
    equipment   text,
    base_address text,
    duty_phone  text,
    readiness   text,
    location    geography(Point, 4326),
    version     bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX team_location ON resources.team USING gist (location);
CREATE INDEX team_region ON resources.team (region_code);

CREATE TABLE resources.warehouse (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    region_code text NOT NULL,
    level       text,
    address     text,
    keeper      text,
    keeper_phone text,
    location    geography(Point, 4326),
    version     bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX warehouse_location ON resources.warehouse USING gist (location);
CREATE INDEX warehouse_region ON resources.warehouse (region_code);

-- An item belongs to a warehouse by the data centre's id; no foreign key: the item's event may
-- arrive before its warehouse's (different topics).
CREATE TABLE resources.item (
    id           text PRIMARY KEY,
    warehouse_id text NOT NULL,
    name         text NOT NULL,
    category     text NOT NULL,
    specification text,
    unit         text,
    balance      numeric NOT NULL DEFAULT 0,
    expiry_date  date,
    region_code  text NOT NULL,
    version      bigint NOT NULL,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX item_warehouse ON resources.item (warehouse_id, category) WHERE balance > 0;

CREATE TABLE resources.expert (
    id          text PRIMARY KEY,
    name        text NOT NULL,
    region_code text NOT NULL,
    fields      text[] NOT NULL DEFAULT '{}',
    title       text,
    employer    text,
    phone       text,
    availability text,
    location    geography(Point, 4326),       -- experts carry no coordinates today: always NULL
    version     bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX expert_location ON resources.expert USING gist (location);
CREATE INDEX expert_fields ON resources.expert USING gin (fields);
CREATE INDEX expert_region ON resources.expert (region_code);

CREATE TABLE resources.hazard_source (
    id          text PRIMARY KEY,
    uscc        text,
    unit_name   text NOT NULL,
    unit_type   text,
    grade       text,
    region_code text NOT NULL,
    chemicals   jsonb NOT NULL DEFAULT '[]',
    population_500m integer,
    location    geography(Point, 4326),
    version     bigint NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX hazard_source_location ON resources.hazard_source USING gist (location);
CREATE INDEX hazard_source_region ON resources.hazard_source (region_code);

-- Ids of deleted records with the version of their deletion, so an older event arriving after the
-- delete (another partition's redelivery) cannot bring the copy back.
CREATE TABLE resources.tombstone (
    kind       text NOT NULL,
    id         text NOT NULL,
    version    bigint NOT NULL,
    deleted_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (kind, id)
);
