"""Iceberg's own table branches and tags (inside one table's metadata, not lakecat's catalog
branches): ALTER TABLE ... CREATE BRANCH / TAG, writes to a branch, time travel by snapshot id,
timestamp, tag and branch, fast-forward, rollback, and dropping refs."""

import datetime as dt
import time

import lakecat_client
from support import MAIN_CATALOG, rows


def _meta(ns: str, table: str) -> dict:
    return lakecat_client.load_table("main", ns, table)["metadata"]


def test_branches_tags_and_time_travel(spark, ns):
    t = f"{MAIN_CATALOG}.{ns}.refs_demo"
    # spark.wap.branch only applies to tables with write-audit-publish enabled.
    spark.sql(f"CREATE TABLE {t} (id INT, v STRING) USING iceberg TBLPROPERTIES ('write.wap.enabled' = 'true')")
    spark.sql(f"INSERT INTO {t} VALUES (1, 'a'), (2, 'b')")
    first = _meta(ns, "refs_demo")
    snap1 = first["current-snapshot-id"]
    snap1_ms = next(s["timestamp-ms"] for s in first["snapshots"] if s["snapshot-id"] == snap1)

    spark.sql(f"ALTER TABLE {t} CREATE TAG v1 RETAIN 7 DAYS")
    spark.sql(f"ALTER TABLE {t} CREATE BRANCH audit RETAIN 3 DAYS WITH SNAPSHOT RETENTION 2 SNAPSHOTS")
    time.sleep(0.05)  # the next snapshot gets a later timestamp than snap1
    spark.sql(f"INSERT INTO {t} VALUES (3, 'c')")

    # A write to the branch, selected with the session's write-audit-publish branch.
    spark.conf.set("spark.wap.branch", "audit")
    try:
        spark.sql(f"INSERT INTO {t} VALUES (10, 'on-audit')")
        assert rows(spark, f"SELECT id FROM {t} ORDER BY id") == [(1,), (2,), (10,)]
    finally:
        spark.conf.unset("spark.wap.branch")

    assert rows(spark, f"SELECT id FROM {t} ORDER BY id") == [(1,), (2,), (3,)]
    assert rows(spark, f"SELECT id FROM {t} VERSION AS OF 'audit' ORDER BY id") == [(1,), (2,), (10,)]
    assert rows(spark, f"SELECT id FROM {t} VERSION AS OF 'v1' ORDER BY id") == [(1,), (2,)]
    assert rows(spark, f"SELECT id FROM {t} FOR VERSION AS OF 'v1' ORDER BY id") == [(1,), (2,)]
    assert rows(spark, f"SELECT id FROM {t} FOR SYSTEM_VERSION AS OF 'audit' ORDER BY id") == [(1,), (2,), (10,)]
    assert rows(spark, f"SELECT id FROM {t} VERSION AS OF {snap1} ORDER BY id") == [(1,), (2,)]
    as_of = dt.datetime.fromtimestamp(snap1_ms / 1000, tz=dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]
    assert rows(spark, f"SELECT id FROM {t} TIMESTAMP AS OF '{as_of}' ORDER BY id") == [(1,), (2,)]
    assert spark.read.option("branch", "audit").table(t).count() == 3
    # The DataFrame reader names a tag with the `tag` option on Spark 3.5 (Iceberg 1.12 still takes
    # it there), with `versionAsOf` on Spark 4 (Iceberg 1.12 dropped the `tag` option there).
    tag_option = "tag" if spark.version.startswith("3.") else "versionAsOf"
    assert spark.read.option(tag_option, "v1").table(t).count() == 2

    meta = _meta(ns, "refs_demo")
    refs = meta["refs"]
    assert refs["v1"]["type"] == "tag" and refs["v1"]["snapshot-id"] == snap1
    assert refs["v1"]["max-ref-age-ms"] == 7 * 24 * 3600 * 1000
    assert refs["audit"]["type"] == "branch"
    assert refs["audit"]["min-snapshots-to-keep"] == 2
    audit_head = next(s for s in meta["snapshots"] if s["snapshot-id"] == refs["audit"]["snapshot-id"])
    assert audit_head["parent-snapshot-id"] == snap1
    assert refs["main"]["snapshot-id"] == meta["current-snapshot-id"] != refs["audit"]["snapshot-id"]

    # Writing to a tag is refused by Iceberg; replacing a tag moves it.
    spark.sql(f"ALTER TABLE {t} REPLACE TAG v1 AS OF VERSION {meta['current-snapshot-id']}")
    assert rows(spark, f"SELECT count(*) FROM {t} VERSION AS OF 'v1'") == [(3,)]

    spark.sql(f"ALTER TABLE {t} DROP TAG v1")
    spark.sql(f"ALTER TABLE {t} DROP BRANCH audit")
    assert set(_meta(ns, "refs_demo")["refs"]) == {"main"}


def test_fast_forward_rollback_and_cherrypick(spark, ns):
    t = f"{MAIN_CATALOG}.{ns}.publish"
    spark.sql(f"CREATE TABLE {t} (id INT) USING iceberg TBLPROPERTIES ('write.wap.enabled' = 'true')")
    spark.sql(f"INSERT INTO {t} VALUES (1)")
    base = _meta(ns, "publish")["current-snapshot-id"]

    spark.sql(f"ALTER TABLE {t} CREATE BRANCH staging")
    spark.conf.set("spark.wap.branch", "staging")
    try:
        spark.sql(f"INSERT INTO {t} VALUES (2)")
    finally:
        spark.conf.unset("spark.wap.branch")
    assert rows(spark, f"SELECT id FROM {t} ORDER BY id") == [(1,)]

    ff = spark.sql(f"CALL {MAIN_CATALOG}.system.fast_forward(table => '{ns}.publish', branch => 'main', to => 'staging')").collect()[0]
    assert ff["previous_ref"] == base
    assert rows(spark, f"SELECT id FROM {t} ORDER BY id") == [(1,), (2,)]

    # Write-audit-publish by id: a staged snapshot is invisible until cherry-picked.
    spark.conf.set("spark.wap.id", "wap-1")
    try:
        spark.sql(f"INSERT INTO {t} VALUES (3)")
    finally:
        spark.conf.unset("spark.wap.id")
    assert rows(spark, f"SELECT id FROM {t} ORDER BY id") == [(1,), (2,)]
    staged = next(s for s in _meta(ns, "publish")["snapshots"] if s["summary"].get("wap.id") == "wap-1")
    spark.sql(f"CALL {MAIN_CATALOG}.system.cherrypick_snapshot('{ns}.publish', {staged['snapshot-id']})")
    assert rows(spark, f"SELECT id FROM {t} ORDER BY id") == [(1,), (2,), (3,)]

    spark.sql(f"CALL {MAIN_CATALOG}.system.rollback_to_snapshot('{ns}.publish', {base})")
    assert rows(spark, f"SELECT id FROM {t} ORDER BY id") == [(1,)]
    assert _meta(ns, "publish")["refs"]["main"]["snapshot-id"] == base


def test_branch_identifier_and_metadata_tables(spark, ns):
    t = f"{MAIN_CATALOG}.{ns}.ident_refs"
    spark.sql(f"CREATE TABLE {t} (id INT) USING iceberg")
    spark.sql(f"INSERT INTO {t} VALUES (1)")
    spark.sql(f"ALTER TABLE {t} CREATE BRANCH b1")
    spark.sql(f"ALTER TABLE {t} CREATE TAG t1")
    # `table.branch_<name>` names a branch for reads and writes, `table.tag_<name>` a tag.
    spark.sql(f"INSERT INTO {t}.branch_b1 VALUES (2)")
    assert rows(spark, f"SELECT id FROM {t}.branch_b1 ORDER BY id") == [(1,), (2,)]
    assert rows(spark, f"SELECT id FROM {t}.tag_t1") == [(1,)]
    assert rows(spark, f"SELECT id FROM {t} FOR VERSION AS OF 't1'") == [(1,)]
    assert sorted(r[0] for r in spark.sql(f"SELECT name FROM {t}.refs").collect()) == ["b1", "main", "t1"]
    assert spark.sql(f"SELECT * FROM {t}.snapshots").count() == 2
    assert spark.sql(f"SELECT * FROM {t}.files").count() == 1
    assert spark.sql(f"SELECT * FROM {t}.history").count() == 1
