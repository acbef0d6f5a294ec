#!/usr/bin/env bash
# `lakecat load` (the thin data client) against a running lakecat on PostgreSQL + MinIO, its
# results read by PyIceberg, Spark 3.5 and Trino:
#   conformance-tests/with-stack.sh conformance-tests/load/run.sh [pytest args...]
# Starts a Trino around itself (../trino/with-trino.sh) unless TRINO_URL is set. Uses the
# promotion suite's virtualenv (PyIceberg, pyspark, the Trino client) and the Spark suite's
# Iceberg jars, cached in ${LAKECAT_CACHE:-~/.cache/lakecat}. Prints pytest's summary, then
# `load: N passed, N failed, N skipped`; exits non-zero when a test failed or none ran.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${LAKECAT_URL:?run this inside conformance-tests/with-stack.sh}"

if [[ -z "${TRINO_URL:-}" ]]; then
  exec "$here/../trino/with-trino.sh" "$here/run.sh" "$@"
fi

# shellcheck source=../lib/spark-env.sh
source "$here/../lib/spark-env.sh"
spark_venv load "$here/../promotion/requirements.txt"
fetch_jar load org.apache.iceberg iceberg-spark-runtime-3.5_2.12 "$SPARK35_ICEBERG_VERSION"
fetch_jar load org.apache.iceberg iceberg-aws-bundle "$SPARK35_ICEBERG_VERSION"
LAKECAT_SPARK_JARS=$(IFS=,; echo "${spark_jars[*]}")
LAKECAT_BIN="$here/../../bin/lakecat.mjs"
export LAKECAT_SPARK_JARS LAKECAT_BIN

# shellcheck source=../lib/pytest-suite.sh
source "$here/../lib/pytest-suite.sh"
run_pytest_suite load "$here" "$venv/bin/python" "$@"
