"""Staged creates, registration, properties, upsert, snapshot expiry and purge."""
from __future__ import annotations

import pytest
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchTableError, TableAlreadyExistsError
from pyiceberg.schema import Schema
from pyiceberg.serializers import FromInputFile
from pyiceberg.types import DoubleType, LongType, NestedField, StringType, TimestampType

import sales


def test_create_table_transaction_is_invisible_until_committed(catalog: Catalog, namespace: str) -> None:
    ident = (namespace, "staged")
    txn = catalog.create_table_transaction(ident, sales.SCHEMA, properties={"stage": "1"})
    txn.set_properties(owner="etl")
    txn.append(sales.rows((1, "a", "2024-01-01T00:00:00", 1.0)))
    assert not catalog.table_exists(ident)
    txn.commit_transaction()

    table = catalog.load_table(ident)
    assert table.properties["stage"] == "1" and table.properties["owner"] == "etl"
    assert sales.ids(table) == [1]
    assert len(table.snapshots()) == 1


def test_table_properties_set_and_remove(catalog: Catalog, namespace: str) -> None:
    ident = (namespace, "props")
    table = catalog.create_table(ident, sales.SCHEMA, properties={"a": "1", "b": "2"})
    with table.transaction() as txn:
        txn.set_properties(a="10", c="3")
        txn.remove_properties("b")
    props = catalog.load_table(ident).properties
    assert props["a"] == "10" and props["c"] == "3" and "b" not in props


def test_register_table_from_existing_metadata(catalog: Catalog, namespace: str) -> None:
    source = catalog.create_table((namespace, "source"), sales.SCHEMA)
    source.append(sales.rows((1, "a", "2024-01-01T00:00:00", 1.0), (2, "b", "2024-01-02T00:00:00", 2.0)))
    location = catalog.load_table((namespace, "source")).metadata_location

    registered = catalog.register_table((namespace, "registered"), location)
    assert registered.metadata_location == location
    assert sales.ids(catalog.load_table((namespace, "registered"))) == [1, 2]
    with pytest.raises(TableAlreadyExistsError):
        catalog.register_table((namespace, "registered"), location)


def test_upsert_by_key(catalog: Catalog, namespace: str) -> None:
    schema = Schema(
        NestedField(1, "id", LongType(), required=True),
        NestedField(2, "category", StringType(), required=False),
        NestedField(3, "ts", TimestampType(), required=False),
        NestedField(4, "amount", DoubleType(), required=False),
        identifier_field_ids=[1],
    )
    ident = (namespace, "upserts")
    table = catalog.create_table(ident, schema)
    table.append(sales.rows((1, "a", "2024-01-01T00:00:00", 1.0), (2, "b", "2024-01-02T00:00:00", 2.0)))

    result = table.upsert(sales.rows((2, "b", "2024-01-02T00:00:00", 20.0), (3, "c", "2024-01-03T00:00:00", 3.0)))
    assert (result.rows_updated, result.rows_inserted) == (1, 1)
    fresh = catalog.load_table(ident)
    assert fresh.schema().identifier_field_ids == [1]
    assert sales.read(fresh, "id", "amount") == [{"id": 1, "amount": 1.0}, {"id": 2, "amount": 20.0}, {"id": 3, "amount": 3.0}]


def test_expire_snapshots(catalog: Catalog, namespace: str) -> None:
    ident = (namespace, "expiring")
    table = catalog.create_table(ident, sales.SCHEMA)
    for n in range(1, 4):
        table.append(sales.rows((n, "a", "2024-01-01T00:00:00", float(n))))
    old = [s.snapshot_id for s in table.snapshots()[:2]]
    current = table.current_snapshot().snapshot_id

    table.maintenance.expire_snapshots().by_ids(old).commit()
    fresh = catalog.load_table(ident)
    assert [s.snapshot_id for s in fresh.snapshots()] == [current]
    assert fresh.snapshot_by_id(old[0]) is None
    assert sales.ids(fresh) == [1, 2, 3]


def test_purge_table(catalog: Catalog, namespace: str) -> None:
    ident = (namespace, "purged")
    catalog.create_table(ident, sales.SCHEMA).append(sales.rows((1, "a", "2024-01-01T00:00:00", 1.0)))
    catalog.purge_table(ident)
    assert not catalog.table_exists(ident)
    with pytest.raises(NoSuchTableError):
        catalog.load_table(ident)


def test_metadata_files_in_the_warehouse_match_the_catalog(catalog: Catalog, namespace: str) -> None:
    # Engines that read metadata.json directly (or register it elsewhere) see what the catalog serves.
    table = catalog.create_table((namespace, "files"), sales.SCHEMA)
    for n in range(3):
        table.append(sales.rows((n, "a", "2024-01-01T00:00:00", 1.0)))
    table = catalog.load_table((namespace, "files"))

    on_disk = FromInputFile.table_metadata(table.io.new_input(table.metadata_location))
    assert on_disk.table_uuid == table.metadata.table_uuid
    assert [s.snapshot_id for s in on_disk.snapshots] == [s.snapshot_id for s in table.snapshots()]
    assert on_disk.current_snapshot_id == table.metadata.current_snapshot_id

    log = table.metadata.metadata_log
    assert len(log) == 3
    assert len({e.metadata_file for e in log} | {table.metadata_location}) == 4
    for n, entry in enumerate(log):
        previous = FromInputFile.table_metadata(table.io.new_input(entry.metadata_file))
        assert len(previous.snapshots) == n
        assert previous.last_updated_ms == entry.timestamp_ms
