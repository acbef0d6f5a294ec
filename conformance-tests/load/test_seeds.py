"""The seeds' pipeline with nothing but `lakecat`: glucose readings (a device CSV) loaded into `raw`
on an ingest branch; a PostgreSQL `customers` table changed by real SQL (inserts, updates, deletes,
a primary key change) and its change stream, in Debezium's JSON envelope, applied with
`lakecat cdc apply` twice (the second time changes nothing), in copy-on-write and in equality
mode; the tables validated against PostgreSQL's own rows and the CSV, read by PyIceberg, Spark and
Trino; then the branch merged into main and read there again.

The change events are built from what PostgreSQL returns for each statement (the row before and
after, and the WAL position), encoded as Debezium's PostgreSQL connector encodes them by default
(timestamps without zone as microseconds, timestamps with zone as ISO text, dates as days,
decimals as text with `decimal.handling.mode=string`), a key change as a delete, a tombstone and a
create. No Kafka or Debezium runs here: the envelope is the contract `cdc apply` reads."""
from __future__ import annotations

import datetime as dt
import decimal
import json
import os
import subprocess

import pytest
from pyiceberg.schema import Schema
from pyiceberg.types import BooleanType, DateType, DecimalType, LongType, NestedField, StringType, TimestampType, TimestamptzType

from conftest import RUN, lakecat_cli

NS = f"raw_{RUN}"
BRANCH = "dev"  # the branch the suite's Spark (lake_dev) and Trino (lakecat_dev) catalogs read
PG_SCHEMA = f"shop_{RUN}"
EPOCH = dt.datetime(1970, 1, 1)
UTC = dt.timezone.utc

CUSTOMERS = Schema(
    NestedField(1, "id", LongType(), required=True),
    NestedField(2, "name", StringType()),
    NestedField(3, "email", StringType()),
    NestedField(4, "tier", DecimalType(6, 2)),
    NestedField(5, "born", DateType()),
    NestedField(6, "last_seen", TimestampType()),
    NestedField(7, "signed_up", TimestamptzType()),
    NestedField(8, "active", BooleanType()),
    identifier_field_ids=[1],
)
COLUMNS = "id, name, email, tier, born, last_seen, signed_up, active"
JSON_ROW = "json_build_object(" + ", ".join(f"'{c}', {c}" for c in COLUMNS.split(", ")) + ")"

# Each entry: one SQL statement on customers, run on its own (autocommit) in PostgreSQL.
BATCH_1 = [
    "UPDATE customers SET email = 'ada@new.example', last_seen = '2024-03-02 10:11:12.654321' WHERE id = 1",
    "INSERT INTO customers VALUES (6, 'Fay', 'fay@example.com', 3.50, '1990-06-01', '2024-03-02 09:00:00.000001', '2024-03-02 09:00:00+00', true)",
    "DELETE FROM customers WHERE id = 4",
    "UPDATE customers SET tier = 9.99 WHERE id = 2",
]
BATCH_2 = [
    "UPDATE customers SET id = 33, name = 'Cy (moved)' WHERE id = 3",  # a primary key change
    "UPDATE customers SET active = false WHERE id = 6",
    "UPDATE customers SET active = true, tier = 4.25 WHERE id = 6",
    "INSERT INTO customers VALUES (7, 'Gus', NULL, NULL, NULL, NULL, NULL, NULL)",
    "DELETE FROM customers WHERE id = 7",
    "INSERT INTO customers VALUES (8, 'Hal', 'hal@example.com', 1.00, '2001-01-01', '2024-03-03 00:00:00', '2024-03-03 12:30:00.5+02', true)",
]

READINGS_CSV = """device,taken_at,glucose_mg_dl
cgm-7,2024-03-01T07:55:00Z,98
cgm-7,2024-03-01T12:40:00Z,151
cgm-9,2024-03-01T08:05:00Z,
cgm-9,2024-03-02T08:05:00Z,87
cgm-7,2024-03-02T19:30:00Z,203
"""


def psql(sql: str) -> str:
    done = subprocess.run(
        [os.environ["LAKECAT_TEST_PSQL"], os.environ["LAKECAT_TEST_PG_URL"], "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", f"SET TIME ZONE 'UTC'; SET search_path = {PG_SCHEMA}; {sql}"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def debezium_row(row: dict | None) -> dict | None:
    """A row as the PostgreSQL connector writes it by default."""
    if row is None:
        return None
    out = dict(row)
    if row["born"] is not None:
        out["born"] = (dt.date.fromisoformat(row["born"]) - dt.date(1970, 1, 1)).days  # io.debezium.time.Date
    if row["last_seen"] is not None:
        out["last_seen"] = micros(dt.datetime.fromisoformat(row["last_seen"]) - EPOCH)  # MicroTimestamp
    if row["signed_up"] is not None:
        out["signed_up"] = dt.datetime.fromisoformat(row["signed_up"]).astimezone(UTC).isoformat().replace("+00:00", "Z")  # ZonedTimestamp
    if row["tier"] is not None:
        out["tier"] = f"{decimal.Decimal(str(row['tier'])):.2f}"  # decimal.handling.mode=string
    return out


class Stream:
    """Runs statements in PostgreSQL and keeps their change events, in order, as Debezium would."""

    def __init__(self) -> None:
        self.last_commit = 0

    def envelope(self, op: str, before: dict | None, after: dict | None, lsn: int, snapshot: bool = False) -> str:
        source = {
            "version": "3.1.0.Final", "connector": "postgresql", "name": "seed", "ts_ms": 1_709_251_200_000,
            "snapshot": "true" if snapshot else "false", "db": "postgres", "schema": PG_SCHEMA, "table": "customers",
            "txId": lsn % 100_000, "lsn": lsn, "sequence": json.dumps([str(self.last_commit), str(lsn)]),
        }  # fmt: skip
        return json.dumps({"before": debezium_row(before), "after": debezium_row(after), "source": source, "op": op, "ts_ms": 1_709_251_200_001})

    def run(self, statement: str) -> list[str]:
        verb = statement.split()[0].upper()
        where = statement[statement.upper().index(" WHERE ") :] if " WHERE " in statement.upper() else ""
        table = "customers"
        returning = f"RETURNING {JSON_ROW} AS j"
        olds = f"(SELECT coalesce(json_agg({JSON_ROW}), '[]') FROM {table} {where})"
        out = psql(f"WITH old AS (SELECT {olds} AS j), changed AS ({statement} {returning}) SELECT json_build_object('old', (SELECT j FROM old), 'new', (SELECT coalesce(json_agg(changed.j), '[]') FROM changed), 'lsn', (pg_current_wal_lsn() - '0/0')::bigint)")
        result = json.loads(out)
        lsn = int(result["lsn"])
        news = result["new"]
        events: list[str] = []
        if verb == "INSERT":
            events += [self.envelope("c", None, n, lsn) for n in news]
        elif verb == "DELETE":
            events += [self.envelope("d", o, None, lsn) for o in result["old"]]
            events.append("null")  # the tombstone Kafka compaction needs
        else:
            for o, n in zip(result["old"], news):
                if o["id"] != n["id"]:
                    # A key change: Debezium emits a delete of the old key, a tombstone, a create of the new one.
                    events += [self.envelope("d", o, None, lsn), "null", self.envelope("c", None, n, lsn + 1)]
                else:
                    events.append(self.envelope("u", o, n, lsn))
        self.last_commit = lsn
        return events


def pg_rows() -> list[tuple]:
    """customers in PostgreSQL, normalised: (id, name, email, tier text, born, last_seen micros, signed_up micros, active)."""
    out = psql(f"SELECT coalesce(json_agg({JSON_ROW} ORDER BY id), '[]') FROM customers")
    return [normalise(debezium_row(r)) for r in json.loads(out)]


def normalise(r: dict) -> tuple:
    signed = r["signed_up"]
    if isinstance(signed, str):
        signed = micros(dt.datetime.fromisoformat(signed.replace("Z", "+00:00")) - dt.datetime(1970, 1, 1, tzinfo=UTC))
    return (r["id"], r["name"], r["email"], r["tier"], r["born"], r["last_seen"], signed, r["active"])


@pytest.fixture(scope="module")
def stream(catalog, dev, tmp_path_factory) -> dict:
    """PostgreSQL's customers, its initial snapshot and two batches of changes as Debezium files."""
    psql_setup = f"""
        CREATE SCHEMA {PG_SCHEMA}; SET search_path = {PG_SCHEMA};
        CREATE TABLE customers (id bigint PRIMARY KEY, name text, email text, tier numeric(6,2), born date,
                                last_seen timestamp(6), signed_up timestamptz(6), active boolean);
        INSERT INTO customers VALUES
          (1, 'Ada', 'ada@example.com', 5.00, '1985-12-10', '2024-03-01 08:00:00.123456', '2023-01-01 00:00:00+00', true),
          (2, 'Bob', 'bob@example.com', 2.50, '1979-02-28', '2024-03-01 09:30:00', '2023-02-01 10:00:00.000001+00', true),
          (3, 'Cy', NULL, NULL, NULL, NULL, '2023-03-01 00:00:00+05', false),
          (4, 'Dee', 'dee@example.com', 0.99, '2000-02-29', '2024-02-29 23:59:59.999999', '2023-04-01 00:00:00+00', true),
          (5, 'Eve', 'eve@example.com', 7.75, '1969-07-20', '1969-07-20 20:17:40', '1969-07-20 20:17:40-04', false);
    """
    subprocess.run([os.environ["LAKECAT_TEST_PSQL"], os.environ["LAKECAT_TEST_PG_URL"], "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", psql_setup], check=True, capture_output=True, timeout=60)
    s = Stream()
    snapshot_lsn = int(psql("SELECT (pg_current_wal_lsn() - '0/0')::bigint"))
    initial = json.loads(psql(f"SELECT json_agg({JSON_ROW} ORDER BY id) FROM customers"))
    # The initial snapshot ('r' events) comes first, at the snapshot's position.
    batch1 = [s.envelope("r", None, row, snapshot_lsn, snapshot=True) for row in initial]
    s.last_commit = snapshot_lsn
    for statement in BATCH_1:
        batch1 += s.run(statement)
    after_1 = pg_rows()
    batch2: list[str] = []
    for statement in BATCH_2:
        batch2 += s.run(statement)
    folder = tmp_path_factory.mktemp("cdc")
    (folder / "batch1.ndjson").write_text("\n".join(batch1) + "\n")
    (folder / "batch2.ndjson").write_text("\n".join(batch2) + "\n")
    (folder / "readings.csv").write_text(READINGS_CSV)
    cat = catalog(BRANCH)
    cat.create_namespace(NS)
    cat.create_table((NS, "customers"), CUSTOMERS)
    cat.create_table((NS, "customers_eq"), CUSTOMERS)
    final = pg_rows()
    assert [r[0] for r in after_1] == [1, 2, 3, 5, 6] and [r[0] for r in final] == [1, 2, 5, 6, 8, 33]
    return {"folder": folder, "after_1": after_1, "final": final}


def micros(delta: dt.timedelta) -> int:
    return delta.days * 86_400_000_000 + delta.seconds * 1_000_000 + delta.microseconds


def summary_value(snapshot, key: str):
    try:
        return snapshot.summary[key]
    except (KeyError, TypeError):
        return None


def iceberg_rows(scan) -> list[tuple]:
    """What PyIceberg reads, normalised as pg_rows."""
    out = []
    for r in scan.to_arrow().to_pylist():
        last_seen = None if r["last_seen"] is None else micros(r["last_seen"] - EPOCH)
        signed = None if r["signed_up"] is None else micros(r["signed_up"] - dt.datetime(1970, 1, 1, tzinfo=UTC))
        born = None if r["born"] is None else (r["born"] - dt.date(1970, 1, 1)).days
        tier = None if r["tier"] is None else f"{r['tier']:.2f}"
        out.append((r["id"], r["name"], r["email"], tier, born, last_seen, signed, r["active"]))
    return sorted(out)


SPARK_SQL = "SELECT id, name, email, CAST(tier AS STRING), datediff(born, DATE'1970-01-01'), unix_micros(CAST(last_seen AS TIMESTAMP)), unix_micros(signed_up), active FROM {} ORDER BY id"
TRINO_SQL = (
    "SELECT id, name, email, CAST(tier AS varchar), date_diff('day', DATE '1970-01-01', born), "
    "date_diff('millisecond', TIMESTAMP '1970-01-01 00:00:00', last_seen), "
    "date_diff('millisecond', TIMESTAMP '1970-01-01 00:00:00 UTC', signed_up), active FROM {} ORDER BY id"
)


def to_millis(rows: list[tuple]) -> list[tuple]:
    """Trino's date_diff counts whole milliseconds: the expected micros floored the same way."""
    return [(*r[:5], None if r[5] is None else r[5] // 1000, None if r[6] is None else r[6] // 1000, r[7]) for r in rows]


def apply(folder, table: str, batch: str, *extra: str):
    return lakecat_cli("cdc", "apply", f"{NS}.{table}", str(folder / batch), "--ref", BRANCH, "--json", *extra)


def test_glucose_readings_csv_lands_in_raw_on_the_branch(stream, catalog, spark, trino) -> None:
    done = lakecat_cli("load", f"{NS}.glucose", str(stream["folder"] / "readings.csv"), "--ref", BRANCH, "--create")
    assert done.code == 0, done.stderr
    per_device: dict = {}
    for line in READINGS_CSV.splitlines()[1:]:
        device, _, value = line.split(",")
        n, total = per_device.get(device, (0, 0))
        per_device[device] = (n + 1, total + (int(value) if value else 0))
    want = sorted((d, n, t) for d, (n, t) in per_device.items())
    sql = f"SELECT device, count(*), coalesce(sum(glucose_mg_dl), 0) FROM {{}}.{NS}.glucose GROUP BY device ORDER BY device"
    assert [tuple(r) for r in spark.sql(sql.format("lake_dev")).collect()] == want
    assert trino(sql.format("lakecat_dev")) == want
    arrow = catalog(BRANCH).load_table((NS, "glucose")).scan().to_arrow()
    assert arrow.num_rows == 5 and arrow.column("glucose_mg_dl").null_count == 1


@pytest.mark.parametrize("table,mode", [("customers", "cow"), ("customers_eq", "equality")])
def test_the_change_stream_applies_exactly_once(stream, catalog, table, mode) -> None:
    folder = stream["folder"]
    first = apply(folder, table, "batch1.ndjson", "--mode", mode)
    assert first.code == 0, first.stderr
    summary = json.loads(first.stdout)
    assert summary["source"] == f"seed/postgres.{PG_SCHEMA}.customers" and summary["applied"] > 0 and summary["snapshotId"]
    snapshots = len(catalog(BRANCH).load_table((NS, table)).snapshots())
    # The same file again: every event is at or before the recorded position; nothing is committed.
    again = apply(folder, table, "batch1.ndjson", "--mode", mode)
    assert again.code == 0, again.stderr
    assert json.loads(again.stdout)["snapshotId"] is None and json.loads(again.stdout)["skipped"] == summary["applied"]
    assert len(catalog(BRANCH).load_table((NS, table)).snapshots()) == snapshots
    second = apply(folder, table, "batch2.ndjson", "--mode", mode)
    assert second.code == 0, second.stderr
    # Both files replayed: nothing.
    replay = lakecat_cli("cdc", "apply", f"{NS}.{table}", str(folder / "batch1.ndjson"), str(folder / "batch2.ndjson"), "--ref", BRANCH, "--json", "--mode", mode)
    assert replay.code == 0 and json.loads(replay.stdout)["snapshotId"] is None, replay.stdout + replay.stderr
    current = catalog(BRANCH).load_table((NS, table)).current_snapshot()
    assert summary_value(current, "lakecat.cdc.source") == summary["source"]
    if mode == "equality":
        assert int(summary_value(current, "total-equality-deletes")) > 0


def test_pyiceberg_reads_what_postgresql_has(stream, catalog) -> None:
    # PyIceberg reads copy-on-write tables (it does not apply equality deletes: Spark and Trino check those).
    table = catalog(BRANCH).load_table((NS, "customers"))
    assert iceberg_rows(table.scan()) == stream["final"]
    # Time travel to the first batch's snapshot shows PostgreSQL's rows after the first batch.
    applied = [s for s in table.snapshots() if summary_value(s, "lakecat.cdc.source")]
    assert len(applied) == 2
    assert iceberg_rows(table.scan(snapshot_id=applied[0].snapshot_id)) == stream["after_1"]
    # And it says so about the equality-delete table rather than showing deleted rows.
    with pytest.raises((ValueError, NotImplementedError), match="does not yet support equality deletes"):
        catalog(BRANCH).load_table((NS, "customers_eq")).scan().to_arrow()


@pytest.mark.parametrize("table", ["customers", "customers_eq"])
def test_spark_and_trino_read_what_postgresql_has(stream, spark, trino, table) -> None:
    assert [tuple(r) for r in spark.sql(SPARK_SQL.format(f"lake_dev.{NS}.{table}")).collect()] == stream["final"]
    assert trino(TRINO_SQL.format(f"lakecat_dev.{NS}.{table}")) == to_millis(stream["final"])


def test_a_bad_event_commits_nothing(stream, catalog) -> None:
    table = catalog(BRANCH).load_table((NS, "customers"))
    before = table.current_snapshot().snapshot_id
    bad = stream["folder"] / "bad.ndjson"
    bad.write_text(json.dumps({"op": "c", "after": {"id": 99, "name": "x"}, "source": {"lsn": 1}}) + "\n" + json.dumps({"op": "m", "after": {"id": 100}}) + "\n")
    done = lakecat_cli("cdc", "apply", f"{NS}.customers", str(bad), "--ref", BRANCH)
    assert done.code == 1
    assert 'bad.ndjson:2: unknown Debezium op "m"' in done.stderr and "nothing was committed" in done.stderr
    wrong = stream["folder"] / "wrong.ndjson"
    wrong.write_text(json.dumps({"op": "c", "after": {"id": 99, "born": "someday"}, "source": {"lsn": 1}}) + "\n")
    done = lakecat_cli("cdc", "apply", f"{NS}.customers", str(wrong), "--ref", BRANCH, "--source-id", "other")
    assert done.code == 1 and "wrong.ndjson:1 (after): column born:" in done.stderr, done.stderr
    assert catalog(BRANCH).load_table((NS, "customers")).current_snapshot().snapshot_id == before


def test_merged_into_main_the_engines_read_the_same(stream, catalog, spark, trino) -> None:
    done = lakecat_cli("merge", BRANCH, "--into", "main")
    assert done.code == 0, done.stdout + done.stderr
    assert iceberg_rows(catalog("main").load_table((NS, "customers")).scan()) == stream["final"]
    for table in ("customers", "customers_eq"):
        assert [tuple(r) for r in spark.sql(SPARK_SQL.format(f"lake.{NS}.{table}")).collect()] == stream["final"]
        assert trino(TRINO_SQL.format(f"lakecat_main.{NS}.{table}")) == to_millis(stream["final"])
    assert trino(f"SELECT count(*) FROM lakecat_main.{NS}.glucose") == [(5,)]
