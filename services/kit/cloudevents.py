"""CloudEvents 1.0 in Kafka binary mode: attributes as `ce_*` headers, data as the record value,
the aggregate id as the record key. Data is the proto3 JSON form of the message named by `ce_type`
(field names as in the .proto), so integrators can read it without generated code."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone

from google.protobuf import json_format
from google.protobuf.message import Message

SPEC_VERSION = "1.0"
CONTENT_TYPE = "application/json"


class MalformedEvent(ValueError):
    """A record that is not a CloudEvent we can read; it goes to the dead-letter topic."""


@dataclass(frozen=True)
class CloudEvent:
    id: str
    source: str
    type: str
    subject: str
    time: datetime
    data: bytes
    content_type: str = CONTENT_TYPE
    dataschema: str | None = None
    extensions: dict[str, str] = field(default_factory=dict)

    def headers(self) -> list[tuple[str, bytes]]:
        h = {
            "ce_id": self.id,
            "ce_source": self.source,
            "ce_type": self.type,
            "ce_specversion": SPEC_VERSION,
            "ce_time": self.time.astimezone(timezone.utc).isoformat().replace("+00:00", "Z"),
            "ce_subject": self.subject,
            "content-type": self.content_type,
        }
        if self.dataschema:
            h["ce_dataschema"] = self.dataschema
        for k, v in self.extensions.items():
            h[f"ce_{k}"] = v
        return [(k, v.encode()) for k, v in h.items()]

    def decode(self, message_class: type[Message]) -> Message:
        try:
            return json_format.Parse(self.data, message_class(), ignore_unknown_fields=True)
        except json_format.ParseError as exc:
            raise MalformedEvent(f"data is not a {message_class.DESCRIPTOR.full_name}: {exc}") from exc


def new_event(*, source: str, type: str, subject: str, message: Message, extensions: dict[str, str] | None = None,
              event_id: str | None = None) -> CloudEvent:
    return CloudEvent(
        id=event_id or str(uuid.uuid4()),
        source=source,
        type=type,
        subject=subject,
        time=datetime.now(timezone.utc),
        data=json_format.MessageToJson(message, preserving_proto_field_name=True, indent=None).encode(),
        dataschema=f"proto:{message.DESCRIPTOR.full_name}",
        extensions=extensions or {},
    )


_REQUIRED = ("ce_id", "ce_source", "ce_type", "ce_specversion")


def from_record(headers: list[tuple[str, bytes]] | None, value: bytes | None) -> CloudEvent:
    h = {}
    for k, v in headers or ():
        if v is None:  # Kafka allows null header values; treat them as absent
            continue
        try:
            h[k] = v.decode() if isinstance(v, (bytes, bytearray)) else str(v)
        except UnicodeDecodeError as exc:
            raise MalformedEvent(f"header {k} is not UTF-8") from exc
    missing = [k for k in _REQUIRED if not h.get(k)]
    if missing:
        raise MalformedEvent(f"missing CloudEvents headers: {', '.join(missing)}")
    if h["ce_specversion"] != SPEC_VERSION:
        raise MalformedEvent(f"unsupported specversion {h['ce_specversion']}")
    try:
        time = datetime.fromisoformat(h["ce_time"].replace("Z", "+00:00")) if h.get("ce_time") else datetime.now(timezone.utc)
    except ValueError as exc:
        raise MalformedEvent("ce_time is not RFC 3339") from exc
    known = {"ce_id", "ce_source", "ce_type", "ce_specversion", "ce_time", "ce_subject", "ce_dataschema"}
    return CloudEvent(
        id=h["ce_id"], source=h["ce_source"], type=h["ce_type"], subject=h.get("ce_subject", ""),
        time=time, data=value or b"", content_type=h.get("content-type", CONTENT_TYPE),
        dataschema=h.get("ce_dataschema"),
        extensions={k[3:]: v for k, v in h.items() if k.startswith("ce_") and k not in known},
    )
