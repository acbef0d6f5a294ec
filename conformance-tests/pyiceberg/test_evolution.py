"""Schema and partition evolution, read back through a fresh load of the table."""
from __future__ import annotations

from datetime import datetime

import pyarrow as pa
from pyiceberg.catalog import Catalog
from pyiceberg.schema import Schema
from pyiceberg.transforms import DayTransform
from pyiceberg.types import IntegerType, LongType, NestedField, StringType

import sales


def test_schema_evolution_add_rename_drop_and_promote(catalog: Catalog, namespace: str) -> None:
    ident = (namespace, "people")
    schema = Schema(
        NestedField(1, "id", LongType(), required=True),
        NestedField(2, "name", StringType(), required=False),
        NestedField(3, "age", IntegerType(), required=False),
        NestedField(4, "nickname", StringType(), required=False),
    )
    table = catalog.create_table(ident, schema)
    v1 = pa.schema([pa.field("id", pa.int64(), nullable=False), ("name", pa.string()), ("age", pa.int32()), ("nickname", pa.string())])
    table.append(pa.Table.from_pylist([{"id": 1, "name": "ada", "age": 36, "nickname": "a"}], schema=v1))
    first_schema_id = table.schema().schema_id

    with table.update_schema() as update:
        update.add_column("email", StringType(), doc="contact address")
        update.rename_column("name", "full_name")
        update.delete_column("nickname")
        update.update_column("age", field_type=LongType())

    fresh = catalog.load_table(ident)
    assert fresh.schema().schema_id > first_schema_id
    assert [(f.field_id, f.name, str(f.field_type)) for f in fresh.schema().fields] == [
        (1, "id", "long"),
        (2, "full_name", "string"),
        (3, "age", "long"),
        (5, "email", "string"),
    ]
    assert fresh.schema().find_field("email").doc == "contact address"
    assert first_schema_id in fresh.schemas()

    v2 = pa.schema([pa.field("id", pa.int64(), nullable=False), ("full_name", pa.string()), ("age", pa.int64()), ("email", pa.string())])
    fresh.append(pa.Table.from_pylist([{"id": 2, "full_name": "grace", "age": 2**40, "email": "g@example.com"}], schema=v2))

    got = sorted(catalog.load_table(ident).scan().to_arrow().to_pylist(), key=lambda r: r["id"])
    # Old files are read by field id: the renamed column keeps its values, the dropped one is
    # gone, the promoted int reads as long, and the new column is null for old rows.
    assert got == [
        {"id": 1, "full_name": "ada", "age": 36, "email": None},
        {"id": 2, "full_name": "grace", "age": 2**40, "email": "g@example.com"},
    ]
    # Time travel reads a snapshot with the schema it was written with (its schema-id).
    old = catalog.load_table(ident)
    first_snapshot = old.snapshots()[0]
    assert first_snapshot.schema_id == first_schema_id
    assert old.scan(snapshot_id=first_snapshot.snapshot_id).to_arrow().to_pylist() == [
        {"id": 1, "name": "ada", "age": 36, "nickname": "a"}
    ]


def test_partition_evolution(catalog: Catalog, namespace: str) -> None:
    ident = (namespace, "sales")
    table = catalog.create_table(ident, sales.SCHEMA)
    assert table.spec().is_unpartitioned()
    table.append(sales.rows((1, "books", "2024-01-01T10:00:00", 1.0), (2, "games", "2024-01-02T10:00:00", 2.0)))

    with table.update_spec() as update:
        update.add_field("ts", DayTransform(), "ts_day")
        update.add_identity("category")
    fresh = catalog.load_table(ident)
    assert [(f.name, str(f.transform)) for f in fresh.spec().fields] == [("ts_day", "day"), ("category", "identity")]
    assert len(fresh.specs()) == 2
    fresh.append(sales.rows((3, "books", "2024-01-03T10:00:00", 3.0), (4, "music", "2024-01-03T11:00:00", 4.0)))

    with fresh.update_spec() as update:
        update.remove_field("category")
    fresh = catalog.load_table(ident)
    assert [(f.name, str(f.transform)) for f in fresh.spec().fields] == [("ts_day", "day")]
    assert len(fresh.specs()) == 3
    fresh.append(sales.rows((5, "books", "2024-01-04T10:00:00", 5.0)))

    final = catalog.load_table(ident)
    files = {t.file.file_path: t.file.spec_id for t in final.scan().plan_files()}
    assert sorted(set(files.values())) == [0, 1, 2]
    assert sales.ids(final) == [1, 2, 3, 4, 5]
    assert sales.ids(final, row_filter="category = 'books'") == [1, 3, 5]
    assert sales.ids(final, row_filter="ts >= '2024-01-03T00:00:00'") == [3, 4, 5]
    assert sales.read(final, "id", "ts", row_filter="id = 4") == [{"id": 4, "ts": datetime(2024, 1, 3, 11)}]
    # An identity spec change on an existing column is only metadata: no files were rewritten.
    assert final.current_snapshot().summary["total-data-files"] == str(len(files))
