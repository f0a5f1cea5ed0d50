"""Server-side web sessions. The browser holds an opaque random id (HttpOnly cookie); this store
holds the tokens, keyed by the id's SHA-256, so a leaked database row cannot be replayed as a cookie.
Sync psycopg, called from the event loop through a worker thread."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from psycopg.rows import dict_row
from psycopg_pool import ConnectionPool

from services.kit import audit
from services.kit.auth import Principal

LOGIN_ATTEMPT_TTL = timedelta(minutes=10)


@dataclass(frozen=True)
class Session:
    id_hash: bytes
    subject: str
    username: str
    csrf_token: str
    access_token: str
    access_expires_at: datetime
    refresh_token: str
    refresh_expires_at: datetime


def _hash(session_id: str) -> bytes:
    return hashlib.sha256(session_id.encode()).digest()


def _expiries(tokens: dict, now: datetime) -> tuple[datetime, datetime]:
    access = now + timedelta(seconds=int(tokens.get("expires_in") or 60))
    # Keycloak reports 0 for a refresh token that lives as long as the SSO session; cap it at a day.
    refresh = now + timedelta(seconds=int(tokens.get("refresh_expires_in") or 86400))
    return access, refresh


class SessionStore:
    def __init__(self, pool: ConnectionPool):
        self.pool = pool

    # --- login attempts (state → PKCE verifier, where to go afterwards) --------------------------
    def begin_login(self, *, state: str, code_verifier: str, next_path: str) -> None:
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("DELETE FROM gateway.login_attempt WHERE created_at < now() - %s", (LOGIN_ATTEMPT_TTL,))
            conn.execute("INSERT INTO gateway.login_attempt (state, code_verifier, next_path) VALUES (%s, %s, %s)",
                         (state, code_verifier, next_path))

    def take_login(self, state: str) -> tuple[str, str] | None:
        """One use only: the attempt is deleted as it is read."""
        with self.pool.connection() as conn, conn.transaction():
            row = conn.execute("DELETE FROM gateway.login_attempt WHERE state = %s AND created_at >= now() - %s "
                               "RETURNING code_verifier, next_path", (state, LOGIN_ATTEMPT_TTL)).fetchone()
        return (row[0], row[1]) if row else None

    # --- sessions --------------------------------------------------------------------------------
    def create(self, *, principal: Principal, tokens: dict) -> tuple[str, str]:
        """Returns (session id for the cookie, CSRF token). The login is audited with the session."""
        session_id, csrf = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
        access_exp, refresh_exp = _expiries(tokens, datetime.now(timezone.utc))
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("DELETE FROM gateway.session WHERE refresh_expires_at < now()")
            conn.execute("""INSERT INTO gateway.session (id_hash, subject, username, csrf_token, access_token, access_expires_at,
                                                         refresh_token, refresh_expires_at)
                            VALUES (%s, %s, %s, %s, %s, %s, %s, %s)""",
                         (_hash(session_id), principal.subject, principal.username, csrf, tokens["access_token"], access_exp,
                          tokens["refresh_token"], refresh_exp))
            audit.write(conn, audit.entry(action="session.login", target_type="session", target_id=principal.username,
                                          target_region=principal.region or "", principal=principal))
        return session_id, csrf

    def get(self, session_id: str) -> Session | None:
        with self.pool.connection() as conn, conn.cursor(row_factory=dict_row) as cur:
            row = cur.execute("""SELECT id_hash, subject, username, csrf_token, access_token, access_expires_at,
                                        refresh_token, refresh_expires_at
                                   FROM gateway.session WHERE id_hash = %s AND refresh_expires_at > now()""",
                              (_hash(session_id),)).fetchone()
        return Session(**{**row, "id_hash": bytes(row["id_hash"])}) if row else None

    def store_refreshed(self, s: Session, tokens: dict) -> Session:
        access_exp, refresh_exp = _expiries(tokens, datetime.now(timezone.utc))
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("""UPDATE gateway.session SET access_token = %s, access_expires_at = %s, refresh_token = %s,
                                   refresh_expires_at = %s WHERE id_hash = %s""",
                         (tokens["access_token"], access_exp, tokens.get("refresh_token") or s.refresh_token, refresh_exp, s.id_hash))
        return Session(s.id_hash, s.subject, s.username, s.csrf_token, tokens["access_token"], access_exp,
                       tokens.get("refresh_token") or s.refresh_token, refresh_exp)

    def delete(self, id_hash: bytes, *, principal: Principal | None = None) -> None:
        """Ends a session; a logout (with the principal) is audited, an expired session is not."""
        with self.pool.connection() as conn, conn.transaction():
            conn.execute("DELETE FROM gateway.session WHERE id_hash = %s", (id_hash,))
            if principal is not None:
                audit.write(conn, audit.entry(action="session.logout", target_type="session", target_id=principal.username,
                                              target_region=principal.region or "", principal=principal))
