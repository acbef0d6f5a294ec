"""Reading history through Nessie's SQL extensions and NessieCatalog: references at a commit
hash, branches created from tags, and branch names with a slash."""

import lakecat_client
from conftest import LAKE, NESSIE


def _rows(spark, sql: str) -> list:
    return sorted(tuple(r) for r in spark.sql(sql).collect())


def test_use_reference_at_an_older_hash_reads_the_table_as_it_was(on_main, run_id):
    spark = on_main
    ns = f"nsat_{run_id}"
    spark.sql(f"CREATE NAMESPACE {NESSIE}.{ns}")
    spark.sql(f"CREATE TABLE {NESSIE}.{ns}.t (id BIGINT) USING iceberg")
    spark.sql(f"INSERT INTO {NESSIE}.{ns}.t VALUES (1)")
    then = lakecat_client.reference("main")["hash"]
    spark.sql(f"INSERT INTO {LAKE}.{ns}.t VALUES (2)")

    spark.sql(f"USE REFERENCE main AT {then} IN {NESSIE}")
    [current] = spark.sql(f"SHOW REFERENCE IN {NESSIE}").collect()
    assert current["hash"] == then
    assert _rows(spark, f"SELECT * FROM {NESSIE}.{ns}.t") == [(1,)]

    # SHOW LOG at that hash starts there.
    log = spark.sql(f"SHOW LOG main AT {then} IN {NESSIE}").collect()
    assert log[0]["hash"] == then


def test_branch_from_a_tag_and_slash_in_its_name(on_main, run_id):
    spark = on_main
    ns = f"nsslash_{run_id}"
    tag = f"rel_{run_id}"
    branch = f"feature/x_{run_id}"
    spark.sql(f"CREATE NAMESPACE {NESSIE}.{ns}")
    spark.sql(f"CREATE TABLE {NESSIE}.{ns}.t (id BIGINT) USING iceberg")
    spark.sql(f"CREATE TAG {tag} IN {NESSIE} FROM main")
    tag_hash = lakecat_client.reference(tag)["hash"]
    spark.sql(f"INSERT INTO {LAKE}.{ns}.t VALUES (1)")  # main moves past the tag

    [row] = spark.sql(f"CREATE BRANCH `{branch}` IN {NESSIE} FROM {tag}").collect()
    assert (row["name"], row["hash"]) == (branch, tag_hash)
    assert lakecat_client.reference(branch) == {"type": "BRANCH", "name": branch, "hash": tag_hash}

    spark.sql(f"USE REFERENCE `{branch}` IN {NESSIE}")
    spark.sql(f"INSERT INTO {NESSIE}.{ns}.t VALUES (7)")
    assert _rows(spark, f"SELECT * FROM {NESSIE}.{ns}.t") == [(7,)]
    assert _rows(spark, f"SELECT * FROM {LAKE}.{ns}.t") == [(1,)]
    assert branch in {r["name"] for r in spark.sql(f"LIST REFERENCES IN {NESSIE}").collect()}
