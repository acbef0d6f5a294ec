"""The Spark side of the DuckDB suite, run as a separate process with the Spark suite's
virtualenv and jars (Spark 3.5 with Iceberg's runtime), because pyspark and DuckDB live in
different virtualenvs:

    python spark_side.py REQUEST_JSON

REQUEST_JSON names the branch (`warehouse`), the tables to read back (`read`: "ns.table" ->
{"order": column, "columns": [...] (default all)}) and the table to write (`write`: "ns.table", filled
with one row of every type Spark writes and one row of nulls). Prints one line, `spark-side-result: `
and a JSON object: the rows read, per table, with values as text (decimals, dates, times and bytes in a fixed form) so the
DuckDB side can compare them exactly."""
from __future__ import annotations

import base64
import datetime as dt
import decimal
import json
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib", "python"))
from lakecat_spark import ICEBERG_EXTENSIONS, start_session  # noqa: E402


RESULT_MARK = "spark-side-result: "


def plain(value):
    """A JSON value that says exactly what Spark returned."""
    if value is None or isinstance(value, (bool, int, str)):
        return value
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return f"decimal:{value}"
    if isinstance(value, dt.datetime):
        return f"datetime:{value.isoformat()}"
    if isinstance(value, dt.date):
        return f"date:{value.isoformat()}"
    if isinstance(value, (bytes, bytearray)):
        return f"bytes:{base64.b64encode(bytes(value)).decode()}"
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if hasattr(value, "asDict"):  # a struct (a Row, which is also a tuple)
        return {k: plain(v) for k, v in value.asDict().items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return f"{type(value).__name__}:{value}"


def main() -> None:
    request = json.loads(sys.argv[1])
    catalog = "spark_lake"
    prefix = f"spark.sql.catalog.{catalog}"
    spark = start_session(
        "lakecat-duckdb-spark-side",
        [ICEBERG_EXTENSIONS],
        {
            prefix: "org.apache.iceberg.spark.SparkCatalog",
            f"{prefix}.type": "rest",
            f"{prefix}.uri": os.environ["LAKECAT_URL"],
            f"{prefix}.warehouse": request["warehouse"],
            f"{prefix}.io-impl": "org.apache.iceberg.aws.s3.S3FileIO",
            "spark.sql.session.timeZone": "UTC",
        },
    )
    out: dict = {"read": {}}
    for name, spec in request.get("read", {}).items():
        columns = ", ".join(spec.get("columns", ["*"]))
        frame = spark.sql(f"SELECT {columns} FROM {catalog}.{name} ORDER BY {spec['order']} NULLS LAST")
        out["read"][name] = {
            "columns": frame.columns,
            "types": [f.dataType.simpleString() for f in frame.schema.fields],
            "rows": [[plain(v) for v in row] for row in frame.collect()],
        }
    if request.get("write"):
        target = f"{catalog}.{request['write']}"
        spark.sql(
            f"""CREATE TABLE {target} (
                  b BOOLEAN, i INT, l BIGINT, f FLOAT, d DOUBLE, dec DECIMAL(12, 3), day DATE,
                  ts TIMESTAMP, ts_ntz TIMESTAMP_NTZ, s STRING, bin BINARY, lst ARRAY<BIGINT>,
                  mp MAP<STRING, BIGINT>, st STRUCT<x: BIGINT, y: STRING>)
                USING iceberg"""
        )
        spark.sql(
            f"""INSERT INTO {target} VALUES
                  (true, -7, 9007199254740993, 1.5, -2.25, 123456789.125, DATE '2024-02-29',
                   TIMESTAMP '2024-02-29 13:14:15.123456', TIMESTAMP_NTZ '2024-02-29 13:14:15.123456',
                   'grüße 🐟', X'0001FF', array(1, NULL, 3), map('k', 1), named_struct('x', 5, 'y', 'five')),
                  (NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)"""
        )
        out["wrote"] = request["write"]
    spark.stop()
    print(RESULT_MARK + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
