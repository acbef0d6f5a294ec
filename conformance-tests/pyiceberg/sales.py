"""The small sales table most tests write: its Iceberg schema, the matching Arrow schema, rows."""
from __future__ import annotations

from datetime import datetime
from typing import Any

import pyarrow as pa
from pyiceberg.schema import Schema
from pyiceberg.table import Table
from pyiceberg.types import DoubleType, LongType, NestedField, StringType, TimestampType

SCHEMA = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "category", StringType(), required=False),
    NestedField(3, "ts", TimestampType(), required=False),
    NestedField(4, "amount", DoubleType(), required=False),
)

ARROW_SCHEMA = pa.schema(
    [
        pa.field("id", pa.int64(), nullable=False),
        pa.field("category", pa.string()),
        pa.field("ts", pa.timestamp("us")),
        pa.field("amount", pa.float64()),
    ]
)


def rows(*values: tuple[int, str, str, float]) -> pa.Table:
    """Arrow rows from (id, category, ISO day or datetime, amount)."""
    return pa.Table.from_pylist(
        [{"id": i, "category": c, "ts": datetime.fromisoformat(t), "amount": a} for i, c, t, a in values],
        schema=ARROW_SCHEMA,
    )


def read(table: Table, *columns: str, **scan: Any) -> list[dict[str, Any]]:
    """The table's rows (optionally projected and filtered) as dicts sorted by id."""
    fields = columns or ("*",)
    return sorted(table.scan(selected_fields=fields, **scan).to_arrow().to_pylist(), key=lambda r: r["id"])


def ids(table: Table, **scan: Any) -> list[int]:
    return [r["id"] for r in read(table, "id", **scan)]
