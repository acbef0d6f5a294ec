"""DuckDB against lakecat through the Iceberg REST protocol: branches as attached databases,
writes (CREATE TABLE, INSERT, DELETE, UPDATE) read back by PyIceberg and Spark, tables PyIceberg
and Spark wrote read by DuckDB, time travel, and the demo mode of the seeds' architecture guide (a medallion built on
`dev` with DuckDB, merged into `main`)."""
from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import subprocess
import uuid

import pyarrow as pa
import pytest
from pyiceberg.schema import Schema
from pyiceberg.types import (
    BinaryType,
    BooleanType,
    DateType,
    DecimalType,
    DoubleType,
    FixedType,
    FloatType,
    IntegerType,
    ListType,
    LongType,
    MapType,
    NestedField,
    StringType,
    StructType,
    TimestampType,
    TimestamptzType,
    TimeType,
    UUIDType,
)

import lakecat_client
from conftest import unique


def rows(con, sql: str, *params) -> list[tuple]:
    return con.execute(sql, list(params)).fetchall()


def test_branches_are_attached_databases_and_stay_isolated(duck, pyiceberg) -> None:
    ns = unique("ns")
    duck.execute(f"CREATE SCHEMA lake_dev.{ns}")
    duck.execute(f"CREATE TABLE lake_dev.{ns}.t (id BIGINT, name VARCHAR)")
    duck.execute(f"INSERT INTO lake_dev.{ns}.t VALUES (1, 'one'), (2, 'two')")
    assert rows(duck, f"SELECT id, name FROM lake_dev.{ns}.t ORDER BY id") == [(1, "one"), (2, "two")]
    # Not on main, for DuckDB nor for PyIceberg; on dev for PyIceberg too.
    assert (ns,) not in rows(duck, "SELECT schema_name FROM information_schema.schemata WHERE catalog_name = 'lake'")
    assert not pyiceberg("main").namespace_exists(ns)
    table = pyiceberg("dev").load_table((ns, "t"))
    assert sorted(table.scan().to_arrow().to_pylist(), key=lambda r: r["id"]) == [{"id": 1, "name": "one"}, {"id": 2, "name": "two"}]
    assert table.current_snapshot().summary.operation.value == "append"


EVERY_TYPE = Schema(
    NestedField(1, "b", BooleanType()),
    NestedField(2, "i", IntegerType()),
    NestedField(3, "l", LongType()),
    NestedField(4, "f", FloatType()),
    NestedField(5, "d", DoubleType()),
    NestedField(6, "dec", DecimalType(12, 3)),
    NestedField(7, "day", DateType()),
    NestedField(8, "tm", TimeType()),
    NestedField(9, "ts", TimestampType()),
    NestedField(10, "tstz", TimestamptzType()),
    NestedField(11, "s", StringType()),
    NestedField(12, "u", UUIDType()),
    NestedField(13, "bin", BinaryType()),
    NestedField(14, "fx", FixedType(4)),
    NestedField(15, "lst", ListType(16, LongType(), element_required=False)),
    NestedField(17, "mp", MapType(18, StringType(), 19, LongType(), value_required=False)),
    NestedField(20, "st", StructType(NestedField(21, "x", LongType()), NestedField(22, "y", StringType()))),
)


def test_reads_every_type_pyiceberg_writes(duck, pyiceberg) -> None:
    catalog = pyiceberg("main")
    ns = unique("ns")
    catalog.create_namespace(ns)
    table = catalog.create_table((ns, "types"), EVERY_TYPE)
    u = uuid.UUID("12345678-1234-5678-1234-567812345678")
    row = {
        "b": True,
        "i": -7,
        "l": 9_007_199_254_740_993,
        "f": 1.5,
        "d": -2.25,
        "dec": decimal.Decimal("123456789.125"),
        "day": dt.date(2024, 2, 29),
        "tm": dt.time(13, 14, 15, 123456),
        "ts": dt.datetime(2024, 2, 29, 13, 14, 15, 123456),
        "tstz": dt.datetime(2024, 2, 29, 13, 14, 15, 123456, tzinfo=dt.timezone.utc),
        "s": "grüße 🐟",
        "u": u.bytes,
        "bin": b"\x00\x01\xff",
        "fx": b"abcd",
        "lst": [1, None, 3],
        "mp": {"k": 1},
        "st": {"x": 5, "y": "five"},
    }
    table.append(pa.Table.from_pylist([row, {k: None for k in row}], schema=table.schema().as_arrow()))

    got = rows(duck, f"SELECT * FROM lake.{ns}.types ORDER BY i NULLS LAST")
    assert len(got) == 2
    first = dict(zip([c[0] for c in duck.description], got[0]))
    assert first["b"] is True and first["i"] == -7 and first["l"] == 9_007_199_254_740_993
    assert first["f"] == 1.5 and first["d"] == -2.25
    assert first["dec"] == decimal.Decimal("123456789.125")
    assert first["day"] == dt.date(2024, 2, 29)
    assert first["tm"] == dt.time(13, 14, 15, 123456)
    assert first["ts"] == dt.datetime(2024, 2, 29, 13, 14, 15, 123456)
    assert first["tstz"] == dt.datetime(2024, 2, 29, 13, 14, 15, 123456, tzinfo=dt.timezone.utc)
    assert first["s"] == "grüße 🐟"
    assert first["u"] == u
    assert bytes(first["bin"]) == b"\x00\x01\xff" and bytes(first["fx"]) == b"abcd"
    assert first["lst"] == [1, None, 3]
    assert first["mp"] == {"k": 1}
    assert first["st"] == {"x": 5, "y": "five"}
    assert set(got[1]) == {None}


def test_duckdb_writes_what_pyiceberg_reads_including_deletes_and_updates(duck, pyiceberg) -> None:
    ns = unique("ns")
    duck.execute(f"CREATE SCHEMA lake.{ns}")
    duck.execute(f"CREATE TABLE lake.{ns}.orders (id BIGINT, customer VARCHAR, amount DECIMAL(10, 2), placed DATE)")
    duck.execute(
        f"INSERT INTO lake.{ns}.orders VALUES (1, 'ann', 10.50, DATE '2024-01-01'), (2, 'bob', 20.00, DATE '2024-01-02'), (3, 'cy', 7.25, DATE '2024-01-03')"
    )
    table = pyiceberg("main").load_table((ns, "orders"))
    assert [f.name for f in table.schema().fields] == ["id", "customer", "amount", "placed"]
    scan = lambda: sorted(pyiceberg("main").load_table((ns, "orders")).scan().to_arrow().to_pylist(), key=lambda r: r["id"])  # noqa: E731
    assert [r["id"] for r in scan()] == [1, 2, 3]
    assert scan()[0]["amount"] == decimal.Decimal("10.50")

    duck.execute(f"DELETE FROM lake.{ns}.orders WHERE id = 2")
    assert [r["id"] for r in scan()] == [1, 3]
    duck.execute(f"UPDATE lake.{ns}.orders SET amount = 99.99 WHERE id = 3")
    assert [(r["id"], r["amount"]) for r in scan()] == [(1, decimal.Decimal("10.50")), (3, decimal.Decimal("99.99"))]
    assert rows(duck, f"SELECT id, amount FROM lake.{ns}.orders ORDER BY id") == [(1, decimal.Decimal("10.50")), (3, decimal.Decimal("99.99"))]
    # Each statement is one Iceberg commit through lakecat.
    history = pyiceberg("main").load_table((ns, "orders")).snapshots()
    assert len(history) >= 3


def test_time_travel_by_snapshot_id(duck, pyiceberg) -> None:
    ns = unique("ns")
    duck.execute(f"CREATE SCHEMA lake.{ns}")
    duck.execute(f"CREATE TABLE lake.{ns}.t (id BIGINT)")
    duck.execute(f"INSERT INTO lake.{ns}.t VALUES (1)")
    first = pyiceberg("main").load_table((ns, "t")).current_snapshot().snapshot_id
    duck.execute(f"INSERT INTO lake.{ns}.t VALUES (2)")
    assert rows(duck, f"SELECT id FROM lake.{ns}.t ORDER BY id") == [(1,), (2,)]
    assert rows(duck, f"SELECT id FROM lake.{ns}.t AT (VERSION => {first}) ORDER BY id") == [(1,)]


def test_demo_mode_medallion_on_dev_merged_into_main(duck, pyiceberg) -> None:
    """The architecture guide's demo mode: raw readings land in bronze, DuckDB cleans them into
    silver and aggregates gold, all on a branch; the merge publishes the three tables at once."""
    branch = unique("demo")
    lakecat_client.ensure_branch(branch, "main")
    duck.execute(f"ATTACH '{branch}' AS demo (TYPE iceberg, ENDPOINT '{lakecat_client.base_url()}', AUTHORIZATION_TYPE 'none')")
    ns = unique("medallion")
    duck.execute(f"CREATE SCHEMA demo.{ns}")
    duck.execute(f"CREATE TABLE demo.{ns}.bronze_readings (device VARCHAR, taken_at TIMESTAMP, glucose_mg_dl INTEGER)")
    duck.execute(
        f"""INSERT INTO demo.{ns}.bronze_readings VALUES
            ('cgm-1', TIMESTAMP '2024-03-01 08:00:00', 95), ('cgm-1', TIMESTAMP '2024-03-01 08:05:00', NULL),
            ('cgm-1', TIMESTAMP '2024-03-01 08:10:00', 180), ('cgm-2', TIMESTAMP '2024-03-01 08:00:00', 70),
            ('cgm-2', TIMESTAMP '2024-03-01 08:00:00', 70), ('cgm-2', TIMESTAMP '2024-03-02 09:00:00', 2000)"""
    )
    # Silver: no gaps, no duplicates, no impossible values.
    duck.execute(
        f"""CREATE TABLE demo.{ns}.silver_readings AS
            SELECT DISTINCT device, taken_at, glucose_mg_dl FROM demo.{ns}.bronze_readings
            WHERE glucose_mg_dl IS NOT NULL AND glucose_mg_dl BETWEEN 20 AND 600"""
    )
    duck.execute(
        f"""CREATE TABLE demo.{ns}.gold_daily AS
            SELECT device, CAST(taken_at AS DATE) AS day, count(*) AS readings, avg(glucose_mg_dl) AS mean_mg_dl
            FROM demo.{ns}.silver_readings GROUP BY ALL"""
    )
    gold = [("cgm-1", dt.date(2024, 3, 1), 2, 137.5), ("cgm-2", dt.date(2024, 3, 1), 1, 70.0)]
    assert rows(duck, f"SELECT * FROM demo.{ns}.gold_daily ORDER BY device, day") == gold
    assert not pyiceberg("main").namespace_exists(ns)

    lakecat_client.merge(branch, "main", message="publish the demo medallion")
    assert rows(duck, f"SELECT * FROM lake.{ns}.gold_daily ORDER BY device, day") == gold
    assert rows(duck, f"SELECT count(*) FROM lake.{ns}.silver_readings") == [(3,)]
    published = pyiceberg("main").load_table((ns, "gold_daily")).scan().to_arrow().to_pylist()
    assert sorted((r["device"], r["readings"]) for r in published) == [("cgm-1", 2), ("cgm-2", 1)]


def spark_side(request: dict) -> dict:
    """Runs spark_side.py with the Spark suite's virtualenv and jars (run.sh names them) and
    returns what it printed after its result mark."""
    python = os.environ.get("LAKECAT_SPARK_PYTHON")
    if not python:
        pytest.fail("LAKECAT_SPARK_PYTHON is not set: run the suite through run.sh, which prepares Spark")
    script = os.path.join(os.path.dirname(__file__), "spark_side.py")
    done = subprocess.run([python, script, json.dumps(request)], capture_output=True, text=True, timeout=600)
    for line in done.stdout.splitlines():
        if line.startswith("spark-side-result: "):
            return json.loads(line[len("spark-side-result: "):])
    raise AssertionError(f"spark_side.py exited {done.returncode} without a result:\n{done.stdout[-3000:]}\n{done.stderr[-6000:]}")


def test_spark_reads_what_duckdb_writes_and_duckdb_reads_what_spark_writes(duck) -> None:
    """Both directions between DuckDB's and Spark's Iceberg writers, through lakecat: every type
    both engines share (Spark has no TIME: Iceberg's Spark runtime refuses a table with a time
    column, so PyIceberg reads DuckDB's TIME above), and DuckDB's DELETE and UPDATE applied by
    Spark's reader."""
    ns = unique("ns")
    duck.execute(f"CREATE SCHEMA lake.{ns}")
    duck.execute(
        f"""CREATE TABLE lake.{ns}.from_duckdb (b BOOLEAN, i INTEGER, l BIGINT, f FLOAT, d DOUBLE,
            dec DECIMAL(12, 3), day DATE, ts TIMESTAMP, tstz TIMESTAMPTZ, s VARCHAR, u UUID, bin BLOB,
            lst BIGINT[], mp MAP(VARCHAR, BIGINT), st STRUCT(x BIGINT, y VARCHAR))"""
    )
    duck.execute(
        f"""INSERT INTO lake.{ns}.from_duckdb VALUES
            (true, -7, 9007199254740993, 1.5, -2.25, 123456789.125, DATE '2024-02-29',
             TIMESTAMP '2024-02-29 13:14:15.123456', TIMESTAMPTZ '2024-02-29 13:14:15.123456+00', 'grüße 🐟',
             '12345678-1234-5678-1234-567812345678', '\\x00\\x01\\xFF'::BLOB, [1, NULL, 3], MAP {{'k': 1}}, {{'x': 5, 'y': 'five'}}),
            (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)"""
    )
    duck.execute(f"CREATE TABLE lake.{ns}.orders (id BIGINT, amount DECIMAL(10, 2))")
    duck.execute(f"INSERT INTO lake.{ns}.orders VALUES (1, 10.50), (2, 20.00), (3, 7.25)")
    duck.execute(f"DELETE FROM lake.{ns}.orders WHERE id = 2")
    duck.execute(f"UPDATE lake.{ns}.orders SET amount = 99.99 WHERE id = 3")

    got = spark_side(
        {
            "warehouse": "main",
            "read": {f"{ns}.from_duckdb": {"order": "i"}, f"{ns}.orders": {"order": "id"}},
            "write": f"{ns}.from_spark",
        }
    )
    typed = got["read"][f"{ns}.from_duckdb"]
    assert typed["types"] == [
        "boolean", "int", "bigint", "float", "double", "decimal(12,3)", "date", "timestamp_ntz", "timestamp",
        "string", "string", "binary", "array<bigint>", "map<string,bigint>", "struct<x:bigint,y:string>",
    ]  # fmt: skip
    assert typed["rows"] == [
        [
            True, -7, 9007199254740993, "1.5", "-2.25", "decimal:123456789.125", "date:2024-02-29",
            "datetime:2024-02-29T13:14:15.123456", "datetime:2024-02-29T13:14:15.123456", "grüße 🐟",
            "12345678-1234-5678-1234-567812345678", "bytes:AAH/", [1, None, 3], {"k": 1}, {"x": 5, "y": "five"},
        ],
        [None] * 15,
    ]  # fmt: skip
    assert got["read"][f"{ns}.orders"]["rows"] == [[1, "decimal:10.50"], [3, "decimal:99.99"]]

    assert got["wrote"] == f"{ns}.from_spark"
    spark_rows = rows(duck, f"SELECT * FROM lake.{ns}.from_spark ORDER BY i NULLS LAST")
    assert [c[0] for c in duck.description] == ["b", "i", "l", "f", "d", "dec", "day", "ts", "ts_ntz", "s", "bin", "lst", "mp", "st"]
    utc = dt.timezone.utc
    first = list(spark_rows[0])
    first[7] = first[7].astimezone(utc)  # DuckDB hands out timestamptz in its session zone
    first[10] = bytes(first[10])
    assert first == [
        True, -7, 9_007_199_254_740_993, 1.5, -2.25, decimal.Decimal("123456789.125"), dt.date(2024, 2, 29),
        dt.datetime(2024, 2, 29, 13, 14, 15, 123456, tzinfo=utc), dt.datetime(2024, 2, 29, 13, 14, 15, 123456),
        "grüße 🐟", b"\x00\x01\xff", [1, None, 3], {"k": 1}, {"x": 5, "y": "five"},
    ]  # fmt: skip
    assert set(spark_rows[1]) == {None}
