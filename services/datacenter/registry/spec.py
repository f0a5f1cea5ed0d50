"""How a data-centre database is declared: its fields, who may write it, how it is counted.

Each database folder (`services/datacenter/<db>/kind.py`) declares one or more `Kind`s; the
generic servicer, store, events, import/export, gateway routes and web forms all read the same
declaration, so a field's Chinese label, type and limits are written once. Pure data, no I/O."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from datetime import date, datetime
from typing import Any, Callable

from services.kit import roles
from services.kit.errors import FieldViolation

# Field types and the PostgreSQL column each is stored in.
SQL_TYPES = {
    "text": "text", "enum": "text", "enum_list": "text[]", "text_list": "text[]", "int": "integer",
    "decimal": "numeric", "float": "double precision", "date": "date", "datetime": "timestamptz",
    "bool": "boolean", "uscc": "text", "id_number": "text", "phone": "text", "region": "text", "json": "jsonb",
}


@dataclass(frozen=True)
class Field:
    name: str
    label: str                      # 中文 label: forms, import headers, error messages
    type: str = "text"
    label_en: str = ""
    required: bool = False
    max_length: int | None = None
    min_length: int = 0
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None       # a regular expression the whole value must match
    pattern_hint: str = ""           # what the pattern means, in Chinese, for the error message
    options: tuple[tuple[str, str], ...] = ()  # (code, 中文) for enum / enum_list
    dictionary: str | None = None    # a dictionary the value must exist in (dictionaries.<name>)
    ref: str | None = None           # the Kind (by name) whose record this id points at
    filter: bool = False             # offered as an equality filter on lists
    search: bool = False             # part of the full-text search
    computed: bool = False           # set by the rules, never by a caller
    mask: str | None = None          # "id_number" | "phone": masked in lists and exports
    list_column: bool = False        # shown in the web table
    item_fields: tuple["Field", ...] = ()  # json lists of objects: the shape of each object
    enterprise_writable: bool = True # False: only agency staff may set it (e.g. risk colour)
    # roles beyond the kind's writers that may update this field, and only such fields (the
    # standardization grade: the supervisor who issues or withdraws the certificate)
    field_writers: tuple[str, ...] = ()
    help: str = ""

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    @cached_property
    def option_codes(self) -> dict[str, str]:
        """code → 中文, built once per field (checked on every row of an import)."""
        return dict(self.options)

    def option_label(self, code: str) -> str:
        return self.option_codes.get(code, code)


@dataclass(frozen=True)
class RuleContext:
    """What the per-database rules may consult: the clock and the rule tables in force, plus the
    record's enterprise when it has one. Filled by the servicer, passed to pure functions."""
    now: datetime
    tables: tuple = ()
    enterprise: dict | None = None
    current: dict | None = None      # the stored record, on update
    actor: str = ""
    actor_kind: str = ""             # "staff" | "enterprise" | "integrator"

    @property
    def today(self) -> date:
        return self.now.date()


Hook = Callable[[dict, RuleContext], Any]


@dataclass(frozen=True)
class ListFilter:
    """A filter computed at read time (overdue, licence status): its SQL condition per value."""
    name: str
    label: str
    options: tuple[tuple[str, str], ...]
    sql: Callable[[str], tuple[str, tuple]]  # value -> (condition, params)


@dataclass(frozen=True)
class Kind:
    name: str                        # "hazard": used in RPCs, events and audit actions
    database: str                    # "hazards": the PostgreSQL schema (one of the ten databases)
    table: str
    path: str                        # "hazards": the REST collection under /api/v1/
    label: str                       # 中文: "隐患"
    fields: tuple[Field, ...]
    key: str = "id"                  # "id" (generated bigint) or a natural key such as "uscc"
    regional: bool = True            # has region_code; access is scoped by region
    owned: bool = False              # belongs to an enterprise (has uscc); the owner may read it
    enterprise_writes: bool = False  # the owning enterprise may create and update it
    writer_roles: tuple[str, ...] = (roles.PLATFORM_ADMIN, roles.DATACENTER_ADMIN)
    reader_roles: tuple[str, ...] = roles.DATACENTER_READERS
    region_from: str | None = None   # a ref field whose record supplies region_code (an item's warehouse)
    updatable: bool = True           # False: an append-only ledger
    deletable: bool = True
    category_field: str | None = None  # statistics by category
    month_field: str = "created_at"    # statistics by month
    # Hooks receive the whole record as it will be stored (the stored one with the changes applied).
    check: Hook | None = None        # cross-field rules -> list[FieldViolation]
    derive: Hook | None = None       # computed fields -> dict, stored with the record
    # The rule tables `derive` reads: when any of them changes (a new version, a corrected
    # transcription), registry/rederive.py recomputes the stored values of every record.
    derived_from: tuple[str, ...] = ()
    at_read: Hook | None = None      # time-dependent fields, computed on every read, never stored
    read_fields: tuple[Field, ...] = ()  # describes what at_read adds (for forms and exports)
    list_filters: tuple[ListFilter, ...] = ()
    # (conn, record) -> (computed values, violations, {kind: (id, changes)}): rules that need other
    # stored rows, run in the creating transaction (a ledger movement locks its item and moves its
    # balance; the servicer applies the changes to the item as an ordinary audited, published update).
    on_insert: Callable | None = None
    # Sets of fields no two live records may share (a point's code within its enterprise); the
    # servicer and the import refuse a duplicate with a field error, a unique index guarantees it.
    unique: tuple[tuple[str, ...], ...] = ()
    description: str = ""

    def __post_init__(self):
        names = [f.name for f in self.fields]
        if len(names) != len(set(names)):
            raise ValueError(f"{self.name}: duplicate field names")
        if self.key != "id" and self.key not in names:
            raise ValueError(f"{self.name}: key {self.key} is not a field")

    @property
    def qualified_table(self) -> str:
        return f"{self.database}.{self.table}"

    # Cached: the import path asks these for every cell (cached_property writes the instance
    # __dict__ directly, which a frozen dataclass allows).
    @cached_property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    @cached_property
    def writable(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if not f.computed)

    @cached_property
    def field_writer_roles(self) -> frozenset[str]:
        """Roles that may update some fields of this kind without being its writers."""
        return frozenset(r for f in self.fields for r in f.field_writers)

    @cached_property
    def searchable(self) -> tuple[Field, ...]:
        return tuple(f for f in self.fields if f.search)

    @property
    def topic(self) -> str:
        return f"safety.datacenter.{self.name}.v1"

    @property
    def event_type(self) -> str:
        return f"cn.gov.safety.datacenter.{self.name}.changed.v1"

    def system_columns(self) -> tuple[str, ...]:
        cols = ["id"] if self.key == "id" else []
        if self.regional and "region_code" not in self.by_name:
            cols.append("region_code")
        if self.owned and "uscc" not in self.by_name:
            cols.append("uscc")
        if self.owned:
            cols.append("enterprise_name")
        return tuple(cols) + ("version", "created_at", "created_by", "updated_at", "updated_by", "deleted_at", "deleted_by")


# Fields most databases share, declared once.
# "Today" in Beijing, for list filters that compare dates in SQL (overdue, expired, in force).
SQL_TODAY = "(now() AT TIME ZONE 'Asia/Shanghai')::date"


def region_field(**kw) -> Field:
    return Field("region_code", "所在行政区划", "region", label_en="Region (GB/T 2260)", required=True, filter=True,
                 list_column=True, dictionary="region", **kw)


def uscc_field(**kw) -> Field:
    return Field("uscc", "统一社会信用代码", "uscc", label_en="Unified social credit code", required=True, filter=True, **kw)


def person(name: str, label: str, **kw) -> Field:
    return Field(name, label, "text", max_length=50, min_length=2, **kw)


def phone(name: str, label: str, **kw) -> Field:
    return Field(name, label, "phone", mask="phone", **kw)


def coordinates() -> tuple[Field, Field]:
    # Rough bounds of China: a point outside is a typing error (swapped or missing digits).
    return (Field("lon", "经度", "float", label_en="Longitude", minimum=73, maximum=136),
            Field("lat", "纬度", "float", label_en="Latitude", minimum=3, maximum=54))


def unique_violation(kind: "Kind", fields: tuple[str, ...]) -> FieldViolation:
    labels = "、".join(kind.by_name[f].label for f in fields if f != "uscc")
    name = fields[-1]
    return FieldViolation(name, f"{name}.exists", f"已有相同{labels}的{kind.label}" + ("（同一单位内）" if "uscc" in fields else ""),
                          f"Another {kind.name} has the same {', '.join(fields)}")

