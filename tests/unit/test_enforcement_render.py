"""services.supervision.enforcement.render: every enforcement document renders as an A4 PDF whose
Chinese text is embedded and extractable; a refused signature prints 拒绝签字; a long document runs
onto more pages; a missing field or an unknown type is refused before anything is laid out.

pypdf is not a dependency of the platform, so the PDF is read here with a few regular expressions:
its objects, the pages, the embedded font subsets and their ToUnicode maps, which give the text."""
from __future__ import annotations

import base64
import copy
import re
import zlib
from decimal import Decimal

import pytest

from services.supervision.enforcement import render as r

ENTERPRISE = {"name": "崆峒化工有限公司", "uscc": "91620802MA71KT001D", "address": "甘肃省平凉市崆峒区工业园区纬三路8号",
              "principal": "张三", "phone": "138****1234"}
INSPECTORS = [{"role": "inspector", "name": "李四", "certificate_number": "62080020001", "signed_at": "2026-12-02T10:00:00+08:00"},
              {"role": "inspector", "name": "王五", "certificate_number": "62080020002", "signed_at": "2026-12-02T10:00:00+08:00"}]
UNIT = {"role": "unit", "name": "张三", "signed_at": "2026-12-02T10:05:00+08:00"}
APPROVALS = [{"role": "handler", "name": "李四", "signed_at": "2026-12-03"}, {"role": "approver", "name": "赵六", "signed_at": "2026-12-04"}]
ITEMS = [{"no": 1, "text": "二号仓库未设置可燃气体检测报警装置。", "deadline": "2026-12-20", "basis": "《中华人民共和国安全生产法》第三十六条"},
         {"no": 2, "text": "特种作业人员王某未持证上岗。", "deadline": "2026-12-10", "basis": "《中华人民共和国安全生产法》第三十条"},
         {"no": 3, "text": "动火作业未办理作业票。", "basis": "GB 30871-2022"}]
CASE = {"case_number": "(平)应急立〔2026〕7号", "facts": "你单位于2026年11月20日在二号仓库组织动火作业，未办理动火作业票，未安排专人监护。",
        "evidence": ["现场检查记录", "询问笔录2份", "现场照片6张"], "violated": "《中华人民共和国安全生产法》第四十三条",
        "basis": "《中华人民共和国安全生产法》第一百零一条第四项", "penalty": {"content": "罚款", "amount_cny": 50000},
        "appeal": {"review_body": "平凉市人民政府", "court": "平凉市崆峒区人民法院"}}
FIELDS = {
    "inspection_record": {"place": "二号仓库及动火作业现场", "started_at": "2026-12-02T09:30:00+08:00", "ended_at": "2026-12-02T11:00:00+08:00",
                          "inspectors": [{"name": "李四", "certificate_number": "62080020001"}, {"name": "王五", "certificate_number": "62080020002"}],
                          "unit_present": {"name": "张三", "post": "总经理"}, "content": "检查了安全生产责任制、特种作业人员持证、动火作业管理和可燃气体检测报警装置。",
                          "problems": [i["text"] for i in ITEMS], "handling": "第1、3项责令限期整改；第2项当场责令停止作业。"},
    "rectification_order": {"deadline": "2026-12-20", "basis": "《中华人民共和国安全生产法》第六十五条第一款第三项",
                            "appeal": {"review_body": "平凉市人民政府", "court": "平凉市崆峒区人民法院"}},
    "onsite_measures": {"basis": "《中华人民共和国安全生产法》第六十五条第一款第三项", "measures": ["立即停止二号仓库内的动火作业", "撤出二号仓库作业人员"],
                        "until": "2026-12-20"},
    "recheck_opinion": {"order_number": "(平)应急责改〔2026〕15号", "rechecked_on": "2026-12-21", "result": "passed",
                        "opinion": "经现场核查，可燃气体检测报警装置已安装并检定合格，动火作业票证管理制度已落实。"},
    "case_filing": {"case_number": "(平)应急立〔2026〕7号", "cause": "未按规定进行动火作业审批", "source": "监督检查",
                    "summary": CASE["facts"], "approver_opinion": "同意立案，由李四、王五承办。"},
    "penalty_notice": CASE,
    "hearing_notice": CASE,
    "penalty_decision": {**CASE, "payment": {"bank": "中国工商银行平凉分行", "account": "2708 0000 0000 0000 123"}},
    "service_receipt": {"document_name": "行政处罚决定书", "document_number": "(平)应急罚〔2026〕3号", "served_on": "2026-12-10T15:20:00+08:00",
                        "method": "direct", "recipient": "张三"},
    "case_closing": {"case_number": "(平)应急立〔2026〕7号", "summary": "罚款50000元已于2026年12月20日缴纳，案件执行完毕。",
                     "approver_opinion": "同意结案。"},
}
SIGNATURES = {"inspection_record": [*INSPECTORS, UNIT], "rectification_order": [*INSPECTORS, UNIT], "onsite_measures": [*INSPECTORS, UNIT],
              "recheck_opinion": [*INSPECTORS, UNIT], "service_receipt": [*INSPECTORS, UNIT], "case_filing": APPROVALS,
              "case_closing": APPROVALS}
NUMBERS = {"inspection_record": "(平)应急检记〔2026〕21号", "rectification_order": "(平)应急责改〔2026〕15号", "onsite_measures": "(平)应急现决〔2026〕4号",
           "recheck_opinion": "(平)应急复查〔2026〕9号", "case_filing": "(平)应急立〔2026〕7号", "penalty_notice": "(平)应急罚告〔2026〕3号",
           "hearing_notice": "(平)应急听告〔2026〕3号", "penalty_decision": "(平)应急罚〔2026〕3号", "case_closing": "(平)应急结〔2026〕2号"}
CODES = [code for code, _ in r.DOCUMENT_TYPES]
GAP = " " * len(r.GAP)  # the gap's no-break spaces read back as spaces


def sample(code: str) -> dict:
    return copy.deepcopy({"type": code, "agency_name": "平凉市应急管理局", "number": NUMBERS.get(code), "enterprise": ENTERPRISE,
                          "issued_on": "2026-12-02", "fields": FIELDS[code], "signatures": SIGNATURES.get(code, []),
                          "items": ITEMS if code in ("rectification_order", "onsite_measures") else []})


# --- a small PDF reader ---------------------------------------------------------------------------

OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)\s*endobj", re.S)
REF = rb"(\d+) 0 R"


def objects(pdf: bytes) -> dict[int, bytes]:
    return {int(m.group(1)): m.group(2) for m in OBJECT.finditer(pdf)}


def stream(obj: bytes) -> bytes:
    head, _, rest = obj.partition(b"stream")
    data = rest[rest.index(b"\n") + 1:rest.rindex(b"endstream")]
    if b"/ASCII85Decode" in head:
        data = base64.a85decode(data.strip().removesuffix(b"~>"))
    return zlib.decompress(data) if b"/FlateDecode" in head else data


def pages(pdf: bytes) -> list[bytes]:
    return [o for _, o in sorted(objects(pdf).items()) if re.search(rb"/Type /Page\b(?!s)", o)]


def to_unicode(obj: bytes, objs: dict[int, bytes]) -> dict[int, str]:
    """A font subset's code → character map (its ToUnicode CMap)."""
    cmap = stream(objs[int(re.search(rb"/ToUnicode " + REF, obj).group(1))])
    pairs = re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", cmap.split(b"beginbfchar", 1)[-1])
    return {int(code, 16): bytes.fromhex(u.decode()).decode("utf-16-be") for code, u in pairs}


def literal(s: bytes) -> bytes:
    """The bytes of a PDF literal string's body: \\ddd octal and \\x escapes."""
    return re.sub(rb"\\([0-7]{1,3}|.)", lambda m: bytes([int(m.group(1), 8)]) if m.group(1).isdigit() else m.group(1), s)


def page_text(page: bytes, objs: dict[int, bytes]) -> str:
    fonts_obj = objs[int(re.search(rb"/Font " + REF, page).group(1))]
    fonts = {name: objs[int(ref)] for name, ref in re.findall(rb"/(\S+) " + REF, fonts_obj)}
    maps = {name: to_unicode(o, objs) for name, o in fonts.items() if b"/ToUnicode" in o}
    content = stream(objs[int(re.search(rb"/Contents " + REF, page).group(1))])
    text, current = [], {}
    for font, string in re.findall(rb"/(\S+) [\d.]+ Tf|\(((?:\\.|[^\\)])*)\) Tj", content):
        if font:
            current = maps.get(font, {})
        else:
            text.append("".join(current.get(b, "") for b in literal(string)))
    return "".join(text)


def text(pdf: bytes) -> str:
    objs = objects(pdf)
    return "\n".join(page_text(p, objs) for p in pages(pdf))


# --- every type -----------------------------------------------------------------------------------

def test_the_types_are_the_ten_documents_in_case_order():
    assert CODES == ["inspection_record", "rectification_order", "onsite_measures", "recheck_opinion", "case_filing",
                     "penalty_notice", "hearing_notice", "penalty_decision", "service_receipt", "case_closing"]
    assert dict(r.DOCUMENT_TYPES)["rectification_order"] == "责令限期整改指令书"
    assert set(r.SPECS) == set(CODES)


@pytest.mark.parametrize("code", CODES)
def test_each_type_renders_a_pdf_with_its_chinese_text(code):
    pdf = r.render(sample(code))
    assert pdf.startswith(b"%PDF-") and pdf.rstrip().endswith(b"%%EOF")
    assert re.search(rb"/MediaBox \[ 0 0 595.27\d* 841.88\d* \]", pdf)  # A4
    assert b"/FontFile2" in pdf and re.search(rb"/BaseFont /[A-Z]{6}\+", pdf)  # an embedded TrueType subset
    assert b"/Helvetica" not in pdf  # nothing relies on a font the reader must have
    words = text(pdf)
    name = dict(r.DOCUMENT_TYPES)[code]
    for expected in ("平凉市应急管理局", name, "崆峒化工有限公司", "— 1 —"):
        assert expected in words, expected
    if code in NUMBERS:
        assert NUMBERS[code] in words


def test_metadata_names_the_document_and_the_agency():
    pdf = r.render(sample("rectification_order"))
    info = objects(pdf)[int(re.search(rb"/Info " + REF, pdf).group(1))]
    assert re.search(rb"/Title \(", info) and re.search(rb"/Author \(", info)
    assert "责令限期整改指令书".encode("utf-16-be") in literal(re.search(rb"/Title \(((?:\\.|[^\\)])*)\)", info).group(1))
    assert "平凉市应急管理局".encode("utf-16-be") in literal(re.search(rb"/Author \(((?:\\.|[^\\)])*)\)", info).group(1))


def test_without_a_chinese_font_the_error_names_the_debian_package():
    with pytest.raises(RuntimeError, match="install the Debian package fonts-arphic-uming or fonts-wqy-zenhei"):
        r._face((("/nonexistent/uming.ttc", "fonts-arphic-uming"), ("/nonexistent/wqy-zenhei.ttc", "fonts-wqy-zenhei")))


def test_the_title_may_be_given():
    assert "责令限期整改指令书（复印件）" in text(r.render(sample("rectification_order") | {"title": "责令限期整改指令书（复印件）"}))


# --- what the documents say -----------------------------------------------------------------------

def test_the_rectification_order_states_deadlines_basis_appeal_signatures_seal_and_copies():
    words = text(r.render(sample("rectification_order")))
    assert "经查，你单位存在下列问题：" in words
    assert "1.二号仓库未设置可燃气体检测报警装置。（依据：《中华人民共和国安全生产法》第三十六条）" in words
    assert "依据《中华人民共和国安全生产法》第六十五条第一款第三项的规定，现责令你单位对上述第2项问题于2026年12月10日前、" \
           "第1、3项问题于2026年12月20日前整改完毕" in words  # item 3 takes fields.deadline
    assert "可以依法在60日内向平凉市人民政府申请行政复议，或者在6个月内依法向平凉市崆峒区人民法院提起行政诉讼，但本指令不停止执行" in words
    assert f"执法人员（签名）：李四{GAP}执法证号：62080020001" in words
    assert f"被检查单位负责人（签名）：张三{GAP}2026年12月2日" in words
    assert "平凉市应急管理局（印章）" in words and "2026年12月2日" in words
    assert "本文书一式两份：一份由应急管理部门备案，一份交被检查单位。" in words


def test_the_appeal_sentence_without_bodies_uses_the_default_periods():
    document = sample("rectification_order")
    del document["fields"]["appeal"]
    assert "可以依法在60日内申请行政复议，或者在6个月内依法提起行政诉讼" in text(r.render(document))


def test_the_inspection_record_states_who_when_where_and_what():
    words = text(r.render(sample("inspection_record")))
    assert "检查时间：2026年12月2日9时30分至11时00分" in words
    assert "执法人员李四、王五，证件号码分别为62080020001、62080020002，这是我们的证件（出示证件）" in words
    assert "被检查单位现场负责人：张三（总经理）" in words
    assert "2.特种作业人员王某未持证上岗。" in words
    assert "被检查单位现场负责人（签名）：张三" in words and "（印章）" not in words


def test_inspectors_unit_present_and_measures_may_each_be_one_text():
    record = sample("inspection_record")
    record["fields"] |= {"inspectors": "李四（执法证号62080020001）、王五（执法证号62080020002）", "unit_present": "张三 总经理",
                         "ended_at": "2026-12-03T08:00:00+08:00"}
    words = text(r.render(record))
    assert "执法人员李四（执法证号62080020001）、王五（执法证号62080020002），这是我们的证件" in words
    assert "被检查单位现场负责人：张三 总经理" in words and "至2026年12月3日8时00分" in words
    measures = sample("onsite_measures")
    measures["fields"]["measures"] = "立即停止动火作业"
    assert "1.立即停止动火作业" in text(r.render(measures))


def test_a_time_with_another_offset_is_shown_in_beijing_time():
    document = sample("inspection_record")
    document["fields"]["started_at"] = "2026-12-02T01:30:00Z"
    assert "检查时间：2026年12月2日9时30分至" in text(r.render(document))


def test_signatures_not_given_leave_lines_to_sign_by_hand():
    document = sample("onsite_measures")
    document["signatures"] = INSPECTORS[:1]
    words = text(r.render(document))
    assert "执法人员（签名）：李四" in words
    assert f"执法人员（签名）：{r.BLANK}{GAP}执法证号：{r.BLANK}" in words
    assert f"被检查单位负责人（签名）：{r.BLANK}" in words


def test_a_refused_signature_prints_the_refusal_and_the_inspectors_note_with_its_time():
    document = sample("rectification_order")
    document["signatures"] = [*INSPECTORS, {"role": "unit", "name": "张三", "refused": True, "signed_at": "2026-12-02T10:05:00+08:00"}]
    words = text(r.render(document))
    assert "被检查单位负责人（签名）：拒绝签字注：" in words  # the line, then the note under the signatures
    assert "注：被检查单位负责人张三于2026年12月2日10时05分拒绝签字，执法人员李四、王五已将情况记录在案。" in words


def test_a_refusal_needs_its_time_and_inspectors_to_record_it():
    document = sample("rectification_order")
    document["signatures"] = [*INSPECTORS, {"role": "unit", "refused": True}]
    with pytest.raises(ValueError, match=r"signatures\[2\]\.signed_at"):
        r.render(document)
    document["signatures"] = [{"role": "unit", "refused": True, "signed_at": "2026-12-02T10:05:00+08:00"}]
    with pytest.raises(ValueError, match="inspectors"):
        r.render(document)


def test_the_penalty_decision_states_the_fine_in_capitals_payment_and_appeal():
    words = text(r.render(sample("penalty_decision")))
    assert "被处罚单位：崆峒化工有限公司" in words and "统一社会信用代码：91620802MA71KT001D" in words
    assert "（案号：(平)应急立〔2026〕7号）" in words
    assert "1.现场检查记录" in words
    assert "违反了《中华人民共和国安全生产法》第四十三条的规定，依据《中华人民共和国安全生产法》第一百零一条第四项的规定，" \
           "本机关决定对你单位作出罚款人民币伍万元整（¥50,000.00）的行政处罚。" in words
    assert "自收到本决定书之日起15日内缴至中国工商银行平凉分行（账号：2708 0000 0000 0000 123）" in words
    assert "每日按罚款数额的3%加处罚款" in words and "但本决定不停止执行" in words


def test_the_notices_state_the_rights_and_their_periods():
    assert "请在收到本告知书之日起5日内向本机关提出陈述、申辩意见" in text(r.render(sample("penalty_notice")))
    document = sample("hearing_notice")
    document["fields"]["rights"] = {"hearing_days": 3}
    assert "应当在收到本告知书之日起3日内向本机关提出" in text(r.render(document))


@pytest.mark.parametrize("amount, words", [
    ("50000", "伍万元整"), ("1005.5", "壹仟零伍元伍角"), ("30.05", "叁拾元零伍分"), ("100000005", "壹亿零伍元整"),
    ("150000", "壹拾伍万元整"), ("1010", "壹仟零壹拾元整"), ("200010000", "贰亿零壹万元整"), ("0.3", "叁角"),
])
def test_amounts_in_capitals(amount, words):
    assert r._amount_in_words(Decimal(amount)) == words


def test_the_forms_and_the_receipt():
    filing = text(r.render(sample("case_filing")))
    assert "简要案情及立案理由" in filing and "法定代表人（负责人）张三" in filing and f"承办人：李四{GAP}2026年12月3日" in filing and f"审批人：赵六{GAP}2026年12月4日" in filing
    receipt = text(r.render(sample("service_receipt") | {"number": None}))
    assert "《行政处罚决定书》(平)应急罚〔2026〕3号" in receipt and "2026年12月10日15时20分" in receipt and "直接送达" in receipt
    assert "送达人（签名）：李四" in receipt and "收件人（签名）：张三" in receipt


def test_a_recheck_result_is_passed_or_failed():
    words = text(r.render(sample("recheck_opinion")))
    assert "本机关于2026年12月21日对你单位执行(平)应急责改〔2026〕15号《责令限期整改指令书》的整改情况进行了复查" in words
    assert "经复查，你单位已按要求完成整改" in words and "被复查单位负责人（签名）：张三" in words
    document = sample("recheck_opinion")
    document["fields"]["result"] = "ok"
    with pytest.raises(ValueError, match="fields.result"):
        r.render(document)


def test_no_line_starts_with_a_closing_mark():
    """GB/T 15834: ，；：？！ and closing quotes and brackets end a line; they never start one."""
    sentence = "逾期不申请行政复议、不提起行政诉讼又不履行本决定的，本机关将依法申请人民法院强制执行。"  # its ， falls at a line start
    paragraph = r._p(sentence * 3)
    paragraph.wrap(r.TEXT_WIDTH, 1000)
    starts = [text[0] for _, (text,) in paragraph.blPara.lines]
    assert len(starts) > 2 and not set(starts) & set(r.NOT_AT_LINE_START + "。、）"), starts


# --- length ---------------------------------------------------------------------------------------

def test_sixty_items_run_onto_more_pages_numbered_in_order():
    document = sample("rectification_order")
    document["items"] = [{"no": i, "text": f"第{i}号储罐区的可燃气体检测报警装置未定期检定，检定记录缺失。", "deadline": "2026-12-20"}
                         for i in range(1, 61)]
    pdf = r.render(document)
    count = len(pages(pdf))
    assert count >= 2
    words = text(pdf)
    assert "60.第60号储罐区" in words and f"— {count} —" in words
    assert "平凉市应急管理局（印章）" in page_text(pages(pdf)[-1], objects(pdf))  # the seal with the end of the text
    assert "本指令不停止执行" in page_text(pages(pdf)[-1], objects(pdf))


def test_a_long_form_row_splits_across_pages():
    document = sample("case_filing")
    document["fields"]["summary"] = "\n".join(f"{i}.{CASE['facts']}" for i in range(1, 40))
    assert len(pages(r.render(document))) >= 2


# --- refused input --------------------------------------------------------------------------------

@pytest.mark.parametrize("code, path", [
    ("inspection_record", "fields.place"), ("inspection_record", "fields.ended_at"), ("inspection_record", "enterprise.address"),
    ("rectification_order", "items"), ("onsite_measures", "fields.basis"), ("onsite_measures", "fields.measures"),
    ("recheck_opinion", "fields.order_number"), ("case_filing", "fields.summary"), ("penalty_notice", "fields.facts"),
    ("penalty_decision", "fields.evidence"), ("penalty_decision", "enterprise.uscc"), ("penalty_decision", "fields.payment"),
    ("service_receipt", "fields.recipient"), ("case_closing", "fields.approver_opinion"), ("hearing_notice", "agency_name"),
    ("penalty_notice", "number"), ("penalty_notice", "issued_on"),
])
def test_a_missing_required_field_raises_naming_it(code, path):
    document = sample(code)
    node = document
    *parents, last = path.split(".")
    for key in parents:
        node = node[key]
    node[last] = None
    with pytest.raises(ValueError, match=re.escape(path)):
        r.render(document)


def test_a_blank_text_counts_as_missing():
    document = sample("penalty_notice")
    document["fields"]["facts"] = "  "
    with pytest.raises(ValueError, match="missing required field: fields.facts"):
        r.render(document)


def test_a_missing_deadline_names_the_item():
    document = sample("rectification_order")
    del document["fields"]["deadline"]
    with pytest.raises(ValueError, match=r"items\[2\]\.deadline"):
        r.render(document)


def test_bad_values_raise_naming_the_field():
    document = sample("penalty_decision")
    document["fields"]["penalty"]["amount_cny"] = "五万"
    with pytest.raises(ValueError, match="fields.penalty.amount_cny"):
        r.render(document)
    document = sample("inspection_record")
    document["fields"]["started_at"] = "2026-13-02"
    with pytest.raises(ValueError, match="fields.started_at"):
        r.render(document)
    document = sample("rectification_order")
    document["signatures"][0]["role"] = "boss"
    with pytest.raises(ValueError, match=r"signatures\[0\]\.role"):
        r.render(document)


@pytest.mark.parametrize("code", ["warning_letter", None])
def test_an_unknown_or_missing_type_raises(code):
    with pytest.raises(ValueError, match="unknown document type|missing required field: type"):
        r.render(sample("rectification_order") | {"type": code})


def test_text_is_escaped_not_read_as_markup():
    document = sample("rectification_order")
    document["items"][0]["text"] = "储罐<b>液位计</b> & 阀门损坏"
    assert "储罐<b>液位计</b> & 阀门损坏" in text(r.render(document))
