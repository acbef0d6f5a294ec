"""ALTER TABLE evolution through Spark: schema (add, rename, drop, widen, reorder), partition
spec (add, drop, replace fields), sort order (WRITE ORDERED BY), identifier fields and
properties. Old data files keep reading under the new schema; lakecat's stored metadata shows
each change."""

import datetime as dt
from decimal import Decimal

import lakecat_client
from support import MAIN_CATALOG, rows


def _meta(ns: str, table: str) -> dict:
    return lakecat_client.load_table("main", ns, table)["metadata"]


def _current_schema(meta: dict) -> dict:
    return next(s for s in meta["schemas"] if s["schema-id"] == meta["current-schema-id"])


def test_schema_evolution(spark, ns):
    t = f"{MAIN_CATALOG}.{ns}.evolving"
    spark.sql(f"CREATE TABLE {t} (id INT NOT NULL, name STRING, score FLOAT, price DECIMAL(9, 2), scratch STRING) USING iceberg")
    spark.sql(f"INSERT INTO {t} VALUES (1, 'a', 1.5, 1.25, 'x')")
    ids_before = {f["name"]: f["id"] for f in _current_schema(_meta(ns, "evolving"))["fields"]}

    spark.sql(f"ALTER TABLE {t} ADD COLUMN note STRING COMMENT 'added later'")
    spark.sql(f"ALTER TABLE {t} ADD COLUMN detail STRUCT<a: INT, b: STRING>")
    spark.sql(f"ALTER TABLE {t} RENAME COLUMN name TO label")
    spark.sql(f"ALTER TABLE {t} DROP COLUMN scratch")
    spark.sql(f"ALTER TABLE {t} ALTER COLUMN id TYPE BIGINT")
    spark.sql(f"ALTER TABLE {t} ALTER COLUMN score TYPE DOUBLE")
    spark.sql(f"ALTER TABLE {t} ALTER COLUMN price TYPE DECIMAL(12, 2)")
    spark.sql(f"ALTER TABLE {t} ALTER COLUMN note FIRST")
    spark.sql(f"ALTER TABLE {t} ALTER COLUMN label COMMENT 'renamed from name'")
    spark.sql(f"INSERT INTO {t} (note, id, label, score, price, detail) VALUES ('n', 5000000000, 'b', 2.5D, 1234567890.12, named_struct('a', 7, 'b', 's'))")

    schema = spark.table(t).schema
    assert [(f.name, f.dataType.simpleString()) for f in schema.fields] == [
        ("note", "string"),
        ("id", "bigint"),
        ("label", "string"),
        ("score", "double"),
        ("price", "decimal(12,2)"),
        ("detail", "struct<a:int,b:string>"),
    ]
    assert rows(spark, f"SELECT id, label, score, price, note, detail.a FROM {t} ORDER BY id") == [
        (1, "a", 1.5, Decimal("1.25"), None, None),
        (5000000000, "b", 2.5, Decimal("1234567890.12"), "n", 7),
    ]

    meta = _meta(ns, "evolving")
    fields = {f["name"]: f for f in _current_schema(meta)["fields"]}
    # Renames and widening keep field ids; the dropped column's id is not reused.
    assert fields["label"]["id"] == ids_before["name"]
    assert fields["id"]["id"] == ids_before["id"] and fields["id"]["type"] == "long"
    assert fields["price"]["type"] == "decimal(12, 2)"
    assert fields["label"]["doc"] == "renamed from name"
    assert ids_before["scratch"] not in {f["id"] for f in _current_schema(meta)["fields"]}
    assert meta["last-column-id"] >= max(ids_before.values()) + 3
    assert len(meta["schemas"]) >= 9


def test_partition_evolution(spark, ns):
    t = f"{MAIN_CATALOG}.{ns}.repartitioned"
    spark.sql(f"CREATE TABLE {t} (id BIGINT, ts TIMESTAMP, cat STRING) USING iceberg PARTITIONED BY (days(ts))")
    spark.sql(f"INSERT INTO {t} VALUES (1, TIMESTAMP '2024-05-01 01:00:00', 'alpha')")

    spark.sql(f"ALTER TABLE {t} ADD PARTITION FIELD bucket(4, id)")
    spark.sql(f"ALTER TABLE {t} ADD PARTITION FIELD cat")
    spark.sql(f"INSERT INTO {t} VALUES (2, TIMESTAMP '2024-05-02 02:00:00', 'beta')")
    spark.sql(f"ALTER TABLE {t} DROP PARTITION FIELD days(ts)")
    spark.sql(f"ALTER TABLE {t} REPLACE PARTITION FIELD cat WITH truncate(2, cat) AS cat_prefix")
    spark.sql(f"INSERT INTO {t} VALUES (3, TIMESTAMP '2024-05-03 03:00:00', 'gamma')")

    assert rows(spark, f"SELECT id, ts, cat FROM {t} ORDER BY id") == [
        (1, dt.datetime(2024, 5, 1, 1), "alpha"),
        (2, dt.datetime(2024, 5, 2, 2), "beta"),
        (3, dt.datetime(2024, 5, 3, 3), "gamma"),
    ]
    assert rows(spark, f"SELECT id FROM {t} WHERE cat LIKE 'be%'") == [(2,)]

    meta = _meta(ns, "repartitioned")
    specs = {s["spec-id"]: s for s in meta["partition-specs"]}
    # One new spec per ALTER (REPLACE is a remove and an add in one change).
    assert [sorted(f["transform"] for f in specs[i]["fields"]) for i in sorted(specs)] == [
        ["day"],
        ["bucket[4]", "day"],
        ["bucket[4]", "day", "identity"],
        ["bucket[4]", "identity"],
        ["bucket[4]", "truncate[2]"],
    ]
    default = specs[meta["default-spec-id"]]
    assert sorted((f["name"], f["transform"]) for f in default["fields"]) == [("cat_prefix", "truncate[2]"), ("id_bucket_4", "bucket[4]")]
    # Partition field ids only grow, so files written under older specs stay readable.
    all_ids = [f["field-id"] for s in specs.values() for f in s["fields"]]
    assert meta["last-partition-id"] == max(all_ids)


def test_write_order_distribution_and_properties(spark, ns):
    t = f"{MAIN_CATALOG}.{ns}.ordered"
    spark.sql(f"CREATE TABLE {t} (id BIGINT NOT NULL, ts TIMESTAMP, cat STRING) USING iceberg PARTITIONED BY (cat)")

    spark.sql(f"ALTER TABLE {t} WRITE ORDERED BY id DESC NULLS LAST, ts")
    meta = _meta(ns, "ordered")
    order = next(o for o in meta["sort-orders"] if o["order-id"] == meta["default-sort-order-id"])
    assert meta["default-sort-order-id"] != 0
    assert [(f["transform"], f["direction"], f["null-order"]) for f in order["fields"]] == [
        ("identity", "desc", "nulls-last"),
        ("identity", "asc", "nulls-first"),
    ]
    spark.sql(f"INSERT INTO {t} VALUES (1, TIMESTAMP '2024-01-01 00:00:00', 'a'), (3, NULL, 'a'), (2, TIMESTAMP '2024-01-02 00:00:00', 'a')")
    # One file in partition 'a', written in the table's sort order.
    assert [r[0] for r in spark.sql(f"SELECT id FROM {t}").collect()] == [3, 2, 1]

    spark.sql(f"ALTER TABLE {t} WRITE DISTRIBUTED BY PARTITION LOCALLY ORDERED BY ts")
    meta = _meta(ns, "ordered")
    assert meta["properties"]["write.distribution-mode"] == "hash"
    order = next(o for o in meta["sort-orders"] if o["order-id"] == meta["default-sort-order-id"])
    assert len(order["fields"]) == 1

    spark.sql(f"ALTER TABLE {t} WRITE UNORDERED")
    assert _meta(ns, "ordered")["default-sort-order-id"] == 0

    spark.sql(f"ALTER TABLE {t} SET IDENTIFIER FIELDS id")
    meta = _meta(ns, "ordered")
    schema = _current_schema(meta)
    id_field = next(f["id"] for f in schema["fields"] if f["name"] == "id")
    assert schema["identifier-field-ids"] == [id_field]

    spark.sql(f"ALTER TABLE {t} SET TBLPROPERTIES ('comment' = 'orders', 'lakecat.test' = 'yes', 'commit.retry.num-retries' = '7')")
    spark.sql(f"ALTER TABLE {t} UNSET TBLPROPERTIES ('lakecat.test')")
    props = _meta(ns, "ordered")["properties"]
    assert props["comment"] == "orders" and props["commit.retry.num-retries"] == "7"
    assert "lakecat.test" not in props
    shown = {r[0]: r[1] for r in spark.sql(f"SHOW TBLPROPERTIES {t}").collect()}
    assert shown["commit.retry.num-retries"] == "7"
