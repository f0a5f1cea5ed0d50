-- One trigger function for every append-only table of the platform (the audit tables): any
-- UPDATE or DELETE is refused, naming the table.
CREATE FUNCTION kit.append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '%.% is append-only', TG_TABLE_SCHEMA, TG_TABLE_NAME;
END $$;

DROP TRIGGER audit_log_no_update ON kit.audit_log;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE OR DELETE ON kit.audit_log
    FOR EACH ROW EXECUTE FUNCTION kit.append_only();
DROP FUNCTION kit.audit_log_append_only();
