"""Fixtures of the DuckDB suite: DuckDB connections with lakecat attached through DuckDB's
Iceberg REST catalog support (one attached database per branch, by warehouse name), and PyIceberg
catalogs on the same branches to write what DuckDB reads and read what it writes."""
from __future__ import annotations

import importlib
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import duckdb
import pytest
from pyiceberg.catalog import Catalog, load_catalog

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib", "python"))

import lakecat_client  # noqa: E402

EXTENSIONS = ("httpfs", "avro", "iceberg")


def unique(prefix: str) -> str:
    """A name no earlier run used, so the suite can run again against the same catalog."""
    return f"{prefix}_{uuid.uuid4().hex[:10]}"


def extension_file(name: str) -> str:
    """The extension binary shipped in the `duckdb-extension-<name>` package."""
    package = Path(importlib.import_module(f"duckdb_extension_{name}").__file__).parent
    files = sorted(package.rglob("*.duckdb_extension"))
    if not files:
        raise RuntimeError(f"duckdb-extension-{name} holds no extension file under {package}")
    return str(files[0])


def connect() -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB with the extensions loaded from their packages (no downloads)."""
    con = duckdb.connect()
    con.execute("SET autoinstall_known_extensions = false")
    con.execute("SET autoload_known_extensions = false")
    for name in EXTENSIONS:
        con.execute(f"LOAD '{extension_file(name)}'")
    return con


def attach(con: duckdb.DuckDBPyConnection, warehouse: str, alias: str) -> None:
    """lakecat's `warehouse` (a branch, a tag, `name@hash`) as database `alias`; storage keys are
    the ones lakecat vends with each table."""
    con.execute(f"ATTACH '{warehouse}' AS {alias} (TYPE iceberg, ENDPOINT '{lakecat_client.base_url()}', AUTHORIZATION_TYPE 'none')")


@pytest.fixture(scope="session")
def dev_branch() -> str:
    lakecat_client.ensure_branch("dev", "main")
    return "dev"


@pytest.fixture
def duck(dev_branch: str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A DuckDB connection with `main` attached as `lake` and `dev` as `lake_dev`."""
    con = connect()
    attach(con, "main", "lake")
    attach(con, dev_branch, "lake_dev")
    yield con
    con.close()


@pytest.fixture
def pyiceberg() -> Callable[[str], Catalog]:
    """PyIceberg's REST catalog on a branch."""
    return lambda branch: load_catalog(f"lakecat-{branch}", type="rest", uri=lakecat_client.base_url(), warehouse=branch)
