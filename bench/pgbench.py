"""The raw PostgreSQL ceiling of a route: the route's own SQL run by pgbench, PostgreSQL's load
generator (from the server package `make up` installs), with nothing in between."""
from __future__ import annotations

import os
import re
import subprocess
import tempfile

from infra.platformctl import PG_BIN

PGBENCH = str(PG_BIN / "pgbench")


def pgbench(dsn: str, statements: list[str], clients: int, seconds: int) -> dict:
    """The same SQL straight to PostgreSQL with pgbench (one script per variant, drawn at random),
    no HTTP, gateway or service in between: the ceiling of a route on this machine."""
    with tempfile.TemporaryDirectory() as tmp:
        files = []
        for i, text in enumerate(statements):
            path = os.path.join(tmp, f"v{i}.sql")
            with open(path, "w") as f:
                f.write(text + "\n")
            files += ["-f", path]
        cmd = [PGBENCH, "-n", "-c", str(clients), "-j", "2", "-T", str(seconds), "-l", "--log-prefix", os.path.join(tmp, "log"),
               *files, dsn]
        out = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "PGTZ": "Asia/Shanghai"})
        if out.returncode != 0:
            return {"error": (out.stderr or out.stdout)[-500:]}
        latencies = []
        for name in os.listdir(tmp):
            if name.startswith("log"):
                with open(os.path.join(tmp, name)) as log:
                    latencies += [int(line.split()[2]) for line in log]  # client, transaction, latency in µs, ...
    latencies.sort()
    tps = float(re.search(r"tps = ([\d.]+)", out.stdout).group(1))

    def pct(q):
        return round(latencies[min(len(latencies) - 1, int(q * len(latencies)))] / 1000, 2) if latencies else None
    return {"tps": round(tps, 1), "p50_ms": pct(0.5), "p99_ms": pct(0.99), "transactions": len(latencies), "clients": clients}


class Recording:
    """Stands in for a connection to a store function and keeps the SQL it runs, with its values
    bound (as pgbench needs it); each statement is also run, since the store may use what it returns."""

    def __init__(self, conn):
        import psycopg
        self.conn, self.statements, self._mogrify = conn, [], psycopg.ClientCursor(conn).mogrify
        self._cursor = None

    def cursor(self, row_factory=None):
        self._cursor = self.conn.cursor(row_factory=row_factory)
        return self

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        if self._cursor is not None:
            self._cursor.close()
            self._cursor = None
        return False

    def execute(self, query, params=None):
        self.statements.append(self._mogrify(query, params) + ";")
        return (self._cursor if self._cursor is not None else self.conn).execute(query, params)
