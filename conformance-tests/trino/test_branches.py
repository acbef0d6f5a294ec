"""lakecat's branches seen from Trino: `lakecat_main` and `lakecat_dev` are one lakecat pinned to
two branches. What one branch writes the other does not see until a Nessie merge, after which
Trino on main reads the same snapshots that were written on dev."""

from __future__ import annotations

import pytest
from trino.exceptions import TrinoUserError

from support import DEV, MAIN, error_name, schema_location, snapshots


def test_schema_and_table_on_dev_are_invisible_on_main(db, lakecat, dev_schema):
    t = "isolated"
    db.sql(f"CREATE TABLE {DEV}.{dev_schema}.{t} (id integer, note varchar)")
    db.sql(f"INSERT INTO {DEV}.{dev_schema}.{t} VALUES (1, 'only on dev'), (2, 'also dev')")
    assert db.sql(f"SELECT id, note FROM {DEV}.{dev_schema}.{t} ORDER BY id") == [(1, "only on dev"), (2, "also dev")]

    assert (dev_schema,) in db.sql(f"SHOW SCHEMAS FROM {DEV}")
    assert (dev_schema,) not in db.sql(f"SHOW SCHEMAS FROM {MAIN}")
    with pytest.raises(TrinoUserError) as missing:
        db.sql(f"SELECT * FROM {MAIN}.{dev_schema}.{t}")
    assert error_name(missing.value) in ("SCHEMA_NOT_FOUND", "TABLE_NOT_FOUND")

    # lakecat agrees: the table is on dev's prefix and nowhere on main.
    assert lakecat.load_table("dev", dev_schema, t)["metadata"]["current-snapshot-id"] is not None
    with pytest.raises(lakecat.HttpError) as on_main:
        lakecat.load_table("main", dev_schema, t)
    assert on_main.value.status == 404
    assert (f"{dev_schema}.{t}", "ICEBERG_TABLE") in lakecat.entry_keys("dev")
    assert (f"{dev_schema}.{t}", "ICEBERG_TABLE") not in lakecat.entry_keys("main")


def test_main_writes_after_the_fork_are_invisible_on_dev(db, main_schema):
    db.sql(f"CREATE TABLE {MAIN}.{main_schema}.main_only AS SELECT 7 AS id")
    assert (main_schema,) not in db.sql(f"SHOW SCHEMAS FROM {DEV}")
    with pytest.raises(TrinoUserError) as missing:
        db.sql(f"SELECT * FROM {DEV}.{main_schema}.main_only")
    assert error_name(missing.value) in ("SCHEMA_NOT_FOUND", "TABLE_NOT_FOUND")


def test_dev_changes_reach_main_through_a_merge(db, lakecat, run_id):
    """A table created on main is brought to dev, changed there by Trino (insert, update,
    column added), while main keeps its own state; merging dev into main publishes dev's
    snapshots, and Trino on main then reads exactly what it read on dev."""
    schema = f"trino_merge_{run_id}"
    db.sql(f"CREATE SCHEMA {MAIN}.{schema} WITH (location = '{schema_location(schema)}')")
    db.sql(f"CREATE TABLE {MAIN}.{schema}.stock (sku varchar, qty integer)")
    db.sql(f"INSERT INTO {MAIN}.{schema}.stock VALUES ('a', 1), ('b', 2)")
    lakecat.merge("main", "dev")
    assert db.sql(f"SELECT sku, qty FROM {DEV}.{schema}.stock ORDER BY sku") == [("a", 1), ("b", 2)]

    db.sql(f"INSERT INTO {DEV}.{schema}.stock VALUES ('c', 3)")
    db.sql(f"UPDATE {DEV}.{schema}.stock SET qty = qty * 10 WHERE sku = 'a'")
    db.sql(f"ALTER TABLE {DEV}.{schema}.stock ADD COLUMN bin varchar")
    dev_rows = db.sql(f"SELECT sku, qty, bin FROM {DEV}.{schema}.stock ORDER BY sku")
    assert dev_rows == [("a", 10, None), ("b", 2, None), ("c", 3, None)]
    # main is untouched by dev's writes.
    assert db.sql(f"SELECT * FROM {MAIN}.{schema}.stock ORDER BY sku") == [("a", 1), ("b", 2)]
    # CREATE TABLE commits an empty snapshot, INSERT a second one; dev's three are not on main.
    assert len(snapshots(db, f"{MAIN}.{schema}.stock")) == 2

    lakecat.merge("dev", "main")
    assert db.sql(f"SELECT sku, qty, bin FROM {MAIN}.{schema}.stock ORDER BY sku") == dev_rows
    assert snapshots(db, f"{MAIN}.{schema}.stock") == snapshots(db, f"{DEV}.{schema}.stock")
    main_meta = lakecat.load_table("main", schema, "stock")["metadata"]
    dev_meta = lakecat.load_table("dev", schema, "stock")["metadata"]
    assert main_meta["current-snapshot-id"] == dev_meta["current-snapshot-id"]
    assert main_meta["current-schema-id"] == dev_meta["current-schema-id"]
