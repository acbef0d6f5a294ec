"""Views through the REST catalog. PyIceberg 0.12 creates, loads, lists, checks and drops views;
it cannot replace (commit a new version) or rename them, and it runs no SQL, so the SQL is only
stored and returned."""
from __future__ import annotations

import pytest
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchViewError, ViewAlreadyExistsError

from views import VIEW_SCHEMA, version


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
