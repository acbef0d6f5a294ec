"""Fixtures of the `lakecat load` suite: the CLI run as a subprocess against the stack's lakecat,
PyIceberg catalogs per branch, one Spark session with catalogs on `main` and `dev`, a Trino
connection (catalogs lakecat_main and lakecat_dev of ../trino/with-trino.sh), and a listing of the
objects under a table's location in MinIO."""
from __future__ import annotations

import os
import subprocess
import sys
import urllib.parse
import uuid
from dataclasses import dataclass

import pytest

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib", "python"))
import lakecat_client  # noqa: E402
from lakecat_spark import ICEBERG_EXTENSIONS, start_session  # noqa: E402

RUN = uuid.uuid4().hex[:8]


@dataclass
class Cli:
    code: int
    stdout: str
    stderr: str


def lakecat_cli(*args: str) -> Cli:
    """`lakecat ARGS` against the stack's server."""
    done = subprocess.run(
        ["node", os.environ["LAKECAT_BIN"], *args],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "LAKECAT_URL": lakecat_client.base_url()},
    )
    return Cli(done.returncode, done.stdout, done.stderr)


@pytest.fixture(scope="session")
def run_id() -> str:
    return RUN


@pytest.fixture(scope="session")
def dev() -> str:
    lakecat_client.ensure_branch("dev", "main")
    return "dev"


@pytest.fixture(scope="session")
def catalog():
    from pyiceberg.catalog import load_catalog

    return lambda branch: load_catalog(f"lakecat-{branch}", type="rest", uri=lakecat_client.base_url(), warehouse=branch)


def _spark_catalog(name: str, warehouse: str) -> dict:
    p = f"spark.sql.catalog.{name}"
    return {
        p: "org.apache.iceberg.spark.SparkCatalog",
        f"{p}.type": "rest",
        f"{p}.uri": lakecat_client.base_url(),
        f"{p}.warehouse": warehouse,
        f"{p}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        f"{p}.cache-enabled": "false",
    }


@pytest.fixture(scope="session")
def spark(dev):
    session = start_session(
        "lakecat-load",
        [ICEBERG_EXTENSIONS],
        {**_spark_catalog("lake", "main"), **_spark_catalog("lake_dev", dev), "spark.sql.session.timeZone": "UTC"},
    )
    yield session
    session.stop()


@pytest.fixture(scope="session")
def trino(dev):
    import trino as trino_client

    url = urllib.parse.urlsplit(os.environ["TRINO_URL"])
    conn = trino_client.dbapi.connect(host=url.hostname, port=url.port, http_scheme=url.scheme or "http", user="load")

    def query(sql: str) -> list[tuple]:
        cur = conn.cursor()
        cur.execute(sql)
        return [tuple(r) for r in cur.fetchall()]

    return query


@pytest.fixture(scope="session")
def objects_under():
    """Keys under an s3:// location in the stack's MinIO (the test's own view, not lakecat's)."""
    from pyarrow import fs

    s3 = fs.S3FileSystem(
        endpoint_override=os.environ["LAKECAT_TEST_S3_ENDPOINT"],
        access_key=os.environ["LAKECAT_TEST_S3_ACCESS_KEY"],
        secret_key=os.environ["LAKECAT_TEST_S3_SECRET_KEY"],
        region=os.environ.get("LAKECAT_TEST_S3_REGION", "us-east-1"),
        scheme="http" if os.environ["LAKECAT_TEST_S3_ENDPOINT"].startswith("http:") else "https",
    )

    def listing(location: str) -> list[str]:
        path = location.replace("s3://", "", 1)
        return sorted(i.path for i in s3.get_file_info(fs.FileSelector(path, recursive=True, allow_not_found=True)) if i.type == fs.FileType.File)

    return listing
