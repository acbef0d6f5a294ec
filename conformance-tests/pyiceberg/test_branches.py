"""Catalog branches: work on `dev` stays off `main` until `dev` is merged through the Nessie API;
`main@<hash>` reads main as it was before the merge."""
from __future__ import annotations

import pyarrow as pa
import pytest
from pyiceberg.exceptions import BadRequestError, NoSuchNamespaceError, NoSuchTableError
from pyiceberg.types import StringType

import sales
from lakecat_api import Lakecat, unique

NOTE_SCHEMA = sales.ARROW_SCHEMA.append(pa.field("note", pa.string()))


def with_note(row: tuple[int, str, str, float], note: str) -> pa.Table:
    return pa.Table.from_pylist([sales.rows(row).to_pylist()[0] | {"note": note}], schema=NOTE_SCHEMA)


def test_dev_changes_reach_main_only_through_a_merge(lakecat: Lakecat, dev_branch: str) -> None:
    main = lakecat.catalog(None)
    dev = lakecat.catalog(dev_branch)
    ns = unique("ns")
    ident = (ns, "readings")

    # A new namespace and table on dev.
    dev.create_namespace(ns, {"stage": "raw"})
    table = dev.create_table(ident, sales.SCHEMA)
    table.append(sales.rows((1, "a", "2024-01-01T00:00:00", 1.0), (2, "b", "2024-01-02T00:00:00", 2.0)))
    first_snapshot = table.current_snapshot().snapshot_id
    assert not main.namespace_exists(ns)
    assert not main.table_exists(ident)
    with pytest.raises(NoSuchNamespaceError):
        main.list_tables(ns)

    before_first_merge = lakecat.reference("main")["hash"]
    lakecat.merge(dev_branch, into="main")
    assert main.load_namespace_properties(ns)["stage"] == "raw"
    merged = main.load_table(ident)
    assert merged.current_snapshot().snapshot_id == first_snapshot
    assert merged.metadata.table_uuid == table.metadata.table_uuid
    assert sales.ids(merged) == [1, 2]
    assert lakecat.content("main", ident)["snapshotId"] == first_snapshot

    # Changes to a table main already has: more data and a new column, on dev only.
    with table.update_schema() as update:
        update.add_column("note", StringType())
    table = dev.load_table(ident)
    table.delete("id = 1")
    table.append(with_note((3, "c", "2024-01-03T00:00:00", 3.0), "late"))
    dev_snapshot = dev.load_table(ident).current_snapshot().snapshot_id
    assert sales.ids(dev.load_table(ident)) == [2, 3]

    still = main.load_table(ident)
    assert still.current_snapshot().snapshot_id == first_snapshot
    assert [f.name for f in still.schema().fields] == ["id", "category", "ts", "amount"]
    assert sales.ids(still) == [1, 2]

    before_second_merge = lakecat.reference("main")["hash"]
    lakecat.merge(dev_branch, into="main")
    after = main.load_table(ident)
    assert after.current_snapshot().snapshot_id == dev_snapshot
    assert [f.name for f in after.schema().fields] == ["id", "category", "ts", "amount", "note"]
    assert sales.read(after, "id", "note") == [{"id": 2, "note": None}, {"id": 3, "note": "late"}]

    # main at a commit before each merge, read through a `main@<hash>` prefix.
    at_first = lakecat.catalog(f"main@{before_first_merge}")
    assert not at_first.table_exists(ident)
    at_second = lakecat.catalog(f"main@{before_second_merge}")
    assert at_second.load_table(ident).current_snapshot().snapshot_id == first_snapshot
    assert sales.ids(at_second.load_table(ident)) == [1, 2]
    with pytest.raises(BadRequestError, match="read-only"):
        at_second.load_table(ident).append(sales.rows((4, "d", "2024-01-04T00:00:00", 4.0)))
    with pytest.raises(BadRequestError, match="read-only"):
        at_second.create_namespace(unique("ns"))


def test_main_changes_stay_off_dev(lakecat: Lakecat, dev_branch: str) -> None:
    main = lakecat.catalog(None)
    dev = lakecat.catalog(dev_branch)
    ns = unique("ns")
    main.create_namespace(ns)
    main.create_table((ns, "t"), sales.SCHEMA).append(sales.rows((7, "x", "2024-01-01T00:00:00", 7.0)))
    assert not dev.namespace_exists(ns)
    with pytest.raises(NoSuchTableError):
        dev.load_table((ns, "t"))

