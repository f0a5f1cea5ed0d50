-- Which version of its rule tables each kind's stored derived values were computed from
-- (registry/rederive.py): a fingerprint of the tables a kind declares in `derived_from`. When the
-- shipped tables differ (a new version, a corrected transcription), the values are recomputed.
CREATE TABLE registry.rule_basis (
    kind         text PRIMARY KEY,
    fingerprint  text NOT NULL CHECK (fingerprint ~ '^[0-9a-f]{64}$'),
    changed      bigint NOT NULL CHECK (changed >= 0),   -- records whose values changed in that pass
    refused      bigint NOT NULL CHECK (refused >= 0),   -- records the rules now refuse (left as they were)
    derived_at   timestamptz NOT NULL DEFAULT now()
);
COMMENT ON TABLE registry.rule_basis IS
    'Per kind: the rule tables its stored derived values (S, R, grade …) were last computed from.';
