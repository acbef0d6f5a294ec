"""Staged creates, registration, properties, upsert, snapshot expiry, purge, sort orders,
statistics files and ref retention."""
from __future__ import annotations

import pytest
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchTableError, TableAlreadyExistsError
from pyiceberg.schema import Schema
from pyiceberg.serializers import FromInputFile
from pyiceberg.table.sorting import NullOrder, SortDirection
from pyiceberg.table.statistics import StatisticsFile
from pyiceberg.transforms import DayTransform, IdentityTransform
from pyiceberg.types import DoubleType, LongType, NestedField, StringType, TimestampType

import sales
from lakecat_api import Lakecat


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


def test_sort_order_evolution(catalog: Catalog, namespace: str) -> None:
    ident = (namespace, "sorted")
    table = catalog.create_table(ident, sales.SCHEMA)
    with table.update_sort_order() as update:
        update.asc("category", IdentityTransform())
        update.desc("ts", DayTransform(), NullOrder.NULLS_FIRST)
    table = catalog.load_table(ident)
    assert [(f.source_id, str(f.transform), f.direction, f.null_order) for f in table.sort_order().fields] == [
        (2, "identity", SortDirection.ASC, NullOrder.NULLS_LAST),
        (3, "day", SortDirection.DESC, NullOrder.NULLS_FIRST),
    ]
    first_order = table.sort_order().order_id
    with table.update_sort_order() as update:
        update.asc("id", IdentityTransform())
    table = catalog.load_table(ident)
    assert table.sort_order().order_id not in (0, first_order)
    assert [f.source_id for f in table.sort_order().fields] == [1]
    assert len(table.sort_orders()) == 3


def test_statistics_files_and_ref_retention(lakecat: Lakecat, catalog: Catalog, namespace: str, branch: str) -> None:
    ident = (namespace, "stats")
    table = catalog.create_table(ident, sales.SCHEMA)
    table.append(sales.rows((1, "a", "2024-01-01T00:00:00", 1.0)))
    snapshot_id = table.current_snapshot().snapshot_id
    stats = StatisticsFile.model_validate(
        {
            "snapshot-id": snapshot_id,
            "statistics-path": f"{table.location()}/metadata/{snapshot_id}.stats",
            "file-size-in-bytes": 100,
            "file-footer-size-in-bytes": 20,
            "blob-metadata": [
                {"type": "apache-datasketches-theta-v1", "snapshot-id": snapshot_id, "sequence-number": 1, "fields": [1], "properties": {"ndv": "1"}}
            ],
        }
    )
    with table.update_statistics() as update:
        update.set_statistics(stats)
    assert catalog.load_table(ident).metadata.statistics == [stats]

    table = catalog.load_table(ident)
    with table.update_statistics() as update:
        update.remove_statistics(snapshot_id)
    assert catalog.load_table(ident).metadata.statistics == []

    catalog.load_table(ident).manage_snapshots().create_tag(snapshot_id, "keep", max_ref_age_ms=86_400_000).create_branch(
        snapshot_id, "short", max_ref_age_ms=1_000, max_snapshot_age_ms=2_000, min_snapshots_to_keep=3
    ).commit()
    refs = lakecat.load_table_json(branch, namespace, "stats")["metadata"]["refs"]
    assert refs["keep"] == {"snapshot-id": snapshot_id, "type": "tag", "max-ref-age-ms": 86_400_000}
    assert refs["short"] == {
        "snapshot-id": snapshot_id,
        "type": "branch",
        "max-ref-age-ms": 1_000,
        "max-snapshot-age-ms": 2_000,
        "min-snapshots-to-keep": 3,
    }
