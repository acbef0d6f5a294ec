"""Steps 5-8 of the promotion workflow: merge the dev branch into main through the Nessie API
v2 as one commit, read gold on main from Spark, PyIceberg and Trino, and travel main back to
before the merge."""

from __future__ import annotations

import os
import time
import urllib.parse
from datetime import datetime, timezone

import pytest

import seed_data
from conftest import MAIN_CATALOG, add_spark_catalog, requests_between


def _missing_in_spark(spark, name: str) -> bool:
    try:
        spark.table(name).schema
    except Exception as err:  # AnalysisException
        assert "TABLE_OR_VIEW_NOT_FOUND" in str(err), str(err)[:300]
        return True
    return False


def _keys(ref: str, lakecat) -> set:
    return set(lakecat.entry_keys(ref))


def test_5_merge_dev_into_main_as_one_commit(workflow, lakecat, pyiceberg_catalog):
    workflow.require("validated", "main_moved")
    main_before = lakecat.reference("main")
    dev_head = lakecat.reference(workflow.branch)
    # The dev branch holds many commits (one per namespace and table change) since it forked.
    own = lakecat.commits_since(workflow.branch, workflow.fork_hash)
    assert len(own) >= 9, own  # 4 namespaces, 5 tables created, plus appends and the MERGE
    print(f"promotion: {len(own)} commits on {workflow.branch} become one merge commit on main")

    workflow.main_before_merge = main_before
    workflow.main_namespaces_before = sorted(pyiceberg_catalog("main").list_namespaces())
    time.sleep(0.05)
    workflow.before_merge_ms = int(time.time() * 1000)  # lakecat runs on this machine's clock
    time.sleep(0.05)

    result = lakecat.merge(workflow.branch, "main", message=f"promote {workflow.branch}")
    assert result["wasApplied"] is True and result["wasSuccessful"] is True, result
    assert result["effectiveTargetHash"] == main_before["hash"]
    assert result["commonAncestor"] == workflow.fork_hash
    merge_hash = result["resultantTargetHash"]
    assert lakecat.reference("main")["hash"] == merge_hash
    workflow.merge_hash = merge_hash

    # Exactly one new commit on main: a merge commit whose parents are main's old head and dev's head.
    log = lakecat.commit_log("main", limit=2)
    head = log[0]["commitMeta"]
    assert head["hash"] == merge_hash
    assert head["parentCommitHashes"] == [main_before["hash"], dev_head["hash"]]
    assert log[0]["parentCommitHash"] == main_before["hash"]
    assert lakecat.commits_since("main", main_before["hash"]) == [merge_hash]
    assert head["message"] == f"promote {workflow.branch}"
    # ... carrying every namespace and table of the workflow at once.
    ours = {(ns, "NAMESPACE") for ns in workflow.namespaces.values()} | {(f"{ns}.{t}", "ICEBERG_TABLE") for ns, t in workflow.tables()}
    put = {(".".join(op["key"]["elements"]), op["content"]["type"]) for op in log[0]["operations"] if op["type"] == "PUT"}
    assert put == ours
    # Atomic: main's parent commit has none of them, the merge commit has all of them, and the
    # merge changed nothing else on main.
    before = _keys(f"main@{main_before['hash']}", lakecat)
    after = _keys(f"main@{merge_hash}", lakecat)
    assert not before & ours
    assert after - before == ours and before <= after
    # main now points at the very table states validated on dev.
    for ns, t in workflow.tables():
        on_main = lakecat.load_table("main", ns, t)
        on_dev = lakecat.load_table(workflow.branch, ns, t)
        assert on_main["metadata-location"] == on_dev["metadata-location"], (ns, t)
        assert on_main["metadata"]["current-snapshot-id"] == on_dev["metadata"]["current-snapshot-id"], (ns, t)
    # The source branch is left as it was.
    assert lakecat.reference(workflow.branch)["hash"] == dev_head["hash"]
    workflow.done.add("merged")


def test_6_read_gold_on_main_from_spark_and_pyiceberg(workflow, spark, pyiceberg_catalog):
    workflow.require("merged")
    gold = workflow.sql_name(MAIN_CATALOG, "gold", "daily_category")
    assert seed_data.normalize_gold(tuple(r) for r in spark.sql(f"SELECT * FROM {gold}").collect()) == workflow.gold_on_dev
    main = pyiceberg_catalog("main")
    rows = main.load_table(workflow.table("gold", "daily_category")).scan().to_arrow().to_pylist()
    assert seed_data.normalize_gold(rows) == workflow.gold_on_dev
    # The other layers came along too and answer on main as on dev.
    silver = workflow.sql_name(MAIN_CATALOG, "silver", "readings")
    assert spark.sql(f"SELECT sum(readings) FROM {gold}").collect()[0][0] == spark.sql(f"SELECT count(*) FROM {silver}").collect()[0][0]
    for ident in workflow.tables():
        assert main.table_exists(ident), ident


def test_7_time_travel_main_to_before_the_merge(workflow, spark, pyiceberg_catalog, lakecat):
    workflow.require("merged")
    pre = workflow.main_before_merge["hash"]
    iso = datetime.fromtimestamp(workflow.before_merge_ms / 1000, tz=timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
    gold_ident = workflow.table("gold", "daily_category")

    # PyIceberg pinned to main as of a commit and as of a point in time: main's previous state.
    for warehouse in (f"main@{pre}", f"main*{iso}", f"main*{workflow.before_merge_ms}"):
        past = pyiceberg_catalog(warehouse)
        assert sorted(past.list_namespaces()) == workflow.main_namespaces_before, warehouse
        for ident in workflow.tables():
            assert not past.table_exists(ident), (warehouse, ident)
        # main's own table from before the merge is there, as it was.
        assert past.load_table(workflow.main_side_table).scan().to_arrow().num_rows == 1, warehouse
    # ... and pinned to the merge commit, or to a time after it: the promoted gold.
    after_ms = int(time.time() * 1000)
    for warehouse in (f"main@{workflow.merge_hash}", f"main*{after_ms}"):
        rows = pyiceberg_catalog(warehouse).load_table(gold_ident).scan().to_arrow().to_pylist()
        assert seed_data.normalize_gold(rows) == workflow.gold_on_dev, warehouse

    # Spark catalogs pinned the same ways.
    suffix = workflow.run_id
    catalogs = {
        f"lake_before_{suffix}": f"main@{pre}",
        f"lake_time_{suffix}": f"main*{workflow.before_merge_ms}",
        f"lake_merge_{suffix}": f"main@{workflow.merge_hash}",
    }
    for catalog, warehouse in catalogs.items():
        add_spark_catalog(spark, catalog, warehouse)
    gold_ns = workflow.namespaces["gold"]
    for catalog in (f"lake_before_{suffix}", f"lake_time_{suffix}"):
        namespaces = {r[0] for r in spark.sql(f"SHOW NAMESPACES IN {catalog}").collect()}
        assert namespaces == {ns[0] for ns in workflow.main_namespaces_before}, catalog
        assert _missing_in_spark(spark, f"{catalog}.{gold_ns}.daily_category"), catalog
        side_ns, side_table = workflow.main_side_table
        assert spark.sql(f"SELECT run FROM {catalog}.{side_ns}.{side_table}").collect()[0][0] == workflow.run_id
    merged = spark.sql(f"SELECT * FROM lake_merge_{suffix}.{gold_ns}.daily_category").collect()
    assert seed_data.normalize_gold(tuple(r) for r in merged) == workflow.gold_on_dev
    # A catalog pinned to history is read-only.
    with pytest.raises(Exception) as refused:
        spark.sql(f"CREATE NAMESPACE lake_before_{suffix}.late_{suffix}")
    assert "read-only" in str(refused.value) or "cannot be committed" in str(refused.value), str(refused.value)[:400]

    # No engine got a server error anywhere in the workflow.
    served = requests_between(workflow.served_at_start, lakecat.http_request_counts())
    assert not {k: n for k, n in served.items() if k[2].startswith("5")}, served


def test_8_read_gold_on_main_from_trino(workflow, lakecat):
    trino_url = os.environ.get("TRINO_URL")
    if not trino_url:
        pytest.skip("TRINO_URL is not set: no Trino (LAKECAT_PROMOTION_TRINO=0, or ../trino/with-trino.sh missing)")
    workflow.require("merged")
    import trino

    url = urllib.parse.urlsplit(trino_url)
    conn = trino.dbapi.connect(host=url.hostname, port=url.port, http_scheme=url.scheme or "http", user="promotion")
    gold_ns = workflow.namespaces["gold"]
    try:
        cur = conn.cursor()
        cur.execute(f'SELECT day, category, readings, total_value, min_value, max_value FROM lakecat_main."{gold_ns}".daily_category')
        assert seed_data.normalize_gold(cur.fetchall()) == workflow.gold_on_dev
        # Trino reads the very snapshot that was validated on dev and promoted.
        cur.execute(f'SELECT snapshot_id FROM lakecat_main."{gold_ns}"."daily_category$snapshots" ORDER BY committed_at')
        dev_meta = lakecat.load_table(workflow.branch, gold_ns, "daily_category")["metadata"]
        assert [r[0] for r in cur.fetchall()] == [s["snapshot-id"] for s in dev_meta["snapshots"]]
        # The other layers answer too: silver's rows add up to gold's reading counts.
        silver_ns = workflow.namespaces["silver"]
        cur.execute(f'SELECT count(*) FROM lakecat_main."{silver_ns}".readings')
        assert cur.fetchall() == [[sum(n for _, _, n, *_ in workflow.gold_on_dev)]]
    finally:
        conn.close()
