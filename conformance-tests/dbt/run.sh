#!/usr/bin/env bash
# The dbt suite: a small bronze/silver/gold project run by dbt-trino on Trino's lakecat catalog
# for the `dev` branch, tested, then merged into `main` through the Nessie API:
#   conformance-tests/with-stack.sh conformance-tests/dbt/run.sh [pytest args...]
# Starts Trino itself through ../trino/with-trino.sh unless TRINO_URL is already set. The
# virtualenv is cached under ${LAKECAT_CACHE:-~/.cache/lakecat}, named after the hash of
# requirements.txt. Prints pytest's summary, then one plain line `dbt: N passed, N failed,
# N skipped`; exits non-zero when a step fails or none ran.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${LAKECAT_URL:?run this inside conformance-tests/with-stack.sh}"

if [[ -z "${TRINO_URL:-}" ]]; then
  exec "$here/../trino/with-trino.sh" "$here/run.sh" "$@"
fi

# shellcheck source=../lib/spark-env.sh
source "$here/../lib/spark-env.sh"
spark_venv dbt "$here/requirements.txt"
export DBT_EXECUTABLE="$venv/bin/dbt"

# shellcheck source=../lib/pytest-suite.sh
source "$here/../lib/pytest-suite.sh"
run_pytest_suite dbt "$here" "$venv/bin/python" "$@" .
