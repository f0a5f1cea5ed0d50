"""Times leave the gateway in Asia/Shanghai (ISO 8601 with +08:00)."""
from datetime import datetime
from zoneinfo import ZoneInfo

from google.protobuf.timestamp_pb2 import Timestamp

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(ts: Timestamp) -> datetime:
    return ts.ToDatetime(tzinfo=SHANGHAI)
