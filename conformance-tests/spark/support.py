"""Names and helpers shared by the Spark tests."""

MAIN_CATALOG = "lake"  # pinned to lakecat's `main` branch
DEV_CATALOG = "lake_dev"  # pinned to lakecat's `dev` branch


def rows(spark, sql: str) -> list:
    """The rows of a query as plain tuples, for exact comparisons."""
    return [tuple(r) for r in spark.sql(sql).collect()]


def scalar(spark, sql: str):
    return spark.sql(sql).collect()[0][0]
