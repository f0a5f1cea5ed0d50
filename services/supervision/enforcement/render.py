"""Enforcement documents (执法文书) rendered to printable PDF.

`render(document)` lays out one document of an inspection, or of the administrative-penalty case
that follows it, on A4 in the national layout and returns the PDF. `DOCUMENT_TYPES` lists the ten
documents, (code, 中文名), in the order a case issues them.

Layout sources:
- 原国家安全监管总局《安全生产执法文书样式》 and the 应急管理 revisions (2021, after the revised
  《行政处罚法》; 2023): what each document contains and its fixed sentences — the agency, the
  document name, the number, the addressee, the fill-in body, the legal-basis sentence, the
  right-to-appeal sentence, the signature lines, the seal over the date, the copies note at the foot;
  the approval forms (立案审批表, 结案审批表) and the receipt (送达回执) as ruled tables.
- GB/T 9704-2012《党政机关公文格式》: A4 with margins of 37/35/28/26 mm (a 156 × 225 mm text block),
  a 3号 body on a 22-line grid, the page number "— 1 —" in 4号 7 mm below the text block, the date
  written 2026年12月2日 four characters in from the right with the seal centred over it.
Approximate: the faces (仿宋 and 小标宋 have no free TrueType build reportlab can embed: a Song or
Kai face stands in for the body, a Hei outlined to read bold for the headings; see BODY_FACES), a
closing mark at a line's end hangs in the margin (as Word does) rather than the line being
respaced, the space left for a handwritten signature or the seal, the forms' rows and widths.

Input is plain data:

    {"type": "rectification_order", "agency_name": "平凉市应急管理局", "number": "(平)应急责改〔2026〕15号",
     "title": "(optional; the type's name)", "issued_on": "2026-12-02",
     "enterprise": {"name", "uscc", "address", "principal", "phone"},
     "fields": {...}, "items": [{"no", "text", "deadline", "basis"}],
     "signatures": [{"role", "name", "certificate_number", "refused", "signed_at", "note"}]}

Every document needs agency_name, issued_on, enterprise.name, and number (all but the receipt).
What each type reads (* required; a missing one raises ValueError naming its path, such as
"fields.place" or "items[2].deadline", before anything is laid out):
- inspection_record: enterprise.address*, enterprise.principal*, enterprise.phone; fields.place*,
  started_at*, ended_at*, inspectors* ([{name, certificate_number}], or one text), unit_present
  ({name, post}, or one text), content (what was checked), problems ([text], numbered here),
  handling.
- rectification_order: items* (the problems; each text*, deadline* unless fields.deadline gives
  it, basis); fields.deadline, basis (the sentence 依据…的规定，现责令…), appeal.
- onsite_measures: items* (the problems); fields.basis*, measures* ([text], or one text), until
  (the last day the measures hold), appeal.
- recheck_opinion: fields.order_number*, order_title (default 责令限期整改指令书), rechecked_on*,
  result* (passed | failed), opinion*.
- case_filing: fields.case_number*, cause, source, summary*, approver_opinion*.
- penalty_notice, hearing_notice: fields.case_number*, facts*, evidence ([text], or one text),
  violated (the provisions broken), basis* (the penalty provisions), penalty* ({content*,
  amount_cny}), rights ({statement_days, hearing_days}).
- penalty_decision: as the notices, with evidence* and enterprise.uscc*, address*, principal*;
  payment ({bank*, account, deadline_days}, needed with a fine), appeal.
- service_receipt: fields.document_name*, document_number*, served_on*, method* (a code of
  SERVICE_METHODS or the words), recipient*, place (default enterprise.address), remark.
- case_closing: fields.case_number*, summary* (handling and execution), approver_opinion*.
appeal is {review_body (复议机关), court, review_days, litigation_months}; a period that neither
rights, payment nor appeal gives comes from DEFAULTS. Dates are ISO strings (an aware time is shown
in Beijing time).

Signatures (roles: inspector, unit, handler, approver): the inspection documents and the receipt
print a line for each signer they expect (Spec.signers; blank to sign by hand when not given), the
forms put the handler's and the approver's at the foot of their cells, the penalty documents carry
the seal only. A refused signature (refused: true, signed_at* the time of refusal) prints
拒绝签字, and a note under the signatures gives the time, that the inspectors recorded it, and the
signature's own note."""
from __future__ import annotations

import functools
import os
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from io import BytesIO
from typing import Any, Callable
from xml.sax.saxutils import escape
from zoneinfo import ZoneInfo

from reportlab.lib import textsplit as _reportlab_textsplit
from reportlab.lib.colors import black
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_LEFT, TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (BaseDocTemplate, Flowable, Frame, HRFlowable, KeepTogether, PageTemplate, Paragraph,
                                Spacer, Table, TableStyle)
from reportlab.platypus import paragraph as _reportlab_paragraph

# --- layout (GB/T 9704-2012 page; sizes in points: 2号 22, 小二 18, 3号 16, 4号 14) ----------------

PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = 37 * mm, 35 * mm, 28 * mm, 26 * mm
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT            # 156 mm
TEXT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM          # 225 mm
AGENCY_SIZE, TITLE_SIZE = 18, 22
HEADING_STROKE = 0.03                                           # of the size: outlines the headings to read bold
BODY_SIZE = 16
BODY_LEADING = TEXT_HEIGHT / 22                                 # 22 lines a page
FORM_SIZE, FORM_LEADING = 14, 22                                # the tables' cells
NOTE_SIZE = 14                                                  # the copies note
PAGE_NUMBER_SIZE = 14
PAGE_NUMBER_GAP = 7 * mm                                        # below the text block
RULE = 1                                                        # under the document name, over the copies note
FORM_GRID, FORM_BOX = 0.75, 1.5
FORM_LABEL_WIDTH = 44 * mm                                      # eight characters
FORM_PADDING = 5
DATE_RIGHT_INDENT = 4 * BODY_SIZE                               # 右空四字
SEAL_SPACE = BODY_LEADING                                       # above the agency's name the seal covers
BLANK = "_" * 12                                                # a line to sign or write on by hand
GAP = "\u00a0" * 4                                              # two characters' space (reportlab turns U+3000 into one space)

# Faces, best first: the path Debian installs and the package that installs it. TrueType only:
# reportlab cannot embed CFF outlines, so fonts-noto-cjk's .ttc files are no use here.
BODY_FACES = (  # for 仿宋: a Song (明) face, then a Kai, then the Hei every machine has
    ("/usr/share/fonts/truetype/arphic/uming.ttc", "fonts-arphic-uming"),
    ("/usr/share/fonts/truetype/arphic/ukai.ttc", "fonts-arphic-ukai"),
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "fonts-wqy-zenhei"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "fonts-wqy-microhei"),
)
HEAVY_FACES = (  # for 小标宋: the agency and the document name
    ("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", "fonts-wqy-zenhei"),
    ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "fonts-wqy-microhei"),
    ("/usr/share/fonts/truetype/arphic/uming.ttc", "fonts-arphic-uming"),
)

LOCAL_TIME = ZoneInfo("Asia/Shanghai")
CREATOR = "平凉市安全生产信息化平台"                             # the PDF's Creator

# reportlab's CJK line breaking knows only the Japanese closing marks; no line may start with the
# Chinese ones either (GB/T 15834). Such a mark hangs in the right margin instead, as Word's 允许标点溢出边界.
# Both of reportlab's line breakers (one frag, several frags) read their own copy of the list.
NOT_AT_LINE_START = "，；：？！”’》〉．…"
for _breaker in (_reportlab_textsplit, _reportlab_paragraph):
    _breaker.ALL_CANNOT_START += "".join(c for c in NOT_AT_LINE_START if c not in _breaker.ALL_CANNOT_START)

# --- periods the fixed sentences state, unless the document gives its own ------------------------

DEFAULTS = {
    "review_days": 60,          # 行政复议: 《行政复议法》第二十条
    "litigation_months": 6,     # 行政诉讼: 《行政诉讼法》第四十六条
    "statement_days": 5,        # 陈述、申辩: the platform's enforcement_deadlines table (case_steps.statement)
    "hearing_days": 5,          # 要求听证: 《行政处罚法》第六十四条
    "payment_days": 15,         # 缴纳罚款: 《行政处罚法》第六十七条
    "surcharge_percent": 3,     # 加处罚款 a day: 《行政处罚法》第七十二条
}

DOCUMENT_TYPES = (
    ("inspection_record", "现场检查记录"),
    ("rectification_order", "责令限期整改指令书"),
    ("onsite_measures", "现场处理措施决定书"),
    ("recheck_opinion", "整改复查意见书"),
    ("case_filing", "立案审批表"),
    ("penalty_notice", "行政处罚告知书"),
    ("hearing_notice", "听证告知书"),
    ("penalty_decision", "行政处罚决定书"),
    ("service_receipt", "送达回执"),
    ("case_closing", "结案审批表"),
)

ROLE_LABELS = {"inspector": "执法人员", "unit": "被检查单位负责人", "handler": "承办人", "approver": "审批人"}
SERVICE_METHODS = {"direct": "直接送达", "lodged": "留置送达", "post": "邮寄送达", "entrusted": "委托送达",
                   "electronic": "电子送达", "announcement": "公告送达"}
RECHECK_RESULTS = {"passed": "经复查，你单位已按要求完成整改，符合有关法律法规规章和标准规定的要求。",
                   "failed": "经复查，你单位未按要求完成整改，本机关将依法处理。"}


def render(document: dict) -> bytes:
    """The PDF of one enforcement document; ValueError naming the field when one is missing or wrong."""
    data = _Data(document)
    code = data.need("type")
    if code not in SPECS:
        raise ValueError(f"unknown document type: {code!r}")
    spec = SPECS[code]
    title = data.get("title") or dict(DOCUMENT_TYPES)[code]
    number = data.need("number") if spec.numbered else data.get("number")
    body, closing = spec.body(data), _closing(data, spec)
    if closing:  # the page with the signatures and the seal carries the end of the text too (GB/T 9704)
        tail = len(body) - 1
        while tail > 0 and body[tail - 1].getKeepWithNext():  # with the caption over that end
            tail -= 1
        body[tail:] = [KeepTogether([*body[tail:], *closing])]
    story = [*_header(data, title, number), *body]
    return _build(story, title=title, author=data.need("agency_name"), subject=number or title)


# --- input ----------------------------------------------------------------------------------------

class _Data:
    """A node of the document; `need` and `get` take dotted paths, errors name the full path."""

    def __init__(self, node: Any, path: str = ""):
        self.node, self.path = node, path

    def at(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def get(self, key: str, default: Any = None) -> Any:
        node = self.node
        for part in key.split("."):
            node = node.get(part) if isinstance(node, dict) else None
            if _blank(node):
                return default
        return node

    def need(self, key: str) -> Any:
        value = self.get(key)
        if value is None:
            raise ValueError(f"missing required field: {self.at(key)}")
        return value

    def child(self, key: str) -> _Data:
        return _Data(self.get(key, {}), self.at(key))

    def entries(self, key: str, required: bool = False) -> list[_Data]:
        value = self.need(key) if required else self.get(key, [])
        if not isinstance(value, list):
            raise ValueError(f"{self.at(key)} must be a list")
        return [_Data(v, f"{self.at(key)}[{i}]") for i, v in enumerate(value)]

    def texts(self, key: str, required: bool = False) -> list[str]:
        """A list of texts, or one text as a list of one."""
        value = self.need(key) if required else self.get(key, [])
        values = [value] if isinstance(value, str) else value
        if not isinstance(values, list) or any(_blank(v) or not isinstance(v, str) for v in values):
            raise ValueError(f"{self.at(key)} must be a text or a list of texts")
        return values

    def moment(self, key: str, required: bool = True) -> datetime | None:
        """A date or time in Beijing time; a bare date is midnight."""
        value = self.need(key) if required else self.get(key)
        if value is None or isinstance(value, datetime):
            return _local(value)
        if isinstance(value, date):
            return datetime(value.year, value.month, value.day)
        try:
            return _local(datetime.fromisoformat(str(value)))
        except ValueError:
            raise ValueError(f"{self.at(key)} is not an ISO date or time: {value!r}") from None

    def is_bare_date(self, key: str) -> bool:
        value = self.get(key)
        return isinstance(value, date) and not isinstance(value, datetime) or isinstance(value, str) and len(value.strip()) == 10

    def days(self, key: str, default: str) -> int:
        value = self.get(key, DEFAULTS[default])
        if not isinstance(value, int) or isinstance(value, bool) or value <= 0:
            raise ValueError(f"{self.at(key)} must be a positive whole number")
        return value


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip()) or (isinstance(value, (list, dict)) and not value)


def _local(moment: datetime | None) -> datetime | None:
    return moment.astimezone(LOCAL_TIME) if moment is not None and moment.tzinfo else moment


def _zh_date(moment: datetime) -> str:
    return f"{moment.year}年{moment.month}月{moment.day}日"


def _zh_time(moment: datetime) -> str:
    return f"{_zh_date(moment)}{moment.hour}时{moment.minute:02d}分"


def _amount(data: _Data, key: str) -> Decimal:
    try:
        amount = Decimal(str(data.need(key))).quantize(Decimal("0.01"), ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError(f"{data.at(key)} is not an amount of yuan") from None
    if amount <= 0:
        raise ValueError(f"{data.at(key)} must be more than zero")
    return amount


# --- fonts and styles -----------------------------------------------------------------------------

@functools.cache
def _styles() -> dict[str, ParagraphStyle]:
    body_face, heavy_face = _face(BODY_FACES), _face(HEAVY_FACES)
    body = ParagraphStyle("body", fontName=body_face, fontSize=BODY_SIZE, leading=BODY_LEADING,
                          firstLineIndent=2 * BODY_SIZE, alignment=TA_JUSTIFY, wordWrap="CJK")
    line = ParagraphStyle("line", parent=body, firstLineIndent=0)
    cell = ParagraphStyle("cell", parent=line, fontSize=FORM_SIZE, leading=FORM_LEADING, alignment=TA_LEFT)
    return {
        "agency": ParagraphStyle("agency", parent=line, fontName=heavy_face, fontSize=AGENCY_SIZE, leading=AGENCY_SIZE * 1.6),
        "title": ParagraphStyle("title", parent=line, fontName=heavy_face, fontSize=TITLE_SIZE, leading=TITLE_SIZE * 1.7),
        "number": ParagraphStyle("number", parent=line, alignment=TA_RIGHT, spaceBefore=2),
        "body": body,
        "lead": ParagraphStyle("lead", parent=body, keepWithNext=1),      # 经查，你单位存在下列问题：
        "line": line,
        "caption": ParagraphStyle("caption", parent=line, keepWithNext=1),  # 检查情况：
        "centre": ParagraphStyle("centre", parent=line, alignment=TA_CENTER),
        "note": ParagraphStyle("note", parent=line, fontSize=NOTE_SIZE, leading=FORM_LEADING),
        "cell": cell,
        "form_label": ParagraphStyle("form_label", parent=cell, alignment=TA_CENTER),
        "signer": ParagraphStyle("signer", parent=cell, alignment=TA_RIGHT),
    }


def _face(candidates: tuple[tuple[str, str], ...]) -> str:
    for path, _package in candidates:
        if os.path.exists(path):
            return _registered(path)
    packages = " or ".join(package for _, package in candidates)
    raise RuntimeError(f"no Chinese font for the enforcement documents (looked for {', '.join(p for p, _ in candidates)}): "
                       f"install the Debian package {packages}")


@functools.cache
def _registered(path: str) -> str:
    name = os.path.splitext(os.path.basename(path))[0]
    pdfmetrics.registerFont(TTFont(name, path, subfontIndex=0))  # a collection's first face: the simplified-Chinese one
    return name


# --- flowables ------------------------------------------------------------------------------------

def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(text), _styles()[style])


def _paragraphs(text: str, style: str = "body") -> list[Paragraph]:
    return [_p(part.strip(), style) for part in text.splitlines() if part.strip()]


def _numbered(texts: list[str]) -> list[Paragraph]:
    return [_p(f"{i}.{text}") for i, text in enumerate(texts, 1)]


def _labelled(label: str, value: str) -> Paragraph:
    return _p(f"{label}：{value}", "line")


def _addressee(data: _Data) -> Paragraph:
    return _p(f"{data.need('enterprise.name')}：", "line")


class _Heading(Flowable):
    """One centred line, filled and outlined so that it reads bold in a face without a bold weight;
    a line too long for the text block is set smaller."""

    def __init__(self, text: str, style: str):
        super().__init__()
        self.text, self.style = text, _styles()[style]

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        natural = pdfmetrics.stringWidth(self.text, self.style.fontName, self.style.fontSize)
        self.size = self.style.fontSize * min(1, avail_width / natural)
        self.width = avail_width
        return avail_width, self.style.leading

    def draw(self) -> None:
        text = self.canv.beginText()
        text.setTextRenderMode(2)
        text.setFont(self.style.fontName, self.size)
        width = pdfmetrics.stringWidth(self.text, self.style.fontName, self.size)
        text.setTextOrigin((self.width - width) / 2, (self.style.leading - self.size) / 2 + 0.2 * self.size)
        text.textOut(self.text)
        self.canv.setLineWidth(self.size * HEADING_STROKE)
        self.canv.drawText(text)


def _header(data: _Data, title: str, number: str | None) -> list[Flowable]:
    header = [_Heading(data.need("agency_name"), "agency"), _Heading(title, "title"),
              HRFlowable(width="100%", thickness=RULE, color=black, spaceBefore=2, spaceAfter=2)]
    if number:
        header.append(_p(number, "number"))
    return [*header, Spacer(1, BODY_LEADING / 2)]


def _form(rows: list[tuple[str, list[Flowable]]]) -> Table:
    """A ruled two-column form (label, content; a label's \n breaks its line); long rows split across pages."""
    labels = [Paragraph("<br/>".join(escape(part) for part in label.split("\n")), _styles()["form_label"]) for label, _ in rows]
    table = Table([[label, content] for label, (_, content) in zip(labels, rows)],
                  colWidths=[FORM_LABEL_WIDTH, TEXT_WIDTH - FORM_LABEL_WIDTH], splitInRow=1)
    table.setStyle(TableStyle([
        ("FONT", (0, 0), (-1, -1), _styles()["cell"].fontName),  # else reportlab names Helvetica for the cells
        ("GRID", (0, 0), (-1, -1), FORM_GRID, black), ("BOX", (0, 0), (-1, -1), FORM_BOX, black),
        ("VALIGN", (0, 0), (0, -1), "MIDDLE"), ("VALIGN", (1, 0), (1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), FORM_PADDING), ("RIGHTPADDING", (0, 0), (-1, -1), FORM_PADDING),
        ("TOPPADDING", (0, 0), (-1, -1), FORM_PADDING), ("BOTTOMPADDING", (0, 0), (-1, -1), FORM_PADDING),
    ]))
    return table


def _cell(text: str | None) -> list[Flowable]:
    return _paragraphs(text, "cell") if text else [Spacer(1, FORM_LEADING)]


# --- signatures, seal and date --------------------------------------------------------------------

@dataclass(frozen=True)
class _Signature:
    role: str
    name: str | None
    certificate_number: str | None
    refused: bool
    signed_at: datetime | None
    note: str | None


def _signatures(data: _Data) -> list[_Signature]:
    signatures = []
    for entry in data.entries("signatures"):
        role = entry.need("role")
        if role not in ROLE_LABELS:
            raise ValueError(f"{entry.at('role')} is not one of {', '.join(ROLE_LABELS)}: {role!r}")
        refused = entry.get("refused") is True
        signatures.append(_Signature(role=role, name=entry.get("name") if refused else entry.need("name"),
                                     certificate_number=entry.get("certificate_number"), refused=refused,
                                     signed_at=entry.moment("signed_at", required=refused), note=entry.get("note")))
    return signatures


def _in_expected_order(given: list[_Signature], roles: tuple[str, ...]) -> list[tuple[str, _Signature | None]]:
    """(role, signature) for each role a type expects (None: not signed yet), then any others given."""
    remaining = list(given)
    ordered = []
    for role in roles:
        match = next((s for s in remaining if s.role == role), None)
        if match is not None:
            remaining.remove(match)
        ordered.append((role, match))
    return ordered + [(s.role, s) for s in remaining]


def _signature_line(label: str, role: str, signature: _Signature | None) -> str:
    if signature is None:
        line = f"{label}（签名）：{BLANK}"
        return line + f"{GAP}执法证号：{BLANK}" if role == "inspector" else line
    if signature.refused:
        return f"{label}（签名）：拒绝签字"  # its time is in the note under the signatures
    line = f"{label}（签名）：{signature.name}"
    if role == "inspector":
        return line + f"{GAP}执法证号：{signature.certificate_number or BLANK}"
    return line + (f"{GAP}{_zh_date(signature.signed_at)}" if signature.signed_at else "")


def _refusal_note(label: str, signature: _Signature, given: list[_Signature]) -> str:
    inspectors = "、".join(s.name for s in given if s.role == "inspector" and not s.refused)
    if not inspectors:
        raise ValueError("signatures: a refused signature needs the inspectors' signatures that record it")
    note = f"注：{label}{signature.name or ''}于{_zh_time(signature.signed_at)}拒绝签字，执法人员{inspectors}已将情况记录在案。"
    return note + (signature.note or "")


def _signature_block(data: _Data, spec: Spec) -> list[Flowable]:
    given = _signatures(data)
    lines, notes = [], []
    for role, signature in _in_expected_order(given, spec.signers):
        label = spec.labels.get(role, ROLE_LABELS[role])
        lines.append(_p(_signature_line(label, role, signature), "line"))
        if signature is not None and signature.refused:
            notes.append(_p(_refusal_note(label, signature, given), "line"))
    return [Spacer(1, BODY_LEADING / 2), *lines, *notes] if lines else []


def _form_signer(data: _Data, role: str) -> Paragraph:
    """The signature at the foot of a form's opinion cell."""
    signature = next((s for s in _signatures(data) if s.role == role and not s.refused), None)
    label = ROLE_LABELS[role]
    if signature is None:
        return _p(f"{label}：{BLANK}{GAP}年{GAP}月{GAP}日", "signer")
    when = f"{GAP}{_zh_date(signature.signed_at)}" if signature.signed_at else ""
    return _p(f"{label}：{signature.name}{when}", "signer")


def _dateline(data: _Data, sealed: bool) -> Table:
    """The date four characters in from the right, the agency's name and seal centred over it."""
    lines = [_zh_date(data.moment("issued_on"))]
    if sealed:
        lines.insert(0, f"{data.need('agency_name')}（印章）")
    style = _styles()["centre"]
    width = max(pdfmetrics.stringWidth(text, style.fontName, style.fontSize) for text in lines) + 2
    table = Table([[_p(text, "centre"), Spacer(0, 0)] for text in lines], colWidths=[width, DATE_RIGHT_INDENT],
                  hAlign="RIGHT")
    table.setStyle(TableStyle([("FONT", (0, 0), (-1, -1), style.fontName),
                               ("LEFTPADDING", (0, 0), (-1, -1), 0), ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                               ("TOPPADDING", (0, 0), (-1, -1), 0), ("BOTTOMPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _closing(data: _Data, spec: Spec) -> list[Flowable]:
    """Signatures, seal and date, and the copies note."""
    closing = _signature_block(data, spec) if spec.signers else []
    if spec.dated:
        closing += [Spacer(1, SEAL_SPACE if spec.sealed else BODY_LEADING / 2), _dateline(data, spec.sealed)]
    if spec.copies:
        closing += [Spacer(1, BODY_LEADING / 2), HRFlowable(width="100%", thickness=RULE, color=black, spaceAfter=2),
                    _p(spec.copies, "note")]
    return closing


# --- sentences several documents share ------------------------------------------------------------

def _appeal(data: _Data, subject: str) -> str:
    """The right-to-appeal sentence; subject is 本指令 or 本决定."""
    appeal = data.child("fields.appeal")
    review_body, court = appeal.get("review_body"), appeal.get("court")
    return (f"如果不服{subject}，可以依法在{appeal.days('review_days', 'review_days')}日内"
            f"{'向' + review_body if review_body else ''}申请行政复议，"
            f"或者在{appeal.days('litigation_months', 'litigation_months')}个月内依法"
            f"{'向' + court if court else ''}提起行政诉讼，但{subject}不停止执行，法律另有规定的除外。")


def _problem_items(data: _Data) -> list[tuple[int, str, _Data]]:
    """(number, line, entry) of each item: 1.the problem（依据：the basis）."""
    items = []
    for i, entry in enumerate(data.entries("items", required=True), 1):
        no = entry.get("no", i)
        basis = entry.get("basis")
        items.append((no, f"{no}.{entry.need('text')}" + (f"（依据：{basis}）" if basis else ""), entry))
    return items


def _penalty(data: _Data) -> str:
    """The penalty's words: 罚款人民币伍万元整（¥50,000.00）."""
    penalty = data.child("fields.penalty")
    content = penalty.need("content")
    if penalty.get("amount_cny") is None:
        return content
    amount = _amount(penalty, "amount_cny")
    return f"{content}人民币{_amount_in_words(amount)}（¥{amount:,.2f}）"


def _has_fine(data: _Data) -> bool:
    return data.get("fields.penalty.amount_cny") is not None


def _case_opening(data: _Data, suspected: bool) -> list[Flowable]:
    case = data.need("fields.case_number")
    opening = f"本机关对你单位{'涉嫌' if suspected else ''}安全生产违法一案（案号：{case}）进行了调查，现查明："
    return [_p(opening), *_paragraphs(data.need("fields.facts"))]


def _evidence(data: _Data, required: bool) -> list[Flowable]:
    evidence = data.texts("fields.evidence", required=required)
    return [_p("以上事实有下列证据证明：", "lead"), *_numbered(evidence)] if evidence else []


def _grounds(data: _Data) -> str:
    violated = data.get("fields.violated")
    return (f"你单位的上述行为违反了{violated}的规定，" if violated else "") + f"依据{data.need('fields.basis')}的规定，"


# --- the documents --------------------------------------------------------------------------------

def _inspection_record(data: _Data) -> list[Flowable]:
    fields = data.child("fields")
    inspectors = _inspectors(fields)
    principal = data.need("enterprise.principal")
    phone = data.get("enterprise.phone")
    story = [
        _labelled("被检查单位", data.need("enterprise.name")),
        _labelled("地址", data.need("enterprise.address")),
        _labelled("法定代表人（负责人）", principal + (f"{GAP}联系电话：{phone}" if phone else "")),
        _labelled("检查场所", fields.need("place")),
        _labelled("检查时间", _period(fields.moment("started_at"), fields.moment("ended_at"))),
    ]
    present = _unit_present(fields)
    if present:
        story.append(_labelled("被检查单位现场负责人", present))
    story.append(_p(f"我们是{data.need('agency_name')}执法人员{inspectors}，这是我们的证件（出示证件）。"
                    "现依法对你单位进行现场检查，请予以配合。"))
    story.append(_p("检查情况：", "caption"))
    story += _paragraphs(fields.get("content", ""))
    problems = fields.texts("problems")
    story += [_p("检查发现下列问题：", "lead"), *_numbered(problems)] if problems else [_p("检查未发现安全生产违法行为和事故隐患。")]
    handling = fields.get("handling")
    if handling:
        story += [_p("处理情况：", "caption"), *_paragraphs(handling)]
    return story


def _period(start: datetime, end: datetime) -> str:
    """2026年12月2日9时30分至11时00分; the end's date too when it is another day."""
    until = f"{end.hour}时{end.minute:02d}分" if end.date() == start.date() else _zh_time(end)
    return f"{_zh_time(start)}至{until}"


def _inspectors(fields: _Data) -> str:
    """李四、王五，证件号码分别为…、… (or the text given)."""
    value = fields.need("inspectors")
    if isinstance(value, str):
        return value
    inspectors = fields.entries("inspectors", required=True)
    names = "、".join(i.need("name") for i in inspectors)
    numbers = "、".join(i.need("certificate_number") for i in inspectors)
    return f"{names}，证件号码{'分别' if len(inspectors) > 1 else ''}为{numbers}"


def _unit_present(fields: _Data) -> str | None:
    value = fields.get("unit_present")
    if value is None or isinstance(value, str):
        return value
    present = fields.child("unit_present")
    post = present.get("post")
    return present.need("name") + (f"（{post}）" if post else "")


def _rectification_order(data: _Data) -> list[Flowable]:
    items = _problem_items(data)
    basis = data.get("fields.basis")
    lead = f"依据{basis}的规定，" if basis else ""
    return [
        _addressee(data), _p("经查，你单位存在下列问题：", "lead"), *(_p(line) for _, line, _ in items),
        _p(f"{lead}现责令你单位对上述{_deadlines(data, items)}整改完毕，达到有关法律法规规章和标准规定的要求。"
           "由此造成事故的，依法追究有关人员的责任。"),
        _p("整改期间，你单位应当采取措施，确保安全生产。对安全生产违法行为，将依法予以行政处罚。"),
        _p(_appeal(data, "本指令")),
    ]


def _deadlines(data: _Data, items: list[tuple[int, str, _Data]]) -> str:
    """问题于2026年12月20日前, or 第1、3项问题于…前、第2项问题于…前 when the deadlines differ."""
    default = data.moment("fields.deadline", required=False)
    by_day: dict[date, list[str]] = {}
    for no, _, entry in items:
        deadline = entry.moment("deadline", required=default is None) or default
        by_day.setdefault(deadline.date(), []).append(str(no))
    if len(by_day) == 1:
        return f"问题于{_zh_date(next(iter(by_day)))}前"
    return "、".join(f"第{'、'.join(nos)}项问题于{_zh_date(day)}前" for day, nos in sorted(by_day.items()))


def _onsite_measures(data: _Data) -> list[Flowable]:
    items = _problem_items(data)
    measures = data.texts("fields.measures", required=True)
    until = data.moment("fields.until", required=False)
    story = [
        _addressee(data), _p("经查，你单位存在下列问题：", "lead"), *(_p(line) for _, line, _ in items),
        _p(f"以上存在的问题无法保证安全生产，依据{data.need('fields.basis')}的规定，现作出如下现场处理决定：", "lead"),
        *_numbered(measures),
    ]
    story.append(_p((f"上述措施执行至{_zh_date(until)}。" if until else "")
                    + "事故隐患排除后，经本机关审查同意，方可恢复生产经营和使用。"))
    return story + [_p(_appeal(data, "本决定"))]


def _recheck_opinion(data: _Data) -> list[Flowable]:
    fields = data.child("fields")
    result = fields.need("result")
    if result not in RECHECK_RESULTS:
        raise ValueError(f"{fields.at('result')} is not one of {', '.join(RECHECK_RESULTS)}: {result!r}")
    order = f"{fields.need('order_number')}《{fields.get('order_title', '责令限期整改指令书')}》"
    return [
        _addressee(data),
        _p(f"本机关于{_zh_date(fields.moment('rechecked_on'))}对你单位执行{order}的整改情况进行了复查，提出如下意见："),
        _p(RECHECK_RESULTS[result]), *_paragraphs(fields.need("opinion")),
    ]


def _case_filing(data: _Data) -> list[Flowable]:
    fields = data.child("fields")
    enterprise = data.child("enterprise")
    return [_form([
        ("案件编号", _cell(fields.need("case_number"))),
        ("案由", _cell(fields.get("cause"))),
        ("案件来源", _cell(fields.get("source"))),
        ("当事人", _cell(enterprise.need("name"))),
        ("统一社会信用代码", _cell(enterprise.get("uscc"))),
        ("地址", _cell(enterprise.get("address"))),
        ("法定代表人\n（负责人）", _cell(enterprise.get("principal"))),
        ("联系电话", _cell(enterprise.get("phone"))),
        ("简要案情及\n立案理由", [*_cell(fields.need("summary")), Spacer(1, FORM_LEADING), _form_signer(data, "handler")]),
        ("审批意见", [*_cell(fields.need("approver_opinion")), Spacer(1, FORM_LEADING), _form_signer(data, "approver")]),
    ])]


def _penalty_notice(data: _Data) -> list[Flowable]:
    statement_days = data.days("fields.rights.statement_days", "statement_days")
    return [
        _addressee(data), *_case_opening(data, suspected=True), *_evidence(data, required=False),
        _p(f"{_grounds(data)}本机关拟对你单位作出{_penalty(data)}的行政处罚。"),
        _p(f"依据《中华人民共和国行政处罚法》第四十四条、第四十五条的规定，你单位有权进行陈述和申辩。"
           f"请在收到本告知书之日起{statement_days}日内向本机关提出陈述、申辩意见；逾期未提出的，视为放弃上述权利。"),
    ]


def _hearing_notice(data: _Data) -> list[Flowable]:
    hearing_days = data.days("fields.rights.hearing_days", "hearing_days")
    return [
        _addressee(data), *_case_opening(data, suspected=True), *_evidence(data, required=False),
        _p(f"{_grounds(data)}本机关拟对你单位作出{_penalty(data)}的行政处罚。"),
        _p(f"依据《中华人民共和国行政处罚法》第六十三条、第六十四条的规定，你单位有权要求举行听证。"
           f"如要求听证，应当在收到本告知书之日起{hearing_days}日内向本机关提出；逾期未提出的，视为放弃听证权利。"),
    ]


def _penalty_decision(data: _Data) -> list[Flowable]:
    enterprise = data.child("enterprise")
    story = [
        _labelled("被处罚单位", enterprise.need("name")),
        _labelled("统一社会信用代码", enterprise.need("uscc")),
        _labelled("地址", enterprise.need("address")),
        _labelled("法定代表人（负责人）", enterprise.need("principal")),
        *_case_opening(data, suspected=False), *_evidence(data, required=True),
        _p(f"{_grounds(data)}本机关决定对你单位作出{_penalty(data)}的行政处罚。"),
    ]
    if _has_fine(data):
        story.append(_p(_payment(data)))
    return story + [
        _p(_appeal(data, "本决定")),
        _p("逾期不申请行政复议、不提起行政诉讼又不履行本决定的，本机关将依法申请人民法院强制执行。"),
    ]


def _payment(data: _Data) -> str:
    payment = data.child("fields.payment")
    account = payment.get("account")
    return (f"罚款限你单位自收到本决定书之日起{payment.days('deadline_days', 'payment_days')}日内缴至"
            f"{payment.need('bank')}{f'（账号：{account}）' if account else ''}。"
            f"到期不缴纳罚款的，本机关可以每日按罚款数额的{DEFAULTS['surcharge_percent']}%加处罚款。")


def _service_receipt(data: _Data) -> list[Flowable]:
    fields = data.child("fields")
    served_on = fields.moment("served_on")
    when = _zh_date(served_on) if fields.is_bare_date("served_on") else _zh_time(served_on)
    method = fields.need("method")
    return [_form([
        ("送达文书\n名称及文号", _cell(f"《{fields.need('document_name')}》{fields.need('document_number')}")),
        ("受送达人", _cell(data.need("enterprise.name"))),
        ("送达地点", _cell(fields.get("place") or data.get("enterprise.address"))),
        ("送达时间", _cell(when)),
        ("送达方式", _cell(SERVICE_METHODS.get(method, method))),
        ("收件人", _cell(fields.need("recipient"))),
        ("备注", _cell(fields.get("remark"))),
    ])]


def _case_closing(data: _Data) -> list[Flowable]:
    fields = data.child("fields")
    return [_form([
        ("案件编号", _cell(fields.need("case_number"))),
        ("当事人", _cell(data.need("enterprise.name"))),
        ("处理结果及\n执行情况", [*_cell(fields.need("summary")), Spacer(1, FORM_LEADING), _form_signer(data, "handler")]),
        ("审批意见", [*_cell(fields.need("approver_opinion")), Spacer(1, FORM_LEADING), _form_signer(data, "approver")]),
    ])]


@dataclass(frozen=True)
class Spec:
    """How one type is laid out: its body, the signatures it expects and how it closes."""
    body: Callable[[_Data], list[Flowable]]
    signers: tuple[str, ...] = ()                               # roles, in print order
    labels: dict[str, str] = field(default_factory=dict)       # role labels other than ROLE_LABELS'
    numbered: bool = True
    dated: bool = True
    sealed: bool = True
    copies: str | None = None


_COPIES = "本文书一式两份：一份由应急管理部门备案，一份交{}。"
_INSPECTION_SIGNERS = ("inspector", "inspector", "unit")

SPECS: dict[str, Spec] = {
    "inspection_record": Spec(_inspection_record, _INSPECTION_SIGNERS, {"unit": "被检查单位现场负责人"}, sealed=False),
    "rectification_order": Spec(_rectification_order, _INSPECTION_SIGNERS, copies=_COPIES.format("被检查单位")),
    "onsite_measures": Spec(_onsite_measures, _INSPECTION_SIGNERS, copies=_COPIES.format("被检查单位")),
    "recheck_opinion": Spec(_recheck_opinion, _INSPECTION_SIGNERS, {"unit": "被复查单位负责人"},
                            copies=_COPIES.format("被复查单位")),
    "case_filing": Spec(_case_filing, dated=False),
    "penalty_notice": Spec(_penalty_notice, copies=_COPIES.format("当事人")),
    "hearing_notice": Spec(_hearing_notice, copies=_COPIES.format("当事人")),
    "penalty_decision": Spec(_penalty_decision, copies=_COPIES.format("被处罚单位")),
    "service_receipt": Spec(_service_receipt, ("inspector", "inspector", "unit"), {"inspector": "送达人", "unit": "收件人"},
                            numbered=False, dated=False),
    "case_closing": Spec(_case_closing, dated=False),
}


# --- amounts in capitals (大写) --------------------------------------------------------------------

_DIGITS = "零壹贰叁肆伍陆柒捌玖"
_PLACES = ("", "拾", "佰", "仟")
_GROUPS = ("", "万", "亿", "万亿")


def _amount_in_words(amount: Decimal) -> str:
    """伍万元整, 壹仟零伍元伍角, 叁拾元零伍分."""
    cents = int(amount * 100)
    yuan, jiao, fen = cents // 100, cents // 10 % 10, cents % 10
    words = f"{_integer_in_words(yuan)}元" if yuan else ""
    if jiao:
        words += f"{_DIGITS[jiao]}角"
    elif fen and yuan:
        words += "零"
    return words + (f"{_DIGITS[fen]}分" if fen else "" if jiao else "整")


def _integer_in_words(n: int) -> str:
    groups = []
    while n:
        n, group = divmod(n, 10000)
        groups.append(group)
    words, gap = "", False
    for place in reversed(range(len(groups))):
        group = groups[place]
        if group == 0:
            gap = bool(words)
            continue
        if words and (gap or group < 1000):
            words += "零"
        words += _group_in_words(group) + _GROUPS[place]
        gap = False
    return words


def _group_in_words(group: int) -> str:
    words, gap = "", False
    for place in (3, 2, 1, 0):
        digit = group // 10 ** place % 10
        if digit == 0:
            gap = bool(words)
            continue
        words += ("零" if gap else "") + _DIGITS[digit] + _PLACES[place]
        gap = False
    return words


# --- the PDF --------------------------------------------------------------------------------------

def _page_number(canvas, _doc) -> None:
    canvas.saveState()
    canvas.setFont(_styles()["body"].fontName, PAGE_NUMBER_SIZE)
    canvas.drawCentredString(PAGE_WIDTH / 2, MARGIN_BOTTOM - PAGE_NUMBER_GAP - PAGE_NUMBER_SIZE,
                             f"— {canvas.getPageNumber()} —")
    canvas.restoreState()


def _build(story: list[Flowable], *, title: str, author: str, subject: str) -> bytes:
    buffer = BytesIO()
    frame = Frame(MARGIN_LEFT, MARGIN_BOTTOM, TEXT_WIDTH, TEXT_HEIGHT, leftPadding=0, rightPadding=0, topPadding=0,
                  bottomPadding=0)
    body = _styles()["body"]
    doc = BaseDocTemplate(buffer, pagesize=A4, title=title, author=author, subject=subject, creator=CREATOR,
                          lang="zh-CN", displayDocTitle=True, initialFontName=body.fontName, initialFontSize=body.fontSize,
                          pageTemplates=[PageTemplate("page", [frame], onPage=_page_number)])
    doc.build(story)
    return buffer.getvalue()
