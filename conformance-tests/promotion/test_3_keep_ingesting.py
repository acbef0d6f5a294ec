"""Steps 9-10 of the promotion workflow, the next day: ingestion keeps appending to the raw table
on main while a new branch loads a backfill into the same raw table and builds its bronze rows
from it. The raw table changed on both sides; the merge lands anyway (lakecat replays the
branch's append after main's, at the Iceberg level), and main holds every reading of both sides,
each once."""

from __future__ import annotations

import seed_data
from conftest import MAIN_CATALOG, add_spark_catalog
from test_1_build_on_dev import _reading_of, _readings_arrow

FIRST_NEW_ID = seed_data.BATCH1_ROWS + seed_data.BATCH2_NEW_ROWS + 1
DAY3 = seed_data.more_readings(FIRST_NEW_ID, 300, batch=3)
BACKFILL = seed_data.more_readings(FIRST_NEW_ID + 300, 200, batch=4)
CLEAN = f"sensor_id IS NOT NULL AND value IS NOT NULL AND value <> {seed_data.SENTINEL}"


def test_9_main_keeps_ingesting_while_a_branch_backfills(workflow, pyiceberg_catalog, lakecat, spark):
    workflow.require("merged")
    workflow.backfill_branch = f"backfill_{workflow.run_id}"
    lakecat.create_reference(workflow.backfill_branch, "BRANCH", lakecat.reference("main"))
    raw = workflow.table("raw", "readings")

    # The branch loads the backfill and builds bronze rows from it with Spark.
    pyiceberg_catalog(workflow.backfill_branch).load_table(raw).append(_readings_arrow(BACKFILL))
    add_spark_catalog(spark, "lake_backfill", workflow.backfill_branch)
    spark.sql(
        f"""INSERT INTO {workflow.sql_name('lake_backfill', 'bronze', 'readings')}
            SELECT reading_id, sensor_id, ts, value FROM {workflow.sql_name('lake_backfill', 'raw', 'readings')}
            WHERE batch = 4 AND {CLEAN}"""
    )
    # Meanwhile main's ingestion appends the next day's readings to the same raw table.
    main = pyiceberg_catalog("main")
    main.load_table(raw).append(_readings_arrow(DAY3))
    workflow.raw_snapshot_before_merge = main.load_table(raw).current_snapshot().snapshot_id
    workflow.done.add("backfilled")


def test_10_the_merge_lands_both_sides(workflow, pyiceberg_catalog, lakecat, spark):
    workflow.require("backfilled")
    answer = lakecat.merge(workflow.backfill_branch, "main")
    assert answer["wasApplied"] is True, answer

    readings = pyiceberg_catalog("main").load_table(workflow.table("raw", "readings"))
    stored = sorted((_reading_of(d) for d in readings.scan().to_arrow().to_pylist()), key=lambda r: (r.reading_id, r.batch))
    expected = sorted(seed_data.readings() + DAY3 + BACKFILL, key=lambda r: (r.reading_id, r.batch))
    assert stored == expected
    # Main's own append stays where it was; the branch's follows it, naming where it came from.
    head = readings.current_snapshot()
    assert head.parent_snapshot_id == workflow.raw_snapshot_before_merge
    assert head.summary["lakecat.merge.source-ref"] == workflow.backfill_branch

    # The branch's bronze rows reached main too (bronze changed on the branch only).
    bronze = workflow.sql_name(MAIN_CATALOG, "bronze", "readings")
    clean_backfill = {r.reading_id for r in BACKFILL if seed_data.is_clean(r)}
    on_main = {r[0] for r in spark.sql(f"SELECT reading_id FROM {bronze} WHERE reading_id >= {FIRST_NEW_ID + 300}").collect()}
    assert on_main == clean_backfill
