"""Time travel by snapshot id and by table ref (tags and branches made with manage_snapshots),
and 63-bit snapshot ids kept digit for digit."""
from __future__ import annotations

from pyiceberg.catalog import Catalog
from pyiceberg.table.refs import SnapshotRefType

import sales
from lakecat_api import Lakecat

BATCHES = [
    sales.rows((1, "books", "2024-01-01T00:00:00", 1.0)),
    sales.rows((2, "games", "2024-01-02T00:00:00", 2.0)),
    sales.rows((3, "music", "2024-01-03T00:00:00", 3.0)),
]


def test_time_travel_by_snapshot_id(catalog: Catalog, namespace: str) -> None:
    table = catalog.create_table((namespace, "sales"), sales.SCHEMA)
    snapshot_ids = []
    for batch in BATCHES:
        table.append(batch)
        snapshot_ids.append(table.current_snapshot().snapshot_id)

    fresh = catalog.load_table((namespace, "sales"))
    assert [s.snapshot_id for s in fresh.snapshots()] == snapshot_ids
    assert [e.snapshot_id for e in fresh.history()] == snapshot_ids
    assert [s.parent_snapshot_id for s in fresh.snapshots()] == [None, *snapshot_ids[:-1]]
    for n, snapshot_id in enumerate(snapshot_ids, start=1):
        assert sales.ids(fresh, snapshot_id=snapshot_id) == list(range(1, n + 1))
    assert sales.ids(fresh) == [1, 2, 3]

    # Rolling the table back is a metadata commit; the later snapshot is still there to travel to.
    fresh.manage_snapshots().set_current_snapshot(snapshot_ids[0]).commit()
    rolled = catalog.load_table((namespace, "sales"))
    assert rolled.current_snapshot().snapshot_id == snapshot_ids[0]
    assert sales.ids(rolled) == [1]
    assert sales.ids(rolled, snapshot_id=snapshot_ids[2]) == [1, 2, 3]


def test_time_travel_by_tag_and_branch(catalog: Catalog, namespace: str) -> None:
    table = catalog.create_table((namespace, "sales"), sales.SCHEMA)
    table.append(BATCHES[0])
    first = table.current_snapshot().snapshot_id
    table.append(BATCHES[1])
    second = table.current_snapshot().snapshot_id

    table.manage_snapshots().create_tag(first, "v1").create_branch(second, "audit").commit()

    fresh = catalog.load_table((namespace, "sales"))
    refs = fresh.refs()
    assert refs["v1"].snapshot_id == first and refs["v1"].snapshot_ref_type == SnapshotRefType.TAG
    assert refs["audit"].snapshot_id == second and refs["audit"].snapshot_ref_type == SnapshotRefType.BRANCH
    assert refs["main"].snapshot_id == second
    assert sales.ids(fresh, snapshot_id=fresh.snapshot_by_name("v1").snapshot_id) == [1]
    assert sorted(r["id"] for r in fresh.scan().use_ref("v1").to_arrow().to_pylist()) == [1]

    # A write to the table branch moves only that branch.
    fresh.append(BATCHES[2], branch="audit")
    after = catalog.load_table((namespace, "sales"))
    assert after.refs()["main"].snapshot_id == second
    assert after.refs()["audit"].snapshot_id != second
    assert sorted(r["id"] for r in after.scan().use_ref("audit").to_arrow().to_pylist()) == [1, 2, 3]
    assert sales.ids(after) == [1, 2]

    after.manage_snapshots().remove_tag("v1").remove_branch("audit").commit()
    assert set(catalog.load_table((namespace, "sales")).refs()) == {"main"}


def test_snapshot_ids_keep_all_63_bits(lakecat: Lakecat, catalog: Catalog, namespace: str, branch: str) -> None:
    # PyIceberg draws snapshot ids from 63 random bits; keep appending until one needs more
    # than a double's 53-bit mantissa (one in a thousand draws does not).
    table = catalog.create_table((namespace, "ids"), sales.SCHEMA)
    written = []
    for n in range(1, 11):
        table.append(sales.rows((n, "x", "2024-01-01T00:00:00", 0.0)))
        written.append(table.current_snapshot().snapshot_id)
        if written[-1] > 2**53:
            break
    assert written[-1] > 2**53

    table.manage_snapshots().create_tag(written[-1], "big").commit()
    raw = lakecat.load_table_json(branch, namespace, "ids")
    assert [s["snapshot-id"] for s in raw["metadata"]["snapshots"]] == written
    assert raw["metadata"]["current-snapshot-id"] == written[-1]
    assert raw["metadata"]["refs"]["big"]["snapshot-id"] == written[-1]
    assert [s.get("parent-snapshot-id") for s in raw["metadata"]["snapshots"]] == [None, *written[:-1]]
    assert [e["snapshot-id"] for e in raw["metadata"]["snapshot-log"]] == written

    fresh = catalog.load_table((namespace, "ids"))
    assert fresh.current_snapshot().snapshot_id == written[-1]
    assert sales.ids(fresh, snapshot_id=written[-1]) == list(range(1, len(written) + 1))
