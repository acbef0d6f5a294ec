"""Fixtures of the promotion workflow: the run's state shared by the ordered steps, PyIceberg
catalogs pinned by `warehouse`, and one Spark session whose Iceberg REST catalogs are pinned the
same way (`lake` to main, `lake_dev` to the run's dev branch; more are added at run time).

Runs under run.sh inside conformance-tests/with-stack.sh (LAKECAT_URL, LAKECAT_SPARK_JARS), and
optionally inside conformance-tests/trino/with-trino.sh (TRINO_URL)."""

from __future__ import annotations

import os
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib", "python"))

import lakecat_client  # noqa: E402

MAIN_CATALOG = "lake"
DEV_CATALOG = "lake_dev"
LAYERS = ("raw", "bronze", "silver", "gold")


@dataclass
class Workflow:
    """What the steps hand on to each other. A step that needs an earlier one calls `require`,
    so a broken step fails the steps after it with a pointer instead of a confusing error."""

    run_id: str
    branch: str
    namespaces: dict[str, str] = field(default_factory=dict)  # layer -> namespace name
    done: set[str] = field(default_factory=set)
    fork_hash: str = ""
    main_side_table: tuple = ()
    served_at_start: dict = field(default_factory=dict)
    main_namespaces_before: list = field(default_factory=list)
    gold_on_dev: list = field(default_factory=list)
    main_before_merge: dict = field(default_factory=dict)
    before_merge_ms: int = 0
    merge_hash: str = ""

    def require(self, *steps: str) -> None:
        missing = [s for s in steps if s not in self.done]
        if missing:
            pytest.fail(f"an earlier step did not complete: {', '.join(missing)}", pytrace=False)

    def table(self, layer: str, name: str) -> tuple[str, str]:
        return (self.namespaces[layer], name)

    def sql_name(self, catalog: str, layer: str, name: str) -> str:
        return f"{catalog}.{self.namespaces[layer]}.{name}"

    def tables(self) -> list[tuple[str, str]]:
        """Every table the workflow builds, as (namespace, name)."""
        return [
            self.table("raw", "sensors"),
            self.table("raw", "readings"),
            self.table("bronze", "readings"),
            self.table("silver", "readings"),
            self.table("gold", "daily_category"),
        ]


@pytest.fixture(scope="session")
def workflow() -> Workflow:
    run_id = f"{time.strftime('%H%M%S')}_{uuid.uuid4().hex[:6]}"
    return Workflow(run_id=run_id, branch=f"dev_{run_id}")


@pytest.fixture(scope="session")
def lakecat():
    return lakecat_client


@pytest.fixture(scope="session")
def pyiceberg_catalog():
    """Makes a PyIceberg REST catalog pinned to a warehouse (a branch, `name@hash`, `name*time`).
    Storage settings come only from what lakecat vends."""
    from pyiceberg.catalog import load_catalog

    def make(warehouse: str):
        return load_catalog(f"lakecat-{warehouse}", type="rest", uri=lakecat_client.base_url(), warehouse=warehouse)

    return make


def spark_catalog_conf(name: str, warehouse: str) -> dict:
    prefix = f"spark.sql.catalog.{name}"
    return {
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.type": "rest",
        f"{prefix}.uri": lakecat_client.base_url(),
        f"{prefix}.warehouse": warehouse,
        f"{prefix}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        # Branches move behind Spark's back (the merge goes through the Nessie API), so every
        # statement loads its tables afresh instead of from Spark's table cache.
        f"{prefix}.cache-enabled": "false",
    }


@pytest.fixture(scope="session")
def spark(workflow: Workflow):
    """Started on first use, after step 1 made the dev branch (`lake_dev` asks lakecat for the
    config of warehouse=<branch> when Spark first touches it)."""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]")
        .appName("lakecat-promotion")
        .config("spark.jars", os.environ["LAKECAT_SPARK_JARS"])
        .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.defaultCatalog", MAIN_CATALOG)
        .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="lakecat-promotion-"))
    )
    conf = {**spark_catalog_conf(MAIN_CATALOG, "main"), **spark_catalog_conf(DEV_CATALOG, workflow.branch)}
    for key, value in conf.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("WARN")
    yield session
    session.stop()


def add_spark_catalog(spark, name: str, warehouse: str) -> None:
    for key, value in spark_catalog_conf(name, warehouse).items():
        spark.conf.set(key, value)


def requests_between(before: dict, after: dict) -> dict:
    """The requests lakecat served between two `lakecat_client.http_request_counts()` readings."""
    return {k: n - before.get(k, 0) for k, n in after.items() if n > before.get(k, 0)}
