"""`lakecat load` writes, engines read: PyIceberg 0.12, Spark 3.5 (Iceberg 1.12) and Trino 476
read the rows the CLI loaded onto a branch, value for value, and again on `main` after a merge;
planning with a filter skips files by the statistics the CLI wrote; a bad file commits nothing
and leaves no object behind."""
from __future__ import annotations

import datetime as dt
import decimal
import json
import uuid

import pytest
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.schema import Schema
from pyiceberg.transforms import DayTransform
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

from conftest import RUN, lakecat_cli

NS = f"load_{RUN}"
UTC = dt.timezone.utc
U = uuid.UUID("12345678-1234-5678-1234-567812345678")

EVERY = Schema(
    NestedField(1, "b", BooleanType()),
    NestedField(2, "i", IntegerType(), required=True),
    NestedField(3, "l", LongType()),
    NestedField(4, "f", FloatType()),
    NestedField(5, "d", DoubleType()),
    NestedField(6, "dec", DecimalType(12, 3)),
    NestedField(7, "day", DateType()),
    NestedField(8, "ts", TimestampType()),
    NestedField(9, "tstz", TimestamptzType()),
    NestedField(10, "s", StringType()),
    NestedField(11, "u", UUIDType()),
    NestedField(12, "fx", FixedType(4)),
    NestedField(13, "bin", BinaryType()),
    NestedField(14, "lst", ListType(15, LongType(), element_required=False)),
    NestedField(16, "mp", MapType(17, StringType(), 18, LongType(), value_required=False)),
    NestedField(19, "st", StructType(NestedField(20, "x", LongType()), NestedField(21, "y", StringType()))),
)
FULL_ROW = {
    "b": True, "i": -7, "l": 9007199254740993, "f": 1.5, "d": -2.25, "dec": "123456789.125", "day": "2024-02-29",
    "ts": "2024-02-29T13:14:15.123456", "tstz": "2024-02-29T14:14:15.123456+01:00", "s": "grüße 🐟",
    "u": str(U), "fx": "YWJjZA==", "bin": "AAH/", "lst": [1, None, 3], "mp": {"k": 1}, "st": {"x": 5, "y": "five"},
}  # fmt: skip
NULL_ROW = {"i": 0}
TS = dt.datetime(2024, 2, 29, 13, 14, 15, 123456)
TSTZ = dt.datetime(2024, 2, 29, 13, 14, 15, 123456, tzinfo=UTC)


def as_uuid(v) -> uuid.UUID:
    return v if isinstance(v, uuid.UUID) else uuid.UUID(bytes=bytes(v)) if isinstance(v, (bytes, bytearray)) else uuid.UUID(str(v))


@pytest.fixture(scope="module")
def loaded(catalog, dev, tmp_path_factory) -> str:
    """The every-type table on dev, filled by `lakecat load` from NDJSON."""
    cat = catalog(dev)
    cat.create_namespace(NS)
    cat.create_table((NS, "every"), EVERY)
    folder = tmp_path_factory.mktemp("every")
    (folder / "rows.ndjson").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in [FULL_ROW, NULL_ROW]) + "\n")
    done = lakecat_cli("load", f"{NS}.every", str(folder / "rows.ndjson"), "--ref", dev, "--json")
    assert done.code == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["addedRecords"] == "2" and len(out["dataFiles"]) == 1
    return dev


def test_pyiceberg_reads_every_type_the_cli_wrote(loaded, catalog) -> None:
    table = catalog(loaded).load_table((NS, "every"))
    rows = sorted(table.scan().to_arrow().to_pylist(), key=lambda r: r["i"])
    full, null_row = rows
    assert full["b"] is True and full["i"] == -7 and full["l"] == 9007199254740993
    assert full["f"] == 1.5 and full["d"] == -2.25 and full["dec"] == decimal.Decimal("123456789.125")
    assert full["day"] == dt.date(2024, 2, 29) and full["ts"] == TS and full["tstz"] == TSTZ
    assert full["s"] == "grüße 🐟" and as_uuid(full["u"]) == U
    assert full["fx"] == b"abcd" and full["bin"] == b"\x00\x01\xff"
    assert full["lst"] == [1, None, 3] and dict(full["mp"]) == {"k": 1} and full["st"] == {"x": 5, "y": "five"}
    assert {k for k, v in null_row.items() if v is not None} == {"i"}
    snapshot = table.current_snapshot()
    assert snapshot.summary.operation.value == "append"
    assert snapshot.summary["added-records"] == "2" and snapshot.summary["total-records"] == "2"


def test_spark_reads_every_type_the_cli_wrote(loaded, spark) -> None:
    rows = spark.sql(f"SELECT * FROM lake_dev.{NS}.every ORDER BY i").collect()
    assert rows[0]["i"] == -7 and rows[1]["i"] == 0
    full = rows[0].asDict(recursive=True)
    assert full["b"] is True and full["l"] == 9007199254740993 and full["f"] == 1.5 and full["d"] == -2.25
    assert full["dec"] == decimal.Decimal("123456789.125") and full["day"] == dt.date(2024, 2, 29)
    assert full["ts"] == TS and full["tstz"].replace(tzinfo=UTC) == TSTZ
    assert full["s"] == "grüße 🐟" and as_uuid(full["u"]) == U
    assert bytes(full["fx"]) == b"abcd" and bytes(full["bin"]) == b"\x00\x01\xff"
    assert full["lst"] == [1, None, 3] and full["mp"] == {"k": 1} and full["st"] == {"x": 5, "y": "five"}
    assert all(v is None for k, v in rows[1].asDict().items() if k != "i")


def test_trino_reads_every_type_the_cli_wrote(loaded, trino) -> None:
    rows = trino(f"SELECT b, i, l, f, d, dec, day, ts, tstz, s, u, fx, bin, lst, mp, st.x, st.y FROM lakecat_dev.{NS}.every ORDER BY i")
    full = rows[0]
    assert full[:7] == (True, -7, 9007199254740993, 1.5, -2.25, decimal.Decimal("123456789.125"), dt.date(2024, 2, 29))
    assert full[7] == TS and full[8].astimezone(UTC) == TSTZ
    assert full[9] == "grüße 🐟" and as_uuid(full[10]) == U and bytes(full[11]) == b"abcd" and bytes(full[12]) == b"\x00\x01\xff"
    assert full[13] == [1, None, 3] and full[14] == {"k": 1} and full[15:] == (5, "five")
    assert rows[1][1] == 0 and all(v is None for i, v in enumerate(rows[1]) if i != 1)


def test_time_columns_load_and_read_back(catalog, dev, trino, tmp_path) -> None:
    """Spark has no TIME type (Iceberg's Spark runtime refuses such tables), so this table is read
    by PyIceberg and Trino only."""
    catalog(dev).create_table((NS, "times"), Schema(NestedField(1, "id", IntegerType()), NestedField(2, "tm", TimeType())))
    (tmp_path / "t.csv").write_text("id,tm\n1,13:14:15.123456\n2,\n")
    done = lakecat_cli("load", f"{NS}.times", str(tmp_path / "t.csv"), "--ref", dev)
    assert done.code == 0, done.stderr
    rows = sorted(catalog(dev).load_table((NS, "times")).scan().to_arrow().to_pylist(), key=lambda r: r["id"])
    assert rows == [{"id": 1, "tm": dt.time(13, 14, 15, 123456)}, {"id": 2, "tm": None}]
    assert trino(f"SELECT id, tm FROM lakecat_dev.{NS}.times ORDER BY id") == [(1, dt.time(13, 14, 15, 123456)), (2, None)]


READINGS = [
    ("cgm-1", "2024-03-01T08:00:00Z", 95), ("cgm-2", "2024-03-01T09:30:00Z", 110),
    ("cgm-1", "2024-03-02T08:00:00Z", 180), ("cgm-2", "2024-03-02T21:00:00Z", 64),
    ("cgm-1", "2024-03-03T07:45:00Z", 250), ("cgm-3", "2024-03-03T12:00:00Z", None),
]  # fmt: skip


def expected_daily() -> list[tuple]:
    """The per-day figures, computed here from the rows themselves."""
    days: dict = {}
    for _, at, g in READINGS:
        day = dt.date.fromisoformat(at[:10])
        n, total = days.get(day, (0, 0))
        days[day] = (n + 1, total + (g or 0))
    return [(d, n, t) for d, (n, t) in sorted(days.items())]


@pytest.fixture(scope="module")
def readings(catalog, dev, tmp_path_factory) -> str:
    cat = catalog(dev)
    if not cat.namespace_exists(NS):
        cat.create_namespace(NS)
    cat.create_table(
        (NS, "readings"),
        Schema(NestedField(1, "device", StringType(), required=True), NestedField(2, "taken_at", TimestamptzType(), required=True), NestedField(3, "glucose", IntegerType())),
        partition_spec=PartitionSpec(PartitionField(source_id=2, field_id=1000, transform=DayTransform(), name="taken_day")),
    )
    folder = tmp_path_factory.mktemp("readings")
    (folder / "readings.csv").write_text("device,taken_at,glucose\n" + "".join(f"{d},{t},{'' if g is None else g}\n" for d, t, g in READINGS))
    done = lakecat_cli("load", f"{NS}.readings", str(folder / "readings.csv"), "--ref", dev)
    assert done.code == 0, done.stderr
    assert "loaded 6 rows" in done.stdout and "in 3 data files" in done.stdout
    return dev


def test_partitioned_load_matches_an_independent_computation_in_every_engine(readings, catalog, spark, trino) -> None:
    expected = expected_daily()
    spark_rows = spark.sql(
        f"SELECT to_date(taken_at) AS day, count(*) AS n, coalesce(sum(glucose), 0) AS total FROM lake_dev.{NS}.readings GROUP BY 1 ORDER BY 1"
    ).collect()
    assert [tuple(r) for r in spark_rows] == expected
    trino_rows = trino(
        f"SELECT CAST(taken_at AT TIME ZONE 'UTC' AS date), count(*), coalesce(sum(glucose), 0) FROM lakecat_dev.{NS}.readings GROUP BY 1 ORDER BY 1"
    )
    assert trino_rows == expected
    table = catalog(readings).load_table((NS, "readings"))
    files = table.inspect.files().to_pylist()
    assert sorted(f["partition"]["taken_day"] for f in files) == [dt.date(2024, 3, d) for d in (1, 2, 3)]
    assert sum(f["record_count"] for f in files) == 6


def test_engines_skip_files_by_the_statistics_the_cli_wrote(readings, catalog) -> None:
    table = catalog(readings).load_table((NS, "readings"))
    assert len(list(table.scan().plan_files())) == 3
    # glucose bounds per file: day 1 [95, 110], day 2 [64, 180], day 3 [250, 250]: only day 3 can hold 200+.
    planned = list(table.scan(row_filter="glucose >= 200").plan_files())
    assert [t.file.partition[0] for t in planned] == [(dt.date(2024, 3, 3) - dt.date(1970, 1, 1)).days]
    # A partition filter prunes by the manifest's partition summaries and the file partitions.
    assert len(list(table.scan(row_filter="taken_at >= '2024-03-02T00:00:00+00:00'").plan_files())) == 2


def test_a_merge_publishes_the_loaded_tables_on_main(readings, loaded, catalog, spark, trino) -> None:
    done = lakecat_cli("merge", readings, "--into", "main")
    assert done.code == 0, done.stdout + done.stderr
    assert [tuple(r) for r in spark.sql(f"SELECT count(*) FROM lake.{NS}.readings").collect()] == [(6,)]
    assert trino(f"SELECT count(*), sum(glucose) FROM lakecat_main.{NS}.readings") == [(6, 699)]
    main_every = catalog("main").load_table((NS, "every")).scan().to_arrow()
    assert main_every.num_rows == 2


def test_create_and_evolve_from_files(catalog, dev, tmp_path) -> None:
    (tmp_path / "a.csv").write_text("sensor,reading,at\ns1,1.5,2024-03-01 10:00:00\ns2,2,2024-03-01 11:00:00\n")
    created = lakecat_cli("load", f"{NS}.inferred", str(tmp_path / "a.csv"), "--ref", dev, "--create")
    assert created.code == 0, created.stderr
    table = catalog(dev).load_table((NS, "inferred"))
    assert [(f.name, str(f.field_type)) for f in table.schema().fields] == [("sensor", "string"), ("reading", "double"), ("at", "timestamp")]
    (tmp_path / "b.csv").write_text("sensor,reading,at,unit\ns3,3.25,2024-03-02 10:00:00,mg/dL\n")
    refused = lakecat_cli("load", f"{NS}.inferred", str(tmp_path / "b.csv"), "--ref", dev)
    assert refused.code == 1 and "column unit not in the table" in refused.stderr
    evolved = lakecat_cli("load", f"{NS}.inferred", str(tmp_path / "b.csv"), "--ref", dev, "--evolve")
    assert evolved.code == 0, evolved.stderr
    rows = sorted(catalog(dev).load_table((NS, "inferred")).scan().to_arrow().to_pylist(), key=lambda r: r["sensor"])
    assert [(r["sensor"], r["reading"], r["unit"]) for r in rows] == [("s1", 1.5, None), ("s2", 2.0, None), ("s3", 3.25, "mg/dL")]


def test_a_bad_value_commits_nothing_and_leaves_no_object(readings, catalog, objects_under, tmp_path) -> None:
    table = catalog(readings).load_table((NS, "readings"))
    before_snapshot = table.current_snapshot().snapshot_id
    before_objects = objects_under(table.location())
    # Cast before anything is written (a failure after files were written, and their removal, is
    # covered in lakecat's own suite: test/data/append.test.ts).
    (tmp_path / "bad.csv").write_text("device,taken_at,glucose\ncgm-1,2024-04-01T08:00:00Z,90\ncgm-1,2024-04-02T08:00:00Z,ninety\n")
    done = lakecat_cli("load", f"{NS}.readings", str(tmp_path / "bad.csv"), "--ref", readings)
    assert done.code == 1
    assert 'bad.csv:3: column glucose: expected a 32-bit integer, got "ninety"' in done.stderr
    assert "nothing was committed" in done.stderr
    assert catalog(readings).load_table((NS, "readings")).current_snapshot().snapshot_id == before_snapshot
    assert objects_under(table.location()) == before_objects


def test_a_parquet_file_written_by_pyarrow_loads_with_its_types(catalog, dev, tmp_path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    data = pa.table(
        {
            "id": pa.array([1, 2], pa.int64()),
            "amount": pa.array([decimal.Decimal("12.345"), None], pa.decimal128(10, 3)),
            "at": pa.array([TSTZ, None], pa.timestamp("us", tz="UTC")),
            "local": pa.array([TS.replace(microsecond=123000), None], pa.timestamp("ms")),
            "tags": pa.array([["a", "b"], None], pa.list_(pa.string())),
        }
    )
    pq.write_table(data, tmp_path / "in.parquet")
    done = lakecat_cli("load", f"{NS}.from_parquet", str(tmp_path / "in.parquet"), "--ref", dev, "--create")
    assert done.code == 0, done.stderr
    table = catalog(dev).load_table((NS, "from_parquet"))
    assert [(f.name, str(f.field_type)) for f in table.schema().fields] == [
        ("id", "long"), ("amount", "decimal(10, 3)"), ("at", "timestamptz"), ("local", "timestamp"), ("tags", "list<string>"),
    ]  # fmt: skip
    rows = sorted(table.scan().to_arrow().to_pylist(), key=lambda r: r["id"])
    assert rows[0] == {"id": 1, "amount": decimal.Decimal("12.345"), "at": TSTZ, "local": TS.replace(microsecond=123000), "tags": ["a", "b"]}
    assert rows[1] == {"id": 2, "amount": None, "at": None, "local": None, "tags": None}


def test_overwrite_replaces_every_row_for_every_engine(catalog, dev, spark, trino, tmp_path) -> None:
    cat = catalog(dev)
    cat.create_table((NS, "latest"), Schema(NestedField(1, "device", StringType()), NestedField(2, "glucose", IntegerType())))
    (tmp_path / "one.csv").write_text("device,glucose\na,1\nb,2\n")
    (tmp_path / "two.csv").write_text("device,glucose\nc,3\n")
    assert lakecat_cli("load", f"{NS}.latest", str(tmp_path / "one.csv"), "--ref", dev).code == 0
    assert lakecat_cli("load", f"{NS}.latest", str(tmp_path / "one.csv"), "--ref", dev).code == 0
    done = lakecat_cli("load", f"{NS}.latest", str(tmp_path / "two.csv"), "--ref", dev, "--mode", "overwrite")
    assert done.code == 0, done.stderr
    assert "replaced the rows of" in done.stdout
    table = cat.load_table((NS, "latest"))
    assert table.scan().to_arrow().to_pylist() == [{"device": "c", "glucose": 3}]
    summary = table.current_snapshot().summary
    assert summary.operation.value == "overwrite" and summary["deleted-records"] == "4" and summary["total-records"] == "1"
    assert [tuple(r) for r in spark.sql(f"SELECT device, glucose FROM lake_dev.{NS}.latest").collect()] == [("c", 3)]
    assert trino(f"SELECT device, glucose FROM lakecat_dev.{NS}.latest") == [("c", 3)]
    # Time travel still sees the rows before the overwrite.
    before = table.snapshot_by_id(table.current_snapshot().parent_snapshot_id)
    assert sorted(r["device"] for r in table.scan(snapshot_id=before.snapshot_id).to_arrow().to_pylist()) == ["a", "a", "b", "b"]


def test_v3_tables_where_the_engines_support_them(catalog, dev, spark, trino, tmp_path) -> None:
    """Format v3: nanosecond timestamps (read by PyIceberg; Spark 3.5 with Iceberg 1.12 and Trino
    476 refuse the type itself) and row lineage (Spark's `_row_id` and
    `_last_updated_sequence_number` from the first-row-id lakecat assigns; Trino reads the rows)."""
    import pyarrow as pa
    from pyiceberg.types import TimestampNanoType, TimestamptzNanoType

    cat = catalog(dev)
    if not cat.namespace_exists(NS):
        cat.create_namespace(NS)
    cat.create_table(
        (NS, "nanos"),
        Schema(NestedField(1, "id", LongType(), required=True), NestedField(2, "ts", TimestampNanoType()), NestedField(3, "tz", TimestamptzNanoType())),
        properties={"format-version": "3"},
    )
    (tmp_path / "n.ndjson").write_text(json.dumps({"id": 1, "ts": "2024-02-29T13:14:15.123456789", "tz": "2024-02-29T14:14:15.123456789+01:00"}) + "\n")
    done = lakecat_cli("load", f"{NS}.nanos", str(tmp_path / "n.ndjson"), "--ref", dev)
    assert done.code == 0, done.stderr
    read = cat.load_table((NS, "nanos")).scan().to_arrow()
    assert str(read.schema.field("ts").type) == "timestamp[ns]" and str(read.schema.field("tz").type) == "timestamp[ns, tz=UTC]"
    # Exact to the nanosecond (Python's datetime stops at microseconds: compare the integers).
    assert read.column("ts").cast(pa.int64()).to_pylist() == [1_709_212_455_123_456_789]
    assert read.column("tz").cast(pa.int64()).to_pylist() == [1_709_212_455_123_456_789]

    cat.create_table((NS, "lineage"), Schema(NestedField(1, "id", LongType(), required=True), NestedField(2, "s", StringType())), properties={"format-version": "3"})
    (tmp_path / "l.ndjson").write_text(json.dumps({"id": 1, "s": "a"}) + "\n" + json.dumps({"id": 2, "s": "b"}) + "\n")
    for _ in range(2):
        assert lakecat_cli("load", f"{NS}.lineage", str(tmp_path / "l.ndjson"), "--ref", dev).code == 0
    rows = spark.sql(f"SELECT id, s, _row_id, _last_updated_sequence_number FROM lake_dev.{NS}.lineage ORDER BY _row_id").collect()
    assert [tuple(r) for r in rows] == [(1, "a", 0, 1), (2, "b", 1, 1), (1, "a", 2, 2), (2, "b", 3, 2)]
    assert sorted(trino(f"SELECT id, s FROM lakecat_dev.{NS}.lineage")) == [(1, "a"), (1, "a"), (2, "b"), (2, "b")]
    assert cat.load_table((NS, "lineage")).metadata.next_row_id == 4


def test_v3_row_lineage_survives_copy_on_write_changes(catalog, dev, spark, tmp_path) -> None:
    """`cdc apply` on a v3 table: rows moved to a new file keep their `_row_id` and
    `_last_updated_sequence_number`, an updated row keeps its `_row_id` with the new sequence
    number, an inserted row gets a new id (the spec's row lineage rules), as Spark reads them."""
    cat = catalog(dev)
    if not cat.namespace_exists(NS):
        cat.create_namespace(NS)
    cat.create_table(
        (NS, "lineage_cdc"),
        Schema(NestedField(1, "id", LongType(), required=True), NestedField(2, "s", StringType()), identifier_field_ids=[1]),
        properties={"format-version": "3"},
    )
    (tmp_path / "l.ndjson").write_text("".join(json.dumps({"id": i, "s": f"v{i}"}) + "\n" for i in range(1, 4)))
    assert lakecat_cli("load", f"{NS}.lineage_cdc", str(tmp_path / "l.ndjson"), "--ref", dev).code == 0
    sql = f"SELECT id, s, _row_id, _last_updated_sequence_number FROM lake_dev.{NS}.lineage_cdc ORDER BY id"
    assert [tuple(r) for r in spark.sql(sql).collect()] == [(1, "v1", 0, 1), (2, "v2", 1, 1), (3, "v3", 2, 1)]
    events = [
        {"op": "u", "before": {"id": 2, "s": "v2"}, "after": {"id": 2, "s": "v2 changed"}, "source": {"lsn": 10}},
        {"op": "c", "before": None, "after": {"id": 4, "s": "v4"}, "source": {"lsn": 11}},
    ]
    (tmp_path / "e.ndjson").write_text("".join(json.dumps(e) + "\n" for e in events))
    done = lakecat_cli("cdc", "apply", f"{NS}.lineage_cdc", str(tmp_path / "e.ndjson"), "--ref", dev)
    assert done.code == 0, done.stderr
    rows = [tuple(r) for r in spark.sql(sql).collect()]
    assert rows[:3] == [(1, "v1", 0, 1), (2, "v2 changed", 1, 2), (3, "v3", 2, 1)]
    assert rows[3][:2] == (4, "v4") and rows[3][2] >= 3 and rows[3][3] == 2
