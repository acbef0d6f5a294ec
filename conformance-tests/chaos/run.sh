#!/usr/bin/env bash
# Faults under load (see chaos.mjs): starts PostgreSQL and MinIO as local processes, then the
# chaos driver, which starts 3 lakecat processes and 2 PyIceberg appenders itself and prints a
# `chaos:` summary line.
#   bash conformance-tests/chaos/run.sh                 # 120 s of faults
#   CHAOS_SECONDS=600 bash conformance-tests/chaos/run.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
if [[ -z "${LAKECAT_TEST_PG_CTL:-}" || -z "${LAKECAT_TEST_MINIO_PID:-}" ]]; then
  exec bash "$repo/scripts/with-postgres.sh" bash "$repo/scripts/with-minio.sh" bash "$0" "$@"
fi
# PyIceberg for the appenders and the scan after the run (the suites' shared virtualenv).
# shellcheck source=../lib/pyiceberg-venv.sh
source "$repo/conformance-tests/lib/pyiceberg-venv.sh"
CHAOS_PYTHON="$(pyiceberg_venv)/bin/python"
export CHAOS_PYTHON
exec env NODE_NO_WARNINGS=1 node "$repo/conformance-tests/chaos/chaos.mjs"
