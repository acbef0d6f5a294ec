"""Merges of tables that Spark changed on both `main` and a feature branch since the fork: lakecat
replays the branch's appends onto main's table (the Iceberg-level merge), so the merge lands and
main holds every row of both sides; what Spark reads afterwards ($snapshots, $files, rows) is
checked. Each test makes its own branch and catalog."""

import pytest

import lakecat_client
from support import MAIN_CATALOG, rows, scalar
from test_catalog_branches import _add_catalog


def _branch(spark, name: str) -> str:
    lakecat_client.ensure_branch(name, from_ref="main")
    catalog = f"lake_{name}"
    _add_catalog(spark, catalog, name)
    return catalog


def _merge_dry_then_real(branch: str) -> dict:
    """A dry run, then the merge itself at the same target head: the dry run's verdict holds."""
    target = lakecat_client.reference("main")["hash"]
    body = {"fromRefName": branch, "fromHash": lakecat_client.reference(branch)["hash"]}
    path = f"/api/v2/trees/main@{target}/history/merge"
    dry = lakecat_client.request("POST", path, {**body, "dryRun": True})
    assert dry["wasSuccessful"] is True and dry["wasApplied"] is False, dry
    assert lakecat_client.reference("main")["hash"] == target
    merged = lakecat_client.request("POST", path, body)
    assert merged["wasSuccessful"] is True and merged["wasApplied"] is True, merged
    assert [d["key"] for d in merged["details"]] == [d["key"] for d in dry["details"]]
    return merged


def test_a_branch_appends_while_main_compacts(spark, ns, run_id):
    t = f"{ns}.merge_compacted"
    spark.sql(f"CREATE TABLE {MAIN_CATALOG}.{t} (id INT, part STRING) USING iceberg")
    for i in range(3):
        spark.sql(f"INSERT INTO {MAIN_CATALOG}.{t} VALUES ({i}, 'a')")
    feature = _branch(spark, f"im_appends_{run_id}")
    spark.sql(f"INSERT INTO {feature}.{t} VALUES (10, 'b'), (11, 'b')")
    new_on_branch = scalar(spark, f"SELECT count(*) FROM {feature}.{t}.files") - 3
    spark.sql(f"CALL {MAIN_CATALOG}.system.rewrite_data_files(table => '{t}', options => map('min-input-files', '2'))")
    assert scalar(spark, f"SELECT count(*) FROM {MAIN_CATALOG}.{t}.files") == 1

    _merge_dry_then_real(f"im_appends_{run_id}")
    assert rows(spark, f"SELECT id FROM {MAIN_CATALOG}.{t} ORDER BY id") == [(0,), (1,), (2,), (10,), (11,)]
    # The compacted file and the branch's new files; the branch's append is main's newest snapshot.
    assert scalar(spark, f"SELECT count(*) FROM {MAIN_CATALOG}.{t}.files") == 1 + new_on_branch
    ops = [r[0] for r in spark.sql(f"SELECT operation FROM {MAIN_CATALOG}.{t}.snapshots ORDER BY committed_at").collect()]
    assert ops[-2:] == ["replace", "append"]


def test_a_column_added_on_the_branch_reaches_main_with_both_sides_rows(spark, ns, run_id):
    t = f"{ns}.merge_widened"
    spark.sql(f"CREATE TABLE {MAIN_CATALOG}.{t} (id INT) USING iceberg")
    spark.sql(f"INSERT INTO {MAIN_CATALOG}.{t} VALUES (1)")
    feature = _branch(spark, f"im_widen_{run_id}")
    spark.sql(f"ALTER TABLE {feature}.{t} ADD COLUMN note STRING")
    spark.sql(f"INSERT INTO {feature}.{t} VALUES (2, 'from the branch')")
    spark.sql(f"INSERT INTO {MAIN_CATALOG}.{t} VALUES (3)")

    _merge_dry_then_real(f"im_widen_{run_id}")
    assert rows(spark, f"SELECT id, note FROM {MAIN_CATALOG}.{t} ORDER BY id") == [(1, None), (2, "from the branch"), (3, None)]


def test_three_branches_merged_one_after_the_other(spark, ns, run_id):
    t = f"{ns}.merge_three_ways"
    spark.sql(f"CREATE TABLE {MAIN_CATALOG}.{t} (id INT) USING iceberg")
    spark.sql(f"INSERT INTO {MAIN_CATALOG}.{t} VALUES (0)")
    branches = [f"im_way{i}_{run_id}" for i in range(3)]
    catalogs = [_branch(spark, b) for b in branches]
    for i, catalog in enumerate(catalogs):
        spark.sql(f"INSERT INTO {catalog}.{t} VALUES ({10 + i})")
    spark.sql(f"INSERT INTO {MAIN_CATALOG}.{t} VALUES (1)")
    for b in branches:
        _merge_dry_then_real(b)
    assert rows(spark, f"SELECT id FROM {MAIN_CATALOG}.{t} ORDER BY id") == [(0,), (1,), (10,), (11,), (12,)]
    # Merging the first branch again, after it appended once more, adds only the new row.
    spark.sql(f"INSERT INTO {catalogs[0]}.{t} VALUES (20)")
    _merge_dry_then_real(branches[0])
    assert rows(spark, f"SELECT id FROM {MAIN_CATALOG}.{t} ORDER BY id") == [(0,), (1,), (10,), (11,), (12,), (20,)]
    # One file per insert (one row each), none twice.
    assert scalar(spark, f"SELECT count(*) FROM {MAIN_CATALOG}.{t}.files") == 6
    paths = [r[0] for r in spark.sql(f"SELECT file_path FROM {MAIN_CATALOG}.{t}.files").collect()]
    assert len(set(paths)) == len(paths)


def _partitioned(spark, t: str, mode: str) -> None:
    spark.sql(
        f"""CREATE TABLE {MAIN_CATALOG}.{t} (id INT, part STRING) USING iceberg PARTITIONED BY (part)
            TBLPROPERTIES ('format-version' = '2', 'write.delete.mode' = '{mode}', 'write.update.mode' = '{mode}')"""
    )
    spark.sql(f"INSERT INTO {MAIN_CATALOG}.{t} VALUES (1, 'a'), (2, 'a'), (3, 'b')")


def test_rows_deleted_on_the_branch_while_main_appends_elsewhere(spark, ns, run_id):
    for mode in ("copy-on-write", "merge-on-read"):
        t = f"{ns}.merge_delete_{mode.replace('-', '_')}"
        _partitioned(spark, t, mode)
        feature = _branch(spark, f"im_del_{mode[0:3]}_{run_id}")
        spark.sql(f"DELETE FROM {feature}.{t} WHERE id = 1")
        spark.sql(f"INSERT INTO {MAIN_CATALOG}.{t} VALUES (4, 'b')")
        _merge_dry_then_real(f"im_del_{mode[0:3]}_{run_id}")
        assert rows(spark, f"SELECT id FROM {MAIN_CATALOG}.{t} ORDER BY id") == [(2,), (3,), (4,)], mode


def test_updates_of_the_same_partition_on_both_sides_conflict_naming_it(spark, ns, run_id):
    t = f"{ns}.merge_same_partition"
    _partitioned(spark, t, "copy-on-write")
    feature = _branch(spark, f"im_same_{run_id}")
    spark.sql(f"UPDATE {feature}.{t} SET id = 10 WHERE id = 1")
    spark.sql(f"UPDATE {MAIN_CATALOG}.{t} SET id = 20 WHERE id = 2")
    main_before = lakecat_client.reference("main")["hash"]
    with pytest.raises(lakecat_client.HttpError) as conflict:
        lakecat_client.merge(f"im_same_{run_id}", "main")
    assert conflict.value.status == 409, conflict.value.body
    assert "part=a" in conflict.value.body, conflict.value.body
    assert lakecat_client.reference("main")["hash"] == main_before
    assert rows(spark, f"SELECT id FROM {MAIN_CATALOG}.{t} ORDER BY id") == [(1,), (3,), (20,)]


def _overwrite_partitions(spark, table: str, values: str) -> None:
    """INSERT OVERWRITE in Spark's dynamic mode: only the partitions of `values` are replaced."""
    spark.conf.set("spark.sql.sources.partitionOverwriteMode", "dynamic")
    try:
        spark.sql(f"INSERT OVERWRITE {table} VALUES {values}")
    finally:
        spark.conf.unset("spark.sql.sources.partitionOverwriteMode")


def test_a_dynamic_partition_overwrite_against_an_append_into_that_partition_conflicts(spark, ns, run_id):
    t = f"{ns}.merge_replaced"
    _partitioned(spark, t, "copy-on-write")
    feature = _branch(spark, f"im_dyn_{run_id}")
    _overwrite_partitions(spark, f"{feature}.{t}", "(7, 'a')")
    spark.sql(f"INSERT INTO {MAIN_CATALOG}.{t} VALUES (5, 'a')")
    main_before = lakecat_client.reference("main")["hash"]
    with pytest.raises(lakecat_client.HttpError) as conflict:
        lakecat_client.merge(f"im_dyn_{run_id}", "main")
    assert conflict.value.status == 409, conflict.value.body
    assert "REPLACED_PARTITION_CHANGED" in conflict.value.body and "part=a" in conflict.value.body, conflict.value.body
    assert lakecat_client.reference("main")["hash"] == main_before
    # Into another partition, the same overwrite merges: partition a replaced, b untouched.
    other = f"{ns}.merge_replaced_other"
    _partitioned(spark, other, "copy-on-write")
    feature2 = _branch(spark, f"im_dyn2_{run_id}")
    _overwrite_partitions(spark, f"{feature2}.{other}", "(7, 'a')")
    spark.sql(f"INSERT INTO {MAIN_CATALOG}.{other} VALUES (5, 'b')")
    _merge_dry_then_real(f"im_dyn2_{run_id}")
    assert rows(spark, f"SELECT id, part FROM {MAIN_CATALOG}.{other} ORDER BY id") == [(3, "b"), (5, "b"), (7, "a")]
