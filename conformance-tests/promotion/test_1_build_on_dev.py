"""Steps 1-4 of the promotion workflow: branch, ingest raw data with PyIceberg, build bronze,
silver and gold with Spark SQL, and validate everything on the branch while main sees none of it.
The steps run in file order and hand their results on through the `workflow` fixture."""

from __future__ import annotations

from decimal import Decimal

import pyarrow as pa
from pyiceberg.schema import Schema
from pyiceberg.types import DecimalType, IntegerType, LongType, NestedField, StringType, TimestamptzType

import seed_data
from conftest import DEV_CATALOG, LAYERS, requests_between


def _rows(spark, sql: str) -> list[tuple]:
    return [tuple(r) for r in spark.sql(sql).collect()]


def _scalar(spark, sql: str):
    return spark.sql(sql).collect()[0][0]


SENSORS_SCHEMA = Schema(
    NestedField(1, "sensor_id", StringType(), required=True),
    NestedField(2, "category", StringType(), required=True),
    NestedField(3, "site", StringType(), required=True),
)
READINGS_SCHEMA = Schema(
    NestedField(1, "reading_id", LongType(), required=True),
    NestedField(2, "sensor_id", StringType(), required=False),
    NestedField(3, "ts", TimestamptzType(), required=True),
    NestedField(4, "value", DecimalType(9, 2), required=False),
    NestedField(5, "batch", IntegerType(), required=True),
)


def _readings_arrow(rows: list[seed_data.Reading]) -> pa.Table:
    cols = {
        "reading_id": [r.reading_id for r in rows],
        "sensor_id": [r.sensor_id for r in rows],
        "ts": [r.ts for r in rows],
        "value": [r.value for r in rows],
        "batch": [r.batch for r in rows],
    }
    return pa.Table.from_pydict(cols, schema=READINGS_SCHEMA.as_arrow())


def _reading_of(d: dict) -> seed_data.Reading:
    return seed_data.Reading(d["reading_id"], d["sensor_id"], d["ts"], d["value"], d["batch"])


def test_1_create_dev_branch_from_main(workflow, lakecat, pyiceberg_catalog):
    workflow.served_at_start = lakecat.http_request_counts()
    main = lakecat.reference("main")
    created = lakecat.create_reference(workflow.branch, "BRANCH", main)
    assert created == {"type": "BRANCH", "name": workflow.branch, "hash": main["hash"]}
    assert lakecat.reference(workflow.branch)["hash"] == main["hash"]
    workflow.fork_hash = main["hash"]
    # An engine pins itself to the branch through its warehouse: lakecat answers it as the prefix.
    config = lakecat.request("GET", "/v1/config", query={"warehouse": workflow.branch})
    assert config["overrides"]["prefix"] == workflow.branch

    # The layers are top-level namespaces named raw/bronze/silver/gold. When main already has one
    # (an earlier run against the same catalog), this run's namespaces carry its id instead.
    on_main = {ns[0] for ns in pyiceberg_catalog("main").list_namespaces()}
    clash = any(layer in on_main for layer in LAYERS)
    workflow.namespaces = {layer: f"{layer}_{workflow.run_id}" if clash else layer for layer in LAYERS}
    workflow.done.add("branch")


def test_2_ingest_raw_tables_with_pyiceberg(workflow, pyiceberg_catalog):
    workflow.require("branch")
    dev = pyiceberg_catalog(workflow.branch)
    raw = workflow.namespaces["raw"]
    dev.create_namespace(raw)

    sensor_list = seed_data.sensors()
    sensors = dev.create_table(workflow.table("raw", "sensors"), schema=SENSORS_SCHEMA)
    sensors.append(
        pa.Table.from_pylist(
            [{"sensor_id": s.sensor_id, "category": s.category, "site": s.site} for s in sensor_list],
            schema=SENSORS_SCHEMA.as_arrow(),
        )
    )

    generated = seed_data.readings()
    readings = dev.create_table(workflow.table("raw", "readings"), schema=READINGS_SCHEMA)
    # Two appends, one per ingest batch: two snapshots on the raw table.
    for batch in (1, 2):
        readings.append(_readings_arrow([r for r in generated if r.batch == batch]))

    readings = dev.load_table(workflow.table("raw", "readings"))
    assert [s.summary.operation.value for s in readings.snapshots()] == ["append", "append"]
    stored = [_reading_of(d) for d in readings.scan().to_arrow().to_pylist()]
    key = lambda r: (r.reading_id, r.batch)  # noqa: E731
    assert sorted(stored, key=key) == sorted(generated, key=key)
    assert len(stored) == seed_data.BATCH1_ROWS + seed_data.BATCH2_NEW_ROWS + seed_data.BATCH2_CORRECTIONS
    # The data really has rows for bronze to filter out.
    assert sum(1 for r in stored if not seed_data.is_clean(r)) > 100
    stored_sensors = dev.load_table(workflow.table("raw", "sensors")).scan().to_arrow().to_pylist()
    assert sorted((d["sensor_id"], d["category"], d["site"]) for d in stored_sensors) == sorted(
        (s.sensor_id, s.category, s.site) for s in sensor_list
    )
    workflow.done.add("raw")


def test_3_build_bronze_silver_gold_with_spark_sql(workflow, spark, lakecat):
    workflow.require("raw")
    ns = workflow.namespaces
    raw_readings = workflow.sql_name(DEV_CATALOG, "raw", "readings")
    raw_sensors = workflow.sql_name(DEV_CATALOG, "raw", "sensors")
    bronze = workflow.sql_name(DEV_CATALOG, "bronze", "readings")
    silver = workflow.sql_name(DEV_CATALOG, "silver", "readings")
    gold = workflow.sql_name(DEV_CATALOG, "gold", "daily_category")
    clean = f"sensor_id IS NOT NULL AND value IS NOT NULL AND value <> {seed_data.SENTINEL}"
    served_before = lakecat.http_request_counts()

    # Bronze: batch 1's clean readings (CTAS), then batch 2 upserted on the reading id (MERGE).
    spark.sql(f"CREATE NAMESPACE {DEV_CATALOG}.{ns['bronze']}")
    spark.sql(
        f"""CREATE TABLE {bronze} USING iceberg PARTITIONED BY (days(ts)) AS
            SELECT reading_id, sensor_id, ts, value FROM {raw_readings} WHERE batch = 1 AND {clean}"""
    )
    spark.sql(
        f"""MERGE INTO {bronze} AS t
            USING (SELECT reading_id, sensor_id, ts, value FROM {raw_readings} WHERE batch = 2 AND {clean}) AS s
            ON t.reading_id = s.reading_id
            WHEN MATCHED THEN UPDATE SET t.sensor_id = s.sensor_id, t.ts = s.ts, t.value = s.value
            WHEN NOT MATCHED THEN INSERT *"""
    )
    # Silver: facts of known sensors with their category and site (CTAS with a join).
    spark.sql(f"CREATE NAMESPACE {DEV_CATALOG}.{ns['silver']}")
    spark.sql(
        f"""CREATE TABLE {silver} USING iceberg PARTITIONED BY (category) AS
            SELECT r.reading_id, r.sensor_id, s.category, s.site, CAST(r.ts AS DATE) AS day, r.ts, r.value
            FROM {bronze} r JOIN {raw_sensors} s ON r.sensor_id = s.sensor_id"""
    )
    # Gold: daily aggregates per category (CREATE TABLE, then INSERT ... SELECT).
    spark.sql(f"CREATE NAMESPACE {DEV_CATALOG}.{ns['gold']}")
    spark.sql(
        f"""CREATE TABLE {gold} (day DATE NOT NULL, category STRING NOT NULL, readings BIGINT NOT NULL,
              total_value DECIMAL(19,2), min_value DECIMAL(9,2), max_value DECIMAL(9,2))
            USING iceberg PARTITIONED BY (day)"""
    )
    spark.sql(
        f"""INSERT INTO {gold}
            SELECT day, category, count(*), sum(value), min(value), max(value) FROM {silver} GROUP BY day, category"""
    )

    # What lakecat stored on the branch: each table's snapshots as the statements made them.
    def operations(layer: str, table: str) -> list:
        meta = lakecat.load_table(workflow.branch, ns[layer], table)["metadata"]
        return sorted((s["sequence-number"], s["summary"]["operation"]) for s in meta["snapshots"])

    assert [op for _, op in operations("bronze", "readings")] == ["append", "overwrite"]
    assert [op for _, op in operations("silver", "readings")] == ["append"]
    assert [op for _, op in operations("gold", "daily_category")] == ["append"]

    # Spark got no server error, and every metrics report it sent was accepted (including the
    # commit reports of the CTAS statements, sent before their staged creates are committed).
    served = requests_between(served_before, lakecat.http_request_counts())
    assert not {k: n for k, n in served.items() if k[2].startswith("5")}, served
    reports = {k: n for k, n in served.items() if k[1].endswith("/tables/:table/metrics")}
    assert reports and all(status == "204" for _, _, status in reports), reports
    workflow.done.add("layers")


def test_4_validate_on_dev_while_main_sees_nothing(workflow, spark, pyiceberg_catalog):
    workflow.require("layers")
    dev = pyiceberg_catalog(workflow.branch)
    name = lambda layer, t: workflow.sql_name(DEV_CATALOG, layer, t)  # noqa: E731

    # The expectations come from raw.readings as stored, filtered and aggregated in Python.
    raw = [_reading_of(d) for d in dev.load_table(workflow.table("raw", "readings")).scan().to_arrow().to_pylist()]
    sensor_list = [seed_data.Sensor(**d) for d in dev.load_table(workflow.table("raw", "sensors")).scan().to_arrow().to_pylist()]
    bronze = seed_data.bronze(raw)
    silver = seed_data.silver(raw, sensor_list)
    gold = seed_data.gold(raw, sensor_list)
    assert 0 < len(silver) < len(bronze) < len(raw)

    assert _scalar(spark, f"SELECT count(*) FROM {name('bronze', 'readings')}") == len(bronze)
    assert _rows(spark, f"SELECT reading_id, sensor_id, value FROM {name('bronze', 'readings')} ORDER BY reading_id") == [
        (rid, r.sensor_id, r.value) for rid, r in sorted(bronze.items())
    ]
    assert _rows(spark, f"SELECT reading_id, sensor_id, category, site, day, value FROM {name('silver', 'readings')} ORDER BY reading_id") == silver

    # No null or duplicate keys in any layer Spark built.
    for layer, table, keys, unique in (
        ("bronze", "readings", ("reading_id", "sensor_id", "ts", "value"), "reading_id"),
        ("silver", "readings", ("reading_id", "sensor_id", "category", "day"), "reading_id"),
        ("gold", "daily_category", ("day", "category"), "concat(day, '/', category)"),
    ):
        nulls = " OR ".join(f"{k} IS NULL" for k in keys)
        assert _scalar(spark, f"SELECT count(*) FROM {name(layer, table)} WHERE {nulls}") == 0, (layer, keys)
        assert _rows(spark, f"SELECT count(*), count(DISTINCT {unique}) FROM {name(layer, table)}") == [
            (n, n) for (n,) in _rows(spark, f"SELECT count(*) FROM {name(layer, table)}")
        ], layer

    gold_spark = seed_data.normalize_gold(_rows(spark, f"SELECT * FROM {name('gold', 'daily_category')}"))
    assert gold_spark == gold
    # Gold's totals are raw's totals over the valid rows.
    assert _rows(spark, f"SELECT sum(readings), sum(total_value) FROM {name('gold', 'daily_category')}") == [
        (len(silver), sum((v for *_, v in silver), Decimal("0")))
    ]
    gold_pyiceberg = seed_data.normalize_gold(dev.load_table(workflow.table("gold", "daily_category")).scan().to_arrow().to_pylist())
    assert gold_pyiceberg == gold
    workflow.gold_on_dev = gold

    # main has none of it: no namespace, no table.
    main = pyiceberg_catalog("main")
    assert not {(ns,) for ns in workflow.namespaces.values()} & set(main.list_namespaces())
    for ident in workflow.tables():
        assert not main.table_exists(ident), ident
        assert dev.table_exists(ident), ident
    workflow.done.add("validated")


def test_4b_main_moves_on_while_dev_is_reviewed(workflow, pyiceberg_catalog, lakecat):
    """Another team commits to main after dev forked, so the promotion is a real merge of two
    histories, and main's state before the merge holds something to travel back to."""
    workflow.require("branch")
    main = pyiceberg_catalog("main")
    ns = f"ops_{workflow.run_id}"
    main.create_namespace(ns)
    schema = Schema(NestedField(1, "run", StringType(), required=True), NestedField(2, "note", StringType(), required=False))
    audit = main.create_table((ns, "audit"), schema=schema)
    audit.append(pa.Table.from_pylist([{"run": workflow.run_id, "note": "before promotion"}], schema=schema.as_arrow()))
    assert lakecat.reference("main")["hash"] != workflow.fork_hash
    assert not pyiceberg_catalog(workflow.branch).table_exists((ns, "audit"))
    workflow.main_side_table = (ns, "audit")
    workflow.done.add("main_moved")
