"""Export of a filtered list to CSV or Excel, in the layout import reads back: Chinese column
headers, option labels rather than codes, lists joined with "；", nested data as JSON. Personal
data stays masked, as in every list. CSV streams page by page; Excel is built in memory
(write-only workbook) because the format needs the whole file before it can be sent."""
from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from typing import AsyncIterator
from urllib.parse import quote
from zoneinfo import ZoneInfo

from fastapi.responses import Response, StreamingResponse

from services.datacenter.registry.importing import headers
from services.datacenter.registry.spec import Field, Kind


def columns(kind: Kind) -> list[tuple[str, str, Field | None]]:
    """(field name, header, field declaration) in export order."""
    declared = {f.name: f for f in (*kind.fields, *kind.read_fields)}
    return [(n, h, declared.get(n)) for n, h in headers(kind).items()]


def cell(f: Field | None, value):
    if value is None:
        return ""
    if f is not None and f.options and isinstance(value, str):
        return f.option_label(value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, list) and (f is None or f.type != "json"):
        return "；".join((f.option_label(v) if f is not None and f.options else str(v)) for v in value)
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _filename(kind: Kind, ext: str) -> str:
    stamp = datetime.now(ZoneInfo("Asia/Shanghai")).strftime("%Y%m%d-%H%M")
    return f"{kind.label}-{stamp}.{ext}"


def _disposition(name: str) -> dict[str, str]:
    return {"Content-Disposition": f"attachment; filename=\"{quote(name)}\"; filename*=UTF-8''{quote(name)}"}


async def response(kind: Kind, pages: AsyncIterator[list[dict]], *, fmt: str):
    cols = columns(kind)
    if fmt == "csv":
        async def lines():
            buf = io.StringIO()
            w = csv.writer(buf)
            buf.write("\ufeff")  # a BOM, so Excel opens the UTF-8 file with the right characters
            w.writerow([h for _, h, _ in cols])
            async for page in pages:
                for rec in page:
                    w.writerow([cell(f, rec.get(n)) for n, _, f in cols])
                yield buf.getvalue().encode()
                buf.seek(0)
                buf.truncate()
        return StreamingResponse(lines(), media_type="text/csv; charset=utf-8", headers=_disposition(_filename(kind, "csv")))
    from openpyxl import Workbook
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(kind.label[:31])
    ws.append([h for _, h, _ in cols])
    async for page in pages:
        for rec in page:
            ws.append([cell(f, rec.get(n)) for n, _, f in cols])
    out = io.BytesIO()
    wb.save(out)
    return Response(out.getvalue(), media_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                    headers=_disposition(_filename(kind, "xlsx")))
