"""Iceberg views through Spark 3.5 and Iceberg's SQL extensions, stored by lakecat's REST view
endpoints: create with column aliases and comments, query, list, replace, properties, rename, drop."""

import lakecat_client
from support import MAIN_CATALOG, rows


def test_view_lifecycle(spark, ns):
    base = f"{MAIN_CATALOG}.{ns}.view_base"
    spark.sql(f"CREATE TABLE {base} (id INT, v STRING) USING iceberg")
    spark.sql(f"INSERT INTO {base} VALUES (1, 'a'), (2, 'b'), (3, 'c')")

    v = f"{MAIN_CATALOG}.{ns}.recent"
    # The view's query names its table without catalog or namespace: they are recorded with it.
    sql = "SELECT id, upper(v) AS v FROM view_base WHERE id > 1"
    spark.sql(f"USE {MAIN_CATALOG}.{ns}")
    try:
        spark.sql(f"CREATE VIEW {v} (id COMMENT 'the key', label) COMMENT 'rows after the first' TBLPROPERTIES ('team' = 'conformance') AS {sql}")
    finally:
        spark.sql(f"USE {MAIN_CATALOG}")
    assert rows(spark, f"SELECT id, label FROM {v} ORDER BY id") == [(2, "B"), (3, "C")]
    assert "recent" in [r.viewName for r in spark.sql(f"SHOW VIEWS IN {MAIN_CATALOG}.{ns}").collect()]

    meta = lakecat_client.load_view("main", ns, "recent")["metadata"]
    version = next(x for x in meta["versions"] if x["version-id"] == meta["current-version-id"])
    assert [(r["type"], r["dialect"]) for r in version["representations"]] == [("sql", "spark")]
    assert version["representations"][0]["sql"] == sql
    # Spark records the session's catalog only when it differs from the view's own catalog.
    assert "default-catalog" not in version, version
    assert version["default-namespace"] == [ns], version
    schema = next(s for s in meta["schemas"] if s["schema-id"] == version["schema-id"])
    assert [(f["name"], f.get("doc")) for f in schema["fields"]] == [("id", "the key"), ("label", None)]
    assert meta["properties"]["team"] == "conformance"
    assert meta["properties"]["comment"] == "rows after the first"

    # The view follows the table: new rows show without touching the view.
    spark.sql(f"INSERT INTO {base} VALUES (4, 'd')")
    assert rows(spark, f"SELECT count(*) FROM {v}") == [(3,)]

    spark.sql(f"CREATE OR REPLACE VIEW {v} AS SELECT count(*) AS n FROM {base}")
    assert rows(spark, f"SELECT n FROM {v}") == [(4,)]
    meta = lakecat_client.load_view("main", ns, "recent")["metadata"]
    assert len(meta["versions"]) == 2 and meta["current-version-id"] == max(x["version-id"] for x in meta["versions"])

    spark.sql(f"ALTER VIEW {v} SET TBLPROPERTIES ('stage' = 'two')")
    spark.sql(f"ALTER VIEW {v} UNSET TBLPROPERTIES ('team')")
    props = lakecat_client.load_view("main", ns, "recent")["metadata"]["properties"]
    assert props["stage"] == "two" and "team" not in props

    spark.sql(f"ALTER VIEW {v} RENAME TO {ns}.renamed_view")  # the new name is inside the same catalog
    views = [r.viewName for r in spark.sql(f"SHOW VIEWS IN {MAIN_CATALOG}.{ns}").collect()]
    assert "renamed_view" in views and "recent" not in views
    assert rows(spark, f"SELECT n FROM {MAIN_CATALOG}.{ns}.renamed_view") == [(4,)]

    spark.sql(f"DROP VIEW {MAIN_CATALOG}.{ns}.renamed_view")
    assert "renamed_view" not in [r.viewName for r in spark.sql(f"SHOW VIEWS IN {MAIN_CATALOG}.{ns}").collect()]
    try:
        lakecat_client.load_view("main", ns, "renamed_view")
        raise AssertionError("a dropped view still loads")
    except lakecat_client.HttpError as err:
        assert err.status == 404


def test_view_and_table_names_do_not_collide(spark, ns):
    base = f"{MAIN_CATALOG}.{ns}.clash"
    spark.sql(f"CREATE TABLE {base} (id INT) USING iceberg")
    failed = None
    try:
        spark.sql(f"CREATE VIEW {base} AS SELECT 1 AS id")
    except Exception as err:  # Spark's AnalysisException or Iceberg's AlreadyExistsException
        failed = str(err)
    assert failed is not None and ("already exists" in failed.lower() or "ALREADY_EXISTS" in failed), failed
