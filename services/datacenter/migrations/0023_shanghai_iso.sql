-- Set-based imports build the change events in SQL (registry/events.py, outbox_select). A record's
-- times appear in them as the API shows them: ISO 8601 in Beijing time to the second, e.g.
-- 2026-12-01T09:30:00+08:00 — what values.to_json writes in Python. Asia/Shanghai has kept +08:00
-- since 1991; the function also gives the summer-time offsets of 1986–1991 right.
CREATE FUNCTION registry.shanghai_iso(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT CASE
        WHEN t IS NULL THEN NULL
        WHEN t >= timestamptz '1992-01-01 00:00+08'
            THEN to_char(t AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS') || '+08:00'
        ELSE to_char(t AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD"T"HH24:MI:SS')
             || CASE WHEN (t AT TIME ZONE 'Asia/Shanghai') - (t AT TIME ZONE 'UTC') >= interval '0' THEN '+' ELSE '-' END
             || to_char(abs(extract(epoch FROM (t AT TIME ZONE 'Asia/Shanghai') - (t AT TIME ZONE 'UTC')))::int / 3600, 'FM00')
             || ':'
             || to_char(abs(extract(epoch FROM (t AT TIME ZONE 'Asia/Shanghai') - (t AT TIME ZONE 'UTC')))::int % 3600 / 60, 'FM00')
    END
$$;
