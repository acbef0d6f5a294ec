#!/usr/bin/env bash
# The Dagster suite against a running lakecat: an asset graph materialised in-process (no
# daemon) through dagster-iceberg's PyIceberg I/O manager on a branch, promoted to `main` by an
# op that merges through the Nessie API:
#   conformance-tests/with-stack.sh conformance-tests/dagster/run.sh [pytest args...]
# The virtualenv is cached under ${LAKECAT_CACHE:-~/.cache/lakecat}, named after the hash of
# requirements.txt. Prints pytest's summary, then one plain line `dagster: N passed, N failed,
# N skipped`; exits non-zero when anything failed or nothing ran.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${LAKECAT_URL:?LAKECAT_URL is not set: run through conformance-tests/with-stack.sh}"

# shellcheck source=../lib/spark-env.sh
source "$here/../lib/spark-env.sh"
spark_venv dagster "$here/requirements.txt"
# Dagster keeps its run storage here (in-process runs still record events); thrown away after.
DAGSTER_HOME=$(mktemp -d -t lakecat-dagster.XXXXXX)
export DAGSTER_HOME
trap 'rm -rf "$DAGSTER_HOME"' EXIT

# shellcheck source=../lib/pytest-suite.sh
source "$here/../lib/pytest-suite.sh"
run_pytest_suite dagster "$here" "$venv/bin/python" "$@" .
