"""Time travel through Trino (`FOR VERSION AS OF <snapshot id>`, `FOR TIMESTAMP AS OF`) and the
`$snapshots`, `$history`, `$refs` metadata tables, compared with lakecat's snapshot log."""

from __future__ import annotations

import datetime as dt

import pytest
from trino.exceptions import TrinoUserError

from support import MAIN, meta, snapshots


def _ts(value: dt.datetime) -> str:
    """A Trino timestamp-with-time-zone literal with millisecond precision, in UTC."""
    return f"TIMESTAMP '{value.astimezone(dt.timezone.utc):%Y-%m-%d %H:%M:%S.%f}'"[:-4] + " UTC'"


def _ms(value: dt.datetime) -> int:
    """Milliseconds since the epoch, exactly (float seconds times 1000 may land one below)."""
    return round(value.timestamp() * 1000)


@pytest.fixture(scope="module")
def history_table(db, main_schema):
    """A table with five snapshots: the empty one of CREATE TABLE, append a, append b, add
    column + append c, delete a."""
    t = f"{MAIN}.{main_schema}.travel"
    db.sql(f"CREATE TABLE {t} (id integer, name varchar)")
    db.sql(f"INSERT INTO {t} VALUES (1, 'a')")
    db.sql(f"INSERT INTO {t} VALUES (2, 'b')")
    db.sql(f"ALTER TABLE {t} ADD COLUMN score double")
    db.sql(f"INSERT INTO {t} VALUES (3, 'c', 0.5)")
    db.sql(f"DELETE FROM {t} WHERE id = 1")
    return t


def test_snapshots_match_lakecat(db, lakecat, main_schema, history_table):
    history = snapshots(db, history_table)
    assert [s[2] for s in history] == ["append", "append", "append", "append", "delete"]
    assert history[0][1] is None and all(history[i][1] == history[i - 1][0] for i in range(1, 5))
    metadata = lakecat.load_table("main", main_schema, "travel")["metadata"]
    assert [s["snapshot-id"] for s in metadata["snapshots"]] == [s[0] for s in history]
    assert metadata["current-snapshot-id"] == history[-1][0]
    # committed_at is lakecat's timestamp-ms of each snapshot.
    assert [s["timestamp-ms"] for s in metadata["snapshots"]] == [_ms(s[3]) for s in history]
    assert [s[4]["total-records"] for s in history] == ["0", "1", "2", "3", "3"]


def test_history_and_refs_tables(db, lakecat, main_schema, history_table):
    rows = db.sql(
        f"SELECT made_current_at, snapshot_id, parent_id, is_current_ancestor FROM {meta(history_table, 'history')} "
        "ORDER BY made_current_at"
    )
    metadata = lakecat.load_table("main", main_schema, "travel")["metadata"]
    assert [(_ms(r[0]), r[1]) for r in rows] == [
        (e["timestamp-ms"], e["snapshot-id"]) for e in metadata["snapshot-log"]
    ]
    assert all(r[3] for r in rows)
    refs = db.sql(f"SELECT name, type, snapshot_id FROM {meta(history_table, 'refs')}")
    assert refs == [("main", "BRANCH", metadata["current-snapshot-id"])]


def test_version_as_of_snapshot_id(db, history_table):
    empty, *ids = [s[0] for s in snapshots(db, history_table)]
    t = history_table
    assert db.sql(f"SELECT count(*) FROM {t} FOR VERSION AS OF {empty}") == [(0,)]
    assert db.sql(f"SELECT id, name FROM {t} FOR VERSION AS OF {ids[0]} ORDER BY id") == [(1, "a")]
    assert db.sql(f"SELECT id, name FROM {t} FOR VERSION AS OF {ids[1]} ORDER BY id") == [(1, "a"), (2, "b")]
    assert db.sql(f"SELECT id, name, score FROM {t} FOR VERSION AS OF {ids[2]} ORDER BY id") == [
        (1, "a", None), (2, "b", None), (3, "c", 0.5)
    ]
    assert db.sql(f"SELECT id FROM {t} ORDER BY id") == [(2,), (3,)]
    # An old snapshot is read with the schema it was written with: no `score` column yet.
    with pytest.raises(TrinoUserError) as old_schema:
        db.sql(f"SELECT score FROM {t} FOR VERSION AS OF {ids[0]}")
    assert old_schema.value.error_name == "COLUMN_NOT_FOUND"
    with pytest.raises(TrinoUserError) as unknown:
        db.sql(f"SELECT * FROM {t} FOR VERSION AS OF BIGINT '1234567'")
    assert "1234567" in str(unknown.value), str(unknown.value)


def test_timestamp_as_of(db, history_table):
    history = snapshots(db, history_table)[1:]  # the data snapshots, after CREATE TABLE's empty one
    t = history_table
    committed = [s[3] for s in history]
    # Exactly at a commit: that snapshot; between two commits: the earlier one.
    assert db.sql(f"SELECT id FROM {t} FOR TIMESTAMP AS OF {_ts(committed[0])} ORDER BY id") == [(1,)]
    assert db.sql(f"SELECT id FROM {t} FOR TIMESTAMP AS OF {_ts(committed[1])} ORDER BY id") == [(1,), (2,)]
    between = committed[2] + (committed[3] - committed[2]) / 2
    assert db.sql(f"SELECT id FROM {t} FOR TIMESTAMP AS OF {_ts(between)} ORDER BY id") == [(1,), (2,), (3,)]
    with pytest.raises(TrinoUserError) as too_early:
        created = snapshots(db, history_table)[0][3]
        db.sql(f"SELECT id FROM {t} FOR TIMESTAMP AS OF {_ts(created - dt.timedelta(seconds=1))}")
    assert "No version history table" in str(too_early.value)
