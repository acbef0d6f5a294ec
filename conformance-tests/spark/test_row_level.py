"""UPDATE, DELETE and MERGE INTO in both of Iceberg's row-level modes: copy-on-write rewrites data
files, merge-on-read adds position-delete files. The mode comes from table properties; the
snapshot summaries lakecat stores show which one ran."""

import datetime as dt

import pytest

import lakecat_client
from support import MAIN_CATALOG, rows


def _snapshots(ns: str, table: str) -> list:
    meta = lakecat_client.load_table("main", ns, table)["metadata"]
    return sorted(meta["snapshots"], key=lambda s: s["sequence-number"])


@pytest.mark.parametrize("mode", ["copy-on-write", "merge-on-read"])
def test_update_delete_merge(spark, ns, mode):
    name = f"accounts_{mode.replace('-', '_')}"
    t = f"{MAIN_CATALOG}.{ns}.{name}"
    spark.sql(
        f"""CREATE TABLE {t} (id INT, owner STRING, balance BIGINT, region STRING) USING iceberg
            PARTITIONED BY (region)
            TBLPROPERTIES ('format-version' = '2', 'write.delete.mode' = '{mode}',
                           'write.update.mode' = '{mode}', 'write.merge.mode' = '{mode}')"""
    )
    spark.sql(f"INSERT INTO {t} VALUES (1, 'ann', 100, 'eu'), (2, 'bob', 200, 'eu'), (3, 'cid', 300, 'us'), (4, 'dan', 400, 'us'), (5, 'eve', 500, 'ap')")

    spark.sql(f"UPDATE {t} SET balance = balance + 1 WHERE owner IN ('ann', 'bob', 'cid')")
    assert rows(spark, f"SELECT id, balance FROM {t} ORDER BY id") == [(1, 101), (2, 201), (3, 301), (4, 400), (5, 500)]

    spark.sql(f"DELETE FROM {t} WHERE id = 3")
    assert rows(spark, f"SELECT id FROM {t} ORDER BY id") == [(1,), (2,), (4,), (5,)]

    spark.sql(
        f"""MERGE INTO {t} AS target
            USING (SELECT * FROM VALUES (1, 'ann', 50, 'eu'), (4, 'dan', -1, 'us'), (6, 'fay', 600, 'us')
                   AS s(id, owner, delta, region)) AS src
            ON target.id = src.id
            WHEN MATCHED AND src.delta < 0 THEN DELETE
            WHEN MATCHED THEN UPDATE SET target.balance = target.balance + src.delta
            WHEN NOT MATCHED THEN INSERT (id, owner, balance, region) VALUES (src.id, src.owner, src.delta, src.region)"""
    )
    assert rows(spark, f"SELECT id, owner, balance, region FROM {t} ORDER BY id") == [
        (1, "ann", 151, "eu"),
        (2, "bob", 201, "eu"),
        (5, "eve", 500, "ap"),
        (6, "fay", 600, "us"),
    ]

    snaps = _snapshots(ns, name)
    assert [s["summary"]["operation"] for s in snaps][0] == "append"
    assert len(snaps) == 4, [s["summary"] for s in snaps]
    row_level = [s["summary"] for s in snaps[1:]]
    if mode == "merge-on-read":
        # Each of UPDATE, DELETE and MERGE wrote position deletes instead of rewriting files.
        assert all(int(s.get("added-position-delete-files", "0")) > 0 for s in row_level), row_level
        assert int(snaps[-1]["summary"]["total-position-deletes"]) >= 3
    else:
        assert all(int(s.get("added-delete-files", "0")) == 0 for s in row_level), row_level
        assert all(int(s.get("deleted-data-files", "0")) > 0 for s in row_level), row_level
    if mode == "copy-on-write":
        assert snaps[-1]["summary"]["total-records"] == "4"

    # The first snapshot still reads as it was written.
    first = snaps[0]["snapshot-id"]
    assert rows(spark, f"SELECT count(*), sum(balance) FROM {t} VERSION AS OF {first}") == [(5, 1500)]


def test_insert_overwrite_dynamic_partitions(spark, ns):
    t = f"{MAIN_CATALOG}.{ns}.daily"
    spark.sql(f"CREATE TABLE {t} (day DATE, id INT, v STRING) USING iceberg PARTITIONED BY (day)")
    spark.sql(f"INSERT INTO {t} VALUES (DATE '2024-01-01', 1, 'a'), (DATE '2024-01-02', 2, 'b'), (DATE '2024-01-02', 3, 'c')")
    spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
    try:
        spark.sql(f"INSERT OVERWRITE {t} VALUES (DATE '2024-01-02', 9, 'z')")
    finally:
        spark.conf.unset("spark.sql.sources.partitionOverwriteMode")
    assert rows(spark, f"SELECT day, id, v FROM {t} ORDER BY id") == [
        (dt.date(2024, 1, 1), 1, "a"),
        (dt.date(2024, 1, 2), 9, "z"),
    ]
    snaps = _snapshots(ns, "daily")
    assert snaps[-1]["summary"]["operation"] == "overwrite"
    assert snaps[-1]["summary"]["replace-partitions"] == "true"


def test_rewrite_data_files_and_expire_snapshots(spark, ns):
    t = f"{MAIN_CATALOG}.{ns}.compacted"
    spark.sql(f"CREATE TABLE {t} (id INT, v STRING) USING iceberg")
    for i in range(4):
        spark.sql(f"INSERT INTO {t} VALUES ({i}, 'v{i}')")
    before = _snapshots(ns, "compacted")
    assert len(before) == 4

    result = spark.sql(f"CALL {MAIN_CATALOG}.system.rewrite_data_files(table => '{ns}.compacted', options => map('min-input-files', '2'))").collect()[0]
    assert result["rewritten_data_files_count"] == 4
    assert result["added_data_files_count"] == 1
    assert rows(spark, f"SELECT id, v FROM {t} ORDER BY id") == [(i, f"v{i}") for i in range(4)]
    after = _snapshots(ns, "compacted")
    assert after[-1]["summary"]["operation"] == "replace"

    # Spark's expire_snapshots deletes files itself, looking at this branch only; lakecat keeps
    # gc.enabled=false on every table, so Iceberg refuses it and nothing is lost.
    with pytest.raises(Exception, match="GC is disabled"):
        spark.sql(f"CALL {MAIN_CATALOG}.system.expire_snapshots(table => '{ns}.compacted', older_than => TIMESTAMP '2999-01-01 00:00:00', retain_last => 1)").collect()
    assert [s["snapshot-id"] for s in _snapshots(ns, "compacted")] == [s["snapshot-id"] for s in after]
    # Every snapshot still reads: time travel to the first one sees its single row.
    first = before[0]["snapshot-id"]
    assert rows(spark, f"SELECT count(*) FROM {t} VERSION AS OF {first}") == [(1,)]
    assert rows(spark, f"SELECT count(*) FROM {t}") == [(4,)]


def test_format_v3_deletion_vectors_and_row_lineage(spark, ns):
    t = f"{MAIN_CATALOG}.{ns}.v3_rows"
    spark.sql(
        f"""CREATE TABLE {t} (id INT, v STRING) USING iceberg
            TBLPROPERTIES ('format-version' = '3', 'write.delete.mode' = 'merge-on-read', 'write.update.mode' = 'merge-on-read')"""
    )
    spark.sql(f"INSERT INTO {t} VALUES (1, 'a'), (2, 'b'), (3, 'c')")
    spark.sql(f"INSERT INTO {t} VALUES (4, 'd'), (5, 'e')")
    spark.sql(f"DELETE FROM {t} WHERE id IN (2, 4)")
    spark.sql(f"UPDATE {t} SET v = 'C' WHERE id = 3")
    assert rows(spark, f"SELECT id, v FROM {t} ORDER BY id") == [(1, "a"), (3, "C"), (5, "e")]

    meta = lakecat_client.load_table("main", ns, "v3_rows")["metadata"]
    assert meta["format-version"] == 3
    snaps = sorted(meta["snapshots"], key=lambda s: s["sequence-number"])
    # v3 merge-on-read writes deletion vectors (Puffin), not position-delete files.
    assert int(snaps[2]["summary"].get("added-dvs", "0")) >= 1, snaps[2]["summary"]
    # Row lineage: each snapshot's first row id continues where the table's counter stood; the
    # catalog advances next-row-id by the rows each commit added.
    assert snaps[0]["first-row-id"] == 0
    assert snaps[1]["first-row-id"] == 3
    assert [s["first-row-id"] for s in snaps] == sorted(s["first-row-id"] for s in snaps)
    assert meta["next-row-id"] >= 5 + int(snaps[-1]["summary"].get("added-records", "0"))
