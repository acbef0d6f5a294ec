"""Nessie's Spark SQL extensions managing lakecat's branches and tags: each statement is checked
against the reference lakecat's Nessie API reports afterwards."""

import pytest

import lakecat_client
from conftest import LAKE, NESSIE


def _rows(spark, sql: str) -> list:
    return [r.asDict() for r in spark.sql(sql).collect()]


def test_list_references_shows_main_at_its_head(spark):
    main = lakecat_client.reference("main")
    listed = {r["name"]: r for r in _rows(spark, f"LIST REFERENCES IN {NESSIE}")}
    assert listed["main"]["refType"] == "Branch"
    assert listed["main"]["hash"] == main["hash"]


def test_create_branch_from_main(spark, run_id):
    name = f"created_{run_id}"
    main = lakecat_client.reference("main")
    [row] = _rows(spark, f"CREATE BRANCH {name} IN {NESSIE} FROM main")
    assert (row["refType"], row["name"], row["hash"]) == ("Branch", name, main["hash"])
    assert lakecat_client.reference(name) == {"type": "BRANCH", "name": name, "hash": main["hash"]}
    listed = {r["name"]: r for r in _rows(spark, f"LIST REFERENCES IN {NESSIE}")}
    assert listed[name]["refType"] == "Branch"


def test_create_branch_that_exists_fails(spark, run_id):
    name = f"twice_{run_id}"
    spark.sql(f"CREATE BRANCH {name} IN {NESSIE} FROM main")
    with pytest.raises(Exception, match="(?i)already exists"):
        spark.sql(f"CREATE BRANCH {name} IN {NESSIE} FROM main").collect()
    # IF NOT EXISTS answers the existing branch instead of failing.
    [row] = _rows(spark, f"CREATE BRANCH IF NOT EXISTS {name} IN {NESSIE} FROM main")
    assert row["name"] == name


def test_create_tag_at_main_head(spark, run_id):
    name = f"tag_{run_id}"
    main = lakecat_client.reference("main")
    [row] = _rows(spark, f"CREATE TAG {name} IN {NESSIE} FROM main")
    assert (row["refType"], row["name"], row["hash"]) == ("Tag", name, main["hash"])
    assert lakecat_client.reference(name) == {"type": "TAG", "name": name, "hash": main["hash"]}


def test_assign_branch_to_main_after_main_moved(spark, run_id):
    name = f"assigned_{run_id}"
    spark.sql(f"CREATE BRANCH {name} IN {NESSIE} FROM main")
    before = lakecat_client.reference(name)["hash"]
    # A commit on main through the REST catalog moves main past the new branch.
    spark.sql(f"CREATE NAMESPACE {LAKE}.assign_{run_id}")
    main = lakecat_client.reference("main")
    assert main["hash"] != before

    spark.sql(f"ASSIGN BRANCH {name} TO main IN {NESSIE}").collect()
    assert lakecat_client.reference(name) == {"type": "BRANCH", "name": name, "hash": main["hash"]}
    assert ("assign_" + run_id, "NAMESPACE") in lakecat_client.entry_keys(name)


def test_drop_branch(spark, run_id):
    name = f"dropped_{run_id}"
    spark.sql(f"CREATE BRANCH {name} IN {NESSIE} FROM main")
    assert name in lakecat_client.references()

    spark.sql(f"DROP BRANCH {name} IN {NESSIE}").collect()
    with pytest.raises(lakecat_client.HttpError) as err:
        lakecat_client.reference(name)
    assert err.value.status == 404
    listed = {r["name"] for r in _rows(spark, f"LIST REFERENCES IN {NESSIE}")}
    assert name not in listed and "main" in listed


def test_use_reference_switches_the_catalog(on_main, run_id):
    spark = on_main
    name = f"used_{run_id}"
    spark.sql(f"CREATE BRANCH {name} IN {NESSIE} FROM main")
    [row] = _rows(spark, f"USE REFERENCE {name} IN {NESSIE}")
    assert (row["refType"], row["name"]) == ("Branch", name)
    [current] = _rows(spark, f"SHOW REFERENCE IN {NESSIE}")
    assert (current["refType"], current["name"]) == ("Branch", name)


def test_errors_for_unknown_references_and_the_default_branch(on_main, run_id):
    spark = on_main
    missing = f"missing_{run_id}"
    with pytest.raises(Exception, match="(?i)not found|does not exist"):
        spark.sql(f"CREATE BRANCH x_{run_id} IN {NESSIE} FROM {missing}").collect()
    assert f"x_{run_id}" not in lakecat_client.references()
    with pytest.raises(Exception, match="(?i)not found|does not exist"):
        spark.sql(f"USE REFERENCE {missing} IN {NESSIE}").collect()
    main = lakecat_client.reference("main")
    with pytest.raises(Exception, match="(?i)default branch .*cannot be deleted"):
        spark.sql(f"DROP BRANCH main IN {NESSIE}").collect()
    assert lakecat_client.reference("main") == main


def test_assign_branch_at_an_older_hash(spark, run_id):
    name = f"rewound_{run_id}"
    then = lakecat_client.reference("main")["hash"]
    spark.sql(f"CREATE NAMESPACE {LAKE}.rewind_{run_id}")  # main moves on
    spark.sql(f"CREATE BRANCH {name} IN {NESSIE} FROM main")
    spark.sql(f"ASSIGN BRANCH {name} TO main AT {then} IN {NESSIE}").collect()
    assert lakecat_client.reference(name)["hash"] == then
    assert (f"rewind_{run_id}", "NAMESPACE") not in lakecat_client.entry_keys(name)
