"""Bulk import of a record kind from CSV or Excel, and the file layout export uses too.

Columns are matched by the Chinese label (as exported) or the field name. Every row is
validated like an API call (types, limits, options, dictionaries, references, the kind's rules)
and each problem is reported as (row, column, reason in Chinese and English). A dry run writes
nothing; all-or-nothing writes nothing when any row is wrong; otherwise the good rows are written
and the bad ones reported. New rows go in set-based: COPY into a staging table, then one statement
stores them and has PostgreSQL build their history and change events (store.create_many), with one
audit entry for the whole import; rows naming an existing record update it through the normal path."""
from __future__ import annotations

import contextlib
import csv
import dataclasses
import io
import logging
import queue
import threading
import time
from dataclasses import dataclass, field

import psycopg

from safety.datacenter.v1 import records_pb2 as pb
from services.datacenter.registry import access, events, references, spec, store
from services.datacenter.registry.spec import Kind
from services.datacenter.registry.values import comparable, parse
from services.kit import audit
from services.kit.errors import DomainError, FieldViolation, InvalidArgument, PermissionDenied, invalid

log = logging.getLogger(__name__)

MAX_ROWS = 200_000
ID_LABEL = "编号"


@dataclass
class Row:
    number: int                  # 1-based line of the file; the header is line 1
    raw: dict
    errors: list[FieldViolation] = field(default_factory=list)


def headers(kind: Kind) -> dict[str, str]:
    """Field name -> column header, as export writes them (Chinese labels)."""
    out = {"id": ID_LABEL} if kind.key == "id" else {}
    out.update({f.name: f.label for f in kind.fields})
    out.update({f.name: f.label for f in kind.read_fields})
    out.setdefault("region_code", "所在行政区划")
    if kind.owned:
        out["enterprise_name"] = "所属单位"
    out.update({"version": "版本", "created_at": "创建时间", "created_by": "创建人", "updated_at": "更新时间", "updated_by": "更新人"})
    return out


def _column_map(kind: Kind, header: list[str]) -> tuple[dict[int, str], set[str], list[FieldViolation]]:
    """Column index -> field name; the read-only columns an export carries are skipped."""
    by_header = {}
    for name, label in headers(kind).items():
        by_header[label] = name
        by_header[name] = name
    writable = {f.name for f in kind.writable} | ({"id"} if kind.key == "id" else set())
    skipped = set(headers(kind)) - writable
    mapping, problems = {}, []
    for i, h in enumerate(header):
        h = (h or "").strip()
        if not h:
            continue
        name = by_header.get(h)
        if name is None:
            problems.append(FieldViolation(h, "column.unknown", f"无法识别的列“{h}”", f"Unknown column '{h}'"))
        elif name not in skipped:
            mapping[i] = name
    for f in kind.writable:
        if f.required and f.name not in mapping.values():
            problems.append(FieldViolation(f.name, "column.missing", f"缺少必填列“{f.label}”", f"Required column '{f.label}' is missing"))
    return mapping, skipped, problems


def read(kind: Kind, content: bytes, fmt: str) -> list[Row]:
    """Rows of the file as {field: cell}; a header problem is an error of the whole file."""
    fmt = (fmt or "").lower()
    if fmt == "csv":
        table = _csv(content)
    elif fmt == "xlsx":
        table = _xlsx(content)
    else:
        raise invalid(FieldViolation("format", "format.unsupported", "仅支持 CSV 和 Excel（.xlsx）文件", "Only CSV and .xlsx files are supported"))
    if not table:
        raise invalid(FieldViolation("file", "file.empty", "文件为空", "The file is empty"))
    mapping, _, problems = _column_map(kind, [str(h) if h is not None else "" for h in table[0]])
    if problems:
        raise invalid(*problems)
    if len(table) - 1 > MAX_ROWS:
        raise invalid(FieldViolation("file", "file.too_many_rows", f"单个文件最多{MAX_ROWS}行", f"At most {MAX_ROWS} rows per file"))
    rows = []
    for n, cells in enumerate(table[1:], start=2):
        if all(c is None or (isinstance(c, str) and not c.strip()) for c in cells):
            continue  # blank lines a spreadsheet leaves behind
        rows.append(Row(n, {name: cells[i] for i, name in mapping.items() if i < len(cells) and not _blank(cells[i])}))
    return rows


def _blank(v) -> bool:
    return v is None or (isinstance(v, str) and not v.strip())


def _csv(content: bytes) -> list[list]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GBK
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise invalid(FieldViolation("file", "file.encoding", "无法识别文件编码（请使用 UTF-8 或 GBK）", "Unknown encoding (use UTF-8 or GBK)"))
    return [row for row in csv.reader(io.StringIO(text))]


def _xlsx(content: bytes) -> list[list]:
    from openpyxl import load_workbook
    try:
        wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 — any unreadable workbook is the caller's file, not our failure
        raise invalid(FieldViolation("file", "file.unreadable", "无法读取该 Excel 文件", "The Excel file cannot be read")) from None
    try:
        return [list(r) for r in wb.worksheets[0].iter_rows(values_only=True)]
    finally:
        wb.close()


def _column_of(kind: Kind, field_name: str) -> str:
    base = field_name.split("[")[0].split(".")[0]
    return headers(kind).get(base, field_name)


CHUNK = 5_000  # rows checked, then handed to the writer, at a time


def run(conn, servicer, p, kind: Kind, rows: list[Row], *, dry_run: bool, all_or_nothing: bool) -> pb.ImportRecordsResponse:
    creates, updates = _split(conn, kind, rows)
    update_values = [(row, _update_values(conn, kind, row)) for row in updates]
    pipelined = not dry_run and not kind.on_insert
    ready: list[tuple[Row, dict]] = []  # checked rows left to create after the loop (a ledger's)
    created = 0
    # New rows are checked CHUNK at a time, and each checked chunk is stored by a writer thread on the
    # import's connection while the next one is checked: PostgreSQL stores on one core while Python
    # checks on the other. Lookups go through a second connection meanwhile. All under a savepoint, so
    # an all-or-nothing import whose later rows fail takes back what was already stored.
    with servicer.pool.connection() as reads, conn.transaction() as savepoint:
        resolver = references.Resolver(reads, kind, p)
        checker = _Checker(servicer, p, kind, resolver)
        failed = any(r.errors for r in rows)  # so far: rows naming records, and updates
        with _Writer(conn, kind, actor=p.label) if pipelined else contextlib.nullcontext() as writer:
            for start in range(0, len(creates), CHUNK):
                chunk = creates[start:start + CHUNK]
                good = checker.check(chunk)
                failed = failed or len(good) < len(chunk)
                if writer is None:
                    ready += good
                elif not (all_or_nothing and failed):
                    writer.submit([record for _, record in good])
        if writer is not None:
            created = writer.created
            log.info("import of %s: %d new rows checked in %.2f s, stored in %.2f s (%.2f s waiting for the last chunk)",
                     kind.name, len(creates), checker.seconds, writer.seconds, writer.tail_seconds)
            if all_or_nothing and failed and created:
                created = 0
                raise psycopg.Rollback(savepoint)
    errors = [r for r in rows if r.errors]
    response = pb.ImportRecordsResponse(rows=len(rows))
    if dry_run or (all_or_nothing and errors):
        _report(kind, response, rows)
        response.valid = len(rows) - len(errors)
        return response
    if ready:
        created = _create_one_by_one(conn, servicer, p, kind, ready)
    updated = 0
    for row, values in update_values:
        if row.errors:
            continue
        if not kind.updatable:  # an unchanged ledger row (checked above): applied, nothing to write
            updated += 1
            continue
        try:
            with conn.transaction():  # a savepoint: one bad update does not undo the others
                servicer._update(conn, p, kind, row.raw["id"], _current_version(conn, kind, row.raw["id"]), values, [])
            updated += 1
        except InvalidArgument as refused:
            row.errors.extend(refused.violations)
        except DomainError as refused:
            row.errors.append(FieldViolation("id", "id.refused", refused.detail_zh, refused.detail_en))
    if all_or_nothing and any(r.errors for r in rows):
        raise invalid(*[FieldViolation(f"row {r.number}", e.code, f"第{r.number}行：{e.message_zh}", f"Row {r.number}: {e.message_en}")
                        for r in rows for e in r.errors][:50])
    _report(kind, response, rows)
    response.valid = len(rows) - sum(1 for r in rows if r.errors)
    response.created, response.updated, response.committed = created, updated, True
    audit.record(conn, action=f"{kind.name}.import", target_type=kind.name, target_id=f"import:{len(rows)}",
                 target_region=p.region or "", summary={"rows": len(rows), "created": created, "updated": updated,
                                                        "rejected": len(rows) - response.valid})
    return response


def _update_values(conn, kind: Kind, row: Row) -> dict:
    """The changes a row naming an existing record makes, checked as an update is."""
    values, problems = parse(kind, {k: v for k, v in row.raw.items() if k != "id" and not _masked_cell(kind, k, v)},
                             partial=True, text=True)
    row.errors.extend(problems)
    if not kind.updatable and not row.errors:
        # A ledger is append-only: an exported row imported back unchanged is fine, a changed one is refused.
        current = store.get(conn, kind, row.raw["id"]) or {}
        if any(comparable(v) != comparable(current.get(k)) for k, v in values.items()):
            row.errors.append(FieldViolation("id", "id.append_only", f"{kind.label}只能新增，不能修改已有记录（请留空编号）",
                                             f"{kind.name} records are append-only (leave the id empty)"))
    return values


class _Checker:
    """New rows checked like a create call: types and limits, masked numbers, references and
    dictionaries, the caller's region, duplicates within the file, the kind's rules; then derived."""

    def __init__(self, servicer, p, kind: Kind, resolver: references.Resolver):
        self.servicer, self.p, self.kind, self.resolver = servicer, p, kind, resolver
        self.ctx = servicer._context(p)
        self.seen_keys: dict = {}
        self.seconds = 0.0

    def check(self, chunk: list[Row]) -> list[tuple[Row, dict]]:
        """The rows of `chunk` that pass, with their records; the others get their errors."""
        started = time.perf_counter()
        try:
            return self._check(chunk)
        finally:
            self.seconds += time.perf_counter() - started

    def _check(self, chunk: list[Row]) -> list[tuple[Row, dict]]:
        kind, parsed = self.kind, []
        for row in chunk:
            masked = [f.name for f in kind.fields if f.mask and "*" in str(row.raw.get(f.name, ""))]
            values, problems = parse(kind, {k: v for k, v in row.raw.items() if k != "id"}, text=True)
            problems += [FieldViolation(m, f"{m}.masked", "不能用脱敏后的号码新建记录", "A masked number cannot create a record") for m in masked]
            row.errors.extend(problems)
            parsed.append((row, values))
        self.resolver.prefetch([v for r, v in parsed if not r.errors])
        good = []
        for row, values in parsed:
            if row.errors:
                continue
            record, enterprise, problems = dict(values), None, []
            try:
                record, enterprise, problems = self.resolver.resolve(record)
                problems += access.record_violations(self.p, kind, record, jurisdiction=self.servicer.jurisdiction)
            except PermissionDenied as refused:
                problems.append(FieldViolation("region_code" if kind.regional else "uscc", "row.forbidden", refused.detail_zh, refused.detail_en))
            if kind.key != "id":
                first = self.seen_keys.setdefault(record.get(kind.key), row.number)
                if first != row.number:
                    problems.append(FieldViolation(kind.key, f"{kind.key}.duplicate", f"与第{first}行重复", f"Duplicates row {first}"))
            if not problems and kind.check:
                problems = list(kind.check(record, dataclasses.replace(self.ctx, enterprise=enterprise)))
            if problems:
                row.errors.extend(problems)
                continue
            if kind.derive:
                record.update(kind.derive(record, self.ctx))
            good.append((row, record))
        return self._unique(good)

    def _unique(self, good: list[tuple[Row, dict]]) -> list[tuple[Row, dict]]:
        """Refuses rows that repeat an earlier row's unique fields, or a stored record's."""
        for fields in self.kind.unique:
            values = {tuple(r.get(f) for f in fields) for _, r in good}
            stored = store.taken(self.resolver.conn, self.kind, fields, [v for v in values if None not in v])
            kept = []
            for row, record in good:
                value = tuple(record.get(f) for f in fields)
                first = self.seen_keys.setdefault((fields, value), row.number) if None not in value else row.number
                if value in stored:
                    row.errors.append(spec.unique_violation(self.kind, fields))
                elif first != row.number:
                    row.errors.append(FieldViolation(fields[-1], f"{fields[-1]}.duplicate", f"与第{first}行重复", f"Duplicates row {first}"))
                else:
                    kept.append((row, record))
            good = kept
        return good


class _Writer:
    """Stores checked chunks of new records (create_records) on the import's connection, in a thread
    of its own, one chunk after the other, while the caller checks the next. The caller does not use
    the connection until the block ends; an error of the writer is raised there."""

    def __init__(self, conn, kind: Kind, *, actor: str):
        self.conn, self.kind, self.actor = conn, kind, actor
        self.created, self.seconds, self.tail_seconds = 0, 0.0, 0.0
        self._chunks: queue.Queue = queue.Queue(maxsize=2)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=f"import-{kind.name}", daemon=True)

    def __enter__(self) -> "_Writer":
        self._thread.start()
        return self

    def submit(self, records: list[dict]) -> None:
        if self._error is None and records:
            self._chunks.put(records)

    def _run(self) -> None:
        while (records := self._chunks.get()) is not None:
            if self._error is not None:
                continue  # drain: the caller learns of the error when the block ends
            started = time.perf_counter()
            try:
                self.created += len(create_records(self.conn, self.kind, records, actor=self.actor))
            except BaseException as exc:  # noqa: BLE001 — handed to the caller's thread
                self._error = exc
            self.seconds += time.perf_counter() - started

    def __exit__(self, *exc_info) -> None:
        started = time.perf_counter()
        self._chunks.put(None)
        self._thread.join()
        self.tail_seconds = time.perf_counter() - started
        if self._error is not None and exc_info[0] is None:
            raise self._error


def _masked_cell(kind: Kind, name: str, value) -> bool:
    f = kind.by_name.get(name)
    return f is not None and f.mask is not None and "*" in str(value)


def _split(conn, kind: Kind, rows: list[Row]) -> tuple[list[Row], list[Row]]:
    """Rows naming an existing record update it; the rest create."""
    if kind.key == "id":
        keyed = [r for r in rows if r.raw.get("id") not in (None, "")]
        for r in keyed:
            try:
                r.raw["id"] = int(str(r.raw["id"]).strip())
            except ValueError:
                r.errors.append(FieldViolation("id", "id.format", "编号应为数字", "The id must be a number"))
        existing = store.existing_keys(conn, kind, [r.raw["id"] for r in keyed if not r.errors])
        for r in keyed:
            if not r.errors and r.raw["id"] not in existing:
                r.errors.append(FieldViolation("id", "id.unknown", f"编号 {r.raw['id']} 的记录不存在（新增记录请留空编号）",
                                               f"No record {r.raw['id']} (leave the id empty to create)"))
        return [r for r in rows if r.raw.get("id") in (None, "")], keyed
    keys = [str(r.raw.get(kind.key, "")).strip().upper() for r in rows]
    existing = store.existing_keys(conn, kind, [k for k in keys if k])
    updates = []
    for r, k in zip(rows, keys):
        if k in existing:
            r.raw["id"] = k
            updates.append(r)
    return [r for r in rows if r.raw.get("id") is None], updates


def _current_version(conn, kind: Kind, key) -> int:
    row = store.get(conn, kind, key)
    return row["version"] if row else 0


def _create_one_by_one(conn, servicer, p, kind: Kind, ready: list[tuple[Row, dict]]) -> int:
    """Ledger rows depend on each other's balances: created one at a time, in order, by the servicer."""
    for row, record in ready:
        try:
            with conn.transaction():
                servicer._insert(conn, p, kind, record, servicer._context(p))
        except InvalidArgument as refused:
            row.errors.extend(refused.violations)
    return sum(1 for row, _ in ready if not row.errors)


def create_records(conn, kind: Kind, records: list[dict], *, actor: str, events_too: bool = True,
                   returning: tuple[str, ...] | None = None) -> list[dict]:
    """What the servicer records for one created record — the row, its history entry and its change
    event — for many at once, built by PostgreSQL from the stored rows (store.create_many)."""
    outbox = (lambda source, columns: events.outbox_insert(kind, source, columns, operation="created", actor=actor)) \
        if events_too else None
    return store.create_many(conn, kind, records, actor=actor, outbox=outbox, returning=returning)


def _report(kind: Kind, response: pb.ImportRecordsResponse, rows: list[Row]) -> None:
    for r in rows:
        for e in r.errors:
            response.errors.add(row=r.number, column=_column_of(kind, e.field), field=e.field, code=e.code,
                                message_zh=e.message_zh, message_en=e.message_en)
