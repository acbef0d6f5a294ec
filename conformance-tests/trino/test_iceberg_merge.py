"""Tables Trino changed on both `main` and a fresh branch since the fork, merged through the Nessie
API: lakecat replays the branch's snapshots onto main's table (the Iceberg-level merge), and
Trino reads every row of both sides on main, with `$snapshots` and `$files` to match."""

from __future__ import annotations

from support import MAIN, meta


def _table_and_branch(db, lakecat, pinned_catalog, schema: str, name: str, branch: str) -> tuple[str, str]:
    """A partitioned table on main with rows in partitions a and b, then a branch of main and a
    Trino catalog on it: answers the table's name on main and the branch's catalog."""
    t = f"{MAIN}.{schema}.{name}"
    db.sql(f"CREATE TABLE {t} (id integer, part varchar) WITH (partitioning = ARRAY['part'])")
    db.sql(f"INSERT INTO {t} VALUES (1, 'a'), (2, 'a'), (3, 'b')")
    lakecat.create_reference(branch, "BRANCH", lakecat.reference("main"))
    return t, pinned_catalog(branch)


def test_inserts_on_both_sides_merge(db, lakecat, main_schema, run_id, pinned_catalog):
    branch = f"trino_both_{run_id}"
    t, on_branch = _table_and_branch(db, lakecat, pinned_catalog, main_schema, "merged_both", branch)
    db.sql(f"INSERT INTO {on_branch}.{main_schema}.merged_both VALUES (10, 'c')")
    # A delete of partition a's rows on the branch, while main appends into partition b.
    db.sql(f"DELETE FROM {on_branch}.{main_schema}.merged_both WHERE part = 'a'")
    db.sql(f"INSERT INTO {t} VALUES (4, 'b')")
    main_snapshots = [r[0] for r in db.sql(f"SELECT snapshot_id FROM {meta(t, 'snapshots')} ORDER BY committed_at")]

    answer = lakecat.merge(branch, "main")
    assert answer["wasApplied"] is True, answer
    assert db.sql(f"SELECT id FROM {t} ORDER BY id") == [(3,), (4,), (10,)]
    snapshots = db.sql(f"SELECT snapshot_id, parent_id, operation FROM {meta(t, 'snapshots')} ORDER BY committed_at")
    # main's history is kept; the branch's insert and delete follow it as new snapshots of main.
    assert [s[0] for s in snapshots[: len(main_snapshots)]] == main_snapshots
    assert len(snapshots) == len(main_snapshots) + 2
    assert snapshots[len(main_snapshots)][1] == main_snapshots[-1]
    paths = [r[0] for r in db.sql(f"SELECT file_path FROM {meta(t, 'files')}")]
    assert len(paths) == len(set(paths))
    assert db.sql(f"SELECT count(*) FROM {meta(t, 'files')} WHERE partition.part = 'a'") == [(0,)]


def test_deletes_in_the_same_partition_on_both_sides_conflict(db, lakecat, main_schema, run_id, pinned_catalog):
    branch = f"trino_clash_{run_id}"
    t, on_branch = _table_and_branch(db, lakecat, pinned_catalog, main_schema, "merged_clash", branch)
    db.sql(f"DELETE FROM {on_branch}.{main_schema}.merged_clash WHERE id = 1")
    db.sql(f"DELETE FROM {t} WHERE id = 2")
    before = lakecat.reference("main")["hash"]
    try:
        lakecat.merge(branch, "main")
        raise AssertionError("the merge should have been refused")
    except lakecat.HttpError as refused:
        assert refused.status == 409, refused.body
        assert "part=a" in refused.body, refused.body
    assert lakecat.reference("main")["hash"] == before
    assert db.sql(f"SELECT id FROM {t} ORDER BY id") == [(1,), (3,)]
