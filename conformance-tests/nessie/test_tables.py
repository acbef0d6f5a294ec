"""Tables across both APIs: written on a branch through Iceberg's NessieCatalog and read through
lakecat's Iceberg REST API after MERGE BRANCH, and the other way round."""

import pytest

import lakecat_client
from conftest import LAKE, LAKE_BRANCH, NESSIE


def _rows(spark, sql: str) -> list:
    return sorted(tuple(r) for r in spark.sql(sql).collect())


def test_nessie_catalog_writes_on_branch_rest_reads_after_merge(on_main, run_id):
    spark = on_main
    branch = f"dev_{run_id}"
    ns = f"nsdev_{run_id}"
    spark.sql(f"CREATE BRANCH {branch} IN {NESSIE} FROM main")
    spark.sql(f"USE REFERENCE {branch} IN {NESSIE}")

    spark.sql(f"CREATE NAMESPACE {NESSIE}.{ns}")
    spark.sql(f"CREATE TABLE {NESSIE}.{ns}.events (id BIGINT, data STRING) USING iceberg")
    spark.sql(f"INSERT INTO {NESSIE}.{ns}.events VALUES (1, 'a'), (2, 'b')")
    spark.sql(f"INSERT INTO {NESSIE}.{ns}.events VALUES (3, 'c')")
    expected = [(1, "a"), (2, "b"), (3, "c")]
    assert _rows(spark, f"SELECT * FROM {NESSIE}.{ns}.events") == expected

    # The commits are on the branch only.
    assert (f"{ns}.events", "ICEBERG_TABLE") in lakecat_client.entry_keys(branch)
    assert (f"{ns}.events", "ICEBERG_TABLE") not in lakecat_client.entry_keys("main")

    log = spark.sql(f"SHOW LOG {branch} IN {NESSIE}").collect()
    head = lakecat_client.reference(branch)["hash"]
    assert log[0]["hash"] == head
    # namespace, create table, two inserts: at least four commits newer than main's head.
    main_head = lakecat_client.reference("main")["hash"]
    hashes = [r["hash"] for r in log]
    assert main_head not in hashes[:4]
    assert len(hashes) >= 4

    spark.sql(f"MERGE BRANCH {branch} INTO main IN {NESSIE}").collect()
    assert (f"{ns}.events", "ICEBERG_TABLE") in lakecat_client.entry_keys("main")
    assert _rows(spark, f"SELECT * FROM {LAKE}.{ns}.events") == expected


def test_rest_catalog_writes_on_branch_nessie_catalog_reads_at_ref(on_main, rest_branch, run_id):
    spark = on_main
    ns = f"nsrest_{run_id}"
    spark.sql(f"CREATE BRANCH {rest_branch} IN {NESSIE} FROM main")
    spark.sql(f"CREATE NAMESPACE {LAKE_BRANCH}.{ns}")
    spark.sql(f"CREATE TABLE {LAKE_BRANCH}.{ns}.orders (id BIGINT, amount DOUBLE) USING iceberg")
    spark.sql(f"INSERT INTO {LAKE_BRANCH}.{ns}.orders VALUES (10, 1.5), (20, 2.5)")

    # NessieCatalog reads a table at a reference with `table@ref`; main does not have it.
    assert _rows(spark, f"SELECT * FROM {NESSIE}.{ns}.`orders@{rest_branch}`") == [(10, 1.5), (20, 2.5)]
    assert (f"{ns}.orders", "ICEBERG_TABLE") not in lakecat_client.entry_keys("main")
    with pytest.raises(Exception, match="(?i)not found|cannot be found"):
        spark.sql(f"SELECT * FROM {NESSIE}.{ns}.orders").collect()

    # On the branch, NessieCatalog lists and reads the table by its plain name.
    spark.sql(f"USE REFERENCE {rest_branch} IN {NESSIE}")
    tables = {r["tableName"] for r in spark.sql(f"SHOW TABLES IN {NESSIE}.{ns}").collect()}
    assert tables == {"orders"}
    assert _rows(spark, f"SELECT id FROM {NESSIE}.{ns}.orders WHERE amount > 2") == [(20,)]


def test_tag_keeps_the_table_as_it_was(on_main, run_id):
    spark = on_main
    ns = f"nstag_{run_id}"
    tag = f"before_{run_id}"
    spark.sql(f"CREATE NAMESPACE {NESSIE}.{ns}")
    spark.sql(f"CREATE TABLE {NESSIE}.{ns}.t (id BIGINT) USING iceberg")
    spark.sql(f"INSERT INTO {NESSIE}.{ns}.t VALUES (1)")
    spark.sql(f"CREATE TAG {tag} IN {NESSIE} FROM main")
    # main moves on through the REST catalog; the tag does not.
    spark.sql(f"INSERT INTO {LAKE}.{ns}.t VALUES (2)")

    assert _rows(spark, f"SELECT * FROM {NESSIE}.{ns}.`t@{tag}`") == [(1,)]
    assert _rows(spark, f"SELECT * FROM {NESSIE}.{ns}.t") == [(1,), (2,)]

    spark.sql(f"ASSIGN TAG {tag} TO main IN {NESSIE}").collect()
    assert lakecat_client.reference(tag)["hash"] == lakecat_client.reference("main")["hash"]
    assert _rows(spark, f"SELECT * FROM {NESSIE}.{ns}.`t@{tag}`") == [(1,), (2,)]

    spark.sql(f"DROP TAG {tag} IN {NESSIE}").collect()
    assert tag not in lakecat_client.references()


def test_schema_change_rename_and_drop_through_nessie_catalog(on_main, run_id):
    spark = on_main
    branch = f"ddl_{run_id}"
    ns = f"nsddl_{run_id}"
    spark.sql(f"CREATE BRANCH {branch} IN {NESSIE} FROM main")
    spark.sql(f"USE REFERENCE {branch} IN {NESSIE}")
    spark.sql(f"CREATE NAMESPACE {NESSIE}.{ns}")
    spark.sql(f"CREATE TABLE {NESSIE}.{ns}.a (id BIGINT) USING iceberg")
    spark.sql(f"INSERT INTO {NESSIE}.{ns}.a VALUES (1)")
    spark.sql(f"ALTER TABLE {NESSIE}.{ns}.a ADD COLUMN note STRING")
    spark.sql(f"INSERT INTO {NESSIE}.{ns}.a VALUES (2, 'two')")
    spark.sql(f"ALTER TABLE {NESSIE}.{ns}.a RENAME TO {NESSIE}.{ns}.b")
    keys = lakecat_client.entry_keys(branch)
    assert (f"{ns}.b", "ICEBERG_TABLE") in keys and (f"{ns}.a", "ICEBERG_TABLE") not in keys
    assert _rows(spark, f"SELECT id, coalesce(note, '-') FROM {NESSIE}.{ns}.b") == [(1, "-"), (2, "two")]

    spark.sql(f"CREATE TABLE {NESSIE}.{ns}.gone (id BIGINT) USING iceberg")
    spark.sql(f"DROP TABLE {NESSIE}.{ns}.gone")
    assert (f"{ns}.gone", "ICEBERG_TABLE") not in lakecat_client.entry_keys(branch)

    spark.sql(f"MERGE BRANCH {branch} INTO main IN {NESSIE}").collect()
    cols = [r["col_name"] for r in spark.sql(f"DESCRIBE TABLE {LAKE}.{ns}.b").collect()]
    assert cols[:2] == ["id", "note"]
    assert _rows(spark, f"SELECT id FROM {LAKE}.{ns}.b") == [(1,), (2,)]


def test_merge_of_a_table_appended_on_both_sides_lands_both_appends(on_main, run_id):
    spark = on_main
    branch = f"twosided_{run_id}"
    ns = f"nstwosided_{run_id}"
    spark.sql(f"CREATE NAMESPACE {NESSIE}.{ns}")
    spark.sql(f"CREATE TABLE {NESSIE}.{ns}.t (id BIGINT) USING iceberg")
    spark.sql(f"CREATE BRANCH {branch} IN {NESSIE} FROM main")
    # The same table is appended on both sides: the merge replays the branch's append on main.
    spark.sql(f"INSERT INTO {LAKE}.{ns}.t VALUES (1)")
    spark.sql(f"INSERT INTO {NESSIE}.{ns}.`t@{branch}` VALUES (2)")

    spark.sql(f"MERGE BRANCH {branch} INTO main IN {NESSIE}").collect()
    assert sorted(_rows(spark, f"SELECT * FROM {LAKE}.{ns}.t")) == [(1,), (2,)]
    assert sorted(_rows(spark, f"SELECT * FROM {NESSIE}.{ns}.t")) == [(1,), (2,)]


def test_merge_of_a_conflicting_table_change_fails_and_leaves_main(on_main, run_id):
    spark = on_main
    branch = f"clash_{run_id}"
    ns = f"nsclash_{run_id}"
    spark.sql(f"CREATE NAMESPACE {NESSIE}.{ns}")
    spark.sql(f"CREATE TABLE {NESSIE}.{ns}.t (id BIGINT) USING iceberg")
    spark.sql(f"CREATE BRANCH {branch} IN {NESSIE} FROM main")
    # Both sides set the same table property to different values.
    spark.sql(f"ALTER TABLE {LAKE}.{ns}.t SET TBLPROPERTIES ('steward' = 'main')")
    spark.sql(f"USE REFERENCE {branch} IN {NESSIE}")
    spark.sql(f"ALTER TABLE {NESSIE}.{ns}.t SET TBLPROPERTIES ('steward' = 'branch')")
    spark.sql(f"USE REFERENCE main IN {NESSIE}")
    main_before = lakecat_client.reference("main")["hash"]

    with pytest.raises(Exception, match="(?i)conflict"):
        spark.sql(f"MERGE BRANCH {branch} INTO main IN {NESSIE}").collect()
    assert lakecat_client.reference("main")["hash"] == main_before
    # The conflict's details say why the table could not be merged at the Iceberg level.
    answer = lakecat_client.request(
        "POST",
        f"/api/v2/trees/main@{main_before}/history/merge",
        {"fromRefName": branch, "fromHash": lakecat_client.reference(branch)["hash"], "returnConflictAsResult": True, "dryRun": True},
    )
    [detail] = [d for d in answer["details"] if d["key"]["elements"] == [ns, "t"]]
    assert "PROPERTY_CONFLICT" in detail["conflict"]["message"], detail
    assert "steward" in detail["conflict"]["message"], detail


def test_view_created_through_nessie_catalog_is_read_through_rest(on_main, run_id):
    spark = on_main
    ns = f"nsview_{run_id}"
    spark.sql(f"CREATE NAMESPACE {NESSIE}.{ns}")
    spark.sql(f"CREATE TABLE {NESSIE}.{ns}.t (id BIGINT) USING iceberg")
    spark.sql(f"INSERT INTO {NESSIE}.{ns}.t VALUES (1), (5)")
    spark.sql(f"CREATE VIEW {NESSIE}.{ns}.big AS SELECT id FROM {NESSIE}.{ns}.t WHERE id > 2")
    assert (f"{ns}.big", "ICEBERG_VIEW") in lakecat_client.entry_keys("main")
    views = {r["viewName"] for r in spark.sql(f"SHOW VIEWS IN {LAKE}.{ns}").collect()}
    assert views == {"big"}
