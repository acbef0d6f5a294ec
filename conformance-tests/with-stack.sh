#!/usr/bin/env bash
# Runs a command against a full lakecat stack started as local processes, the way the README
# says: PostgreSQL (scripts/with-postgres.sh), MinIO (scripts/with-minio.sh) and
# `lakecat serve` on PostgreSQL with an S3 warehouse in MinIO.
#   conformance-tests/with-stack.sh pytest conformance-tests/pyiceberg
# The command sees LAKECAT_URL (http://127.0.0.1:PORT), LAKECAT_WAREHOUSE (s3://bucket/warehouse)
# and the LAKECAT_TEST_S3_* variables of with-minio.sh (endpoint, region, bucket, keys).
# LAKECAT_STACK_ARGS adds options to `lakecat serve` (e.g. authentication; split on spaces).
# lakecat's log goes to $LAKECAT_STACK_LOG (default: a temporary file, printed on failure).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

if [[ -z "${LAKECAT_STACK_INNER:-}" ]]; then
  export LAKECAT_STACK_INNER=1
  exec bash "$repo/scripts/with-postgres.sh" bash "$repo/scripts/with-minio.sh" bash "$0" "$@"
fi

log=${LAKECAT_STACK_LOG:-$(mktemp -t lakecat-stack.XXXXXX.log)}
data=$(mktemp -d -t lakecat-stack-data.XXXXXX)
export LAKECAT_WAREHOUSE="s3://$LAKECAT_TEST_S3_BUCKET/warehouse"

node "$repo/bin/lakecat.mjs" serve --port 0 --data-dir "$data" \
  --db-url "$LAKECAT_TEST_PG_URL" --warehouse "$LAKECAT_WAREHOUSE" \
  --s3-endpoint "$LAKECAT_TEST_S3_ENDPOINT" --s3-region "$LAKECAT_TEST_S3_REGION" --s3-path-style true \
  --s3-access-key-id "$LAKECAT_TEST_S3_ACCESS_KEY" --s3-secret-access-key "$LAKECAT_TEST_S3_SECRET_KEY" \
  --vend-credentials true ${LAKECAT_STACK_ARGS:-} >"$log" 2>&1 &
pid=$!
stop() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}
trap stop EXIT

# shellcheck source=lib/wait-for-lakecat.sh
source "$repo/conformance-tests/lib/wait-for-lakecat.sh"
wait_for_lakecat with-stack "$pid" "$log"
echo "with-stack: lakecat at $LAKECAT_URL (PostgreSQL, warehouse $LAKECAT_WAREHOUSE), log in $log" >&2

# shellcheck source=lib/run-showing-log.sh
source "$repo/conformance-tests/lib/run-showing-log.sh"
run_showing_log with-stack lakecat "$log" 40 "$@"
