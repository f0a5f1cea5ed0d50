-- Web sessions of staff logged in through the browser (OIDC code flow + PKCE). The browser holds
-- only an opaque session id in an HttpOnly cookie; the tokens stay here. Ids are stored hashed.
CREATE SCHEMA gateway;

CREATE TABLE gateway.login_attempt (
    state          text PRIMARY KEY,
    code_verifier  text NOT NULL,
    next_path      text NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE gateway.session (
    id_hash             bytea PRIMARY KEY,
    subject             text NOT NULL,
    username            text NOT NULL,
    csrf_token          text NOT NULL,
    access_token        text NOT NULL,
    access_expires_at   timestamptz NOT NULL,
    refresh_token       text NOT NULL,
    refresh_expires_at  timestamptz NOT NULL,
    created_at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX session_refresh_expiry ON gateway.session (refresh_expires_at);
