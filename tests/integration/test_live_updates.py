"""Live updates (GET /api/v1/live/<kind>, Server-Sent Events) against the running test instance: a
change reaches the streams of exactly those who may read the record — a county officer hears its
county and not the next one, an enterprise its own records only — and a stream that reconnects with
the id of the last event it saw gets the changes it missed, from whichever gateway worker answers."""
from __future__ import annotations

import json
import threading
import time
from contextlib import contextmanager

import httpx

from tests.integration.conftest import GATEWAY, JC_USCC, KT_USCC

KT_CLIENT = "ent-91620802ma71kt001d"


class Stream:
    """Reads one event stream in a thread; `events` fills as they arrive."""

    def __init__(self, token: str, path: str = "hazards", *, last_event_id: str | None = None, seconds: int = 20):
        headers = {"Authorization": f"Bearer {token}", "Accept": "text/event-stream"}
        if last_event_id:
            headers["Last-Event-ID"] = last_event_id
        self.events: list[dict] = []
        self.opened = threading.Event()
        self._args = (f"{GATEWAY}/api/v1/live/{path}", headers, seconds)
        self._thread = threading.Thread(target=self._read, daemon=True)
        self._thread.start()
        assert self.opened.wait(10), "the stream did not open"

    def _read(self) -> None:
        url, headers, seconds = self._args
        with httpx.stream("GET", url, params={"timeout": seconds}, headers=headers, timeout=seconds + 10) as r:
            assert r.status_code == 200 and r.headers["content-type"].startswith("text/event-stream"), r.status_code
            current: dict = {}
            for line in r.iter_lines():
                if line.startswith("retry:"):
                    self.opened.set()
                elif line.startswith("id: "):
                    current["id"] = line[4:]
                elif line.startswith("event: "):
                    current["event"] = line[7:]
                elif line.startswith("data: "):
                    current["data"] = json.loads(line[6:])
                elif line == "" and current:
                    self.events.append(current)
                    current = {}

    def changes(self, kind: str = "hazard") -> dict[str, dict]:
        return {e["data"]["id"]: e for e in self.events if e.get("event") == "change" and e["data"]["kind"] == kind}

    def wait_for(self, record_id, timeout: float = 10) -> dict:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if (hit := self.changes().get(str(record_id))) is not None:
                return hit
            time.sleep(0.05)
        raise AssertionError(f"no change of {record_id} within {timeout}s; got {self.events}")


def hazard(records, *, region: str, uscc: str, token: str | None = None) -> str:
    return str(records.create("hazard", region=region, uscc=uscc, token=token)["id"])


def test_a_change_reaches_those_who_may_read_it_and_nobody_else(records, staff_token, demo_tokens):
    city, kongtong, enterprise = (Stream(staff_token("city-admin")), Stream(staff_token("kongtong-inspector")),
                                  Stream(demo_tokens(KT_CLIENT)))
    started = time.monotonic()
    jingchuan_hazard = hazard(records, region="620821", uscc=JC_USCC)
    kongtong_hazard = hazard(records, region="620802", uscc=KT_USCC)

    seen = city.wait_for(kongtong_hazard)
    city.wait_for(jingchuan_hazard)
    assert time.monotonic() - started < 10
    assert seen["data"] == {"kind": "hazard", "id": kongtong_hazard, "operation": "created", "version": 1,
                            "changed_at": seen["data"]["changed_at"]}, "the event names the change, never the record's data"
    kongtong.wait_for(kongtong_hazard)
    enterprise.wait_for(kongtong_hazard)
    time.sleep(1.0)  # the other county's change, in another partition, has had every chance to arrive
    assert jingchuan_hazard not in kongtong.changes(), "a county officer heard of a record of another county"
    assert jingchuan_hazard not in enterprise.changes(), "an enterprise heard of another enterprise's record"


def test_a_reconnecting_stream_gets_what_it_missed(records, staff_token):
    token = staff_token("city-admin")
    first = Stream(token, seconds=20)
    before = hazard(records, region="620802", uscc=KT_USCC)
    last_id = first.wait_for(before)["id"]

    missed = [hazard(records, region="620802", uscc=KT_USCC) for _ in range(2)]  # while no stream listens with that id
    again = Stream(token, last_event_id=last_id)  # a new connection: any worker may answer
    for record_id in missed:
        again.wait_for(record_id)
    assert before not in again.changes(), "what it had seen is not sent again"


def test_a_stream_with_an_unreadable_position_starts_from_now(records, staff_token):
    s = Stream(staff_token("city-admin"), last_event_id="not-a-position")
    made = hazard(records, region="620802", uscc=KT_USCC)
    s.wait_for(made)
    assert not [e for e in s.events if e.get("event") == "reset"]


def test_a_caller_who_may_not_list_the_kind_may_not_listen(staff_user, staff_token):
    from services.kit import roles
    user = staff_user("live-govaffairs-editor", "620802", roles.GOVAFFAIRS_EDITOR)
    r = httpx.get(f"{GATEWAY}/api/v1/live/hazards", params={"timeout": 0}, headers={"Authorization": f"Bearer {staff_token(user)}"})
    assert r.status_code == 403 and r.headers["content-type"].startswith("application/problem+json"), r.text
