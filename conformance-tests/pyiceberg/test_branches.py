"""Catalog branches: work on `dev` stays off `main` until `dev` is merged through the Nessie API;
`main@<hash>` reads main as it was before the merge."""
from __future__ import annotations

import pyarrow as pa
import pytest
from pyiceberg.exceptions import BadRequestError, NoSuchNamespaceError, NoSuchTableError
from pyiceberg.types import StringType

import sales
from lakecat_api import Lakecat, unique
from views import VIEW_SCHEMA
from views import version as view_version

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

    # main moves on meanwhile (another table, and the namespace's properties), so the second
    # merge is a real three-way merge rather than a fast-forward.
    main.create_table((ns, "main_only"), sales.SCHEMA).append(sales.rows((9, "m", "2024-01-09T00:00:00", 9.0)))
    main.update_namespace_properties(ns, updates={"owner": "main-team"})

    before_second_merge = lakecat.reference("main")["hash"]
    lakecat.merge(dev_branch, into="main")
    assert sales.ids(main.load_table((ns, "main_only"))) == [9]
    merged = main.load_namespace_properties(ns)
    # lakecat reports the namespace's default folder as `location` when none is set.
    assert merged.pop("location").endswith(f"/{ns}")
    assert merged == {"stage": "raw", "owner": "main-team"}
    assert not dev.table_exists((ns, "main_only"))
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



def test_drops_renames_and_views_on_dev_reach_main_by_merge(lakecat: Lakecat, dev_branch: str) -> None:
    main = lakecat.catalog(None)
    dev = lakecat.catalog(dev_branch)
    ns = unique("ns")
    dev.create_namespace(ns)
    dev.create_table((ns, "doomed"), sales.SCHEMA)
    dev.create_table((ns, "old_name"), sales.SCHEMA).append(sales.rows((1, "a", "2024-01-01T00:00:00", 1.0)))
    lakecat.merge(dev_branch, into="main")
    assert sorted(main.list_tables(ns)) == [(ns, "doomed"), (ns, "old_name")]

    dev.drop_table((ns, "doomed"))
    dev.rename_table((ns, "old_name"), (ns, "new_name"))
    sql = "SELECT category, sum(amount) AS total FROM new_name GROUP BY category"
    dev.create_view((ns, "v"), VIEW_SCHEMA, view_version(ns, sql))
    assert sorted(main.list_tables(ns)) == [(ns, "doomed"), (ns, "old_name")]
    assert not main.view_exists((ns, "v"))

    lakecat.merge(dev_branch, into="main")
    assert main.list_tables(ns) == [(ns, "new_name")]
    assert sales.ids(main.load_table((ns, "new_name"))) == [1]
    assert main.list_views(ns) == [(ns, "v")]
    assert main.load_view((ns, "v")).current_version().representations[0].root.sql == sql


def test_a_tag_is_a_read_only_catalog(lakecat: Lakecat) -> None:
    main = lakecat.catalog(None)
    ns = unique("ns")
    main.create_namespace(ns)
    table = main.create_table((ns, "t"), sales.SCHEMA)
    table.append(sales.rows((1, "a", "2024-01-01T00:00:00", 1.0)))
    tag = unique("release")
    lakecat.create_tag(tag, "main")
    table.append(sales.rows((2, "b", "2024-01-02T00:00:00", 2.0)))

    tagged = lakecat.catalog(tag)
    assert lakecat.config(tag).json()["overrides"]["prefix"] == tag
    assert sales.ids(tagged.load_table((ns, "t"))) == [1]
    assert sales.ids(main.load_table((ns, "t"))) == [1, 2]
    with pytest.raises(BadRequestError, match="read-only"):
        tagged.load_table((ns, "t")).append(sales.rows((3, "c", "2024-01-03T00:00:00", 3.0)))
    assert sales.ids(lakecat.catalog(tag).load_table((ns, "t"))) == [1]
