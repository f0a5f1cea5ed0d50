"""A simulator of the demo enterprises' sensors, so the monitoring wall is alive on a fresh machine.

    python -m services.supervision.monitoring.simulator      # `make up` starts it (demo instance only);
    .venv/bin/python -m infra.platformctl stop simulator      # … and this stops it

It behaves as the enterprises' own data-acquisition front ends do: each enterprise's machine client
takes a token from Keycloak, reads its own points from the gateway, and posts its readings in
batches through POST /api/v1/monitoring/readings every few seconds. The values follow a daily cycle
with noise and a slow drift; now and then a point goes silent for a while (dropout), a point makes
a short excursion past its limit, and the coal mine has methane events at a working face with the
feed power cut a few seconds later (and, rarely, not cut: 断电失效).

The model (`Model`) is pure and seeded, so tests drive it too: `Model.excursion(code)` makes the
next readings of a point cross its high-high limit."""
from __future__ import annotations

import logging
import math
import random
import signal
import threading
import time
import uuid
from dataclasses import dataclass, field

import httpx
from keycloak import KeycloakOpenID

from services.kit import config, log as kitlog

log = logging.getLogger(__name__)
DAY = 86_400.0


@dataclass
class Sensor:
    code: str
    quantity: str
    interval_s: int
    low: float | None
    high: float | None
    high_high: float | None
    switch_kind: str | None = None
    zone: str | None = None
    coal_location: str | None = None
    phase: float = 0.0
    drift: float = 0.0
    next_at: float = 0.0
    silent_until: float = 0.0
    excursion_until: float = 0.0


def _base(s: Sensor) -> tuple[float, float, float]:
    """(mean, daily amplitude, noise) of a sensor in normal running."""
    q = s.quantity
    if q == "level":
        top = s.high or 10.0
        return top * 0.55, top * 0.08, top * 0.004
    if q == "pressure":
        top = s.high or 1.5
        return top * 0.6, top * 0.06, top * 0.005
    if q == "temperature":
        return 18.0, 6.0, 0.2
    if q == "flow":
        return 50.0, 10.0, 1.0
    if q == "combustible_gas":
        return 1.0, 0.5, 0.4
    if q == "toxic_gas":
        return 0.02, 0.01, 0.01
    if q == "oxygen":
        return 20.8, 0.05, 0.03
    if q == "methane":
        return {"return_airway": 0.35, "drainage_roadway": 1.2, "intake_airway": 0.05}.get(s.coal_location or "", 0.25), 0.08, 0.03
    if q == "carbon_monoxide":
        return 4.0, 1.5, 0.6
    if q == "wind_speed":
        return 2.4, 0.2, 0.1
    return 0.0, 0.0, 0.0


@dataclass
class Model:
    """The sensors of one enterprise and how they read at a given time. Pure and seeded."""
    sensors: list[Sensor]
    seed: int = 2026
    dropout_per_hour: float = 0.3      # per sensor
    excursion_per_hour: float = 0.02   # per sensor
    cut_failure_share: float = 0.15    # methane events whose feed power is not cut
    rng: random.Random = field(init=False)
    cut_since: dict[str, float] = field(default_factory=dict)   # zone → when its methane reached the cut value
    cut_fails: dict[str, bool] = field(default_factory=dict)

    def __post_init__(self):
        self.rng = random.Random(self.seed)
        for s in self.sensors:
            s.phase = self.rng.uniform(0, DAY)

    def excursion(self, code: str, seconds: float = 90.0, *, now: float | None = None) -> None:
        now = time.time() if now is None else now
        for s in self.sensors:
            if s.code == code:
                s.excursion_until, s.silent_until = now + seconds, 0.0

    def value(self, s: Sensor, now: float) -> float:
        if s.quantity == "switch":
            if s.switch_kind == "feed_power":
                since = self.cut_since.get(s.zone or "")
                cut = since is not None and now - since > 3 and not self.cut_fails.get(s.zone or "")
                return 0.0 if cut else 1.0
            return 1.0 if now < s.excursion_until else 0.0
        mean, amplitude, noise = _base(s)
        v = mean + amplitude * math.sin(2 * math.pi * (now + s.phase) / DAY) + s.drift + self.rng.gauss(0, noise)
        s.drift = max(-amplitude, min(amplitude, s.drift + self.rng.gauss(0, noise * 0.02)))
        if now < s.excursion_until:
            v = self._excursion_value(s)
        if s.quantity in ("combustible_gas", "toxic_gas", "methane", "carbon_monoxide", "wind_speed", "flow", "level"):
            v = max(0.0, v)
        return round(v, 3)

    def _excursion_value(self, s: Sensor) -> float:
        if s.quantity == "methane":
            return round(self.rng.uniform(1.55, 1.8), 2)
        if s.quantity == "oxygen":
            return 19.0
        target = s.high_high if s.high_high is not None else s.high
        if target is None and s.quantity == "combustible_gas":
            target = 30.0
        if target is None and s.low is not None:
            return s.low * 0.5
        return round((target or 1.0) * 1.08, 3)

    def readings(self, now: float) -> list[dict]:
        """The readings due at `now` (each sensor at its interval), with the random events of the tick."""
        out = []
        for s in self.sensors:
            if now < s.next_at:
                continue
            s.next_at = now + s.interval_s
            hours = s.interval_s / 3600
            if s.quantity != "switch" and self.rng.random() < self.dropout_per_hour * hours and now >= s.excursion_until:
                s.silent_until = now + self.rng.uniform(120, 600)   # several minutes without data: the offline alarm
            if self.rng.random() < self.excursion_per_hour * hours:
                s.excursion_until = now + self.rng.uniform(40, 120)
            if now < s.silent_until:
                continue
            v = self.value(s, now)
            if s.quantity == "methane" and s.zone:
                over = v >= 1.5 or (s.coal_location == "return_airway" and v >= 1.0)
                if over and s.zone not in self.cut_since:
                    self.cut_since[s.zone] = now
                    self.cut_fails[s.zone] = self.rng.random() < self.cut_failure_share
                elif not over and v < 1.0 and s.zone in self.cut_since and not any(
                        x.zone == s.zone and now < x.excursion_until for x in self.sensors if x.quantity == "methane"):
                    self.cut_since.pop(s.zone, None)
            out.append({"point": s.code, "time": int(now * 1000), ("state" if s.quantity == "switch" else "value"): v})
        return out


def sensors_from(points: list[dict]) -> list[Sensor]:
    return [Sensor(p["point_code"], p["quantity"], max(int(p["interval_s"]), 5), p.get("low"), p.get("high"), p.get("high_high"),
                   p.get("switch_kind"), p.get("zone"), p.get("coal_location"))
            for p in points if p.get("status") == "in_service"]


class Enterprise:
    """One enterprise's front end: its client, its points, its model."""

    def __init__(self, http: httpx.Client, client_id: str, secret: str, seed: int):
        self.http, self.client_id, self.secret, self.seed = http, client_id, secret, seed
        self._token, self._token_at = "", 0.0
        self.model: Model | None = None
        self.loaded_at = 0.0

    def token(self) -> str:
        if time.monotonic() - self._token_at > 200:
            kc = config.keycloak()
            self._token = KeycloakOpenID(server_url=kc.url + "/", realm_name=kc.realm, client_id=self.client_id,
                                         client_secret_key=self.secret).token(grant_type="client_credentials")["access_token"]
            self._token_at = time.monotonic()
        return self._token

    def headers(self) -> dict:
        return {"Authorization": f"Bearer {self.token()}"}

    def load(self) -> None:
        points, token = [], ""
        while True:
            r = self.http.get("/api/v1/monitoring/points", headers=self.headers(), params={"page_size": 200, "page_token": token})
            r.raise_for_status()
            page = r.json()
            points += page["items"]
            token = page.get("next_page_token") or ""
            if not token:
                break
        self.model = Model(sensors_from(points), seed=self.seed)
        self.loaded_at = time.monotonic()

    def tick(self, now: float) -> int:
        if self.model is None or time.monotonic() - self.loaded_at > 300:
            self.load()
        readings = self.model.readings(now)
        if not readings:
            return 0
        r = self.http.post("/api/v1/monitoring/readings", json={"readings": readings},
                           headers=self.headers() | {"Idempotency-Key": str(uuid.uuid4())})
        if r.status_code != 200:
            log.warning("simulator: %s: %s %s", self.client_id, r.status_code, r.text[:200])
            return 0
        return r.json()["accepted"]


def demo_clients() -> list[tuple[str, str]]:
    from infra.keycloak.realm import DEMO_ENTERPRISES, demo_secret
    return [(e.client_id, demo_secret(e.client_id)) for e in DEMO_ENTERPRISES]


def data_set_clients(http: httpx.Client) -> list[tuple[str, str]]:
    """The demo data set's other enterprises with monitoring points (the seed's), each given a machine
    client as onboarding would, so that they report too and the wall shows the whole city."""
    from infra.keycloak import realm
    kc = config.keycloak()
    staff = KeycloakOpenID(server_url=kc.url + "/", realm_name=kc.realm, client_id=realm.DEV_CLIENT).token(
        "city-admin", realm.DEMO_PASSWORD)["access_token"]
    r = http.get("/api/v1/monitoring/warnings", headers={"Authorization": f"Bearer {staff}"})
    r.raise_for_status()
    demo = {e.uscc for e in realm.DEMO_ENTERPRISES}
    admin = realm.admin()
    out = []
    for e in r.json()["enterprises"]:
        if e["uscc"] in demo:
            continue
        client_id, secret = realm.ensure_enterprise_client(admin, uscc=e["uscc"], region=e["region_code"], name=e["name"],
                                                           secret=realm.demo_secret(realm.enterprise_client_id(e["uscc"])))
        out.append((client_id, secret))
    return out


def main() -> None:
    kitlog.setup("monitoring-simulator")
    logging.getLogger("httpx").setLevel(logging.WARNING)
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    from prometheus_client import Counter
    from services.kit import metrics
    sent = Counter("simulator_readings_total", "Readings the simulator had accepted")
    metrics.serve(int(config.env("SAFETY_SIMULATOR_METRICS_PORT", str(config.ports().services["supervision"][1] + 11))))
    with httpx.Client(base_url=config.gateway_url(), timeout=15) as http:
        clients = demo_clients()
        try:
            clients += data_set_clients(http)
        except Exception as exc:  # noqa: BLE001 — the demo enterprises alone still make a living wall
            log.warning("simulator: the data set's enterprises are left out: %s", exc)
        fronts = [Enterprise(http, cid, secret, seed=i) for i, (cid, secret) in enumerate(clients)]
        log.info("simulator: %d enterprises", len(fronts))
        while not stop.is_set():
            now = time.time()
            for f in fronts:
                try:
                    sent.inc(f.tick(now))
                except Exception as exc:  # noqa: BLE001 — gateway or Keycloak away: try again next tick
                    log.warning("simulator: %s: %s", f.client_id, exc)
            stop.wait(1.0)


if __name__ == "__main__":
    main()
