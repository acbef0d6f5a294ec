"""`lakecat gc` on PostgreSQL + MinIO with PyIceberg writing and reading the data. After every
scenario every table at every branch and tag is read in full (`read_everything`)."""
from __future__ import annotations

import threading
import time
import uuid

import pyarrow as pa
import pytest
from pyarrow import fs

from server import Stack, _env

DAY_MS = 86_400_000
SCHEMA = pa.schema([pa.field("id", pa.int64(), nullable=False)])
EXPIRE_AT_ONCE = {"history.expire.max-snapshot-age-ms": "0"}


def rows(*ids: int) -> pa.Table:
    return pa.table({"id": pa.array(ids, pa.int64())}, schema=SCHEMA)


def s3() -> fs.S3FileSystem:
    endpoint = _env("LAKECAT_TEST_S3_ENDPOINT")
    return fs.S3FileSystem(
        endpoint_override=endpoint.split("://", 1)[1], scheme=endpoint.split("://", 1)[0],
        access_key=_env("LAKECAT_TEST_S3_ACCESS_KEY"), secret_key=_env("LAKECAT_TEST_S3_SECRET_KEY"), region="us-east-1",
    )


def objects(prefix: str) -> set[str]:
    """Every object under an s3:// prefix, as s3:// locations."""
    path = prefix.removeprefix("s3://").rstrip("/")
    try:
        infos = s3().get_file_info(fs.FileSelector(path, recursive=True))
    except FileNotFoundError:
        return set()
    return {f"s3://{i.path}" for i in infos if i.type == fs.FileType.File}


def exists(location: str) -> bool:
    return s3().get_file_info(location.removeprefix("s3://")).type == fs.FileType.File


def data_files(table, snapshot_id: int | None = None) -> set[str]:
    return {t.file.file_path for t in table.scan(snapshot_id=snapshot_id).plan_files()}


def read_everything(stack: Stack) -> dict[tuple[str, str], list[int]]:
    """Scans every table of every namespace at every reference; any missing file fails the test."""
    out: dict[tuple[str, str], list[int]] = {}
    for ref in stack.call("GET", "/api/v2/trees")["references"]:
        catalog = stack.catalog(ref["name"])
        for (ns,) in catalog.list_namespaces():
            for ident in catalog.list_tables(ns):
                ids = catalog.load_table(ident).scan().to_arrow()["id"].to_pylist()
                out[(ref["name"], ".".join(ident))] = sorted(ids)
    return out


def new_table(stack: Stack, name: str, properties: dict[str, str] | None = None, ns: str = "gc"):
    catalog = stack.catalog()
    if (ns,) not in catalog.list_namespaces():
        catalog.create_namespace(ns)
    return catalog.create_table((ns, name), schema=SCHEMA, properties=properties or {})


def test_tag_keeps_its_files_through_every_gc_and_loses_them_once_deleted(stack: Stack) -> None:
    stack.policy("main")
    t = new_table(stack, "tagged", EXPIRE_AT_ONCE)
    t.append(rows(1, 2, 3))
    first = data_files(t)
    stack.create_ref("t1", "TAG")
    t.overwrite(rows(100, 101))
    second = data_files(t.refresh())
    assert first and second and not first & second

    for round in range(2):
        report = stack.gc()
        if round == 0:
            assert report["totals"]["deletedFiles"] > 0, report["totals"]  # replaced manifest lists and metadata files
        assert all(exists(f) for f in first | second)
        assert read_everything(stack) == {("main", "gc.tagged"): [100, 101], ("t1", "gc.tagged"): [1, 2, 3]}

    stack.policy("*", ref_type="TAG")
    stack.delete_ref("t1")
    stack.gc()
    assert not any(exists(f) for f in first)
    assert all(exists(f) for f in second)
    assert read_everything(stack) == {("main", "gc.tagged"): [100, 101]}


def test_deleted_branch_is_reclaimed_after_its_grace(stack: Stack) -> None:
    stack.policy("main")
    t = new_table(stack, "branchy")
    t.append(rows(1, 2))
    stack.create_ref("dev", "BRANCH")
    on_dev = stack.catalog("dev").load_table(("gc", "branchy"))
    on_dev.append(rows(10, 11))
    only_dev = data_files(on_dev.refresh()) - data_files(t.refresh())
    assert len(only_dev) == 1
    stack.delete_ref("dev")

    stack.policy("dev", grace_ms=DAY_MS)
    report = stack.gc()
    assert any(r["name"] == "dev" and r.get("dropped", {}).get("reason") == "deleted" for r in report["references"])
    assert all(exists(f) for f in only_dev)

    stack.policy("dev", grace_ms=0)
    stack.gc()
    assert not any(exists(f) for f in only_dev)
    assert read_everything(stack) == {("main", "gc.branchy"): [1, 2]}


def test_files_of_a_commit_that_lands_while_gc_runs_survive(stack: Stack) -> None:
    stack.policy("main")
    t = new_table(stack, "racing")
    t.append(rows(1))
    # The data file, manifest and manifest list are written now, before the run starts...
    tx = t.transaction()
    tx.append(rows(2, 3))
    result: dict = {}
    runner = threading.Thread(target=lambda: result.update(stack.gc(holdAfterMarkMs=10_000)))
    runner.start()
    time.sleep(4)  # the mark of this small catalog takes well under a second; the run then waits
    # ...and committed after the run marked what is live.
    tx.commit_transaction()
    runner.join()
    assert result["totals"]["rescuedFiles"] > 0, result["totals"]
    assert read_everything(stack) == {("main", "gc.racing"): [1, 2, 3]}


def test_dropped_table_and_failed_commits_are_reclaimed(stack: Stack) -> None:
    stack.policy("main")
    dropped = new_table(stack, "dropped")
    dropped.append(rows(1, 2))
    dropped_location = dropped.metadata.location
    assert objects(dropped_location)
    stack.catalog().drop_table(("gc", "dropped"))

    # A commit that fails for good after writing its files: the table went away under the writer.
    doomed = new_table(stack, "doomed")
    stale = stack.catalog().load_table(("gc", "doomed"))
    stack.catalog().drop_table(("gc", "doomed"))
    with pytest.raises(Exception, match="Table does not exist"):
        stale.append(rows(6))  # its data file, manifest and manifest list stay behind
    left_behind = objects(doomed.metadata.location)
    assert len(left_behind) >= 3

    # A metadata file a failed commit left in a live table's folder.
    kept = new_table(stack, "kept")
    kept.append(rows(5))
    stray = f"{kept.metadata.location}/metadata/00009-{uuid.uuid4()}.metadata.json"
    with s3().open_output_stream(stray.removeprefix("s3://")) as f:
        f.write(b'{"written-by": "a commit that failed"}')
    live = objects(kept.metadata.location) - {stray}

    report = stack.gc()
    assert report["totals"]["deletedFiles"] >= len(left_behind) + 1
    assert objects(dropped_location) == set()
    assert not any(exists(f) for f in left_behind)
    assert not exists(stray)
    assert objects(kept.metadata.location) >= {f for f in live if "/data/" in f}
    assert read_everything(stack) == {("main", "gc.kept"): [5]}


def test_two_tables_whose_names_swapped_keep_all_their_files(stack: Stack) -> None:
    stack.policy("main")
    a = new_table(stack, "a")
    b = new_table(stack, "b")
    a.append(rows(1))
    b.append(rows(2, 2))
    catalog = stack.catalog()
    catalog.rename_table(("gc", "a"), ("gc", "tmp"))
    catalog.rename_table(("gc", "b"), ("gc", "a"))
    catalog.rename_table(("gc", "tmp"), ("gc", "b"))
    stack.gc()
    assert read_everything(stack) == {("main", "gc.a"): [2, 2], ("main", "gc.b"): [1]}


def test_a_gc_killed_mid_sweep_and_run_again_ends_as_one_run_would(stack: Stack) -> None:
    stack.policy("main")
    t = new_table(stack, "busy", EXPIRE_AT_ONCE)
    for i in range(30):
        t.append(rows(i))
    t.overwrite(rows(1000))
    prediction = stack.gc(dryRun=True)
    expected = prediction["totals"]["reclaimableFiles"]
    assert expected >= 60
    before = objects(stack.warehouse)

    threading.Thread(target=lambda: _ignore(lambda: stack.gc(batchSize=1, leaseSeconds=20)), daemon=True).start()
    run_id = None
    deadline = time.time() + 60
    while time.time() < deadline:
        running = [r for r in stack.call("GET", "/api/lakecat/v1/gc/runs")["runs"] if r["state"] == "running"]
        if running:
            run_id = running[0]["id"]
            done = [d for d in stack.call("GET", f"/api/lakecat/v1/gc/runs/{run_id}/deletions")["deletions"] if d["state"] == "deleted"]
            if len(done) >= 10:
                break
        time.sleep(0.05)
    assert run_id is not None
    stack.kill9()
    stack.start()
    deleted_by_first = {d["path"] for d in stack.call("GET", f"/api/lakecat/v1/gc/runs/{run_id}/deletions?limit=10000")["deletions"] if d["state"] in ("deleted", "deleting")}
    assert 10 <= len(deleted_by_first) < expected

    # The dead run's lease (20 s, renewed before each batch) still holds: one run at a time.
    busy = stack.call("POST", "/api/lakecat/v1/gc/runs", {"writerGraceMs": 0, "allowShortGrace": True}, expect=409)
    assert "still running" in busy["error"]["message"]
    time.sleep(21)
    second = stack.gc()
    assert second["tookOver"] == [run_id]
    assert stack.gc(dryRun=True)["totals"]["reclaimableFiles"] == 0

    after = objects(stack.warehouse)
    gone = before - after
    assert len(gone) == expected
    runs = {r["id"]: r for r in stack.call("GET", "/api/lakecat/v1/gc/runs")["runs"]}
    assert runs[run_id]["state"] == "interrupted"
    assert read_everything(stack) == {("main", "gc.busy"): [1000]}


def _ignore(fn) -> None:
    try:
        fn()
    except Exception:  # the request dies with the process that served it
        pass
