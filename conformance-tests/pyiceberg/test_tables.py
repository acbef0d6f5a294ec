"""Tables: create with partition spec and sort order, append, overwrite, delete, filtered scans."""
from __future__ import annotations

from datetime import datetime

import pytest
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import NoSuchTableError, TableAlreadyExistsError
from pyiceberg.expressions import And, EqualTo, GreaterThanOrEqual, In
from pyiceberg.partitioning import PartitionField, PartitionSpec
from pyiceberg.table.sorting import NullOrder, SortDirection, SortField, SortOrder
from pyiceberg.transforms import DayTransform, IdentityTransform

import sales

SPEC = PartitionSpec(
    PartitionField(source_id=2, field_id=1000, transform=IdentityTransform(), name="category"),
    PartitionField(source_id=3, field_id=1001, transform=DayTransform(), name="ts_day"),
)
ORDER = SortOrder(SortField(source_id=1, transform=IdentityTransform(), direction=SortDirection.DESC, null_order=NullOrder.NULLS_LAST))

FIRST = sales.rows(
    (1, "books", "2024-01-01T10:00:00", 12.5),
    (2, "books", "2024-01-02T11:00:00", 7.0),
    (3, "games", "2024-01-01T12:00:00", 60.0),
)
SECOND = sales.rows(
    (4, "games", "2024-01-03T09:30:00", 45.0),
    (5, "music", "2024-01-03T18:00:00", 9.99),
)


def test_create_table_with_partition_spec_and_sort_order(catalog: Catalog, namespace: str) -> None:
    ident = (namespace, "sales")
    created = catalog.create_table(ident, sales.SCHEMA, partition_spec=SPEC, sort_order=ORDER, properties={"owner": "conformance"})
    assert created.metadata.format_version == 2

    table = catalog.load_table(ident)
    assert [(f.field_id, f.name, str(f.field_type), f.required) for f in table.schema().fields] == [
        (1, "id", "long", True),
        (2, "category", "string", False),
        (3, "ts", "timestamp", False),
        (4, "amount", "double", False),
    ]
    spec = table.spec()
    assert [(f.source_id, f.name, str(f.transform)) for f in spec.fields] == [(2, "category", "identity"), (3, "ts_day", "day")]
    order = table.sort_order()
    assert order.order_id >= 1
    assert [(f.source_id, f.direction, f.null_order) for f in order.fields] == [(1, SortDirection.DESC, NullOrder.NULLS_LAST)]
    assert table.properties["owner"] == "conformance"
    assert table.current_snapshot() is None
    assert table.location().startswith("s3://")

    assert ident in catalog.list_tables(namespace)
    assert catalog.table_exists(ident)
    with pytest.raises(TableAlreadyExistsError):
        catalog.create_table(ident, sales.SCHEMA)


def test_rename_and_drop_table(catalog: Catalog, namespace: str) -> None:
    catalog.create_table((namespace, "before"), sales.SCHEMA).append(FIRST)
    catalog.rename_table((namespace, "before"), (namespace, "after"))
    assert not catalog.table_exists((namespace, "before"))
    assert sales.ids(catalog.load_table((namespace, "after"))) == [1, 2, 3]
    catalog.drop_table((namespace, "after"))
    with pytest.raises(NoSuchTableError):
        catalog.load_table((namespace, "after"))
    assert catalog.list_tables(namespace) == []


def test_append_and_scan_with_filters_and_projection(catalog: Catalog, namespace: str) -> None:
    table = catalog.create_table((namespace, "sales"), sales.SCHEMA, partition_spec=SPEC, sort_order=ORDER)
    table.append(FIRST)
    table.append(SECOND)

    fresh = catalog.load_table((namespace, "sales"))
    assert len(fresh.snapshots()) == 2
    summary = fresh.current_snapshot().summary
    assert summary.operation.value == "append"
    assert summary["added-records"] == "2"
    assert summary["total-records"] == "5"

    assert sales.read(fresh) == sorted(FIRST.to_pylist() + SECOND.to_pylist(), key=lambda r: r["id"])
    assert sales.read(fresh, "id", "amount", row_filter="category = 'games'") == [
        {"id": 3, "amount": 60.0},
        {"id": 4, "amount": 45.0},
    ]
    assert sales.read(fresh, "id", "category", row_filter=And(GreaterThanOrEqual("amount", 9.99), In("category", {"books", "music"}))) == [
        {"id": 1, "category": "books"},
        {"id": 5, "category": "music"},
    ]
    assert sales.ids(fresh, row_filter=EqualTo("ts", "2024-01-03T09:30:00")) == [4]
    # Partition pruning: a day filter plans only that day's files.
    planned = list(fresh.scan(row_filter="ts >= '2024-01-03T00:00:00'").plan_files())
    assert planned and all(t.file.partition[1] == (datetime(2024, 1, 3) - datetime(1970, 1, 1)).days for t in planned)
    assert fresh.scan(row_filter="amount > 1000").to_arrow().num_rows == 0


def test_overwrite_whole_table_and_by_filter(catalog: Catalog, namespace: str) -> None:
    table = catalog.create_table((namespace, "sales"), sales.SCHEMA)
    table.append(FIRST)
    table.append(SECOND)

    table.overwrite(sales.rows((10, "toys", "2024-02-01T00:00:00", 1.0)))
    assert sales.read(catalog.load_table((namespace, "sales"))) == [
        {"id": 10, "category": "toys", "ts": datetime(2024, 2, 1), "amount": 1.0}
    ]

    table.append(FIRST)
    table.overwrite(sales.rows((20, "books", "2024-02-02T00:00:00", 2.0)), overwrite_filter="category = 'books'")
    fresh = catalog.load_table((namespace, "sales"))
    assert sales.ids(fresh) == [3, 10, 20]
    assert fresh.current_snapshot().summary["total-records"] == "3"


def test_delete_whole_partitions_and_rows_inside_files(catalog: Catalog, namespace: str) -> None:
    table = catalog.create_table((namespace, "sales"), sales.SCHEMA, partition_spec=SPEC)
    table.append(FIRST)
    table.append(SECOND)

    # A filter on the partition source column drops whole files: a metadata-only delete.
    table.delete("category = 'music'")
    fresh = catalog.load_table((namespace, "sales"))
    assert fresh.current_snapshot().summary.operation.value == "delete"
    assert sales.ids(fresh) == [1, 2, 3, 4]

    # A filter on a data column rewrites the files that hold matching rows.
    table.delete("amount < 10")
    fresh = catalog.load_table((namespace, "sales"))
    assert sales.ids(fresh) == [1, 3, 4]
    assert fresh.current_snapshot().summary["total-records"] == "3"

    table.delete("id > 0")
    assert sales.ids(catalog.load_table((namespace, "sales"))) == []
