"""Structured JSON logs, one object per line, carrying the request id and trace context."""
from __future__ import annotations

import logging
import os
import sys
from datetime import datetime, timezone

import orjson

from services.kit import context


class JsonFormatter(logging.Formatter):
    def __init__(self, service: str):
        super().__init__()
        self.service = service

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": self.service,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        rid = context.request_id.get()
        if rid:
            entry["request_id"] = rid
        tc = context.trace.get()
        if tc:
            entry["trace_id"], entry["span_id"] = tc.trace_id, tc.span_id
        extra = getattr(record, "fields", None)
        if extra:
            entry.update(extra)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return orjson.dumps(entry, default=str, option=orjson.OPT_NON_STR_KEYS).decode()


def setup(service: str) -> None:
    handler = logging.StreamHandler(sys.stdout)
    handler.setFormatter(JsonFormatter(service))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(os.environ.get("SAFETY_LOG_LEVEL", "INFO").upper())
    # kafka-python logs every reconnect attempt at INFO/WARNING; an outage would flood the log.
    logging.getLogger("kafka").setLevel(logging.ERROR)


def fields(**kv) -> dict:
    """`log.info("msg", extra=fields(uscc=...))` adds structured fields to the line."""
    return {"fields": kv}
