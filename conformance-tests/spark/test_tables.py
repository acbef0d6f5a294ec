"""Namespaces, partitioned tables, INSERT and SELECT through the `lake` catalog (branch main)."""

import datetime as dt
from decimal import Decimal

import pytest

import lakecat_client
from support import MAIN_CATALOG, rows, scalar


def test_namespace_lifecycle(spark, run_id):
    name = f"spark_ns_{run_id}"
    spark.sql(f"CREATE NAMESPACE {MAIN_CATALOG}.{name} WITH DBPROPERTIES ('team' = 'conformance', 'purpose' = 'spark')")
    listed = [r[0] for r in spark.sql(f"SHOW NAMESPACES IN {MAIN_CATALOG}").collect()]
    assert name in listed
    described = {r[0]: r[1] for r in spark.sql(f"DESCRIBE NAMESPACE EXTENDED {MAIN_CATALOG}.{name}").collect()}
    assert "(team,conformance)" in described["Properties"], described

    spark.sql(f"ALTER NAMESPACE {MAIN_CATALOG}.{name} SET DBPROPERTIES ('purpose' = 'changed')")
    ns_json = lakecat_client.request("GET", f"/v1/main/namespaces/{name}")
    assert ns_json["properties"]["purpose"] == "changed"
    assert ns_json["properties"]["team"] == "conformance"

    spark.sql(f"DROP NAMESPACE {MAIN_CATALOG}.{name}")
    listed = [r[0] for r in spark.sql(f"SHOW NAMESPACES IN {MAIN_CATALOG}").collect()]
    assert name not in listed


def test_create_partitioned_table_insert_select(spark, ns):
    t = f"{MAIN_CATALOG}.{ns}.events"
    spark.sql(
        f"""CREATE TABLE {t} (
              id BIGINT NOT NULL, ts TIMESTAMP, category STRING, amount DECIMAL(10, 2), tags ARRAY<STRING>,
              attrs MAP<STRING, INT>, point STRUCT<x: DOUBLE, y: DOUBLE>)
            USING iceberg
            PARTITIONED BY (days(ts), bucket(4, id))
            TBLPROPERTIES ('format-version' = '2', 'write.format.default' = 'parquet')"""
    )
    spark.sql(
        f"""INSERT INTO {t} VALUES
              (1, TIMESTAMP '2024-03-01 10:00:00', 'a', 10.50, array('x', 'y'), map('k', 1), named_struct('x', 1.0D, 'y', 2.0D)),
              (2, TIMESTAMP '2024-03-01 23:59:59', 'b', 20.25, array(), map(), named_struct('x', 3.0D, 'y', 4.0D)),
              (3, TIMESTAMP '2024-03-02 00:00:00', 'a', NULL, NULL, NULL, NULL)"""
    )
    spark.sql(f"INSERT INTO {t} SELECT id + 10, ts + INTERVAL 1 DAY, category, amount, tags, attrs, point FROM {t} WHERE id <= 2")

    got = rows(spark, f"SELECT id, ts, category, amount FROM {t} ORDER BY id")
    assert got == [
        (1, dt.datetime(2024, 3, 1, 10, 0, 0), "a", Decimal("10.50")),
        (2, dt.datetime(2024, 3, 1, 23, 59, 59), "b", Decimal("20.25")),
        (3, dt.datetime(2024, 3, 2, 0, 0, 0), "a", None),
        (11, dt.datetime(2024, 3, 2, 10, 0, 0), "a", Decimal("10.50")),
        (12, dt.datetime(2024, 3, 2, 23, 59, 59), "b", Decimal("20.25")),
    ]
    nested = spark.sql(f"SELECT tags, attrs, point.y FROM {t} WHERE id = 1").collect()[0]
    assert (list(nested[0]), dict(nested[1]), nested[2]) == (["x", "y"], {"k": 1}, 2.0)
    assert rows(spark, f"SELECT category, sum(amount), count(*) FROM {t} GROUP BY category ORDER BY category") == [
        ("a", Decimal("21.00"), 3),
        ("b", Decimal("40.50"), 2),
    ]

    assert scalar(spark, f"SELECT count(*) FROM {t} WHERE ts >= TIMESTAMP '2024-03-02 00:00:00' AND ts < TIMESTAMP '2024-03-03 00:00:00'") == 3

    # Iceberg's metadata tables, read through the same catalog: one file per (day, bucket) written.
    days = rows(spark, f"SELECT DISTINCT partition.ts_day FROM {t}.files ORDER BY 1")
    assert days == [(dt.date(2024, 3, 1),), (dt.date(2024, 3, 2),)]
    assert rows(spark, f"SELECT operation FROM {t}.snapshots ORDER BY committed_at") == [("append",), ("append",)]
    assert scalar(spark, f"SELECT sum(record_count) FROM {t}.files") == 5

    # The metadata lakecat keeps matches what Spark asked for.
    meta = lakecat_client.load_table("main", ns, "events")["metadata"]
    assert meta["format-version"] == 2
    spec = next(s for s in meta["partition-specs"] if s["spec-id"] == meta["default-spec-id"])
    assert sorted(f["transform"] for f in spec["fields"]) == ["bucket[4]", "day"]
    assert len(meta["snapshots"]) == 2
    assert meta["refs"]["main"]["snapshot-id"] == meta["current-snapshot-id"]
    current = next(x for x in meta["snapshots"] if x["snapshot-id"] == meta["current-snapshot-id"])
    assert current["summary"]["operation"] == "append"
    assert current["summary"]["total-records"] == "5"
    # Two days times at most four buckets: the second insert wrote only day-2 partitions.
    assert int(current["summary"]["changed-partition-count"]) >= 1


def test_create_table_as_select_and_replace(spark, ns):
    src = f"{MAIN_CATALOG}.{ns}.ctas_src"
    spark.sql(f"CREATE TABLE {src} USING iceberg AS SELECT id, id * 2 AS doubled FROM range(0, 100)")
    assert rows(spark, f"SELECT count(*), sum(doubled) FROM {src}") == [(100, 9900)]

    spark.sql(f"REPLACE TABLE {src} USING iceberg PARTITIONED BY (bucket(2, id)) AS SELECT id, 'r' AS tag FROM range(0, 5)")
    assert rows(spark, f"SELECT id, tag FROM {src} ORDER BY id") == [(i, "r") for i in range(5)]
    # The replaced table keeps its history: two snapshots, two schemas, a new default spec.
    assert [f.name for f in spark.table(src).schema.fields] == ["id", "tag"]
    meta = lakecat_client.load_table("main", ns, "ctas_src")["metadata"]
    assert len(meta["snapshots"]) == 2
    assert len(meta["schemas"]) == 2
    spec = next(s for s in meta["partition-specs"] if s["spec-id"] == meta["default-spec-id"])
    assert [f["transform"] for f in spec["fields"]] == ["bucket[2]"]


def test_list_rename_and_drop_table(spark, ns):
    t = f"{MAIN_CATALOG}.{ns}.to_rename"
    spark.sql(f"CREATE TABLE {t} (id INT) USING iceberg")
    spark.sql(f"INSERT INTO {t} VALUES (7)")
    spark.sql(f"ALTER TABLE {t} RENAME TO {ns}.renamed")  # Spark takes the new name inside the same catalog
    tables = [r.tableName for r in spark.sql(f"SHOW TABLES IN {MAIN_CATALOG}.{ns}").collect()]
    assert "renamed" in tables and "to_rename" not in tables
    assert rows(spark, f"SELECT id FROM {MAIN_CATALOG}.{ns}.renamed") == [(7,)]

    # lakecat keeps gc.enabled=false on every table: Spark refuses to delete the files itself
    # (another branch, a tag or an older commit may read them; `lakecat gc` reclaims them).
    with pytest.raises(Exception, match="GC is disabled"):
        spark.sql(f"DROP TABLE {MAIN_CATALOG}.{ns}.renamed PURGE")
    assert rows(spark, f"SELECT id FROM {MAIN_CATALOG}.{ns}.renamed") == [(7,)]
    spark.sql(f"DROP TABLE {MAIN_CATALOG}.{ns}.renamed")
    tables = [r.tableName for r in spark.sql(f"SHOW TABLES IN {MAIN_CATALOG}.{ns}").collect()]
    assert "renamed" not in tables
    try:
        lakecat_client.load_table("main", ns, "renamed")
        raise AssertionError("a dropped table still loads")
    except lakecat_client.HttpError as err:
        assert err.status == 404


def test_register_table_from_metadata_file(spark, ns):
    src = f"{MAIN_CATALOG}.{ns}.reg_src"
    spark.sql(f"CREATE TABLE {src} (id INT, v STRING) USING iceberg")
    spark.sql(f"INSERT INTO {src} VALUES (1, 'one'), (2, 'two')")
    location = lakecat_client.load_table("main", ns, "reg_src")["metadata-location"]

    result = spark.sql(f"CALL {MAIN_CATALOG}.system.register_table(table => '{ns}.reg_copy', metadata_file => '{location}')").collect()[0]
    assert result["total_records_count"] == 2
    assert rows(spark, f"SELECT id, v FROM {MAIN_CATALOG}.{ns}.reg_copy ORDER BY id") == [(1, "one"), (2, "two")]
    registered = lakecat_client.load_table("main", ns, "reg_copy")
    assert registered["metadata-location"] == location
    assert registered["metadata"]["table-uuid"] == lakecat_client.load_table("main", ns, "reg_src")["metadata"]["table-uuid"]
