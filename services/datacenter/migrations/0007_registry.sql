-- The machinery every record kind of the ten databases shares: change history and counters.
CREATE SCHEMA registry;

-- Every change of every record: who, when, what (field -> {"from", "to"}). Append-only.
CREATE TABLE registry.change (
    kind        text NOT NULL,
    record_id   text NOT NULL,
    version     bigint NOT NULL CHECK (version > 0),
    operation   text NOT NULL CHECK (operation IN ('created', 'updated', 'deleted')),
    actor       text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now(),
    changes     jsonb NOT NULL DEFAULT '{}' CHECK (jsonb_typeof(changes) = 'object'),
    PRIMARY KEY (kind, record_id, version)
);
CREATE TRIGGER change_append_only BEFORE UPDATE OR DELETE ON registry.change
    FOR EACH ROW EXECUTE FUNCTION kit.append_only();

-- Live (not deleted) records counted by region, category and month, kept by statement triggers
-- in the writing transaction, so statistics over millions of rows read a few hundred counters.
CREATE TABLE registry.stat (
    kind         text NOT NULL,
    region_code  text NOT NULL,   -- '' for kinds without a region
    category     text NOT NULL,   -- '' when the record has none
    month        date NOT NULL,   -- first day of the month, Asia/Shanghai
    n            bigint NOT NULL,
    PRIMARY KEY (kind, region_code, category, month)
);

-- TG_ARGV: kind, region column (or NULL), category column (or NULL), a month expression as a
-- Beijing-time timestamp (written by the migration that attaches the trigger, never by a caller).
CREATE FUNCTION registry.count_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    region   text := CASE WHEN TG_ARGV[1] = 'NULL' THEN '''''' ELSE format('coalesce(%I, '''')', TG_ARGV[1]) END;
    category text := CASE WHEN TG_ARGV[2] = 'NULL' THEN '''''' ELSE format('coalesce(%I::text, '''')', TG_ARGV[2]) END;
    month    text := format('coalesce(date_trunc(''month'', %s)::date, date ''1970-01-01'')', TG_ARGV[3]);
    grouped  text;
BEGIN
    -- Each side contributes +1 (new rows) or -1 (old rows) per live record; summed per bucket.
    grouped := CASE TG_OP
        WHEN 'INSERT' THEN format('SELECT %s r, %s c, %s m, count(*) d FROM new_rows WHERE deleted_at IS NULL GROUP BY 1, 2, 3', region, category, month)
        WHEN 'DELETE' THEN format('SELECT %s r, %s c, %s m, -count(*) d FROM old_rows WHERE deleted_at IS NULL GROUP BY 1, 2, 3', region, category, month)
        ELSE format('SELECT r, c, m, sum(d) d FROM (SELECT %1$s r, %2$s c, %3$s m, 1 d FROM new_rows WHERE deleted_at IS NULL
                     UNION ALL SELECT %1$s, %2$s, %3$s, -1 FROM old_rows WHERE deleted_at IS NULL) x GROUP BY 1, 2, 3', region, category, month)
    END;
    EXECUTE format('INSERT INTO registry.stat AS s (kind, region_code, category, month, n)
                    SELECT %L, r, c, m, d FROM (%s) g WHERE d <> 0
                    ON CONFLICT (kind, region_code, category, month) DO UPDATE SET n = s.n + excluded.n', TG_ARGV[0], grouped);
    RETURN NULL;
END $$;

-- Attach the three counting triggers (one per event: transition tables need one event each).
CREATE FUNCTION registry.count_rows_of(tbl text, kind text, region text, category text, month text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    args text := format('%L, %L, %L, %L', kind, region, category, month);
BEGIN
    EXECUTE format('CREATE TRIGGER count_inserts AFTER INSERT ON %s REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry.count_rows(%s)', tbl, args);
    EXECUTE format('CREATE TRIGGER count_updates AFTER UPDATE ON %s REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION registry.count_rows(%s)', tbl, args);
    EXECUTE format('CREATE TRIGGER count_deletes AFTER DELETE ON %s REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION registry.count_rows(%s)', tbl, args);
END $$;
