"""lakecat's catalog branches seen from Spark: `lake` is pinned to `main`, `lake_dev` to `dev`
(and a third catalog is added at run time for a feature branch). Work on a branch stays invisible
on main until the branch is merged through the Nessie API v2, and then shows with the same rows."""

import time

import pytest

import lakecat_client
from support import DEV_CATALOG, MAIN_CATALOG, rows


def _table_missing_on(spark, name: str) -> bool:
    try:
        spark.table(name).schema
    except Exception as err:  # AnalysisException
        assert "TABLE_OR_VIEW_NOT_FOUND" in str(err), str(err)[:300]
        return True
    return False


def _add_catalog(spark, catalog: str, warehouse: str) -> None:
    prefix = f"spark.sql.catalog.{catalog}"
    spark.conf.set(prefix, "org.apache.iceberg.spark.SparkCatalog")
    spark.conf.set(f"{prefix}.type", "rest")
    spark.conf.set(f"{prefix}.uri", lakecat_client.base_url())
    spark.conf.set(f"{prefix}.warehouse", warehouse)
    spark.conf.set(f"{prefix}.io-impl", "org.apache.iceberg.aws.s3.S3FileIO")
    spark.conf.set(f"{prefix}.cache-enabled", "false")


def test_dev_work_invisible_on_main_until_merged(spark, run_id):
    ns = f"spark_dev_{run_id}"
    t = f"{ns}.readings"
    spark.sql(f"CREATE NAMESPACE {DEV_CATALOG}.{ns}")
    spark.sql(f"CREATE TABLE {DEV_CATALOG}.{t} (id BIGINT, sensor STRING, value DOUBLE) USING iceberg PARTITIONED BY (sensor)")
    spark.sql(f"INSERT INTO {DEV_CATALOG}.{t} VALUES (1, 's1', 0.5), (2, 's2', 1.5), (3, 's1', 2.5)")
    spark.sql(f"UPDATE {DEV_CATALOG}.{t} SET value = value * 10 WHERE sensor = 's2'")
    # The view names its table relative to its namespace, so after the merge it reads main's table.
    spark.sql(f"USE {DEV_CATALOG}.{ns}")
    try:
        spark.sql(f"CREATE VIEW {DEV_CATALOG}.{ns}.s1_only AS SELECT id, value FROM readings WHERE sensor = 's1'")
    finally:
        spark.sql(f"USE {MAIN_CATALOG}")
    expected = [(1, "s1", 0.5), (2, "s2", 15.0), (3, "s1", 2.5)]
    assert rows(spark, f"SELECT id, sensor, value FROM {DEV_CATALOG}.{t} ORDER BY id") == expected

    # Nothing of it on main: not the namespace, the table or the view.
    assert ns not in [r[0] for r in spark.sql(f"SHOW NAMESPACES IN {MAIN_CATALOG}").collect()]
    assert _table_missing_on(spark, f"{MAIN_CATALOG}.{t}")
    with pytest.raises(lakecat_client.HttpError) as missing:
        lakecat_client.load_table("main", ns, "readings")
    assert missing.value.status == 404

    result = lakecat_client.merge("dev", "main")
    assert result["wasApplied"] is True and result["wasSuccessful"] is True, result
    assert lakecat_client.reference("main")["hash"] == result["resultantTargetHash"]

    assert rows(spark, f"SELECT id, sensor, value FROM {MAIN_CATALOG}.{t} ORDER BY id") == expected
    assert rows(spark, f"SELECT id FROM {MAIN_CATALOG}.{ns}.s1_only ORDER BY id") == [(1,), (3,)]
    main_meta = lakecat_client.load_table("main", ns, "readings")["metadata"]
    dev_meta = lakecat_client.load_table("dev", ns, "readings")["metadata"]
    assert main_meta["current-snapshot-id"] == dev_meta["current-snapshot-id"]
    assert main_meta["table-uuid"] == dev_meta["table-uuid"]

    # After the merge the branches move on independently again.
    spark.sql(f"INSERT INTO {MAIN_CATALOG}.{t} VALUES (4, 's1', 9.0)")
    assert rows(spark, f"SELECT count(*) FROM {MAIN_CATALOG}.{t}") == [(4,)]
    assert rows(spark, f"SELECT count(*) FROM {DEV_CATALOG}.{t}") == [(3,)]
    assert rows(spark, f"SELECT id FROM {MAIN_CATALOG}.{ns}.s1_only ORDER BY id") == [(1,), (3,), (4,)]
    assert rows(spark, f"SELECT id FROM {DEV_CATALOG}.{ns}.s1_only ORDER BY id") == [(1,), (3,)]


def test_table_in_missing_namespace_is_table_not_found(spark, run_id):
    # The REST spec's loadTable answers NoSuchTableException here, which Spark turns into its own
    # not-found error (and which Iceberg needs to try metadata tables and branch_/tag_ names).
    assert _table_missing_on(spark, f"{MAIN_CATALOG}.no_such_ns_{run_id}.t")


def test_feature_branch_changes_existing_table_then_merges(spark, ns, run_id):
    t = f"{ns}.inventory"
    spark.sql(f"CREATE TABLE {MAIN_CATALOG}.{t} (sku STRING, qty INT) USING iceberg")
    spark.sql(f"INSERT INTO {MAIN_CATALOG}.{t} VALUES ('a', 1), ('b', 2)")

    branch = f"feat_{run_id}"
    lakecat_client.ensure_branch(branch, from_ref="main")
    catalog = f"lake_{branch}"
    _add_catalog(spark, catalog, branch)

    spark.sql(
        f"""MERGE INTO {catalog}.{t} AS target
            USING (SELECT * FROM VALUES ('b', 5), ('c', 7) AS s(sku, qty)) AS src ON target.sku = src.sku
            WHEN MATCHED THEN UPDATE SET target.qty = src.qty
            WHEN NOT MATCHED THEN INSERT *"""
    )
    spark.sql(f"ALTER TABLE {catalog}.{t} ADD COLUMN note STRING")
    assert rows(spark, f"SELECT sku, qty FROM {catalog}.{t} ORDER BY sku") == [("a", 1), ("b", 5), ("c", 7)]
    assert rows(spark, f"SELECT sku, qty FROM {MAIN_CATALOG}.{t} ORDER BY sku") == [("a", 1), ("b", 2)]
    assert [f.name for f in spark.table(f"{MAIN_CATALOG}.{t}").schema.fields] == ["sku", "qty"]

    result = lakecat_client.merge(branch, "main")
    assert result["wasSuccessful"] is True, result
    assert rows(spark, f"SELECT sku, qty, note FROM {MAIN_CATALOG}.{t} ORDER BY sku") == [("a", 1, None), ("b", 5, None), ("c", 7, None)]


def test_appends_on_two_branches_merge_at_the_iceberg_level(spark, ns, run_id):
    t = f"{ns}.contested"
    spark.sql(f"CREATE TABLE {MAIN_CATALOG}.{t} (id INT) USING iceberg")
    spark.sql(f"INSERT INTO {MAIN_CATALOG}.{t} VALUES (1)")
    branch = f"appends_{run_id}"
    lakecat_client.ensure_branch(branch, from_ref="main")
    catalog = f"lake_{branch}"
    _add_catalog(spark, catalog, branch)

    spark.sql(f"INSERT INTO {catalog}.{t} VALUES (2)")
    spark.sql(f"INSERT INTO {MAIN_CATALOG}.{t} VALUES (3)")
    main_snapshots = [r[0] for r in spark.sql(f"SELECT snapshot_id FROM {MAIN_CATALOG}.{t}.snapshots ORDER BY committed_at").collect()]

    lakecat_client.merge(branch, "main")
    assert rows(spark, f"SELECT id FROM {MAIN_CATALOG}.{t} ORDER BY id") == [(1,), (2,), (3,)]
    snapshots = spark.sql(f"SELECT snapshot_id, parent_id, operation, summary FROM {MAIN_CATALOG}.{t}.snapshots ORDER BY committed_at").collect()
    # main's history is kept; the branch's append follows it as a new snapshot of main.
    assert [r["snapshot_id"] for r in snapshots[:-1]] == main_snapshots
    assert snapshots[-1]["parent_id"] == main_snapshots[-1]
    assert snapshots[-1]["operation"] == "append"
    assert snapshots[-1]["summary"]["lakecat.merge.source-ref"] == branch
    assert spark.sql(f"SELECT count(*) FROM {MAIN_CATALOG}.{t}.files").collect()[0][0] == 3
    assert rows(spark, f"SELECT id FROM {catalog}.{t} ORDER BY id") == [(1,), (2,)]


def test_a_delete_on_one_branch_and_an_append_on_the_other_do_not_merge(spark, ns, run_id):
    t = f"{ns}.contested_delete"
    spark.sql(f"CREATE TABLE {MAIN_CATALOG}.{t} (id INT) USING iceberg")
    spark.sql(f"INSERT INTO {MAIN_CATALOG}.{t} VALUES (1)")
    branch = f"conflict_{run_id}"
    lakecat_client.ensure_branch(branch, from_ref="main")
    catalog = f"lake_{branch}"
    _add_catalog(spark, catalog, branch)

    spark.sql(f"DELETE FROM {catalog}.{t} WHERE id = 1")
    spark.sql(f"INSERT INTO {MAIN_CATALOG}.{t} VALUES (3)")
    main_before = lakecat_client.reference("main")["hash"]

    with pytest.raises(lakecat_client.HttpError) as conflict:
        lakecat_client.merge(branch, "main")
    assert conflict.value.status == 409, conflict.value.body
    # Unpartitioned: the branch's delete covers the whole table, where main added data.
    assert "CONCURRENT_DATA_IN_SCOPE" in str(conflict.value.body), conflict.value.body
    assert lakecat_client.reference("main")["hash"] == main_before
    assert rows(spark, f"SELECT id FROM {MAIN_CATALOG}.{t} ORDER BY id") == [(1,), (3,)]
    assert rows(spark, f"SELECT id FROM {catalog}.{t} ORDER BY id") == []


def test_catalog_pinned_to_a_tag_or_a_commit_is_read_only_history(spark, ns, run_id):
    t = f"{ns}.pinned"
    spark.sql(f"CREATE TABLE {MAIN_CATALOG}.{t} (id INT) USING iceberg")
    spark.sql(f"INSERT INTO {MAIN_CATALOG}.{t} VALUES (1), (2)")
    at_release = lakecat_client.reference("main")
    tag = f"rel_{run_id}"
    lakecat_client.create_reference(tag, "TAG", at_release)
    time.sleep(0.05)
    release_ms = int(time.time() * 1000)  # the server runs on this machine's clock
    time.sleep(0.05)
    spark.sql(f"INSERT INTO {MAIN_CATALOG}.{t} VALUES (3)")

    # A warehouse may name a tag or `branch@hash`: the whole catalog as it was then.
    tag_catalog, commit_catalog, time_catalog = f"lake_tag_{run_id}", f"lake_commit_{run_id}", f"lake_time_{run_id}"
    _add_catalog(spark, tag_catalog, tag)
    _add_catalog(spark, commit_catalog, f"main@{at_release['hash']}")
    _add_catalog(spark, time_catalog, f"main*{release_ms}")
    assert rows(spark, f"SELECT id FROM {tag_catalog}.{t} ORDER BY id") == [(1,), (2,)]
    assert rows(spark, f"SELECT id FROM {commit_catalog}.{t} ORDER BY id") == [(1,), (2,)]
    assert rows(spark, f"SELECT id FROM {time_catalog}.{t} ORDER BY id") == [(1,), (2,)]
    assert rows(spark, f"SELECT id FROM {MAIN_CATALOG}.{t} ORDER BY id") == [(1,), (2,), (3,)]

    for catalog in (tag_catalog, commit_catalog, time_catalog):
        with pytest.raises(Exception) as refused:
            spark.sql(f"INSERT INTO {catalog}.{t} VALUES (9)")
        assert "read-only" in str(refused.value) or "cannot be committed" in str(refused.value), str(refused.value)[:400]
    assert lakecat_client.reference(tag)["hash"] == at_release["hash"]
    assert rows(spark, f"SELECT id FROM {MAIN_CATALOG}.{t} ORDER BY id") == [(1,), (2,), (3,)]
