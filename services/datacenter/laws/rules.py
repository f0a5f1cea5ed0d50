"""Rules of the laws database: levels, whether a text is in force, splitting it into articles. Pure."""
from __future__ import annotations

import re
from datetime import date

from services.datacenter.registry.spec import SQL_TODAY
from services.kit.errors import FieldViolation

LEVELS = (("law", "法律"), ("administrative_regulation", "行政法规"), ("departmental_rule", "部门规章"),
          ("local_regulation", "地方性法规"), ("local_rule", "地方政府规章"), ("standard", "标准"),
          ("normative_document", "规范性文件"))
STATUSES = (("in_force", "现行有效"), ("not_yet_effective", "尚未施行"), ("repealed", "已废止"))

# 第一条 / 第十二条 / 第12条 at the start of a line (full-width spaces allowed before it).
_ARTICLE = re.compile(r"^[ \t\u3000]*(第[一二三四五六七八九十百千零〇\d]+条)[ \t\u3000]*", re.MULTILINE)


def status(*, issued_on: date | None, effective_on: date | None, repealed_on: date | None, today: date) -> str:
    if repealed_on and repealed_on <= today:
        return "repealed"
    if effective_on and effective_on > today:
        return "not_yet_effective"
    return "in_force"


def status_filter_sql(value: str) -> tuple[str, tuple]:
    """The same rule as status(), as a list filter evaluated by PostgreSQL."""
    today = SQL_TODAY
    return {
        "repealed": (f"repealed_on IS NOT NULL AND repealed_on <= {today}", ()),
        "not_yet_effective": (f"(repealed_on IS NULL OR repealed_on > {today}) AND effective_on > {today}", ()),
        "in_force": (f"(repealed_on IS NULL OR repealed_on > {today}) AND effective_on <= {today}", ()),
    }[value]


def split_articles(text: str) -> list[dict]:
    """[{"number": "第一条", "text": ...}]; text before the first article (title, chapter heads of
    a preamble) is kept as article "序言" so nothing of the full text is lost."""
    marks = list(_ARTICLE.finditer(text))
    out = []
    head = text[: marks[0].start()].strip() if marks else text.strip()
    if head:
        out.append({"number": "序言", "text": head})
    for i, m in enumerate(marks):
        end = marks[i + 1].start() if i + 1 < len(marks) else len(text)
        out.append({"number": m.group(1), "text": text[m.end():end].strip()})
    return out


def violations(record: dict) -> list[FieldViolation]:
    out = []
    issued, effective, repealed = record.get("issued_on"), record.get("effective_on"), record.get("repealed_on")
    if issued and effective and effective < issued:
        out.append(FieldViolation("effective_on", "effective_on.before_issued", "施行日期不能早于发布日期",
                                  "The effective date cannot be before the issue date"))
    if repealed and effective and repealed < effective:
        out.append(FieldViolation("repealed_on", "repealed_on.before_effective", "废止日期不能早于施行日期",
                                  "The repeal date cannot be before the effective date"))
    return out
