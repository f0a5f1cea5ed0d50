"""After a test run, what a person browses in the demo instance is exactly what `make up` loaded:
the tests ran against the test instance. Runs last (tests/conftest.py); the snapshot it compares
with was taken before the first test."""
from __future__ import annotations

from tests.demo_instance import snapshot


def test_the_test_run_left_the_demo_instance_as_it_found_it(demo_snapshot_before):
    after = snapshot()
    changed = {k: (demo_snapshot_before.get(k), after.get(k)) for k in sorted(set(demo_snapshot_before) | set(after))
               if demo_snapshot_before.get(k) != after.get(k)}
    assert changed == {}, f"the tests changed the demo instance (before → after): {changed}"
