"""Error answers PyIceberg maps to its exception classes: each needs the right status and type."""
from __future__ import annotations

import os

import pytest
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import (
    NamespaceNotEmptyError,
    NoSuchNamespaceError,
    NoSuchTableError,
    NoSuchViewError,
    RESTError,
    TableAlreadyExistsError,
    ViewAlreadyExistsError,
)

import sales
import views
from lakecat_api import unique


def test_missing_things(catalog: Catalog, namespace: str) -> None:
    missing_ns = unique("missing")
    with pytest.raises(NoSuchNamespaceError):
        catalog.create_table((missing_ns, "t"), sales.SCHEMA)
    with pytest.raises(NoSuchNamespaceError):
        catalog.list_tables(missing_ns)
    with pytest.raises(NoSuchNamespaceError):
        catalog.list_views(missing_ns)
    with pytest.raises(NoSuchNamespaceError):
        catalog.update_namespace_properties(missing_ns, updates={"a": "b"})
    with pytest.raises(NoSuchTableError):
        catalog.drop_table((namespace, "missing"))
    with pytest.raises(NoSuchViewError):
        catalog.drop_view((namespace, "missing"))
    with pytest.raises(NoSuchTableError):
        catalog.rename_table((namespace, "missing"), (namespace, "other"))
    with pytest.raises(RESTError, match="does not exist"):
        catalog.register_table((namespace, "reg"), f"{os.environ['LAKECAT_WAREHOUSE']}/{unique('nothing')}/v1.metadata.json")
    assert not catalog.table_exists((namespace, "reg"))


def test_tables_and_views_share_one_name_space(catalog: Catalog, namespace: str) -> None:
    catalog.create_table((namespace, "t"), sales.SCHEMA)
    catalog.create_view((namespace, "v"), views.VIEW_SCHEMA, views.version(namespace, "SELECT 1"))
    with pytest.raises(TableAlreadyExistsError):
        catalog.create_table((namespace, "v"), sales.SCHEMA)
    with pytest.raises(ViewAlreadyExistsError):
        catalog.create_view((namespace, "t"), views.VIEW_SCHEMA, views.version(namespace, "SELECT 1"))
    with pytest.raises(TableAlreadyExistsError):
        catalog.rename_table((namespace, "t"), (namespace, "v"))
    with pytest.raises(NoSuchTableError):
        catalog.load_table((namespace, "v"))
    with pytest.raises(NoSuchViewError):
        catalog.load_view((namespace, "t"))
    assert not catalog.table_exists((namespace, "v"))
    assert not catalog.view_exists((namespace, "t"))


def test_namespace_with_children_is_not_empty(catalog: Catalog) -> None:
    parent = unique("ns")
    catalog.create_namespace(parent)
    catalog.create_namespace((parent, "child"))
    with pytest.raises(NamespaceNotEmptyError):
        catalog.drop_namespace(parent)
    assert catalog.namespace_exists((parent, "child"))
    catalog.drop_namespace((parent, "child"))
    catalog.drop_namespace(parent)
    assert not catalog.namespace_exists(parent)


def test_explicit_table_location_is_kept(catalog: Catalog, namespace: str) -> None:
    location = f"{os.environ['LAKECAT_WAREHOUSE']}/custom/{unique('loc')}"
    table = catalog.create_table((namespace, "t"), sales.SCHEMA, location=location)
    table.append(sales.rows((1, "a", "2024-01-01T00:00:00", 1.0)))
    fresh = catalog.load_table((namespace, "t"))
    assert fresh.location() == location
    assert fresh.metadata_location.startswith(f"{location}/metadata/")
    assert all(t.file.file_path.startswith(f"{location}/data/") for t in fresh.scan().plan_files())
