"""Merges that are not fast-forwards: main and the branch both moved, and a branch merged a
second time after more work on it."""

import lakecat_client
from conftest import LAKE, NESSIE


def _rows(spark, sql: str) -> list:
    return sorted(tuple(r) for r in spark.sql(sql).collect())


def test_merge_after_both_sides_moved_on_different_tables(spark, run_id):
    ns = f"nsboth_{run_id}"
    branch = f"both_{run_id}"
    spark.sql(f"CREATE NAMESPACE {NESSIE}.{ns}")
    spark.sql(f"CREATE BRANCH {branch} IN {NESSIE} FROM main")
    spark.sql(f"CREATE TABLE {LAKE}.{ns}.on_main (id BIGINT) USING iceberg")
    spark.sql(f"INSERT INTO {LAKE}.{ns}.on_main VALUES (1)")
    spark.sql(f"CREATE TABLE {NESSIE}.{ns}.`on_branch@{branch}` (id BIGINT) USING iceberg")
    spark.sql(f"INSERT INTO {NESSIE}.{ns}.`on_branch@{branch}` VALUES (2)")

    spark.sql(f"MERGE BRANCH {branch} INTO main IN {NESSIE}").collect()
    keys = lakecat_client.entry_keys("main")
    assert (f"{ns}.on_main", "ICEBERG_TABLE") in keys and (f"{ns}.on_branch", "ICEBERG_TABLE") in keys
    assert _rows(spark, f"SELECT * FROM {LAKE}.{ns}.on_main") == [(1,)]
    assert _rows(spark, f"SELECT * FROM {LAKE}.{ns}.on_branch") == [(2,)]


def test_second_merge_of_the_same_branch_only_brings_the_new_work(spark, run_id):
    ns = f"nsagain_{run_id}"
    branch = f"again_{run_id}"
    spark.sql(f"CREATE NAMESPACE {NESSIE}.{ns}")
    spark.sql(f"CREATE TABLE {NESSIE}.{ns}.t (id BIGINT) USING iceberg")
    spark.sql(f"CREATE BRANCH {branch} IN {NESSIE} FROM main")
    spark.sql(f"INSERT INTO {NESSIE}.{ns}.`t@{branch}` VALUES (1)")
    # main moves on another table, so the first merge is a real merge, not a fast-forward.
    spark.sql(f"CREATE TABLE {LAKE}.{ns}.other (id BIGINT) USING iceberg")
    spark.sql(f"MERGE BRANCH {branch} INTO main IN {NESSIE}").collect()
    assert _rows(spark, f"SELECT * FROM {LAKE}.{ns}.t") == [(1,)]

    # More work on the same table on the branch; main has not touched it since the merge, so
    # merging again must not be a conflict.
    spark.sql(f"INSERT INTO {NESSIE}.{ns}.`t@{branch}` VALUES (2)")
    spark.sql(f"MERGE BRANCH {branch} INTO main IN {NESSIE}").collect()
    assert _rows(spark, f"SELECT * FROM {LAKE}.{ns}.t") == [(1,), (2,)]
