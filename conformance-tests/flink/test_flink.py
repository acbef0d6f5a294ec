"""Flink on lakecat: a streaming insert (a bounded datagen source, checkpoints every 2 s) into a
table on a branch through Iceberg's Flink connector and lakecat's REST catalog, committed once
per checkpoint, read back by PyIceberg; invisible on `main` until merged."""
from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid

import pytest
from pyflink.table import EnvironmentSettings, TableEnvironment

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib", "python"))

import lakecat_client  # noqa: E402

ROWS = 60


def catalog_ddl(name: str, branch: str) -> str:
    e = os.environ
    props = {
        "type": "iceberg",
        "catalog-type": "rest",
        "uri": lakecat_client.base_url(),
        "warehouse": branch,
        "io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
        "s3.endpoint": e["LAKECAT_TEST_S3_ENDPOINT"],
        "s3.path-style-access": "true",
        "s3.access-key-id": e["LAKECAT_TEST_S3_ACCESS_KEY"],
        "s3.secret-access-key": e["LAKECAT_TEST_S3_SECRET_KEY"],
        "client.region": e.get("LAKECAT_TEST_S3_REGION", "us-east-1"),
    }
    return f"CREATE CATALOG {name} WITH (" + ", ".join(f"'{k}'='{v}'" for k, v in props.items()) + ")"


def read_back(branch: str, namespace: str, table: str) -> dict:
    out = subprocess.run(
        [os.environ["PYICEBERG_PYTHON"], os.path.join(os.path.dirname(__file__), "read_back.py"), lakecat_client.base_url(), branch, namespace, table],
        capture_output=True, text=True, timeout=300,
    )
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_streaming_insert_with_checkpoints_on_a_branch() -> None:
    branch = f"flink_{uuid.uuid4().hex[:8]}"
    ns = f"stream_{uuid.uuid4().hex[:8]}"
    lakecat_client.ensure_branch(branch, "main")
    env = TableEnvironment.create(EnvironmentSettings.in_streaming_mode())
    env.get_config().set("execution.checkpointing.interval", "2 s")
    env.get_config().set("parallelism.default", "1")
    env.execute_sql(catalog_ddl("lake", branch))
    env.execute_sql(f"CREATE DATABASE lake.{ns}")
    env.execute_sql(f"CREATE TABLE lake.{ns}.readings (id BIGINT, device STRING, glucose INT)")
    env.execute_sql(
        f"""CREATE TEMPORARY TABLE source (id BIGINT, device STRING, glucose INT) WITH (
              'connector'='datagen', 'number-of-rows'='{ROWS}', 'rows-per-second'='10',
              'fields.id.kind'='sequence', 'fields.id.start'='1', 'fields.id.end'='{ROWS}',
              'fields.device.length'='6', 'fields.glucose.min'='40', 'fields.glucose.max'='400')"""
    )
    env.execute_sql(f"INSERT INTO lake.{ns}.readings SELECT id, device, glucose FROM source").wait()

    table = read_back(branch, ns, "readings")
    assert [r["id"] for r in table["rows"]] == list(range(1, ROWS + 1))
    # One commit per checkpoint (at 10 rows/s and a 2 s interval, several), each an append
    # through lakecat, carrying Flink's checkpoint id in its summary.
    snapshots = table["snapshots"]
    assert len(snapshots) >= 2
    assert {s["operation"] for s in snapshots} == {"append"}
    assert all("flink.max-committed-checkpoint-id" in s for s in snapshots)
    assert int(snapshots[-1]["total-records"]) == ROWS
    # The branch only.
    with pytest.raises(lakecat_client.HttpError):
        lakecat_client.load_table("main", ns, "readings")
