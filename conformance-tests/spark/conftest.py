"""One Spark session for the whole suite, with two Iceberg REST catalogs on one lakecat:
`lake` pinned to the `main` branch and `lake_dev` pinned to `dev` (the warehouse names the branch,
lakecat answers it as the prefix). Table I/O goes through S3FileIO configured only by what lakecat
vends in each table's `config` (endpoint, path style, keys, region): the session knows no S3
settings of its own, so a missing vended property shows up as a failing test.

Runs under run.sh, inside conformance-tests/with-stack.sh (LAKECAT_URL, LAKECAT_SPARK_JARS)."""

import os
import sys
import tempfile
import time
import uuid

import pytest

# The HTTP helpers shared by the Python suites (Nessie API v2, raw Iceberg REST reads).
sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib", "python"))
import lakecat_client  # noqa: E402
from support import DEV_CATALOG, MAIN_CATALOG


def _catalog_conf(name: str, warehouse: str) -> dict:
    prefix = f"spark.sql.catalog.{name}"
    return {
        prefix: "org.apache.iceberg.spark.SparkCatalog",
        f"{prefix}.type": "rest",
        f"{prefix}.uri": os.environ["LAKECAT_URL"],
        f"{prefix}.warehouse": warehouse,
        f"{prefix}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        # Tables change behind Spark's back (branch merges through the Nessie API), so every
        # statement loads the table afresh instead of from Spark's 30 s table cache.
        f"{prefix}.cache-enabled": "false",
    }


@pytest.fixture(scope="session")
def spark():
    # The dev branch must exist before `lake_dev` asks lakecat for its config (warehouse=dev).
    lakecat_client.ensure_branch("dev")

    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]")
        .appName("lakecat-spark-conformance")
        .config("spark.jars", os.environ["LAKECAT_SPARK_JARS"])
        .config("spark.sql.extensions", "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.defaultCatalog", MAIN_CATALOG)
        # Spark's built-in catalog is unused; keep its empty warehouse folder out of the source tree.
        .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix="lakecat-spark-"))
    )
    for key, value in {**_catalog_conf(MAIN_CATALOG, "main"), **_catalog_conf(DEV_CATALOG, "dev")}.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("WARN")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def run_id() -> str:
    """A suffix that makes every namespace of this run new, so re-runs on one stack do not collide."""
    return f"{time.strftime('%H%M%S')}_{uuid.uuid4().hex[:6]}"


@pytest.fixture(scope="session")
def ns(spark, run_id) -> str:
    """A namespace on main, shared by the tests of this run (each uses its own table names)."""
    name = f"spark_{run_id}"
    spark.sql(f"CREATE NAMESPACE {MAIN_CATALOG}.{name}")
    return name


# --- the plain summary line run.sh prints after pytest's own ------------------------------

def pytest_terminal_summary(terminalreporter, exitstatus, config):
    stats = terminalreporter.stats
    passed = len(stats.get("passed", []))
    failed = len(stats.get("failed", [])) + len(stats.get("error", []))
    # A strict xfail marks a known lakecat bug this suite reproduces; it is reported as skipped.
    skipped = len(stats.get("skipped", [])) + len(stats.get("xfailed", []))
    out = os.environ.get("LAKECAT_SPARK_SUMMARY")
    if out:
        with open(out, "w") as f:
            f.write(f"{passed} {failed} {skipped}\n")
