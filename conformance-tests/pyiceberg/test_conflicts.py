"""Commits made from stale metadata, and merges of branches that changed the same table."""
from __future__ import annotations

import pytest
import requests
from pyiceberg.catalog import Catalog
from pyiceberg.exceptions import CommitFailedException, NoSuchNamespaceError, TableAlreadyExistsError
from pyiceberg.types import StringType

import sales
from lakecat_api import TIMEOUT_S, Lakecat, unique


def test_stale_schema_change_is_rejected(catalog: Catalog, namespace: str) -> None:
    ident = (namespace, "t")
    catalog.create_table(ident, sales.SCHEMA)
    first = catalog.load_table(ident)
    second = catalog.load_table(ident)
    with first.update_schema() as update:
        update.add_column("a", StringType())
    # `second` still asserts the old current schema and last column id: a 409, not a silent overwrite.
    with pytest.raises(CommitFailedException):
        with second.update_schema() as update:
            update.add_column("b", StringType())
    assert [f.name for f in catalog.load_table(ident).schema().fields][-1] == "a"


def test_stale_property_change_after_a_drop_and_recreate_is_rejected(catalog: Catalog, namespace: str) -> None:
    ident = (namespace, "t")
    stale = catalog.create_table(ident, sales.SCHEMA)
    catalog.drop_table(ident)
    catalog.create_table(ident, sales.SCHEMA)
    # Every PyIceberg commit asserts the table uuid, so the old table's handle cannot touch the new one.
    with pytest.raises(CommitFailedException):
        stale.transaction().set_properties(x="1").commit_transaction()
    assert "x" not in catalog.load_table(ident).properties


def test_staged_create_loses_to_a_create_of_the_same_name(catalog: Catalog, namespace: str) -> None:
    ident = (namespace, "t")
    txn = catalog.create_table_transaction(ident, sales.SCHEMA)
    catalog.create_table(ident, sales.SCHEMA, properties={"winner": "direct"})
    with pytest.raises((CommitFailedException, TableAlreadyExistsError)):
        txn.commit_transaction()
    assert catalog.load_table(ident).properties["winner"] == "direct"


def test_rename_errors(catalog: Catalog, namespace: str) -> None:
    catalog.create_table((namespace, "a"), sales.SCHEMA)
    catalog.create_table((namespace, "b"), sales.SCHEMA)
    with pytest.raises(TableAlreadyExistsError):
        catalog.rename_table((namespace, "a"), (namespace, "b"))
    with pytest.raises(NoSuchNamespaceError):
        catalog.rename_table((namespace, "a"), (unique("missing"), "a"))
    other = unique("ns")
    catalog.create_namespace(other)
    catalog.rename_table((namespace, "a"), (other, "a"))
    assert catalog.list_tables(other) == [(other, "a")]
    assert catalog.list_tables(namespace) == [(namespace, "b")]
    catalog.drop_table((other, "a"))
    catalog.drop_namespace(other)


def test_appends_on_both_branches_merge_at_the_iceberg_level(lakecat: Lakecat) -> None:
    feature = unique("feature")
    main = lakecat.catalog(None)
    ns = unique("ns")
    main.create_namespace(ns)
    main.create_table((ns, "t"), sales.SCHEMA).append(sales.rows((1, "a", "2024-01-01T00:00:00", 1.0)))
    lakecat.create_branch(feature, "main")
    branch = lakecat.catalog(feature)

    branch.load_table((ns, "t")).append(sales.rows((2, "b", "2024-01-02T00:00:00", 2.0)))
    main.load_table((ns, "t")).append(sales.rows((3, "c", "2024-01-03T00:00:00", 3.0)))
    main_snapshot = main.load_table((ns, "t")).current_snapshot().snapshot_id
    feature_snapshot = branch.load_table((ns, "t")).current_snapshot().snapshot_id

    def merge(dry_run: bool) -> dict:
        r = requests.post(
            f"{lakecat.url}/api/v2/trees/main@{lakecat.reference('main')['hash']}/history/merge",
            json={"fromRefName": feature, "fromHash": lakecat.reference(feature)["hash"], "isDryRun": dry_run},
            headers={"Lakecat-Merge-Details": "true"},
            timeout=TIMEOUT_S,
        )
        assert r.status_code == 200, r.text
        return r.json()

    def outcome(response: dict) -> dict:
        return {".".join(d["key"]["elements"]): (d["mergeBehavior"], d.get("conflict"), d.get("icebergMerge")) for d in response["details"]}

    main_before = lakecat.reference("main")["hash"]
    dry = merge(True)
    assert dry["wasApplied"] is False and dry["wasSuccessful"] is True
    assert outcome(dry)[f"{ns}.t"][2] == {
        "outcome": "MERGED",
        "isolation": "TABLE",
        "replayedSnapshots": [str(feature_snapshot)],
        "message": f"merged at the Iceberg level: 1 source snapshot ({feature_snapshot}) replayed onto the target",
    }
    assert lakecat.reference("main")["hash"] == main_before
    assert sales.ids(main.load_table((ns, "t"))) == [1, 3]
    # The merge does, key for key, what the dry run said.
    done = merge(False)
    assert done["wasApplied"] is True
    assert outcome(done) == outcome(dry)
    merged = main.load_table((ns, "t"))
    # Every row of both sides, each once; the feature's append replayed after main's own.
    assert sales.ids(merged) == [1, 2, 3]
    head = merged.current_snapshot()
    assert head.parent_snapshot_id == main_snapshot
    assert head.summary["source-snapshot-id"] == str(feature_snapshot)
    assert head.sequence_number == merged.metadata.last_sequence_number
    assert len(merged.inspect.files()) == 3
    assert sales.ids(branch.load_table((ns, "t"))) == [1, 2]


def test_a_column_added_on_both_branches_conflicts(lakecat: Lakecat) -> None:
    # A throwaway branch, so the conflict it leaves behind never blocks merges of `dev`.
    feature = unique("feature")
    main = lakecat.catalog(None)
    ns = unique("ns")
    main.create_namespace(ns)
    main.create_table((ns, "t"), sales.SCHEMA).append(sales.rows((1, "a", "2024-01-01T00:00:00", 1.0)))
    lakecat.create_branch(feature, "main")
    branch = lakecat.catalog(feature)
    with branch.load_table((ns, "t")).update_schema() as update:
        update.add_column("channel", StringType())
    with main.load_table((ns, "t")).update_schema() as update:
        update.add_column("region", StringType())
    main_before = lakecat.reference("main")["hash"]

    r = requests.post(
        f"{lakecat.url}/api/v2/trees/main@{main_before}/history/merge",
        json={"fromRefName": feature, "fromHash": lakecat.reference(feature)["hash"]},
        timeout=TIMEOUT_S,
    )
    assert r.status_code == 409, r.text
    assert r.json()["errorCode"] == "REFERENCE_CONFLICT"
    assert f"{ns}.t" in r.text
    assert "SCHEMA_DIVERGED" in r.text
    assert lakecat.reference("main")["hash"] == main_before
    assert [f.name for f in main.load_table((ns, "t")).schema().fields][-1] == "region"
