"""Stored derived values follow the rule tables: a major hazard source whose grade was computed with
an older table (here: its stored R and grade set back to what β = 1 gave hydrogen) is derived again
by `python -m services.datacenter.registry.rederive` (which `make up` runs), through the normal
system-change path — a new version, a history entry and an event by system:rules — and a second
pass with the same tables changes nothing."""
from __future__ import annotations

import subprocess
import sys

from services.kit import config
from tests.integration.conftest import KT_USCC, good_body, zh_token


def rederive() -> str:
    done = subprocess.run([sys.executable, "-m", "services.datacenter.registry.rederive"], cwd=config.REPO_ROOT,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_grade_computed_with_an_older_table_is_derived_again(records, datacenter_db):
    body = good_body("major_hazard", tok=zh_token(), uscc=KT_USCC) | {
        "chemicals": [{"cas": "1333-74-0", "max_quantity_t": 100}], "population_500m": 150}
    r = records.post("major_hazard", body)
    assert r.status_code == 201, r.text
    made = r.json()
    assert (made["r_value"], made["grade"]) == (60, "2")

    # As the old table left it: β 1 → R 40, grade 3; and a rule basis older than the tables shipped.
    datacenter_db.execute("UPDATE major_hazards.source SET r_value = 40, grade = '3' WHERE id = %s", (made["id"],))
    datacenter_db.execute("UPDATE registry.rule_basis SET fingerprint = repeat('0', 64) WHERE kind = 'major_hazard'")
    out = rederive()
    assert "major_hazard:" in out and "changed" in out, out

    fixed = records.get("major_hazard", made["id"]).json()
    assert (fixed["r_value"], fixed["grade"], fixed["version"]) == (60, "2", made["version"] + 1)
    last = records.history("major_hazard", made["id"])[-1]
    assert last["actor"] == "system:rules", last
    assert {"r_value", "grade"} <= set(last["changes"]), last

    # The same tables again: nothing to do.
    assert "major_hazard: up to date" in rederive()
    assert records.get("major_hazard", made["id"]).json()["version"] == fixed["version"]
