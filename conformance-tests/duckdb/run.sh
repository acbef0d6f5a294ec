#!/usr/bin/env bash
# The DuckDB suite against a running lakecat:
#   conformance-tests/with-stack.sh conformance-tests/duckdb/run.sh [pytest args...]
# DuckDB 1.5.5 and its iceberg, avro and httpfs extensions come from PyPI as packages and are
# loaded from their files (extension downloads are turned off); PyIceberg writes what DuckDB
# reads and reads what it writes; Spark 3.5 (the Spark suite's virtualenv and jars, run as a
# separate process by spark_side.py) too. The virtualenvs are cached under
# ${LAKECAT_CACHE:-~/.cache/lakecat}, named after the hash of their requirements. Prints pytest's
# summary, then one plain line `duckdb: N passed, N failed, N skipped`; exits non-zero when
# anything failed or nothing ran.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${LAKECAT_URL:?LAKECAT_URL is not set: run through conformance-tests/with-stack.sh}"

# shellcheck source=../lib/spark-env.sh
source "$here/../lib/spark-env.sh"
spark_venv duckdb "$here/requirements.txt"
duckdb_venv=$venv
# The Spark side (spark_side.py): Spark 3.5 as the Spark suite runs it.
spark35_setup duckdb
LAKECAT_SPARK_PYTHON="$venv/bin/python"
LAKECAT_SPARK_JARS=$(IFS=,; echo "${spark_jars[*]}")
export LAKECAT_SPARK_PYTHON LAKECAT_SPARK_JARS

# shellcheck source=../lib/pytest-suite.sh
source "$here/../lib/pytest-suite.sh"
run_pytest_suite duckdb "$here" "$duckdb_venv/bin/python" "$@" .
