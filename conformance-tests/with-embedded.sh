#!/usr/bin/env bash
# Runs a command against `lakecat serve` on its embedded default, as a new user starts it: no
# database URL (PGlite in the data folder) and no warehouse (a folder beside it), so tables live
# on the local file system.
#   conformance-tests/with-embedded.sh conformance-tests/rck/run.sh
# The command sees LAKECAT_URL (http://127.0.0.1:PORT) and LAKECAT_WAREHOUSE (file:///...).
# LAKECAT_STACK_ARGS adds options to `lakecat serve` (split on spaces); LAKECAT_EXTRA_LOCATIONS
# and the other LAKECAT_* settings are read by lakecat itself. lakecat's log goes to
# $LAKECAT_STACK_LOG (default: a temporary file, printed on failure).
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)

log=${LAKECAT_STACK_LOG:-$(mktemp -t lakecat-embedded.XXXXXX.log)}
data=$(mktemp -d -t lakecat-embedded-data.XXXXXX)
export LAKECAT_WAREHOUSE="file://$data/warehouse"

env -u LAKECAT_DB_URL -u LAKECAT_WAREHOUSE node "$repo/bin/lakecat.mjs" serve --port 0 --data-dir "$data" \
  ${LAKECAT_STACK_ARGS:-} >"$log" 2>&1 &
pid=$!
stop() {
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$data"
}
trap stop EXIT

# shellcheck source=lib/wait-for-lakecat.sh
source "$repo/conformance-tests/lib/wait-for-lakecat.sh"
wait_for_lakecat with-embedded "$pid" "$log"
echo "with-embedded: lakecat at $LAKECAT_URL (embedded PGlite, warehouse $LAKECAT_WAREHOUSE), log in $log" >&2

# shellcheck source=lib/run-showing-log.sh
source "$repo/conformance-tests/lib/run-showing-log.sh"
run_showing_log with-embedded lakecat "$log" 40 "$@"
