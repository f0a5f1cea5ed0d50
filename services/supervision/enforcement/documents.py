"""Enforcement documents (执法文书): which agency issues them, their number's codes (rule table
`document_codes`), and what each printed document says, assembled from the inspection. Pure.

The issuing agency is the emergency bureau of the officer who starts the inspection (their
account's region): the county's bureau for a county officer, the city's for a city officer. Numbers are allocated in the write's
transaction by services/kit/docnumbers.py (no gaps, no duplicates)."""
from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Mapping

from services.kit import jsonio, regions, ruletables
from services.kit.ruletables import RuleTable

TABLES = ruletables.load_dir(Path(__file__).parent / "tables")
TYPE_ZH = {"inspection_record": "现场检查记录", "rectification_order": "责令限期整改指令书", "onsite_measures": "现场处理措施决定书",
           "recheck_opinion": "整改复查意见书", "case_filing": "立案审批表", "penalty_notice": "行政处罚告知书",
           "hearing_notice": "听证告知书", "penalty_decision": "行政处罚决定书", "service_receipt": "送达回执",
           "case_closing": "结案审批表"}


def table(name: str, on: date) -> RuleTable:
    return ruletables.effective(TABLES, name, on)


def agency(region_code: str, codes: RuleTable) -> tuple[str, dict]:
    """(agency region, {name, code}) of the bureau whose officers work in `region_code`."""
    agencies = codes.body["agencies"]
    county = regions.county_of(region_code) or region_code[:6]
    for key in (county, region_code[:4] + "00"):
        if key in agencies:
            return key, agencies[key]
    raise LookupError(f"no issuing agency for region {region_code} in {codes.name} of {codes.effective_from}")


def doc_code(doc_type: str, codes: RuleTable) -> str | None:
    return codes.body["types"][doc_type]["code"]


def _finding_line(f: Mapping) -> dict:
    return {"no": f["seq"], "text": f["description"] + ("（重大事故隐患）" if f["major"] else ""),
            "deadline": f["deadline"].isoformat() if f.get("deadline") else None, "basis": f.get("basis") or ""}


def body(doc_type: str, *, inspection: Mapping, findings: list[Mapping], extra: Mapping | None = None) -> dict:
    """What the printed document says (the `fields` and `items` of enforcement/render.py)."""
    extra = dict(extra or {})
    if doc_type == "inspection_record":
        officers = "、".join(f"{o['name']}（执法证号 {o['certificate_number']}）" for o in inspection["officers"])
        unit = inspection.get("unit_present") or {}
        problems = [f["description"] + ("（重大事故隐患）" if f["major"] else "") for f in findings]
        handling = "；".join(f"第{f['seq']}项{_HANDLING[f['handling']]}" for f in findings) or "未发现问题"
        return {"fields": {"place": inspection["place"], "started_at": inspection["started_at"].isoformat(timespec="minutes"),
                           "ended_at": inspection["ended_at"].isoformat(timespec="minutes") if inspection.get("ended_at") else "",
                           "inspectors": officers, "unit_present": f"{unit.get('name', '')} {unit.get('post', '')}".strip(),
                           "content": inspection.get("content") or "", "problems": problems, "handling": handling},
                "items": []}
    if doc_type == "rectification_order":
        ordered = [f for f in findings if f["handling"] == "order"]
        return {"fields": {"deadline": max(f["deadline"] for f in ordered).isoformat(),
                           "basis": "《中华人民共和国安全生产法》第六十五条"} | extra, "items": [_finding_line(f) for f in ordered]}
    if doc_type == "onsite_measures":
        measured = [f for f in findings if f["handling"] == "measures"]
        return {"fields": {"measures": [f["description"] for f in measured], "basis": "《中华人民共和国安全生产法》第六十五条",
                           "until": max(f["deadline"] for f in measured).isoformat()} | extra,
                "items": [_finding_line(f) for f in measured]}
    if doc_type == "recheck_opinion":
        return {"fields": extra, "items": []}
    raise ValueError(f"unknown document type {doc_type!r}")


UNREGISTERED = "（未登记）"   # printed where the data centre's record had no value
_HANDLING = {"fixed_on_site": "当场整改", "order": "责令限期整改", "measures": "采取现场处理措施"}


def printable(doc: Mapping, *, enterprise: Mapping) -> dict:
    """The renderer's input for a stored document."""
    b = doc["body"]
    unit = {"address": UNREGISTERED, "principal": UNREGISTERED, "phone": ""} | {k: v for k, v in enterprise.items() if v}
    return {"type": doc["type"], "agency_name": doc["agency_name"], "number": doc["number"] or "", "title": TYPE_ZH[doc["type"]],
            "enterprise": unit, "issued_on": doc["issued_at"].astimezone(jsonio.SHANGHAI).date().isoformat(), "fields": b.get("fields", {}),
            "items": b.get("items", []), "signatures": doc["signatures"]}
