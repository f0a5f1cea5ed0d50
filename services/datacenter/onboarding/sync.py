"""Keeps the enterprise-client mirror in step with Keycloak, the source of truth: clients created
outside onboarding (the realm's demo enterprises, an operator in the Keycloak console) appear in
the administrators' list, and a client disabled in Keycloak shows as disabled."""
from __future__ import annotations

import logging

from psycopg_pool import ConnectionPool

from services.datacenter.onboarding import store
from services.datacenter.onboarding.keycloak_clients import EnterpriseClients
from services.kit.workers import Backoff, Worker

log = logging.getLogger(__name__)
INTERVAL_SECONDS = 300.0


def reconcile(pool: ConnectionPool, clients: EnterpriseClients) -> int:
    found = clients.all()
    with pool.connection() as conn, conn.transaction():
        for c in found:
            store.upsert_client(conn, client_id=c.client_id, uscc=c.uscc, name=c.name, region_code=c.region, enabled=c.enabled)
    return len(found)


class ClientMirrorSync(Worker):
    def __init__(self, pool: ConnectionPool, clients: EnterpriseClients, *, interval: float = INTERVAL_SECONDS):
        super().__init__("enterprise-client-sync")
        self.pool, self.clients, self.interval = pool, clients, interval

    def run(self) -> None:
        backoff = Backoff(base=1.0, cap=60.0)
        while not self.stopping.is_set():
            try:
                n = reconcile(self.pool, self.clients)
                log.info("enterprise clients reconciled from keycloak", extra={"fields": {"clients": n}})
                backoff.reset()
                wait = self.interval
            except Exception as exc:  # Keycloak or the database away: try again soon, keep serving
                wait = backoff.next()
                log.warning("enterprise client reconcile failed: %s; retry in %.0fs", exc, wait)
            if self.sleep(wait):
                return
