"""Fixtures: every catalog-level test runs twice, on `main` (the server's default branch, no
warehouse given) and on `dev` (warehouse=dev, a branch made from main through the Nessie API)."""
from __future__ import annotations

from collections.abc import Iterator

import pytest
from pyiceberg.catalog import Catalog

from lakecat_api import Lakecat, unique

DEV = "dev"


@pytest.fixture(scope="session")
def lakecat() -> Lakecat:
    return Lakecat.from_env()


@pytest.fixture(scope="session")
def dev_branch(lakecat: Lakecat) -> str:
    lakecat.ensure_branch(DEV, "main")
    return DEV


@pytest.fixture(params=["main", DEV])
def branch(request: pytest.FixtureRequest, dev_branch: str) -> str:
    return request.param


@pytest.fixture
def catalog(lakecat: Lakecat, branch: str) -> Catalog:
    return lakecat.catalog(None if branch == "main" else branch)


@pytest.fixture
def namespace(catalog: Catalog) -> Iterator[str]:
    """A fresh namespace; dropped with its tables and views afterwards when the test left it droppable."""
    name = unique("ns")
    catalog.create_namespace(name)
    yield name
    try:
        for ident in catalog.list_views(name):
            catalog.drop_view(ident)
        for ident in catalog.list_tables(name):
            catalog.drop_table(ident)
        catalog.drop_namespace(name)
    except Exception:  # cleanup only; a failing test already reported the real problem
        pass
