"""What a record points at, checked against what is stored: its enterprise (which also places it
in a region), other records it refers to, and dictionary codes. Lookups are cached per Resolver,
so an import of many rows asks the database once per distinct value."""
from __future__ import annotations

import psycopg

from services.datacenter.registry import access, catalogue, store
from services.datacenter.registry.spec import Kind
from services.kit.auth import Principal
from services.kit.errors import FieldViolation, PermissionDenied

_DICTIONARY_KEYS = {"region": ("region", "code"), "sector": ("sector", "code"), "accident_type": ("accident_type", "code"),
                    "rescue_specialty": ("rescue_specialty", "code"), "expert_field": ("expert_field", "code"),
                    "industry": ("industry", "code")}


class Resolver:
    def __init__(self, conn: psycopg.Connection, kind: Kind, caller: Principal):
        self.conn, self.kind, self.caller = conn, kind, caller
        self._enterprises: dict[str, dict | None] = {}
        self._refs: dict[tuple[str, object], dict | None] = {}
        self._codes: dict[str, dict[str, bool]] = {}  # dictionary -> code -> exists

    def prefetch(self, records: list[dict]) -> None:
        """Load in bulk what `records` refer to (imports)."""
        if self.kind.owned:
            wanted = sorted({r["uscc"] for r in records if r.get("uscc")} - set(self._enterprises))
            found = store.lookup(self.conn, catalogue.KINDS["enterprise"], wanted, ("name", "region_code"))
            self._enterprises.update({u: found.get(u) for u in wanted})
        for f in self.kind.fields:
            if f.ref:
                target = catalogue.KINDS[f.ref]
                wanted = sorted({r[f.name] for r in records if r.get(f.name) is not None} - {k for n, k in self._refs if n == f.ref})
                found = store.lookup(self.conn, target, wanted, _ref_columns(target))
                self._refs.update({(f.ref, k): found.get(k) for k in wanted})

    def enterprise(self, uscc: str) -> dict | None:
        if uscc not in self._enterprises:
            self._enterprises[uscc] = store.lookup(self.conn, catalogue.KINDS["enterprise"], [uscc], ("name", "region_code")).get(uscc)
        return self._enterprises[uscc]

    def ref(self, kind_name: str, key) -> dict | None:
        if (kind_name, key) not in self._refs:
            target = catalogue.KINDS[kind_name]
            self._refs[(kind_name, key)] = store.lookup(self.conn, target, [key], _ref_columns(target)).get(key)
        return self._refs[(kind_name, key)]

    def missing_codes(self, dictionary: str, codes: list[str]) -> list[str]:
        """The codes not in the dictionary; only codes not seen before are looked up (one query)."""
        seen = self._codes.setdefault(dictionary, {})
        unseen = sorted({c for c in codes if c not in seen})
        if unseen:
            table, column = _DICTIONARY_KEYS[dictionary]
            found = {r[0] for r in self.conn.execute(f"SELECT {column} FROM dictionaries.{table} WHERE {column} = ANY(%s)",
                                                     (unseen,)).fetchall()}
            seen.update({c: c in found for c in unseen})
        return [c for c in codes if not seen[c]]

    def resolve(self, record: dict, *, only: set[str] | None = None) -> tuple[dict, dict | None, list[FieldViolation]]:
        """The record with its derived placement (region, enterprise name), the enterprise, and
        violations for everything it points at that is not there. `only`: fields to check (an update)."""
        kind, out, enterprise = self.kind, [], None
        check = (lambda name: True) if only is None else (lambda name: name in only)
        if kind.owned and record.get("uscc"):
            enterprise = self.enterprise(record["uscc"])
            if enterprise is None:
                out.append(FieldViolation("uscc", "uscc.unknown", "该统一社会信用代码的单位尚未登记", "No enterprise is registered with this credit code"))
            else:
                record["region_code"], record["enterprise_name"] = enterprise["region_code"], enterprise["name"]
        for f in kind.fields:
            value = record.get(f.name)
            if value is None or not check(f.name):
                continue
            if f.ref:
                target = self.ref(f.ref, value)
                label = catalogue.KINDS[f.ref].label
                if target is None:
                    out.append(FieldViolation(f.name, f"{f.name}.unknown", f"{f.label}：编号 {value} 的{label}不存在", f"No {f.ref} {value}"))
                    continue
                if not access.visible(self.caller, catalogue.KINDS[f.ref], target):
                    # It exists but lies outside the caller's region: writing against it is refused
                    # outright, as writing a record in another region is.
                    raise PermissionDenied(f"{f.label}：编号 {value} 的{label}不在您的管辖范围内",
                                           f"{f.name}: {f.ref} {value} is outside your region")
                if kind.owned and catalogue.KINDS[f.ref].owned and record.get("uscc") and target.get("uscc") != record["uscc"]:
                    out.append(FieldViolation(f.name, f"{f.name}.other_owner", f"{f.label}：编号 {value} 的{label}不属于本单位",
                                              f"{f.ref} {value} belongs to another enterprise"))
                    continue
                if kind.region_from == f.name:
                    record["region_code"] = target["region_code"]
            if f.dictionary:
                missing = self.missing_codes(f.dictionary, value if isinstance(value, list) else [value])
                if missing:
                    out.append(FieldViolation(f.name, f"{f.name}.unknown", f"{f.label}：代码 {'、'.join(missing)} 不在字典中",
                                              f"{f.name}: {', '.join(missing)} not in the {f.dictionary} dictionary"))
        return record, enterprise, out


def _ref_columns(target: Kind) -> tuple[str, ...]:
    return (("region_code",) if target.regional else ()) + (("uscc",) if target.owned else ())


def labels(conn: psycopg.Connection, kind: Kind, by: str, keys: list[str]) -> dict[str, str]:
    """Chinese names of statistics buckets."""
    if by == "region":
        return {r[0]: r[1] for r in conn.execute("SELECT code, name FROM dictionaries.region WHERE code = ANY(%s)", (keys,)).fetchall()}
    if by == "category" and kind.category_field:
        f = kind.by_name.get(kind.category_field)
        if f is not None and f.options:
            return dict(f.options)
        if f is not None and f.dictionary in _DICTIONARY_KEYS:
            table, column = _DICTIONARY_KEYS[f.dictionary]
            return {r[0]: r[1] for r in conn.execute(f"SELECT {column}, name FROM dictionaries.{table} WHERE {column} = ANY(%s)",
                                                      (keys,)).fetchall()}
    return {}
