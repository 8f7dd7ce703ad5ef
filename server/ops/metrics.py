"""The Prometheus metrics of one worker process (docs/operations.md, "Metrics").

One registry of our own (not the library's global one, so tests and a second app in one process
share nothing unexpected). Each worker counts what it served since it started; with
`--workers N` a scrape reaches one worker (see the docs).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from tortoise import connections

REGISTRY = CollectorRegistry()

REQUESTS = Counter(
    "langso_http_requests",
    "HTTP requests answered, by method, route template and status.",
    ["method", "route", "status"],
    registry=REGISTRY,
)
LATENCY = Histogram(
    "langso_http_request_duration_seconds",
    "Time to answer a request, by method and route template.",
    ["method", "route"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
    registry=REGISTRY,
)
SYNC_MUTATIONS = Counter(
    "langso_sync_mutations",
    "Mutations pushed by devices, by receipt status (applied, conflict, rejected, ...).",
    ["status"],
    registry=REGISTRY,
)
PULL_RECORDS = Counter(
    "langso_sync_pull_records", "Changes sent to devices by pulls.", registry=REGISTRY
)
PULLS = Counter("langso_sync_pulls", "Pull requests answered.", registry=REGISTRY)
POOL_SIZE = Gauge(
    "langso_db_pool_connections",
    "PostgreSQL connections held by this worker's pool (0 on SQLite).",
    registry=REGISTRY,
)
POOL_IDLE = Gauge(
    "langso_db_pool_idle_connections",
    "PostgreSQL connections of the pool not in use (0 on SQLite).",
    registry=REGISTRY,
)

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"


def count_receipts(receipts: Iterable[dict[str, Any]]) -> None:
    """Count a push's receipts by status."""
    by_status: dict[str, int] = {}
    for receipt in receipts:
        status = str(receipt.get("status", "unknown"))[:20]
        by_status[status] = by_status.get(status, 0) + 1
    for status, count in by_status.items():
        SYNC_MUTATIONS.labels(status=status).inc(count)


def count_pull(records: int) -> None:
    """Count one pull and the changes it sent."""
    PULLS.inc()
    PULL_RECORDS.inc(records)


def exposition() -> bytes:
    """The metrics in the Prometheus text format, the pool read as of now."""
    pool = _pool()
    if pool is not None:
        POOL_SIZE.set(pool.get_size())
        POOL_IDLE.set(pool.get_idle_size())
    return generate_latest(REGISTRY)


def _pool() -> Any:
    """The asyncpg pool of the default connection, when there is one."""
    try:
        client = connections.get("default")
    except Exception:  # no database configured: no pool to show
        return None
    pool = getattr(client, "_pool", None)
    return pool if hasattr(pool, "get_idle_size") else None
