"""Names and helpers shared by the Trino tests."""

from __future__ import annotations

import os
import urllib.parse

import trino

MAIN = "lakecat_main"  # Trino catalog pinned to lakecat's branch main
DEV = "lakecat_dev"  # pinned to branch dev


class Trino:
    """One Trino connection with plain helpers. Every statement is read to its end, so a write
    has been committed to lakecat when `sql` returns."""

    def __init__(self, url: str):
        parts = urllib.parse.urlsplit(url)
        self.conn = trino.dbapi.connect(
            host=parts.hostname,
            port=parts.port,
            http_scheme=parts.scheme,
            user="lakecat-conformance",
            # Timestamps read back and time travel by timestamp are in UTC.
            timezone="UTC",
            request_timeout=120,
        )

    def sql(self, statement: str) -> list[tuple]:
        cur = self.conn.cursor()
        cur.execute(statement)
        return [tuple(row) for row in cur.fetchall()]

    def scalar(self, statement: str):
        rows = self.sql(statement)
        assert len(rows) == 1 and len(rows[0]) == 1, rows
        return rows[0][0]

    def close(self) -> None:
        self.conn.close()


def schema_location(schema: str) -> str:
    """A folder for a schema's tables inside the stack's warehouse (with-stack.sh)."""
    return f"{os.environ['LAKECAT_WAREHOUSE'].rstrip('/')}/trino/{schema}"


def meta(table: str, kind: str) -> str:
    """`cat.schema.t` -> `cat.schema."t$kind"`, Trino's name for an Iceberg metadata table."""
    catalog, schema, name = table.split(".")
    return f'{catalog}.{schema}."{name}${kind}"'


def snapshots(db: Trino, table: str) -> list[tuple]:
    """(snapshot_id, parent_id, operation, committed_at, summary) of `table`, oldest first."""
    return db.sql(
        f"SELECT snapshot_id, parent_id, operation, committed_at, summary FROM {meta(table, 'snapshots')} "
        "ORDER BY committed_at, snapshot_id"
    )


def error_name(err: BaseException) -> str:
    """Trino's error name (TABLE_NOT_FOUND, ...) of a failed statement, or the exception text."""
    return getattr(err, "error_name", None) or str(err)


def current_schema(metadata: dict) -> dict:
    """The current schema of a table's metadata as lakecat's loadTable returns it."""
    return next(s for s in metadata["schemas"] if s["schema-id"] == metadata["current-schema-id"])


def current_snapshot(metadata: dict) -> dict:
    """The current snapshot of a table's metadata as lakecat's loadTable returns it."""
    return next(s for s in metadata["snapshots"] if s["snapshot-id"] == metadata["current-snapshot-id"])
