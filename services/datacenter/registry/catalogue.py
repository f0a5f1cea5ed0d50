"""Every record kind of the ten databases, in one catalogue. Adding a kind: declare it in its
database folder's kind.py, add it here, and write its migration (see docs/datacenter.md)."""
from __future__ import annotations

from services.datacenter.accidents.kind import KIND as ACCIDENT
from services.datacenter.enterprises.kind import KIND as ENTERPRISE
from services.datacenter.experts.kind import KIND as EXPERT
from services.datacenter.hazards.kind import KIND as HAZARD
from services.datacenter.laws.kind import KIND as LAW
from services.datacenter.licences.kind import KIND as LICENCE
from services.datacenter.major_hazards.kind import KIND as MAJOR_HAZARD
from services.datacenter.major_hazards.points import KIND as MONITORING_POINT
from services.datacenter.personnel.kind import KINDS as PERSONNEL
from services.datacenter.registry.spec import Field, Kind
from services.datacenter.rescue_teams.kind import KIND as RESCUE_TEAM
from services.datacenter.supplies.kind import KINDS as SUPPLIES
from services.kit.errors import FieldViolation, invalid

# In the order of the ten databases.
ALL: tuple[Kind, ...] = (LAW, ENTERPRISE, HAZARD, MAJOR_HAZARD, MONITORING_POINT, RESCUE_TEAM, *SUPPLIES, ACCIDENT, EXPERT, LICENCE, *PERSONNEL)
KINDS: dict[str, Kind] = {k.name: k for k in ALL}
BY_PATH: dict[str, Kind] = {k.path: k for k in ALL}
DATABASES = ("laws", "enterprises", "hazards", "major_hazards", "rescue_teams", "supplies", "accidents", "experts",
             "licences", "personnel")


def kind(name: str) -> Kind:
    try:
        return KINDS[name]
    except KeyError:
        raise invalid(FieldViolation("kind", "kind.unknown", f"未知的数据类别“{name}”", f"Unknown record kind '{name}'")) from None


def _field(f: Field) -> dict:
    out = {"name": f.name, "label": f.label, "type": f.type, "required": f.required, "computed": f.computed,
           "filter": f.filter, "search": f.search, "list_column": f.list_column, "enterprise_writable": f.enterprise_writable}
    for attr in ("label_en", "max_length", "minimum", "maximum", "pattern", "pattern_hint", "dictionary", "ref", "mask", "help"):
        if (v := getattr(f, attr)) not in (None, ""):
            out[attr] = v
    if f.min_length:
        out["min_length"] = f.min_length
    if f.options:
        out["options"] = [{"value": c, "label": label} for c, label in f.options]
    if f.item_fields:
        out["item_fields"] = [_field(i) for i in f.item_fields]
    return out


def describe() -> dict:
    """The catalogue as plain JSON: what forms, imports, exports and integrators read."""
    return {"databases": list(DATABASES), "kinds": [{
        "name": k.name, "database": k.database, "path": k.path, "label": k.label, "description": k.description,
        "key": k.key, "regional": k.regional, "owned": k.owned, "enterprise_writes": k.enterprise_writes,
        "updatable": k.updatable, "deletable": k.deletable, "category_field": k.category_field,
        "month_field": k.month_field, "topic": k.topic, "event_type": k.event_type,
        "writer_roles": list(k.writer_roles), "reader_roles": list(k.reader_roles),
        "fields": [_field(f) for f in k.fields], "read_fields": [_field(f) for f in k.read_fields],
        "list_filters": [{"name": lf.name, "label": lf.label, "options": [{"value": c, "label": label} for c, label in lf.options]}
                         for lf in k.list_filters],
    } for k in ALL]}
