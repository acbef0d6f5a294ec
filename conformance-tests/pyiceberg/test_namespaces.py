"""Catalog configuration and namespaces."""
from __future__ import annotations

import pytest
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import (
    NamespaceAlreadyExistsError,
    NamespaceNotEmptyError,
    NoSuchNamespaceError,
)
from pyiceberg.schema import Schema
from pyiceberg.types import LongType, NestedField

import views
from lakecat_api import Lakecat, unique


def test_config_prefix_names_the_branch(lakecat: Lakecat, dev_branch: str) -> None:
    assert lakecat.config().json()["overrides"]["prefix"] == "main"
    assert lakecat.config("main").json()["overrides"]["prefix"] == "main"
    assert lakecat.config(dev_branch).json()["overrides"]["prefix"] == dev_branch
    assert lakecat.catalog(dev_branch).properties["prefix"] == dev_branch
    missing = lakecat.config(unique("nobranch"))
    assert missing.status_code == 404, missing.text


def test_namespace_lifecycle(catalog: Catalog) -> None:
    name = unique("ns")
    catalog.create_namespace(name, {"owner": "alice", "purpose": "conformance"})
    assert (name,) in catalog.list_namespaces()
    assert catalog.namespace_exists(name)
    props = catalog.load_namespace_properties(name)
    assert props["owner"] == "alice" and props["purpose"] == "conformance"

    with pytest.raises(NamespaceAlreadyExistsError):
        catalog.create_namespace(name)

    summary = catalog.update_namespace_properties(name, removals={"purpose", "never-set"}, updates={"owner": "bob", "tier": "gold"})
    assert summary.removed == ["purpose"]
    assert sorted(summary.updated) == ["owner", "tier"]
    assert summary.missing == ["never-set"]
    props = catalog.load_namespace_properties(name)
    assert props["owner"] == "bob" and props["tier"] == "gold" and "purpose" not in props

    catalog.drop_namespace(name)
    assert not catalog.namespace_exists(name)
    assert (name,) not in catalog.list_namespaces()
    with pytest.raises(NoSuchNamespaceError):
        catalog.load_namespace_properties(name)
    with pytest.raises(NoSuchNamespaceError):
        catalog.drop_namespace(name)


def test_nested_namespaces(catalog: Catalog) -> None:
    parent = unique("ns")
    catalog.create_namespace(parent)
    catalog.create_namespace((parent, "child_a"))
    catalog.create_namespace((parent, "child_b"))
    assert sorted(catalog.list_namespaces(parent)) == [(parent, "child_a"), (parent, "child_b")]
    assert catalog.namespace_exists((parent, "child_a"))
    assert (parent, "child_a") not in catalog.list_namespaces()


def test_drop_non_empty_namespace_is_refused(catalog: Catalog) -> None:
    name = unique("ns")
    catalog.create_namespace(name)
    catalog.create_table((name, "t"), Schema(NestedField(1, "id", LongType(), required=False)))
    with pytest.raises(NamespaceNotEmptyError):
        catalog.drop_namespace(name)
    catalog.drop_table((name, "t"))
    catalog.drop_namespace(name)
    assert not catalog.namespace_exists(name)


@pytest.mark.parametrize("suffix", [" with space", "-ünïcödé", "%41", "a/b", "dot.ted"])
def test_names_that_need_escaping(catalog: Catalog, suffix: str) -> None:
    # Listing children of such a parent is left out: PyIceberg 0.12 percent-encodes the `parent`
    # query value twice, so no server decoding it once (as the spec and Iceberg Java do) finds it.
    parent = unique("ns")
    name = (parent, f"child{suffix}")
    catalog.create_namespace(parent)
    catalog.create_namespace(name, {"k": suffix})
    assert catalog.namespace_exists(name)
    assert catalog.load_namespace_properties(name)["k"] == suffix
    assert catalog.list_namespaces(parent) == [name]
    ident = (*name, f"table{suffix}")
    catalog.create_table(ident, Schema(NestedField(1, "id", LongType(), required=False)))
    assert catalog.list_tables(name) == [ident]
    assert catalog.load_table(ident).name() == ident
    catalog.drop_table(ident)
    catalog.drop_namespace(name)
    assert not catalog.namespace_exists(name)


def test_paged_listings(lakecat: Lakecat, branch: str) -> None:
    paged = lakecat.catalog(None if branch == "main" else branch, **{"rest-page-size": "2"})
    ns = unique("ns")
    paged.create_namespace(ns)
    tables = [(ns, f"t{n}") for n in range(5)]
    for ident in tables:
        paged.create_table(ident, Schema(NestedField(1, "id", LongType(), required=False)))
    for n in range(5):
        paged.create_view((ns, f"v{n}"), views.VIEW_SCHEMA, views.version(ns, "SELECT 1"))
    assert sorted(paged.list_tables(ns)) == tables
    assert sorted(paged.list_views(ns)) == [(ns, f"v{n}") for n in range(5)]
