"""事故整改措施落实情况评估 (the one-year accident follow-up, 回头看): scheduled from the accident's
closure, recorded by staff measure by measure, then published. Pure.

安委办〔2021〕4号 art. 3 (and Gansu's rules art. 4): the evaluation is made 10 months to 1 year after
the case is closed (结案). So an accident closed on C opens its window on add_months(C, 10) and is
due by add_months(C, 12) (民法典 art. 202). No scheduler: the state is computed when read —
upcoming 未到评估期, due 应开展评估, overdue 逾期未评估, recorded 已评估并公开. The months, the results
of a measure and the conclusions (with the credit event a conclusion records) are in
tables/follow_up.*.json."""
from __future__ import annotations

from datetime import date
from typing import Mapping

from services.kit import jsonio
from services.kit.errors import Conflict, FieldViolation, invalid
from services.kit.ruletables import add_months
from services.supervision.credit import rules

STATES = {"upcoming": "未到评估期", "due": "应开展评估", "overdue": "逾期未评估", "recorded": "已评估并公开"}
MEASURE_MAX, NOTE_MAX, MEASURES_MAX = 1000, 2000, 100


def check_table(table: Mapping, *, credit_types: Mapping) -> None:
    if not 0 < table["opens_after_months"] <= table["due_after_months"]:
        raise ValueError("follow_up: need 0 < opens_after_months <= due_after_months")
    if not table["measure_results"] or not table["conclusions"]:
        raise ValueError("follow_up: measure_results and conclusions are needed")
    for code, c in table["conclusions"].items():
        if c.get("credit_event") is not None and c["credit_event"] not in credit_types:
            raise ValueError(f"follow_up.conclusions.{code}: credit_event is not a credit_scoring event type")


def schedule(record: Mapping, *, table: Mapping) -> dict | None:
    """{closed_on, opens_on, due_on} of an accident the data centre shows closed with its closing day."""
    if record.get("status") != "closed" or not record.get("closed_on") or not record.get("uscc"):
        return None
    closed = date.fromisoformat(record["closed_on"])
    return {"closed_on": closed, "opens_on": add_months(closed, table["opens_after_months"]),
            "due_on": add_months(closed, table["due_after_months"])}


def state(row: Mapping, *, today: date) -> str:
    if row["recorded_on"] is not None:
        return "recorded"
    if today < row["opens_on"]:
        return "upcoming"
    return "overdue" if today > row["due_on"] else "due"


def evaluation(row: Mapping, body: Mapping, *, table: Mapping, today: date) -> dict:
    """The evaluation: {measures [{measure, result, note}], conclusion, summary, team, evaluated_on}.
    Recorded once, inside or after the window (after it, the row shows it late)."""
    if row["recorded_on"] is not None:
        raise Conflict("该事故的整改措施落实情况评估已记录并公开", "The follow-up is recorded already")
    if today < row["opens_on"]:
        raise Conflict(f"评估应在事故结案后{table['opens_after_months']}个月至{table['due_after_months']}个月内开展，"
                       f"自{row['opens_on'].isoformat()}起可以记录", f"The evaluation opens on {row['opens_on'].isoformat()}")
    errors: list[FieldViolation] = []
    results = table["measure_results"]
    measures = body.get("measures")
    out_measures = []
    if not isinstance(measures, list) or not 0 < len(measures) <= MEASURES_MAX:
        errors.append(FieldViolation("measures", "measures.required", f"请逐项填写事故调查报告提出的整改措施（1至{MEASURES_MAX}项）",
                                     f"measures is an array of 1 to {MEASURES_MAX} items"))
        measures = []
    for i, m in enumerate(measures):
        where = f"measures[{i}]"
        m = m if isinstance(m, dict) else {}
        item_errors: list[FieldViolation] = []
        text = jsonio.text(m, "measure", "整改措施", item_errors, max_length=MEASURE_MAX)
        note = jsonio.text(m, "note", "落实情况说明", item_errors, max_length=NOTE_MAX, required=False)
        if m.get("result") not in results:
            item_errors.append(FieldViolation("result", "result.enum", f"落实情况应为：{'、'.join(r['name'] for r in results.values())}",
                                              f"result is one of {', '.join(results)}"))
        errors += [FieldViolation(f"{where}.{v.field}", v.code, v.message_zh, v.message_en) for v in item_errors]
        out_measures.append({"measure": text, "result": m.get("result"), "note": note})
    conclusion = body.get("conclusion")
    if conclusion not in table["conclusions"]:
        names = "、".join(f"{c}（{v['name']}）" for c, v in table["conclusions"].items())
        errors.append(FieldViolation("conclusion", "conclusion.enum", f"评估结论应为：{names}", f"conclusion is one of {', '.join(table['conclusions'])}"))
    summary = jsonio.text(body, "summary", "评估意见", errors, max_length=NOTE_MAX)
    team = jsonio.text(body, "team", "评估组组成", errors, max_length=MEASURE_MAX, required=False)
    evaluated = rules.day(body, "evaluated_on", "评估日期", errors, today=today, default=today)
    if evaluated is not None and evaluated < row["opens_on"]:
        errors.append(FieldViolation("evaluated_on", "evaluated_on.early", f"评估日期不能早于{row['opens_on'].isoformat()}",
                                     f"evaluated_on cannot be before {row['opens_on'].isoformat()}"))
    if errors:
        raise invalid(*errors)
    return {"measures": out_measures, "conclusion": conclusion, "summary": summary, "team": team, "evaluated_on": evaluated}


def credit_entry(row: Mapping, evaluation: Mapping, *, table: Mapping) -> dict | None:
    """The ledger entry a conclusion records (measures not carried out), without its points."""
    kind = table["conclusions"][evaluation["conclusion"]]["credit_event"]
    if kind is None:
        return None
    return {"source": "follow_up", "type": kind, "reference": f"follow_up:{row['id']}", "occurred_on": evaluation["evaluated_on"],
            "reason": f"事故“{row['accident_title'][:80]}”结案一年后评估：{table['conclusions'][evaluation['conclusion']]['name']}"}
