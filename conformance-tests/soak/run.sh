#!/usr/bin/env bash
# Soak (see soak.mjs): a mixed workload against one lakecat process on PostgreSQL + MinIO,
# with its RSS and event-loop delay sampled; fails on a rising RSS trend.
#   npm run soak                      # 10 minutes
#   SOAK_SECONDS=3600 npm run soak    # an hour
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
if [[ -z "${LAKECAT_URL:-}" ]]; then
  exec bash "$repo/conformance-tests/with-stack.sh" bash "$0" "$@"
fi
exec node "$repo/conformance-tests/soak/soak.mjs"
