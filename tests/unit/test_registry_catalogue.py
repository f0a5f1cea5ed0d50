"""services.datacenter.registry.catalogue: the ten databases' declarations hold together, and every
declared field has its column in the migrations (so a field added without a migration fails here)."""
import copy
import functools
import json
import re
from pathlib import Path

import pytest

from services.datacenter.registry import catalogue, ddl
from services.datacenter.registry.spec import SQL_TYPES, Field, Kind
from services.kit import kafka, roles
from services.kit.errors import InvalidArgument

MIGRATIONS = Path(__file__).resolve().parents[2] / "services" / "datacenter" / "migrations"
CJK = re.compile(r"[\u4e00-\u9fff]")
KINDS = catalogue.ALL
ids = [k.name for k in KINDS]


def all_fields(fields: tuple[Field, ...]):
    for f in fields:
        yield f
        yield from all_fields(f.item_fields)


def every_field(kind: Kind):
    yield from all_fields(kind.fields)
    yield from all_fields(kind.read_fields)


# --- the ten databases ----------------------------------------------------------------------------

def test_ten_databases_each_with_at_least_one_kind():
    assert len(catalogue.DATABASES) == 10 == len(set(catalogue.DATABASES))
    for database in catalogue.DATABASES:
        assert [k for k in KINDS if k.database == database], database
    assert {k.database for k in KINDS} == set(catalogue.DATABASES)


def test_kinds_are_listed_in_the_order_of_the_databases():
    order = [catalogue.DATABASES.index(k.database) for k in KINDS]
    assert order == sorted(order)


def test_names_paths_and_tables_are_unique():
    for attr in ("name", "path", "qualified_table", "topic", "event_type"):
        values = [getattr(k, attr) for k in KINDS]
        assert len(values) == len(set(values)), attr
    assert catalogue.KINDS == {k.name: k for k in KINDS}
    assert catalogue.BY_PATH == {k.path: k for k in KINDS}


@pytest.mark.parametrize("kind", KINDS, ids=ids)
def test_names_are_identifiers_and_paths_are_url_segments(kind):
    assert re.fullmatch(r"[a-z][a-z_]*", kind.name)
    assert re.fullmatch(r"[a-z][a-z_]*", kind.database) and re.fullmatch(r"[a-z][a-z_]*", kind.table)
    assert re.fullmatch(r"[a-z][a-z-]*", kind.path)
    assert CJK.search(kind.label) and CJK.search(kind.description)


def test_kind_lookup():
    assert catalogue.kind("hazard") is catalogue.KINDS["hazard"]
    with pytest.raises(InvalidArgument) as refused:
        catalogue.kind("nonsense")
    (v,) = refused.value.violations
    assert (v.field, v.code) == ("kind", "kind.unknown") and "nonsense" in v.message_zh and "nonsense" in v.message_en


# --- each kind ------------------------------------------------------------------------------------

@pytest.mark.parametrize("kind", KINDS, ids=ids)
def test_key_and_statistics_fields_exist(kind):
    names = kind.by_name
    assert kind.key == "id" or kind.key in names
    if kind.category_field is not None:
        assert kind.category_field in names, kind.category_field
        assert names[kind.category_field].type in ("enum", "text")
    if kind.month_field in names:
        assert names[kind.month_field].type in ("date", "datetime")
    else:
        assert kind.month_field == "created_at"   # a system column
        assert kind.month_field in kind.system_columns()


@pytest.mark.parametrize("kind", KINDS, ids=ids)
def test_filters_and_columns_are_fields_that_can_be_filtered_and_shown(kind):
    filters = [f for f in kind.fields if f.filter]
    columns = [f for f in kind.fields if f.list_column]
    assert columns, "a web table needs at least one column"
    for f in filters:
        assert f.name in kind.by_name and f.type not in ("json", "datetime", "decimal", "float"), f.name
        assert not f.mask, f"{f.name}: personal data is never a filter"
    for f in columns:
        assert f.name in kind.by_name and f.type != "json", f.name
        assert f.mask != "id_number", f"{f.name}: no ID numbers in tables"
    if kind.regional and "region_code" in kind.by_name:
        assert kind.by_name["region_code"].filter


@pytest.mark.parametrize("kind", KINDS, ids=ids)
def test_list_filters_describe_computed_read_fields(kind):
    read = {f.name for f in kind.read_fields}
    for lf in kind.list_filters:
        assert lf.name in read and lf.name not in kind.by_name
        assert lf.options and all(CJK.search(label) for _, label in lf.options)
        for value, _ in lf.options:
            condition, params = lf.sql(value)
            assert isinstance(condition, str) and condition and isinstance(params, tuple)


@pytest.mark.parametrize("kind", KINDS, ids=ids)
def test_refs_name_kinds(kind):
    for f in kind.fields:
        if f.ref:
            assert f.ref in catalogue.KINDS, f.ref
            assert f.type == "int" and catalogue.KINDS[f.ref].key == "id"
    if kind.region_from:
        assert kind.by_name[kind.region_from].ref, kind.region_from
        assert catalogue.KINDS[kind.by_name[kind.region_from].ref].regional


@pytest.mark.parametrize("kind", KINDS, ids=ids)
def test_every_field_is_well_formed(kind):
    for f in every_field(kind):
        assert f.type in SQL_TYPES, (f.name, f.type)
        assert re.fullmatch(r"[a-z][a-z0-9_]*", f.name), f.name
        assert f.label.strip(), f.name
        if f in kind.fields or f in kind.read_fields:
            assert CJK.search(f.label), f"{f.name}: forms and import headers use the Chinese label"
        if f.type in ("enum", "enum_list"):
            assert f.options, f"{f.name}: an enum needs options"
            codes = [c for c, _ in f.options]
            labels = [label for _, label in f.options]
            assert len(codes) == len(set(codes)) and len(labels) == len(set(labels)), f.name
            assert all(re.fullmatch(r"[a-z0-9_]+", c) for c in codes), f.name
            assert all(CJK.search(label) for label in labels), f"{f.name}: option labels are Chinese"
            assert not set(codes) & set(labels), f"{f.name}: a label that is also a code is ambiguous on import"
        else:
            assert not f.options, f"{f.name}: options on a {f.type}"
        if f.item_fields:
            assert f.type == "json"
        if f.mask:
            assert (f.mask, f.type) in (("id_number", "id_number"), ("phone", "phone")), f.name
        if f.type in ("id_number", "phone") and f in kind.fields:
            assert f.mask == f.type, f"{f.name}: personal data must be masked"
        if f.computed:
            assert not f.required, f"{f.name}: a computed field cannot be required of a caller"
        if f.minimum is not None and f.maximum is not None:
            assert f.minimum <= f.maximum, f.name
        if f.pattern:
            re.compile(f.pattern)
        if f.max_length is not None:
            assert f.min_length <= f.max_length, f.name


@pytest.mark.parametrize("kind", KINDS, ids=ids)
def test_roles_are_realm_roles(kind):
    assert set(kind.writer_roles) <= set(roles.STAFF_ROLES)
    assert set(kind.reader_roles) <= set(roles.STAFF_ROLES)
    assert kind.writer_roles and kind.reader_roles


@pytest.mark.parametrize("kind", KINDS, ids=ids)
def test_ownership_and_region_columns(kind):
    if kind.owned or kind.enterprise_writes:
        assert "uscc" in kind.by_name
    if not kind.regional:
        assert "region_code" not in kind.by_name and not kind.owned


# --- describe() -----------------------------------------------------------------------------------

def test_describe_is_plain_json_listing_every_field():
    described = catalogue.describe()
    again = json.loads(json.dumps(described, ensure_ascii=False))
    assert again == described
    assert again["databases"] == list(catalogue.DATABASES)
    assert [k["name"] for k in again["kinds"]] == ids
    for k, kind in zip(again["kinds"], KINDS):
        assert [f["name"] for f in k["fields"]] == [f.name for f in kind.fields]
        assert [f["name"] for f in k["read_fields"]] == [f.name for f in kind.read_fields]
        assert k["topic"] == kind.topic and k["path"] == kind.path and k["label"] == kind.label
        assert k["category_field"] == kind.category_field and k["month_field"] == kind.month_field
        assert [lf["name"] for lf in k["list_filters"]] == [lf.name for lf in kind.list_filters]
        for f, field in zip(k["fields"], kind.fields):
            assert f["label"] == field.label and f["type"] == field.type and f["required"] == field.required
            if field.options:
                assert f["options"] == [{"value": c, "label": label} for c, label in field.options]
            if field.item_fields:
                assert [i["name"] for i in f["item_fields"]] == [i.name for i in field.item_fields]
            if field.minimum is not None:
                assert f["minimum"] == field.minimum   # a zero bound is still a bound


def test_describe_keeps_zero_bounds_and_drops_empty_attributes():
    hazard = next(k for k in catalogue.describe()["kinds"] if k["name"] == "hazard")
    funds = next(f for f in hazard["fields"] if f["name"] == "funds_cny")
    assert funds["minimum"] == 0
    assert "pattern" not in funds and "ref" not in funds and "options" not in funds


# --- Kafka topics ---------------------------------------------------------------------------------

def test_every_kind_has_a_declared_compacted_topic():
    declared = {t["name"]: t for t in kafka.declared_topics()}
    for kind in KINDS:
        assert kind.topic in declared, f"{kind.topic} is not in infra/kafka/topics.yaml"
        assert declared[kind.topic].get("config", {}).get("cleanup.policy") == "compact", kind.topic
    assert kafka.topic(KINDS[0].topic) == KINDS[0].topic   # what the events module calls at import


# --- SQL: ddl() and the migrations ----------------------------------------------------------------

def _strip_comments(sql: str) -> str:
    out, i, quoted = [], 0, False
    while i < len(sql):
        c = sql[i]
        if c == "'":
            quoted = not quoted
        elif not quoted and sql.startswith("--", i):
            i = sql.find("\n", i)
            if i < 0:
                break
            continue
        out.append(c)
        i += 1
    return "".join(out)


def _split_top_level(text: str, sep: str = ",") -> list[str]:
    parts, depth, quoted, start = [], 0, False, 0
    for i, c in enumerate(text):
        if c == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
        elif c == sep and depth == 0:
            parts.append(text[start:i])
            start = i + 1
    parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _body_from(sql: str, open_paren: int) -> str:
    depth, quoted = 0, False
    for i in range(open_paren, len(sql)):
        c = sql[i]
        if c == "'":
            quoted = not quoted
        elif quoted:
            continue
        elif c == "(":
            depth += 1
        elif c == ")":
            depth -= 1
            if depth == 0:
                return sql[open_paren + 1:i]
    raise AssertionError("unbalanced parentheses")


_CONSTRAINTS = {"PRIMARY", "CHECK", "UNIQUE", "CONSTRAINT", "FOREIGN", "EXCLUDE", "LIKE"}


def _column(definition: str) -> tuple[str, str]:
    name, _, rest = " ".join(definition.split()).partition(" ")
    return name.strip('"'), rest


def columns_by_table(sql: str, into: dict | None = None) -> dict[str, dict[str, str]]:
    """{schema.table: {column: definition}} from CREATE TABLE and ALTER TABLE … ADD/DROP COLUMN."""
    tables = into if into is not None else {}
    sql = _strip_comments(sql)
    for statement in _split_top_level(sql, ";"):
        if m := re.match(r"CREATE TABLE (?:IF NOT EXISTS )?([a-z_]+\.[a-z_]+)\s*\(", statement, re.I):
            cols = tables.setdefault(m.group(1), {})
            for item in _split_top_level(_body_from(statement, m.end() - 1)):
                if item.split()[0].upper() not in _CONSTRAINTS:
                    name, rest = _column(item)
                    cols[name] = rest
        elif m := re.match(r"ALTER TABLE (?:ONLY )?([a-z_]+\.[a-z_]+)\s+(.*)", statement, re.I | re.S):
            cols = tables.setdefault(m.group(1), {})
            for action in _split_top_level(m.group(2)):
                if a := re.match(r"ADD COLUMN (?:IF NOT EXISTS )?(.*)", action, re.I | re.S):
                    name, rest = _column(a.group(1))
                    cols[name] = rest
                elif d := re.match(r"DROP COLUMN (?:IF EXISTS )?(\S+)", action, re.I):
                    cols.pop(d.group(1).strip('"'), None)
                elif r := re.match(r"RENAME COLUMN (\S+) TO (\S+)", action, re.I):
                    cols[r.group(2)] = cols.pop(r.group(1))
    return tables


def test_the_sql_reader_itself():
    sql = """-- a comment with CREATE TABLE x.y (z int);
    CREATE TABLE a.b (
        id bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
        code text NOT NULL CHECK (code ~ '^[A-T](\\d{2})?$' AND code <> ','),  -- trailing, comment
        tags text[],
        lon double precision CHECK (lon >= 73 AND lon <= 136),
        PRIMARY KEY (id),
        CHECK (lon > 0)
    );
    ALTER TABLE a.b ADD COLUMN extra jsonb, ADD COLUMN IF NOT EXISTS more integer, DROP COLUMN tags;
    SELECT 'CREATE TABLE q.r (s int)';
    """
    got = columns_by_table(sql)
    assert set(got) == {"a.b"}
    assert list(got["a.b"]) == ["id", "code", "lon", "extra", "more"]
    assert got["a.b"]["lon"].startswith("double precision CHECK")


def column_type_ok(definition: str, sql_type: str) -> bool:
    return definition.lower().startswith(sql_type + " ") or definition.lower() == sql_type


def expected_columns(kind: Kind) -> dict[str, str | None]:
    """Every column the store reads or writes: system columns, the search vector, every field."""
    out: dict[str, str | None] = {c: None for c in kind.system_columns()}
    if kind.searchable:
        out["search"] = "tsvector"
    out.update({f.name: f.sql_type for f in kind.fields})
    return out


def missing_columns(kind: Kind, table: dict[str, str]) -> list[str]:
    problems = []
    for name, sql_type in expected_columns(kind).items():
        if name not in table:
            problems.append(f"{kind.qualified_table}.{name} has no column")
        elif sql_type and not column_type_ok(table[name], sql_type):
            problems.append(f"{kind.qualified_table}.{name} is `{table[name]}`, not {sql_type}")
    return problems


@pytest.mark.parametrize("kind", KINDS, ids=ids)
def test_ddl_draft_declares_every_field(kind):
    text = ddl.ddl(kind)
    table = columns_by_table(text)[kind.qualified_table]
    assert missing_columns(kind, table) == []
    assert ddl.counting(kind) in text
    for f in kind.fields:
        if f.required and not f.computed:
            assert "NOT NULL" in table[f.name], f.name
        if f.ref:
            assert f"REFERENCES {catalogue.KINDS[f.ref].qualified_table} (id)" in table[f.name]


def _migration_files() -> list[Path]:
    return sorted(MIGRATIONS.glob("*.sql"))


def _registry_migrations() -> dict[str, Path]:
    out = {}
    for p in _migration_files():
        m = re.fullmatch(r"(\d{4})_([a-z_]+)\.sql", p.name)
        if m and 8 <= int(m.group(1)) <= 17:
            out[m.group(2)] = p
    return out


def test_every_database_has_its_migration():
    assert sorted(_registry_migrations()) == sorted(catalogue.DATABASES)


@functools.lru_cache(maxsize=None)
def _snapshots() -> dict[str, dict[str, dict[str, str]]]:
    """{migration file name: the tables as they stand once it has run}, every file applied in order
    (0009 alters the table 0002 created)."""
    tables: dict[str, dict[str, str]] = {}
    out = {}
    for p in _migration_files():
        columns_by_table(p.read_text(encoding="utf-8"), tables)
        out[p.name] = copy.deepcopy(tables)
    return out


def _columns_after(migration: Path) -> dict[str, dict[str, str]]:
    return _snapshots()[migration.name]


@pytest.mark.parametrize("database", catalogue.DATABASES)
def test_each_migration_has_a_column_for_every_field_of_its_kinds(database):
    """Every kind's table is created by a migration (its database's own, or a later one that adds
    a kind, as 0024 adds monitoring points) and counted by one; once every migration has run, the
    table has a column for every declared field."""
    files = _migration_files()
    final = _columns_after(files[-1])
    problems = []
    for kind in (k for k in KINDS if k.database == database):
        creating = [p for p in files if f"CREATE TABLE {kind.qualified_table} (" in p.read_text(encoding="utf-8")]
        assert creating, f"no migration creates {kind.qualified_table}"
        problems += missing_columns(kind, final[kind.qualified_table])
        if not any(ddl.counting(kind) in p.read_text(encoding="utf-8") for p in files):
            problems.append(f"no migration counts {kind.name} by {kind.category_field} / {kind.month_field}")
    assert problems == [], "\n".join(problems)


def test_a_field_without_a_column_is_caught():
    import dataclasses
    hazard = catalogue.KINDS["hazard"]
    grown = dataclasses.replace(hazard, fields=hazard.fields + (Field("photo_count", "照片数", "int"),))
    tables = _columns_after(_registry_migrations()["hazards"])
    assert missing_columns(grown, tables["hazards.hazard"]) == ["hazards.hazard.photo_count has no column"]
    retyped = dataclasses.replace(hazard, fields=tuple(dataclasses.replace(f, type="int") if f.name == "place" else f
                                                       for f in hazard.fields))
    assert missing_columns(retyped, tables["hazards.hazard"]) == ["hazards.hazard.place is `text CHECK (char_length(place) "
                                                                  "BETWEEN 1 AND 200)`, not integer"]
