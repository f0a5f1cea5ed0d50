"""Export to CSV and Excel and bulk import, through the gateway: an exported list imports back
changing nothing; a new file is checked row by row (row number as the spreadsheet shows it,
the Chinese column header, a Chinese reason) with dry run, all-or-nothing and partial commits;
GBK files from Chinese Excel are read; each created row is published and the import audited."""
from __future__ import annotations

import csv
import io
import random
import re

import pytest
from openpyxl import Workbook, load_workbook

from infra.keycloak import realm
from services.datacenter.registry.catalogue import ALL, KINDS
from services.datacenter.registry.importing import headers
from services.kit import roles
from tests.integration.conftest import (assert_problem, bearer, csv_bytes, replica, resident_id, townships, wait_for,
                                        wait_published, zh_token)

pytestmark = pytest.mark.integration

CJK = re.compile(r"[\u4e00-\u9fff]")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
UNCHANGING = ("version", "updated_at", "updated_by")  # an import that changes nothing may or may not touch these


@pytest.fixture
def township(datacenter_db) -> str:
    return random.choice(townships(datacenter_db, "620802"))


def import_file(records, kind_name: str, content: bytes, *, filename: str = "rows.csv", token: str | None = None, **form):
    data = {k: str(v).lower() if isinstance(v, bool) else v for k, v in form.items()}
    return records.http.post(f"{records.base(kind_name)}/import", headers=records.headers(token),
                             files={"file": (filename, content)}, data=data)


def export(records, kind_name: str, fmt: str, **params):
    r = records.http.get(f"{records.base(kind_name)}/export", params={"format": fmt, **params}, headers=records.headers())
    assert r.status_code == 200, r.text
    return r


def table_of(content: bytes, fmt: str) -> list[list]:
    if fmt == "csv":
        text = content.decode("utf-8")
        assert text.startswith("\ufeff")  # a BOM, for Excel
        return list(csv.reader(io.StringIO(text[1:])))
    wb = load_workbook(io.BytesIO(content), read_only=True)
    try:
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def xlsx_bytes(rows: list[list]) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def without(record: dict, names=UNCHANGING) -> dict:
    return {k: v for k, v in record.items() if k not in names}


@pytest.mark.parametrize("fmt", ["csv", "xlsx"])
@pytest.mark.parametrize("kind_name", [k.name for k in ALL])
def test_an_exported_list_imports_back_unchanged(kind_name, fmt, records, township):
    kind = KINDS[kind_name]
    tok = zh_token()
    owner = records.create("enterprise", region=township)["id"] if kind.owned else None
    made = []
    for _ in range(2):
        extra = {"uscc": owner} if owner else {}
        if kind_name in ("supply_item", "supply_movement") and made:  # the second in the same warehouse / of the same item
            ref = "warehouse_id" if kind_name == "supply_item" else "item_id"
            extra[ref] = made[0][ref]
        made.append(records.create(kind_name, tok=tok, region=township, **extra))
    before = {str(m["id"]): records.get(kind_name, m["id"]).json() for m in made}

    filters = {"region_code": township} if kind.regional else {}
    r = export(records, kind_name, fmt, q=tok, **filters)
    assert r.headers["content-type"].startswith("text/csv" if fmt == "csv" else XLSX)
    assert "attachment" in r.headers["content-disposition"] and f".{fmt}" in r.headers["content-disposition"]
    table = table_of(r.content, fmt)
    assert table[0] == list(headers(kind).values())  # Chinese column headers, as import reads them
    assert len(table) == 3, table
    key_column = table[0].index(headers(kind)["id" if kind.key == "id" else kind.key])
    assert {str(row[key_column]) for row in table[1:]} == set(before)
    for f in kind.fields:  # option labels rather than codes, and personal data masked
        if f.options and f.type == "enum" and made[0].get(f.name):
            column = table[0].index(f.label)
            assert {row[column] for row in table[1:]} <= {label for _, label in f.options}
        if f.mask and made[0].get(f.name):
            column = table[0].index(f.label)
            assert all("*" in str(row[column]) for row in table[1:])

    r = import_file(records, kind_name, r.content, filename=f"导出.{fmt}", dry_run=False)
    assert r.status_code == 200, r.text
    result = r.json()
    assert result["errors"] == []
    assert (result["rows"], result["valid"], result["created"], result["updated"], result["committed"]) == (2, 2, 0, 2, True)
    for key, record in before.items():
        after = records.get(kind_name, key).json()
        assert without(after) == without(record), key
        assert after["version"] >= record["version"]


def rescue_rows(tok: str, township: str) -> list[list]:
    header = ["队伍名称", "所在行政区划", "队伍类型", "救援专长", "队员人数", "值班电话", "战备状态", "主要装备"]
    good = [[f"{tok}救护{i}队", township, "专业救援队伍", "mine_rescue", 20 + i, "0933-821000" + str(i), "待命", "呼吸器"] for i in range(3)]
    bad = [f"{tok}救护9队", township, "专业救援队伍", "mine_rescue", "很多", "0933-8210009", "待命", ""]
    return [header, good[0], good[1], bad, good[2]]


def test_a_new_file_is_checked_row_by_row(records, township, datacenter_db, staff_token):
    tok = zh_token()
    content = csv_bytes(rescue_rows(tok, township))

    # Dry run: every problem with its row (the header is row 1), column header and reason; nothing written.
    r = import_file(records, "rescue_team", content, dry_run=True)
    assert r.status_code == 200, r.text
    result = r.json()
    assert (result["rows"], result["valid"], result["created"], result["committed"], result["dry_run"]) == (4, 3, 0, False, True)
    assert len(result["errors"]) == 1
    e = result["errors"][0]
    assert (e["row"], e["column"], e["field"], e["code"]) == (4, "队员人数", "headcount", "headcount.type")
    assert CJK.search(e["message"]) and "队员人数" in e["message"] and e["message_en"]
    assert records.list("rescue_team", q=tok) == []

    # All or nothing (the default): one bad row, nothing written.
    r = import_file(records, "rescue_team", content, dry_run=False, all_or_nothing=True)
    assert r.status_code in (200, 422), r.text
    if r.status_code == 200:
        assert r.json()["committed"] is False and r.json()["created"] == 0 and r.json()["errors"][0]["row"] == 4
    assert records.list("rescue_team", q=tok) == []

    # The good rows, the bad one reported.
    r = import_file(records, "rescue_team", content, dry_run=False, all_or_nothing=False)
    assert r.status_code == 200, r.text
    result = r.json()
    assert (result["rows"], result["valid"], result["created"], result["updated"], result["committed"]) == (4, 3, 3, 0, True)
    assert [(e["row"], e["column"]) for e in result["errors"]] == [(4, "队员人数")]
    stored = sorted(records.list("rescue_team", q=tok), key=lambda t: t["name"])
    assert [(t["name"], t["team_type"], t["readiness"], t["headcount"], t["region_code"]) for t in stored] == [
        (f"{tok}救护{i}队", "professional", "ready", 20 + i, township) for i in range(3)]
    assert all(t["version"] == 1 and t["created_by"] == "staff:city-admin" for t in stored)
    for t in stored:
        assert [h["operation"] for h in records.history("rescue_team", t["id"])] == ["created"]

    # Each created row is published with the whole record.
    wait_published(datacenter_db, "rescue_team", [t["id"] for t in stored])
    live, _ = replica("rescue_team")
    for t in stored:
        full = records.get("rescue_team", t["id"]).json()
        assert live[str(t["id"])] == {k: v for k, v in full.items() if k in live[str(t["id"])]}
        assert set(full) == set(live[str(t["id"])])

    # The import is audited once, with its counts.
    def audited():
        r = records.http.get("/api/v1/audit", params={"action": "rescue_team.import", "page_size": 200}, headers=records.headers())
        assert r.status_code == 200, r.text
        return next((a for a in r.json()["items"] if a["request_id"] == request_id), None)
    request_id = r.headers["x-request-id"]
    entry = wait_for("audit entry of the import", audited)
    assert entry["outcome"] == "success" and entry["actor"]["name"] == "city-admin"
    assert entry["summary"] == {"rows": 4, "created": 3, "updated": 0, "rejected": 1}


def test_a_gbk_file_from_chinese_excel_is_read(records, township, datacenter_db):
    tok = zh_token()
    ids = [resident_id(township), resident_id(township)]
    rows = [["姓名", "性别", "身份证号码", "所在行政区划", "专业领域", "职称", "联系电话", "可聘状态", "工作单位"],
            [f"王{tok}", "男", ids[0], township, "hazardous_chemicals；non_coal_mine", "正高级", "13900001234", "可聘请", f"平凉{tok}研究院"],
            [f"李{tok}", "女", ids[1], township, "hazardous_chemicals", "中级", "0933-8211234", "暂不可用", ""]]
    content = csv_bytes(rows, encoding="gbk")
    with pytest.raises(UnicodeDecodeError):
        content.decode("utf-8")
    r = import_file(records, "expert", content, filename="专家名单.CSV", dry_run=False)
    assert r.status_code == 200, r.text
    assert r.json()["errors"] == [] and r.json()["created"] == 2, r.json()
    stored = {e["name"]: e for e in records.list("expert", q=tok)}
    assert set(stored) == {f"王{tok}", f"李{tok}"}
    wang = records.get("expert", stored[f"王{tok}"]["id"]).json()
    assert (wang["gender"], wang["id_number"], wang["fields"], wang["title"], wang["availability"]) == (
        "male", ids[0], ["hazardous_chemicals", "non_coal_mine"], "senior_full", "available")
    assert stored[f"李{tok}"]["availability"] == "busy" and stored[f"李{tok}"]["employer"] is None
    wait_published(datacenter_db, "expert", [e["id"] for e in stored.values()])
    live, _ = replica("expert")
    assert {str(e["id"]) for e in stored.values()} <= set(live)
    assert live[str(wang["id"])]["id_number"] == ids[0]  # events carry the record in full, for replicas


def test_a_new_excel_file_is_imported(records, township):
    tok = zh_token()
    rows = [["姓名", "身份证号码", "所在行政区划", "所在执法机关", "执法证号", "发证日期", "有效期至"],
            [f"赵{tok}", resident_id(township), township, "崆峒区应急管理局", "ZF-X-1", "2024-01-01", "2029-12-31"],
            [None, None, None, None, None, None, None],  # a blank line a spreadsheet leaves behind
            [f"钱{tok}", resident_id(township), township, "崆峒区应急管理局", "ZF-X-2", "2024-01-01", "2023-12-31"]]
    r = import_file(records, "officer", xlsx_bytes(rows), filename="officers.xlsx", dry_run=False, all_or_nothing=False)
    assert r.status_code == 200, r.text
    result = r.json()
    assert (result["rows"], result["created"]) == (2, 1)
    assert [(e["row"], e["column"], e["code"]) for e in result["errors"]] == [(4, "有效期至", "valid_until.before_start")]
    assert [o["name"] for o in records.list("officer", q=tok)] == [f"赵{tok}"]


def test_a_file_whose_columns_are_not_known_is_refused(records, township):
    tok = zh_token()
    rows = rescue_rows(tok, township)
    rows[0] = rows[0] + ["备注"]
    problem = assert_problem(import_file(records, "rescue_team", csv_bytes(rows), dry_run=True), 422, "validation-error")
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [("备注", "column.unknown")]
    assert "备注" in problem["errors"][0]["message"]
    missing = [[c for i, c in enumerate(row) if i != 4] for row in rescue_rows(tok, township)]  # no 队员人数
    problem = assert_problem(import_file(records, "rescue_team", csv_bytes(missing), dry_run=False), 422, "validation-error")
    assert [(e["field"], e["code"]) for e in problem["errors"]] == [("headcount", "column.missing")]
    assert "队员人数" in problem["errors"][0]["message"]
    assert_problem(import_file(records, "rescue_team", csv_bytes(rescue_rows(tok, township)), filename="rows.txt"), 422,
                   "validation-error")
    assert_problem(import_file(records, "rescue_team", b"", dry_run=True), 422, "validation-error")
    assert records.list("rescue_team", q=tok) == []


def test_only_agency_staff_who_write_a_kind_import_it(records, township, demo_tokens, staff_user, staff_token):
    tok = zh_token()
    content = csv_bytes(rescue_rows(tok, township))
    viewer = staff_user("test-records-viewer", "620800", roles.DATACENTER_VIEWER)
    for token in (demo_tokens(realm.DEMO_ENTERPRISES[0].client_id), demo_tokens(realm.DEMO_INTEGRATOR.client_id), staff_token(viewer)):
        assert_problem(import_file(records, "rescue_team", content, token=token, dry_run=False, all_or_nothing=False), 403, "forbidden")
    # An enterprise may not import even the kinds it writes one by one.
    hazard_rows = csv_bytes([["统一社会信用代码", "隐患来源", "发现时间", "隐患描述", "隐患等级", "治理状态"],
                             [realm.DEMO_ENTERPRISES[0].uscc, "企业自查", "2026-01-05 10:00", f"自查隐患{tok}", "一般隐患", "已登记"]])
    assert_problem(import_file(records, "hazard", hazard_rows, token=demo_tokens(realm.DEMO_ENTERPRISES[0].client_id)), 403, "forbidden")
    assert records.list("rescue_team", q=tok) == [] and records.list("hazard", q=tok) == []
    # A county's staff import only rows of their county: another county's rows are reported, not written.
    inspector_rows = csv_bytes([["统一社会信用代码", "隐患来源", "发现时间", "隐患描述", "隐患等级", "治理状态"],
                                [realm.DEMO_ENTERPRISES[1].uscc, "部门检查", "2026-01-05 10:00", f"跨区隐患{tok}", "一般隐患", "已登记"]])
    r = import_file(records, "hazard", inspector_rows, token=staff_token("kongtong-inspector"), dry_run=False, all_or_nothing=False)
    assert r.status_code == 200, r.text
    assert r.json()["created"] == 0 and r.json()["errors"][0]["code"] == "row.forbidden" and r.json()["errors"][0]["row"] == 2
    assert records.list("hazard", q=tok) == []


def test_an_import_cannot_rewrite_the_append_only_ledger(records, township):
    movement = records.create("supply_movement", region=township)
    item = records.get("supply_item", movement["item_id"]).json()
    rows = [["编号", "物资", "类型", "数量", "发生时间", "经办人"],
            [movement["id"], movement["item_id"], "入库", 5, movement["moved_at"], movement["handler"]]]
    r = import_file(records, "supply_movement", csv_bytes(rows), dry_run=False, all_or_nothing=False)
    assert r.status_code in (200, 403, 422), r.text
    assert records.get("supply_movement", movement["id"]).json() == movement
    assert records.get("supply_item", item["id"]).json()["quantity"] == 100
