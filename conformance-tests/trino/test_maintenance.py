"""Table layout and maintenance through Trino, each checked in the metadata lakecat stores: sort
order and extra properties at creation, partition evolution with SET PROPERTIES, `optimize`
(a `replace` snapshot), and `expire_snapshots` refused: lakecat keeps `gc.enabled=false` on every
table, because Trino would delete files that other branches, tags or commits may still read."""

from __future__ import annotations

import pytest
from trino.exceptions import TrinoQueryError

from support import MAIN, current_schema, meta, snapshots


def test_sort_order_and_extra_properties(db, lakecat, main_schema):
    t = f"{MAIN}.{main_schema}.sorted"
    db.sql(
        f"CREATE TABLE {t} (id bigint, name varchar) WITH (sorted_by = ARRAY['id DESC'], "
        "extra_properties = MAP(ARRAY['owner', 'tier'], ARRAY['data-team', 'gold']))"
    )
    db.sql(f"INSERT INTO {t} VALUES (1, 'a'), (3, 'c'), (2, 'b')")
    assert db.sql(f"SELECT id FROM {t} ORDER BY id") == [(1,), (2,), (3,)]
    metadata = lakecat.load_table("main", main_schema, "sorted")["metadata"]
    order = next(o for o in metadata["sort-orders"] if o["order-id"] == metadata["default-sort-order-id"])
    id_field = next(f["id"] for f in current_schema(metadata)["fields"] if f["name"] == "id")
    assert [(f["source-id"], f["transform"], f["direction"]) for f in order["fields"]] == [(id_field, "identity", "desc")]
    assert metadata["properties"]["owner"] == "data-team" and metadata["properties"]["tier"] == "gold"


def test_partition_evolution(db, lakecat, main_schema):
    t = f"{MAIN}.{main_schema}.evolving"
    db.sql(f"CREATE TABLE {t} (id integer, region varchar, day date) WITH (partitioning = ARRAY['region'])")
    db.sql(f"INSERT INTO {t} VALUES (1, 'eu', DATE '2024-01-01'), (2, 'us', DATE '2024-01-02')")
    db.sql(f"ALTER TABLE {t} SET PROPERTIES partitioning = ARRAY['month(day)']")
    db.sql(f"INSERT INTO {t} VALUES (3, 'eu', DATE '2024-02-01')")
    assert db.sql(f"SELECT id FROM {t} WHERE region = 'eu' ORDER BY id") == [(1,), (3,)]
    specs = db.sql(f"SELECT spec_id, count(*) FROM {meta(t, 'files')} GROUP BY spec_id ORDER BY spec_id")
    assert [count for _, count in specs] == [2, 1]

    metadata = lakecat.load_table("main", main_schema, "evolving")["metadata"]
    assert len(metadata["partition-specs"]) == 2
    current = next(s for s in metadata["partition-specs"] if s["spec-id"] == metadata["default-spec-id"])
    assert [f["transform"] for f in current["fields"]] == ["month"]
    assert metadata["default-spec-id"] == specs[-1][0]


def test_optimize_and_expire_snapshots(db, lakecat, main_schema):
    t = f"{MAIN}.{main_schema}.compacted"
    db.sql(f"CREATE TABLE {t} (id integer)")
    for i in range(1, 5):
        db.sql(f"INSERT INTO {t} VALUES ({i})")
    assert db.scalar(f"SELECT count(*) FROM {meta(t, 'files')}") == 4

    db.sql(f"ALTER TABLE {t} EXECUTE optimize")
    assert db.scalar(f"SELECT count(*) FROM {meta(t, 'files')}") == 1
    history = snapshots(db, t)
    assert history[-1][2] == "replace"
    assert db.sql(f"SELECT id FROM {t} ORDER BY id") == [(1,), (2,), (3,), (4,)]

    with pytest.raises(TrinoQueryError) as refused:
        db.sql(f"ALTER TABLE {t} EXECUTE expire_snapshots(retention_threshold => '0s')")
    assert "GC is disabled" in str(refused.value)
    metadata = lakecat.load_table("main", main_schema, "compacted")["metadata"]
    assert metadata["properties"]["gc.enabled"] == "false"
    assert [s["snapshot-id"] for s in metadata["snapshots"]] == [s[0] for s in history]
    assert db.sql(f"SELECT id FROM {t} ORDER BY id") == [(1,), (2,), (3,), (4,)]
    # An early snapshot still reads: its files are all there (history[0] is the empty snapshot
    # Trino's CREATE TABLE commits, history[1] the first INSERT).
    assert db.sql(f"SELECT id FROM {t} FOR VERSION AS OF {history[1][0]}") == [(1,)]
