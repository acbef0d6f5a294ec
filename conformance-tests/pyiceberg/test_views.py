"""Views through the REST catalog: PyIceberg 0.12 creates, loads, lists and drops them (it has no
view query engine, so the SQL is stored and returned, not run)."""
from __future__ import annotations

import pytest
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchViewError, ViewAlreadyExistsError
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


def test_view_lifecycle(catalog: Catalog, namespace: str) -> None:
    sql = "SELECT category, sum(amount) AS total FROM sales GROUP BY category"
    ident = (namespace, "totals")
    created = catalog.create_view(ident, VIEW_SCHEMA, version(namespace, sql), properties={"comment": "sales per category"})
    assert created.name() == ident

    view = catalog.load_view(ident)
    current = view.current_version()
    assert [(r.root.sql, r.root.dialect) for r in current.representations] == [(sql, "spark")]
    assert tuple(current.default_namespace) == (namespace,)
    assert [(f.name, str(f.field_type)) for f in view.schema().fields] == [("category", "string"), ("total", "double")]
    assert view.metadata.properties["comment"] == "sales per category"
    assert view.metadata.format_version == 1
    assert view.metadata.location.startswith("s3://")

    assert catalog.list_views(namespace) == [ident]
    assert catalog.view_exists(ident)
    assert catalog.list_tables(namespace) == []
    with pytest.raises(ViewAlreadyExistsError):
        catalog.create_view(ident, VIEW_SCHEMA, version(namespace, sql))

    catalog.drop_view(ident)
    assert not catalog.view_exists(ident)
    with pytest.raises(NoSuchViewError):
        catalog.load_view(ident)
    assert catalog.list_views(namespace) == []
