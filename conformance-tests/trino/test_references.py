"""Catalogs pinned to other lakecat references, added at run time with CREATE CATALOG (with-trino.sh
enables dynamic catalogs): a tag and a commit (`main@<hash>`) both read the state of main when
they were taken, and refuse writes, while `lakecat_main` moves on."""

from __future__ import annotations

import uuid

import pytest
from trino.exceptions import TrinoQueryError

from support import MAIN


def _assert_read_only(db, catalog: str, schema: str, table: str) -> None:
    with pytest.raises(TrinoQueryError) as refused:
        db.sql(f"INSERT INTO {catalog}.{schema}.{table} VALUES (99)")
    # lakecat refuses the commit on a tag or a commit; Trino passes its message on.
    assert "read-only" in str(refused.value) or "cannot be committed" in str(refused.value), str(refused.value)[:600]
    with pytest.raises(TrinoQueryError):
        db.sql(f"CREATE SCHEMA {catalog}.late_{uuid.uuid4().hex[:6]}")


def test_catalog_pinned_to_a_commit(db, lakecat, main_schema, pinned_catalog):
    t = f"{MAIN}.{main_schema}.pinned_by_hash"
    db.sql(f"CREATE TABLE {t} (id integer)")
    db.sql(f"INSERT INTO {t} VALUES (1)")
    then = lakecat.reference("main")["hash"]
    db.sql(f"INSERT INTO {t} VALUES (2)")

    at = pinned_catalog(f"main@{then}")
    assert db.sql(f"SELECT id FROM {at}.{main_schema}.pinned_by_hash ORDER BY id") == [(1,)]
    assert db.sql(f"SELECT id FROM {t} ORDER BY id") == [(1,), (2,)]
    _assert_read_only(db, at, main_schema, "pinned_by_hash")
    assert db.sql(f"SELECT id FROM {t} ORDER BY id") == [(1,), (2,)]


def test_catalog_pinned_to_a_tag(db, lakecat, main_schema, run_id, pinned_catalog):
    t = f"{MAIN}.{main_schema}.tagged"
    db.sql(f"CREATE TABLE {t} AS SELECT * FROM (VALUES 1, 2) AS v(id)")
    tag = f"trino_release_{run_id}"
    lakecat.create_reference(tag, "TAG", lakecat.reference("main"))
    db.sql(f"DELETE FROM {t} WHERE id = 1")
    db.sql(f"INSERT INTO {t} VALUES (3)")

    at_tag = pinned_catalog(tag)
    assert db.sql(f"SELECT id FROM {at_tag}.{main_schema}.tagged ORDER BY id") == [(1,), (2,)]
    assert db.sql(f"SELECT id FROM {t} ORDER BY id") == [(2,), (3,)]
    # The tag's table is main's table as it was: same uuid, an ancestor snapshot.
    tagged = lakecat.load_table(tag, main_schema, "tagged")["metadata"]
    current = lakecat.load_table("main", main_schema, "tagged")["metadata"]
    assert tagged["table-uuid"] == current["table-uuid"]
    assert tagged["current-snapshot-id"] in {s["snapshot-id"] for s in current["snapshots"]}
    _assert_read_only(db, at_tag, main_schema, "tagged")
