"""The set-based create of imports (store.create_many) writes exactly what the servicer's own path
writes for a new record: the row, its history entry, and a change event equal to the one Python
builds (events.changed of the stored row) — PostgreSQL builds it here, for every record kind.
Each of those runs in a transaction that is rolled back: nothing stays in the test instance.
And the pipelined import (rows stored chunk by chunk while later ones are checked) gives the same
results as checking everything first: all-or-nothing keeps nothing, partial keeps every good row."""
from __future__ import annotations

import json

import pytest
from psycopg.rows import dict_row

from services.datacenter.registry import events, importing, store
from services.datacenter.registry.catalogue import ALL, KINDS
from services.datacenter.registry.values import record_json
from tests.integration.conftest import good_body, zh_token

pytestmark = pytest.mark.integration
ACTOR = "test:set-based"
SET_BASED = [k.name for k in ALL if not k.on_insert]  # a ledger's rows are created one by one (their balances)


def stored(conn, kind, key) -> dict:
    with conn.cursor(row_factory=dict_row) as cur:
        return cur.execute(f"SELECT {', '.join(store.columns(kind))} FROM {kind.qualified_table} WHERE {kind.key} = %s",
                           (key,)).fetchone()


@pytest.mark.parametrize("kind_name", SET_BASED)
def test_a_set_based_create_writes_what_the_servicer_writes(kind_name, records, datacenter_db):
    kind = KINDS[kind_name]
    made = records.create(kind_name)
    with datacenter_db.transaction(force_rollback=True):
        record = {k: v for k, v in stored(datacenter_db, kind, made["id"]).items()
                  if k not in ("version", "created_at", "updated_at", "created_by", "updated_by", "deleted_at", "deleted_by")}
        if kind.key == "id":
            del record["id"]
        else:  # a new enterprise needs a credit code of its own
            record[kind.key] = good_body(kind_name, tok=zh_token())[kind.key]
        for fields in kind.unique:  # and what must be unique (a point's code) is made anew
            fresh = good_body(kind_name, tok=zh_token())
            record.update({f: fresh[f] for f in fields if f != "uscc"})
        [row] = importing.create_records(datacenter_db, kind, [record], actor=ACTOR, returning=tuple(store.columns(kind)))
        key = row[kind.key]
        assert stored(datacenter_db, kind, key) == row
        assert row["version"] == 1 and row["created_by"] == row["updated_by"] == ACTOR

        history = datacenter_db.execute("SELECT version, operation, actor, changes FROM registry.change "
                                        "WHERE kind = %s AND record_id = %s", (kind.name, str(key))).fetchall()
        assert history == [(1, "created", ACTOR, {})]

        [(event_id, topic, record_key, headers, payload)] = datacenter_db.execute(
            "SELECT event_id::text, topic, record_key, headers, payload FROM kit.outbox WHERE topic = %s AND record_key = %s",
            (events.topic(kind), str(key))).fetchall()
        python = events.changed(kind, record_json(kind, row, masked=False), operation="created", actor=ACTOR,
                                fields=[f.name for f in kind.fields if row.get(f.name) is not None], changed_at=row["updated_at"])
        assert record_key == str(key)
        assert json.loads(bytes(payload)) == json.loads(python.data)
        expected = {k: v.decode() for k, v in python.headers()}
        assert headers["ce_id"] == event_id
        assert {k: v for k, v in headers.items() if k not in ("ce_id", "ce_time")} == \
               {k: v for k, v in expected.items() if k not in ("ce_id", "ce_time")}
        assert headers["ce_time"].endswith("Z") and headers["ce_time"][:4] == expected["ce_time"][:4]


def test_times_in_events_are_beijing_time_as_the_api_writes_them(datacenter_db):
    """registry.shanghai_iso against values.to_json, including the summer time China kept in 1986–1991."""
    from datetime import datetime, timezone

    from services.datacenter.registry.values import to_json
    for t in (datetime(2026, 12, 1, 15, 59, 59, 999999, tzinfo=timezone.utc), datetime(1988, 7, 1, 12, tzinfo=timezone.utc),
              datetime(1988, 1, 1, 12, tzinfo=timezone.utc), datetime(1970, 1, 1, tzinfo=timezone.utc)):
        assert datacenter_db.execute("SELECT registry.shanghai_iso(%s)", (t,)).fetchone()[0] == to_json(t), t


def _hazards_file(uscc: str, rows: int, *, bad: dict[int, str]) -> bytes:
    """`rows` valid hazards of one enterprise, except the file lines in `bad` (line → a level that is no level)."""
    import csv
    import io

    from bench.datacenter_data import IMPORT_COLUMNS, import_csv
    table = list(csv.reader(io.StringIO(import_csv(rows, [uscc], seed=11).decode())))
    level = IMPORT_COLUMNS.index("level")
    for line, value in bad.items():
        table[line - 1][level] = value  # line 1 is the header
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(table)
    return out.getvalue().encode()


def _import(records, content: bytes, *, all_or_nothing: bool) -> dict:
    r = records.http.post(f"{records.base('hazard')}/import", headers=records.headers(), timeout=120,
                          files={"file": ("hazards.csv", content, "text/csv")},
                          data={"all_or_nothing": str(all_or_nothing).lower(), "dry_run": "false"})
    return r


def _count(db, uscc: str) -> int:
    return db.execute("SELECT count(*) FROM hazards.hazard WHERE uscc = %s", (uscc,)).fetchone()[0]


def test_an_all_or_nothing_import_that_fails_after_its_first_chunks_were_stored_keeps_nothing(records, datacenter_db):
    """Rows are stored chunk by chunk while later ones are still checked (importing.CHUNK); a bad row
    in a later chunk must take back the chunks already stored, their history and their events."""
    from services.datacenter.registry.importing import CHUNK
    uscc = records.create("enterprise")["id"]
    outbox_before = datacenter_db.execute("SELECT count(*) FROM kit.outbox WHERE topic = %s",
                                          (events.topic(KINDS["hazard"]),)).fetchone()[0]
    r = _import(records, _hazards_file(uscc, CHUNK + 500, bad={CHUNK + 400: "最严重"}), all_or_nothing=True)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body.get("committed", False) is False and body.get("created", 0) == 0
    assert [(e["row"], e["column"], e["code"]) for e in body["errors"]] == [(CHUNK + 400, "隐患等级", "level.option")]
    assert _count(datacenter_db, uscc) == 0
    assert datacenter_db.execute("SELECT count(*) FROM kit.outbox WHERE topic = %s",
                                 (events.topic(KINDS["hazard"]),)).fetchone()[0] == outbox_before


def test_a_partial_import_stores_every_good_row_of_every_chunk_and_reports_the_bad_ones(records, datacenter_db):
    from services.datacenter.registry.importing import CHUNK
    uscc = records.create("enterprise")["id"]
    bad = {10: "x", CHUNK + 2: "y", CHUNK + 300: "z"}  # in the first chunk, at the start and inside the second
    r = _import(records, _hazards_file(uscc, CHUNK + 500, bad=bad), all_or_nothing=False)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["committed"] is True and body["created"] == CHUNK + 500 - 3
    assert sorted(e["row"] for e in body["errors"]) == sorted(bad)
    assert _count(datacenter_db, uscc) == CHUNK + 500 - 3
    ids = [r[0] for r in datacenter_db.execute("SELECT id FROM hazards.hazard WHERE uscc = %s", (uscc,)).fetchall()]
    assert datacenter_db.execute("SELECT count(*) FROM registry.change WHERE kind = 'hazard' AND record_id = ANY(%s)",
                                 ([str(i) for i in ids],)).fetchone()[0] == len(ids)
    assert datacenter_db.execute("SELECT count(DISTINCT record_key) FROM kit.outbox WHERE topic = %s AND record_key = ANY(%s)",
                                 (events.topic(KINDS["hazard"]), [str(i) for i in ids])).fetchone()[0] == len(ids)
