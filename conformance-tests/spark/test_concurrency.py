"""Concurrent writers on one table: Spark jobs from several threads of one session commit at the
same time. lakecat must refuse stale commits (409, the snapshot requirement fails) so that
Iceberg's client refreshes, re-applies and retries; every append lands, none is lost."""

from concurrent.futures import ThreadPoolExecutor

import lakecat_client
from support import MAIN_CATALOG, rows

WRITERS = 4


def test_concurrent_appends_all_land(spark, ns):
    t = f"{MAIN_CATALOG}.{ns}.contended"
    spark.sql(
        f"""CREATE TABLE {t} (writer INT, n BIGINT) USING iceberg
            TBLPROPERTIES ('commit.retry.num-retries' = '20', 'commit.retry.min-wait-ms' = '20')"""
    )

    def append(writer: int) -> None:
        spark.sql(f"INSERT INTO {t} SELECT {writer}, id FROM range(0, 50)")

    with ThreadPoolExecutor(max_workers=WRITERS) as pool:
        list(pool.map(append, range(WRITERS)))

    assert rows(spark, f"SELECT writer, count(*), sum(n) FROM {t} GROUP BY writer ORDER BY writer") == [
        (w, 50, sum(range(50))) for w in range(WRITERS)
    ]
    meta = lakecat_client.load_table("main", ns, "contended")["metadata"]
    snaps = {s["snapshot-id"]: s for s in meta["snapshots"]}
    assert len(snaps) == WRITERS
    # One linear history: walking parents from the head visits every snapshot once.
    seen, head = [], meta["current-snapshot-id"]
    while head is not None:
        seen.append(head)
        head = snaps[head].get("parent-snapshot-id")
    assert sorted(seen) == sorted(snaps)
    assert [snaps[s]["sequence-number"] for s in reversed(seen)] == list(range(1, WRITERS + 1))
