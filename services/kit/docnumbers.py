"""Document numbers (文书编号 / 发文字号) such as (平)应急责改〔2026〕15号: agency code, document
code, the full year in 〔〕, a serial without padding, 号. Serials restart each year per agency and
document type, and must have no gaps and no duplicates, also when many officers issue at once.

`allocate` takes the next serial in the caller's transaction, by incrementing one row of
`kit.document_serial`: the row lock queues concurrent issuers, and a transaction that rolls back
(the document was not written) gives its serial back. So the numbers a reader sees are exactly
1..n per (agency, type, year). The codes themselves are configuration (each subsystem's rule
table); this module only formats them.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

import psycopg

_NUMBER = re.compile(r"^(?P<agency>[(（][\u4e00-\u9fff]{1,6}[)）])?(?P<code>[\u4e00-\u9fff]{1,12})〔(?P<year>\d{4})〕(?P<serial>[1-9]\d*)号$")


@dataclass(frozen=True)
class Number:
    agency_code: str    # "(平)"; may be empty
    doc_code: str       # "应急责改"
    year: int
    serial: int

    def __str__(self) -> str:
        return f"{self.agency_code}{self.doc_code}〔{self.year}〕{self.serial}号"


def parse(text: str) -> Number | None:
    m = _NUMBER.match(text or "")
    if not m:
        return None
    return Number(m["agency"] or "", m["code"], int(m["year"]), int(m["serial"]))


def allocate(conn: psycopg.Connection, *, agency: str, doc_type: str, year: int) -> int:
    """The next serial of (agency, doc_type, year), taken in the caller's open transaction."""
    (serial,) = conn.execute(
        """INSERT INTO kit.document_serial (agency, doc_type, year, last) VALUES (%s, %s, %s, 1)
           ON CONFLICT (agency, doc_type, year) DO UPDATE SET last = kit.document_serial.last + 1
           RETURNING last""", (agency, doc_type, year)).fetchone()
    return serial


def issue(conn: psycopg.Connection, *, agency: str, agency_code: str, doc_type: str, doc_code: str, year: int) -> Number:
    """Allocate and format: Number(agency_code, doc_code, year, serial)."""
    return Number(agency_code, doc_code, year, allocate(conn, agency=agency, doc_type=doc_type, year=year))
