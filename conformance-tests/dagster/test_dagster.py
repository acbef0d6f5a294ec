"""Dagster on lakecat: the seeds' Cascade pipeline shape, an asset graph (raw readings -> silver
-> gold) written by dagster-iceberg's PyIceberg I/O manager to a branch, materialised in-process,
then promoted by an op that merges the branch into `main` through the Nessie API."""
from __future__ import annotations

import os
import sys
import uuid

import pyarrow as pa
import pyarrow.compute as pc
from dagster import AssetIn, asset, job, materialize, op
from dagster_iceberg.config import IcebergCatalogConfig
from dagster_iceberg.io_manager.arrow import PyArrowIcebergIOManager
from pyiceberg.catalog import load_catalog

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib", "python"))

import lakecat_client  # noqa: E402

RUN = uuid.uuid4().hex[:10]
BRANCH = f"etl_{RUN}"
NAMESPACE = f"cascade_{RUN}"

READINGS = pa.table(
    {
        "device": ["cgm-1", "cgm-1", "cgm-1", "cgm-2", "cgm-2", "cgm-2"],
        "minute": [0, 5, 10, 0, 0, 60],
        "glucose_mg_dl": [95, None, 180, 70, 70, 2000],
    },
    schema=pa.schema([("device", pa.string()), ("minute", pa.int64()), ("glucose_mg_dl", pa.int64())]),
)


@asset(key_prefix=[NAMESPACE])
def raw_readings() -> pa.Table:
    return READINGS


@asset(key_prefix=[NAMESPACE], ins={"raw": AssetIn(key=[NAMESPACE, "raw_readings"])})
def silver_readings(raw: pa.Table) -> pa.Table:
    g = raw["glucose_mg_dl"]
    plausible = raw.filter(pc.and_(pc.is_valid(g), pc.and_(pc.greater_equal(g, 20), pc.less_equal(g, 600))))
    return plausible.group_by(["device", "minute"]).aggregate([("glucose_mg_dl", "max")]).rename_columns(["device", "minute", "glucose_mg_dl"])


@asset(key_prefix=[NAMESPACE], ins={"silver": AssetIn(key=[NAMESPACE, "silver_readings"])})
def gold_devices(silver: pa.Table) -> pa.Table:
    stats = silver.group_by("device").aggregate([("glucose_mg_dl", "count"), ("glucose_mg_dl", "mean")])
    return stats.rename_columns(["device", "readings", "mean_mg_dl"]).sort_by("device")


def io_manager(branch: str) -> PyArrowIcebergIOManager:
    return PyArrowIcebergIOManager(
        name=f"lakecat-{branch}",
        config=IcebergCatalogConfig(properties={"type": "rest", "uri": lakecat_client.base_url(), "warehouse": branch}),
        namespace=NAMESPACE,
    )


@op
def promote() -> str:
    """The promotion step of the pipeline: one merge carries every asset's table to `main`."""
    return lakecat_client.merge(BRANCH, "main", message=f"promote {NAMESPACE}")["resultantTargetHash"]


@job
def promote_job() -> None:
    promote()


def catalog(branch: str):
    return load_catalog(f"check-{branch}", type="rest", uri=lakecat_client.base_url(), warehouse=branch)


def gold_rows(branch: str) -> list[dict]:
    return catalog(branch).load_table((NAMESPACE, "gold_devices")).scan().to_arrow().sort_by("device").to_pylist()


EXPECTED_GOLD = [{"device": "cgm-1", "readings": 2, "mean_mg_dl": 137.5}, {"device": "cgm-2", "readings": 1, "mean_mg_dl": 70.0}]


def test_1_materialises_the_asset_graph_on_a_branch() -> None:
    lakecat_client.ensure_branch(BRANCH, "main")
    # dagster-iceberg writes into an existing namespace (it checks with list_namespaces, which the
    # REST spec answers 404 for a namespace that does not exist).
    catalog(BRANCH).create_namespace(NAMESPACE)
    result = materialize([raw_readings, silver_readings, gold_devices], resources={"io_manager": io_manager(BRANCH)})
    assert result.success
    assert gold_rows(BRANCH) == EXPECTED_GOLD
    silver = catalog(BRANCH).load_table((NAMESPACE, "silver_readings"))
    assert silver.scan().to_arrow().num_rows == 3
    # Written on the branch only.
    assert not catalog("main").namespace_exists(NAMESPACE)


def test_2_materialising_again_commits_new_snapshots() -> None:
    before = len(catalog(BRANCH).load_table((NAMESPACE, "gold_devices")).snapshots())
    result = materialize([raw_readings, silver_readings, gold_devices], resources={"io_manager": io_manager(BRANCH)})
    assert result.success
    gold = catalog(BRANCH).load_table((NAMESPACE, "gold_devices"))
    assert len(gold.snapshots()) > before
    assert gold_rows(BRANCH) == EXPECTED_GOLD


def test_3_an_op_promotes_the_branch_to_main() -> None:
    main_before = lakecat_client.reference("main")["hash"]
    result = promote_job.execute_in_process()
    assert result.success
    merged = result.output_for_node("promote")
    assert merged != main_before and lakecat_client.reference("main")["hash"] == merged
    assert gold_rows("main") == EXPECTED_GOLD
    # The assets read back through the I/O manager on main too.
    assert sorted(catalog("main").list_tables(NAMESPACE)) == [(NAMESPACE, "gold_devices"), (NAMESPACE, "raw_readings"), (NAMESPACE, "silver_readings")]
