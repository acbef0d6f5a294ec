"""DDL and DML through Trino on branch main, each result checked twice: through Trino and through
lakecat's own REST answer (loadTable read over HTTP), which is what any other engine would see."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from trino.exceptions import TrinoUserError

from support import MAIN, current_schema, current_snapshot, error_name, meta, snapshots

UTC = dt.timezone.utc


def test_create_insert_select_with_nested_types(db, lakecat, main_schema):
    t = f"{MAIN}.{main_schema}.orders"
    db.sql(
        f"CREATE TABLE {t} (id bigint, customer varchar, amount decimal(10, 2), ordered_at timestamp(6) with time zone, "
        "day date, paid boolean, tags array(varchar), address row(city varchar, zip integer), extras map(varchar, double))"
    )
    db.sql(
        f"INSERT INTO {t} VALUES "
        "(1, 'ada', DECIMAL '12.50', TIMESTAMP '2024-03-01 10:15:00.123456 UTC', DATE '2024-03-01', true, "
        "ARRAY['new', 'vip'], ROW('Paris', 75001), MAP(ARRAY['tip'], ARRAY[1.5e0])), "
        "(2, 'bob', DECIMAL '7.25', TIMESTAMP '2024-03-02 23:59:59 UTC', DATE '2024-03-02', false, "
        "ARRAY[], ROW('Lyon', 69001), MAP()), "
        "(3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)"
    )
    rows = db.sql(f"SELECT id, customer, amount, ordered_at, day, paid, tags, address, extras FROM {t} ORDER BY id")
    assert rows[0] == (
        1, "ada", Decimal("12.50"), dt.datetime(2024, 3, 1, 10, 15, 0, 123456, tzinfo=UTC), dt.date(2024, 3, 1),
        True, ["new", "vip"], ("Paris", 75001), {"tip": 1.5},
    )
    assert rows[1] == (
        2, "bob", Decimal("7.25"), dt.datetime(2024, 3, 2, 23, 59, 59, tzinfo=UTC), dt.date(2024, 3, 2),
        False, [], ("Lyon", 69001), {},
    )
    assert rows[2] == (3, None, None, None, None, None, None, None, None)
    assert db.sql(f"SELECT count(*), sum(amount) FROM {t} WHERE paid IS NOT NULL") == [(2, Decimal("19.75"))]

    # The same table as lakecat serves it: the schema Trino declared and one append of 3 rows.
    loaded = lakecat.load_table("main", main_schema, "orders")
    metadata = loaded["metadata"]
    fields = current_schema(metadata)["fields"]
    assert [f["name"] for f in fields] == [
        "id", "customer", "amount", "ordered_at", "day", "paid", "tags", "address", "extras"
    ]
    types = {f["name"]: f["type"] for f in fields}
    assert types["id"] == "long" and types["amount"] == "decimal(10, 2)" and types["ordered_at"] == "timestamptz"
    assert types["tags"]["type"] == "list" and types["address"]["type"] == "struct" and types["extras"]["type"] == "map"
    snapshot = current_snapshot(metadata)
    assert snapshot["summary"]["operation"] == "append"
    assert snapshot["summary"]["added-records"] == "3" and snapshot["summary"]["total-records"] == "3"
    assert loaded["metadata-location"].startswith(metadata["location"] + "/metadata/")
    # Trino's view of the snapshots is lakecat's.
    assert [s[0] for s in snapshots(db, t)] == [s["snapshot-id"] for s in metadata["snapshots"]]


def test_partitioned_table(db, lakecat, main_schema):
    t = f"{MAIN}.{main_schema}.events"
    db.sql(
        f"CREATE TABLE {t} (id bigint, region varchar, ts timestamp(6) with time zone, v double) "
        "WITH (partitioning = ARRAY['day(ts)', 'bucket(id, 4)', 'region'])"
    )
    db.sql(
        f"INSERT INTO {t} VALUES "
        "(1, 'eu', TIMESTAMP '2024-05-01 01:00:00 UTC', 1.0), (2, 'eu', TIMESTAMP '2024-05-01 02:00:00 UTC', 2.0), "
        "(3, 'us', TIMESTAMP '2024-05-02 03:00:00 UTC', 3.0), (4, 'us', TIMESTAMP '2024-05-03 04:00:00 UTC', 4.0), "
        "(5, 'eu', TIMESTAMP '2024-05-03 05:00:00 UTC', 5.0)"
    )
    assert db.sql(f"SELECT region, count(*), sum(v) FROM {t} GROUP BY region ORDER BY region") == [
        ("eu", 3, 8.0), ("us", 2, 7.0)
    ]
    assert db.sql(f"SELECT id FROM {t} WHERE ts >= TIMESTAMP '2024-05-03 00:00:00 UTC' ORDER BY id") == [(4,), (5,)]

    # One data file per distinct (day, bucket, region): Trino wrote one file per partition.
    partitions = db.sql(f"SELECT partition.ts_day, partition.region, record_count FROM {meta(t, 'partitions')}")
    files = db.scalar(f"SELECT count(*) FROM {meta(t, 'files')}")
    assert sum(p[2] for p in partitions) == 5
    assert {(p[0], p[1]) for p in partitions} == {
        (dt.date(2024, 5, 1), "eu"), (dt.date(2024, 5, 2), "us"), (dt.date(2024, 5, 3), "us"), (dt.date(2024, 5, 3), "eu")
    }
    assert files == len(partitions)

    metadata = lakecat.load_table("main", main_schema, "events")["metadata"]
    spec = next(s for s in metadata["partition-specs"] if s["spec-id"] == metadata["default-spec-id"])
    source = {f["id"]: f["name"] for f in current_schema(metadata)["fields"]}
    assert [(source[f["source-id"]], f["transform"]) for f in spec["fields"]] == [
        ("ts", "day"), ("id", "bucket[4]"), ("region", "identity")
    ]
    assert current_snapshot(metadata)["summary"]["changed-partition-count"] == str(len(partitions))


def test_ctas_and_create_or_replace(db, lakecat, main_schema):
    src = f"{MAIN}.{main_schema}.ctas_src"
    t = f"{MAIN}.{main_schema}.ctas_totals"
    db.sql(f"CREATE TABLE {src} AS SELECT * FROM (VALUES ('a', 1), ('a', 2), ('b', 5)) AS v(k, n)")
    assert db.sql(f"CREATE TABLE {t} AS SELECT k, sum(n) AS total FROM {src} GROUP BY k") == [(2,)]
    assert db.sql(f"SELECT k, total FROM {t} ORDER BY k") == [("a", 3), ("b", 5)]
    before = lakecat.load_table("main", main_schema, "ctas_totals")["metadata"]

    db.sql(f"CREATE OR REPLACE TABLE {t} AS SELECT k, count(*) AS rows_seen, max(n) AS top FROM {src} GROUP BY k")
    assert db.sql(f"SELECT k, rows_seen, top FROM {t} ORDER BY k") == [("a", 2, 2), ("b", 1, 5)]
    after = lakecat.load_table("main", main_schema, "ctas_totals")["metadata"]
    # A replace keeps the table (its uuid and history) and moves to a new schema and snapshot.
    assert after["table-uuid"] == before["table-uuid"]
    assert [f["name"] for f in current_schema(after)["fields"]] == ["k", "rows_seen", "top"]
    assert after["current-snapshot-id"] != before["current-snapshot-id"]
    assert {s["snapshot-id"] for s in before["snapshots"]} <= {s["snapshot-id"] for s in after["snapshots"]}


def test_update_delete_merge(db, lakecat, main_schema):
    t = f"{MAIN}.{main_schema}.accounts"
    db.sql(f"CREATE TABLE {t} (id integer, owner varchar, balance bigint) WITH (format_version = 2)")
    db.sql(f"INSERT INTO {t} VALUES (1, 'ada', 100), (2, 'bob', 200), (3, 'cy', 300), (4, 'di', 400)")
    assert db.sql(f"UPDATE {t} SET balance = balance + 1 WHERE id IN (1, 3)") == [(2,)]
    assert db.sql(f"DELETE FROM {t} WHERE owner = 'bob'") == [(1,)]
    merged = db.sql(
        f"MERGE INTO {t} AS a USING (VALUES (3, 'cy', 0), (4, 'di', -1), (5, 'ed', 50)) AS s(id, owner, delta) "
        "ON a.id = s.id "
        "WHEN MATCHED AND s.delta < 0 THEN DELETE "
        "WHEN MATCHED THEN UPDATE SET balance = a.balance + s.delta + 1000 "
        "WHEN NOT MATCHED THEN INSERT VALUES (s.id, s.owner, s.delta)"
    )
    assert merged == [(3,)]
    assert db.sql(f"SELECT id, owner, balance FROM {t} ORDER BY id") == [(1, "ada", 101), (3, "cy", 1301), (5, "ed", 50)]

    history = snapshots(db, t)
    # Trino's CREATE TABLE commits an empty append; then INSERT, UPDATE, DELETE, MERGE.
    assert [s[2] for s in history] == ["append", "append", "overwrite", "delete", "overwrite"]
    assert history[0][4]["total-records"] == "0"
    # Trino writes merge-on-read position deletes; lakecat stores the same chain of snapshots.
    metadata = lakecat.load_table("main", main_schema, "accounts")["metadata"]
    assert metadata["format-version"] == 2
    assert [s["snapshot-id"] for s in metadata["snapshots"]] == [s[0] for s in history]
    assert [s.get("parent-snapshot-id") for s in metadata["snapshots"]] == [s[1] for s in history]
    assert int(current_snapshot(metadata)["summary"]["total-position-deletes"]) > 0


def test_alter_table_columns(db, lakecat, main_schema):
    t = f"{MAIN}.{main_schema}.people"
    db.sql(f"CREATE TABLE {t} (id integer, name varchar)")
    db.sql(f"INSERT INTO {t} VALUES (1, 'ada')")
    first = lakecat.load_table("main", main_schema, "people")["metadata"]
    ids = {f["name"]: f["id"] for f in current_schema(first)["fields"]}

    db.sql(f"ALTER TABLE {t} ADD COLUMN email varchar")
    db.sql(f"INSERT INTO {t} VALUES (2, 'bob', 'bob@example.com')")
    assert db.sql(f"SELECT id, name, email FROM {t} ORDER BY id") == [(1, "ada", None), (2, "bob", "bob@example.com")]
    db.sql(f"ALTER TABLE {t} RENAME COLUMN name TO full_name")
    db.sql(f"ALTER TABLE {t} ALTER COLUMN id SET DATA TYPE bigint")
    db.sql(f"ALTER TABLE {t} DROP COLUMN email")
    assert db.sql(f"SELECT id, full_name FROM {t} ORDER BY id") == [(1, "ada"), (2, "bob")]
    assert [r[0:2] for r in db.sql(f"DESCRIBE {t}")] == [("id", "bigint"), ("full_name", "varchar")]

    metadata = lakecat.load_table("main", main_schema, "people")["metadata"]
    schema = current_schema(metadata)
    # Field ids survive rename and widening; the dropped column's id is not reused.
    assert [(f["id"], f["name"], f["type"]) for f in schema["fields"]] == [
        (ids["id"], "id", "long"), (ids["name"], "full_name", "string")
    ]
    assert metadata["current-schema-id"] > first["current-schema-id"]
    assert metadata["last-column-id"] == max(ids.values()) + 1


def test_views(db, lakecat, main_schema):
    t = f"{MAIN}.{main_schema}.view_base"
    v = f"{MAIN}.{main_schema}.big_values"
    db.sql(f"CREATE TABLE {t} AS SELECT * FROM (VALUES (1, 10), (2, 20), (3, 30)) AS v(id, n)")
    db.sql(f"CREATE VIEW {v} COMMENT 'n above 15' AS SELECT id, n FROM {t} WHERE n > 15")
    assert db.sql(f"SELECT id FROM {v} ORDER BY id") == [(2,), (3,)]
    assert ("big_values",) in db.sql(f"SHOW TABLES FROM {MAIN}.{main_schema}")

    view = lakecat.load_view("main", main_schema, "big_values")["metadata"]
    version = next(x for x in view["versions"] if x["version-id"] == view["current-version-id"])
    trino_sql = [r for r in version["representations"] if r["dialect"] == "trino"]
    assert len(trino_sql) == 1 and "n > 15" in trino_sql[0]["sql"]

    db.sql(f"CREATE OR REPLACE VIEW {v} AS SELECT id, n FROM {t} WHERE n > 25")
    assert db.sql(f"SELECT id FROM {v}") == [(3,)]
    assert len(lakecat.load_view("main", main_schema, "big_values")["metadata"]["versions"]) >= 2
    db.sql(f"DROP VIEW {v}")
    with pytest.raises(TrinoUserError) as gone:
        db.sql(f"SELECT * FROM {v}")
    assert error_name(gone.value) == "TABLE_NOT_FOUND"


def test_rename_and_drop(db, lakecat, main_schema):
    t = f"{MAIN}.{main_schema}.to_rename"
    db.sql(f"CREATE TABLE {t} AS SELECT 42 AS answer")
    uuid_before = lakecat.load_table("main", main_schema, "to_rename")["metadata"]["table-uuid"]
    db.sql(f"ALTER TABLE {t} RENAME TO {main_schema}.renamed")
    assert db.sql(f"SELECT answer FROM {MAIN}.{main_schema}.renamed") == [(42,)]
    assert lakecat.load_table("main", main_schema, "renamed")["metadata"]["table-uuid"] == uuid_before
    with pytest.raises(lakecat.HttpError) as old:
        lakecat.load_table("main", main_schema, "to_rename")
    assert old.value.status == 404

    db.sql(f"DROP TABLE {MAIN}.{main_schema}.renamed")
    with pytest.raises(lakecat.HttpError) as dropped:
        lakecat.load_table("main", main_schema, "renamed")
    assert dropped.value.status == 404
    assert ("renamed",) not in db.sql(f"SHOW TABLES FROM {MAIN}.{main_schema}")


def test_create_table_in_schema_without_location(db, lakecat, run_id):
    """A plain CREATE SCHEMA has no `location`; lakecat reports the namespace's default folder
    (as Java's catalogs do), so Trino 476 stages the create under it. Without that, Trino 476
    (trinodb/trino#26742) commits the table un-staged and then fails on its own files."""
    schema = f"trino_noloc_{run_id}"
    db.sql(f"CREATE SCHEMA {MAIN}.{schema}")
    namespace = lakecat.request("GET", f"/v1/main/namespaces/{schema}")
    assert namespace["properties"]["location"].endswith(f"/{schema}")
    db.sql(f"CREATE TABLE {MAIN}.{schema}.t (id integer)")
    db.sql(f"INSERT INTO {MAIN}.{schema}.t VALUES 1, 2, 3")
    assert db.sql(f"SELECT sum(id) FROM {MAIN}.{schema}.t") == [(6,)]
    table = lakecat.load_table("main", schema, "t")
    assert table["metadata"]["location"].startswith(namespace["properties"]["location"] + "/t")
