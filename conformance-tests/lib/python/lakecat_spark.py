"""A local Spark session as the Spark-based suites start it: two cores, small memory, no UI, the
suite's jars (LAKECAT_SPARK_JARS, from ../spark-env.sh), the given SQL extensions and catalog
settings. pyspark is imported on call: only suites that run Spark need it installed."""
from __future__ import annotations

import os
import tempfile

ICEBERG_EXTENSIONS = "org.apache.iceberg.spark.extensions.IcebergSparkSessionExtensions"
NESSIE_EXTENSIONS = "org.projectnessie.spark.extensions.NessieSparkSessionExtensions"


def start_session(app: str, extensions: list[str], confs: dict[str, str]):
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]")
        .appName(app)
        .config("spark.jars", os.environ["LAKECAT_SPARK_JARS"])
        .config("spark.sql.extensions", ",".join(extensions))
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.driver.memory", "1g")
        .config("spark.sql.warehouse.dir", tempfile.mkdtemp(prefix=f"{app}-"))
    )
    for key, value in confs.items():
        builder = builder.config(key, value)
    session = builder.getOrCreate()
    session.sparkContext.setLogLevel("WARN")
    return session
