#!/usr/bin/env bash
# Garbage collection verified by an engine: PyIceberg writes and reads the data, lakecat runs on
# PostgreSQL with an S3 warehouse in MinIO (all started here as local processes), and the suite
# starts, kills (-9) and restarts lakecat itself.
#   bash conformance-tests/gc/run.sh [pytest args...]
# Prints pytest's summary, then `gc: N passed, N failed, N skipped`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
if [[ -z "${LAKECAT_TEST_PG_URL:-}" || -z "${LAKECAT_TEST_S3_ENDPOINT:-}" ]]; then
  exec bash "$repo/scripts/with-postgres.sh" bash "$repo/scripts/with-minio.sh" bash "$0" "$@"
fi
# shellcheck source=../lib/pyiceberg-venv.sh
source "$repo/conformance-tests/lib/pyiceberg-venv.sh"
venv=$(pyiceberg_venv)
export LAKECAT_REPO="$repo"
# shellcheck source=../lib/pytest-suite.sh
source "$repo/conformance-tests/lib/pytest-suite.sh"
run_pytest_suite gc "$here" "$venv/bin/python" "$@" .
