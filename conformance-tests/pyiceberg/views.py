"""The view most tests create: its schema and a SQL version of it."""
from __future__ import annotations

from pyiceberg.schema import Schema
from pyiceberg.types import DoubleType, NestedField, StringType
from pyiceberg.view.metadata import SQLViewRepresentation, ViewVersion

VIEW_SCHEMA = Schema(
    NestedField(1, "category", StringType(), required=False),
    NestedField(2, "total", DoubleType(), required=False),
)


def version(namespace: str, sql: str) -> ViewVersion:
    return ViewVersion(
        version_id=1,
        schema_id=0,
        summary={"engine-name": "pyiceberg", "engine-version": "0.12.0"},
        representations=[SQLViewRepresentation(type="sql", sql=sql, dialect="spark")],
        default_namespace=(namespace,),
    )
