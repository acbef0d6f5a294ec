"""Namespaces through NessieCatalog (Nessie NAMESPACE content) seen through the REST catalog, and
the reverse: a table created through REST and then written through NessieCatalog."""

import pytest

import lakecat_client
from conftest import LAKE, NESSIE


def _rows(spark, sql: str) -> list:
    return sorted(tuple(r) for r in spark.sql(sql).collect())


def test_namespace_properties_and_nesting_cross_apis(spark, run_id):
    ns = f"nsprops_{run_id}"
    spark.sql(f"CREATE NAMESPACE {NESSIE}.{ns}")
    spark.sql(f"CREATE NAMESPACE {NESSIE}.{ns}.inner")
    spark.sql(f"ALTER NAMESPACE {NESSIE}.{ns} SET PROPERTIES ('steward' = 'team-a')")
    keys = lakecat_client.entry_keys("main")
    assert (ns, "NAMESPACE") in keys and (f"{ns}.inner", "NAMESPACE") in keys

    props = {r[0]: r[1] for r in spark.sql(f"DESCRIBE NAMESPACE EXTENDED {LAKE}.{ns}").collect()}
    assert "steward" in props.get("Properties", "") and "team-a" in props.get("Properties", "")
    assert _rows(spark, f"SHOW NAMESPACES IN {LAKE}.{ns}") == [(f"{ns}.inner",)]

    spark.sql(f"CREATE TABLE {NESSIE}.{ns}.inner.t (id BIGINT) USING iceberg")
    assert _rows(spark, f"SHOW TABLES IN {LAKE}.{ns}.inner") == [(f"{ns}.inner", "t", False)]


def test_dropping_a_non_empty_namespace_fails(spark, run_id):
    ns = f"nsfull_{run_id}"
    spark.sql(f"CREATE NAMESPACE {NESSIE}.{ns}")
    spark.sql(f"CREATE TABLE {NESSIE}.{ns}.t (id BIGINT) USING iceberg")
    with pytest.raises(Exception, match="(?i)not empty|non-empty|contains"):
        spark.sql(f"DROP NAMESPACE {NESSIE}.{ns}").collect()
    assert (ns, "NAMESPACE") in lakecat_client.entry_keys("main")

    spark.sql(f"DROP TABLE {NESSIE}.{ns}.t")
    spark.sql(f"DROP NAMESPACE {NESSIE}.{ns}")
    assert (ns, "NAMESPACE") not in lakecat_client.entry_keys("main")
    assert ns not in {r[0] for r in spark.sql(f"SHOW NAMESPACES IN {LAKE}").collect()}


def test_rest_created_table_is_written_through_nessie_catalog(spark, run_id):
    ns = f"nsmix_{run_id}"
    spark.sql(f"CREATE NAMESPACE {LAKE}.{ns}")
    spark.sql(f"CREATE TABLE {LAKE}.{ns}.t (id BIGINT, s STRING) USING iceberg PARTITIONED BY (s)")
    spark.sql(f"INSERT INTO {LAKE}.{ns}.t VALUES (1, 'x')")
    spark.sql(f"INSERT INTO {NESSIE}.{ns}.t VALUES (2, 'y')")
    spark.sql(f"DELETE FROM {NESSIE}.{ns}.t WHERE id = 1")
    assert _rows(spark, f"SELECT * FROM {LAKE}.{ns}.t") == [(2, "y")]
    # Both APIs see the same snapshot history: create's none, two appends and the delete.
    ops = [r[0] for r in spark.sql(f"SELECT operation FROM {LAKE}.{ns}.t.snapshots ORDER BY committed_at").collect()]
    assert ops == ["append", "append", "delete"]
    same = [r[0] for r in spark.sql(f"SELECT snapshot_id FROM {NESSIE}.{ns}.t.snapshots ORDER BY committed_at").collect()]
    assert same == [r[0] for r in spark.sql(f"SELECT snapshot_id FROM {LAKE}.{ns}.t.snapshots ORDER BY committed_at").collect()]
