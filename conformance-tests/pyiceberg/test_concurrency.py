"""Several processes appending to one table at once: every append lands exactly once."""
from __future__ import annotations

import multiprocessing
from collections import Counter

from pyiceberg.catalog import Catalog

import sales
import writers
from lakecat_api import Lakecat

PROCESSES = 4
APPENDS = 5
ROWS = 3


def test_concurrent_appends_from_several_processes(lakecat: Lakecat, catalog: Catalog, namespace: str, branch: str) -> None:
    ident = (namespace, "events")
    catalog.create_table(ident, sales.SCHEMA)
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(PROCESSES) as pool:
        results = [
            pool.apply_async(writers.append_batches, (lakecat.url, None if branch == "main" else branch, ident, w, APPENDS, ROWS))
            for w in range(PROCESSES)
        ]
        conflicts = [r.get(timeout=240) for r in results]

    table = catalog.load_table(ident)
    assert table.scan().to_arrow().num_rows == PROCESSES * APPENDS * ROWS
    assert sales.ids(table) == list(range(PROCESSES * APPENDS * ROWS))
    snapshots = table.snapshots()
    assert len(snapshots) == PROCESSES * APPENDS
    assert Counter(s.summary["writer"] for s in snapshots) == {str(w): APPENDS for w in range(PROCESSES)}
    # One linear history: each snapshot's parent is the one before it.
    assert [s.parent_snapshot_id for s in snapshots] == [None, *[s.snapshot_id for s in snapshots[:-1]]]
    assert table.current_snapshot().summary["total-records"] == str(PROCESSES * APPENDS * ROWS)
    print(f"{branch}: {sum(conflicts)} commit conflicts retried by {PROCESSES} writers")


def test_concurrent_appends_to_different_tables_never_conflict(lakecat: Lakecat, catalog: Catalog, namespace: str, branch: str) -> None:
    # All tables of a branch share one commit history, yet writers of different tables assert
    # nothing about each other: the catalog must serialize them without a single 409. With
    # commit retries off, any 409 would surface as a conflict count.
    idents = [(namespace, f"t{w}") for w in range(PROCESSES)]
    for ident in idents:
        catalog.create_table(ident, sales.SCHEMA, properties={"commit.retry.num-retries": "0"})
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(PROCESSES) as pool:
        results = [
            pool.apply_async(writers.append_batches, (lakecat.url, None if branch == "main" else branch, ident, w, APPENDS, ROWS))
            for w, ident in enumerate(idents)
        ]
        conflicts = [r.get(timeout=240) for r in results]

    assert conflicts == [0] * PROCESSES
    for w, ident in enumerate(idents):
        table = catalog.load_table(ident)
        assert len(table.snapshots()) == APPENDS
        assert sales.ids(table) == list(range(w * APPENDS * ROWS, (w + 1) * APPENDS * ROWS))
