#!/usr/bin/env bash
# Runs a command with a single-node Trino reading and writing lakecat through Iceberg's REST
# catalog; start it inside the stack:
#   conformance-tests/with-stack.sh conformance-tests/trino/with-trino.sh CMD...
# Needs LAKECAT_URL and LAKECAT_TEST_S3_{ENDPOINT,REGION,ACCESS_KEY,SECRET_KEY} (with-stack.sh
# exports them). Trino gets two Iceberg catalogs on that lakecat:
#   lakecat_main  warehouse=main  (branch main)
#   lakecat_dev   warehouse=dev   (branch dev, created from main through the Nessie API if missing)
# TRINO_LAKECAT_CATALOGS="" leaves both out (and dev uncreated): for a suite that makes its own
# catalogs with CREATE CATALOG, e.g. with credentials (conformance-tests/auth/trino).
# The command sees TRINO_URL (http://127.0.0.1:PORT). Trino listens on loopback only, runs as a
# coordinator that also executes work, with a small heap (TRINO_HEAP, default 1500m), and is
# stopped when the command ends. Its server log is $TRINO_LOG (default: a temporary file, printed
# when start-up fails). Java, Trino and the client come from ../lib/trino-env.sh (cached).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${LAKECAT_URL:?run this inside conformance-tests/with-stack.sh}"
: "${LAKECAT_TEST_S3_ENDPOINT:?LAKECAT_TEST_S3_ENDPOINT is not set (conformance-tests/with-stack.sh sets it)}"
[[ $# -gt 0 ]] || { echo "usage: with-trino.sh CMD..." >&2; exit 2; }

# shellcheck source=../lib/trino-env.sh
source "$here/../lib/trino-env.sh"
trino_venv with-trino
trino_server with-trino

catalogs=${TRINO_LAKECAT_CATALOGS-main dev}
# lakecat answers /v1/config?warehouse=dev only once the branch exists.
if [[ " $catalogs " == *" dev "* ]] && ! curl -sf -o /dev/null "${LAKECAT_URL%/}/api/v2/trees/dev"; then
  main_hash=$(curl -sSf "${LAKECAT_URL%/}/api/v2/trees/main" | "$venv/bin/python" -c 'import json,sys; print(json.load(sys.stdin)["reference"]["hash"])')
  curl -sSf -o /dev/null -X POST -H 'Content-Type: application/json' \
    -d "{\"type\":\"BRANCH\",\"name\":\"main\",\"hash\":\"$main_hash\"}" \
    "${LAKECAT_URL%/}/api/v2/trees?name=dev&type=BRANCH"
  echo "with-trino: created branch dev at $main_hash" >&2
fi

etc=$(mktemp -d -t lakecat-trino.XXXXXX)
log=$etc/server.log
pid=
stop() {
  if [[ -n "$pid" ]]; then
    kill "$pid" 2>/dev/null || true
    # Trino shuts down gracefully within seconds; do not wait for ever.
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  [[ -z "${TRINO_LOG:-}" ]] || cp "$log" "$TRINO_LOG" 2>/dev/null || true
  rm -rf "$etc"
}
trap stop EXIT
# On INT/TERM, exit through the EXIT trap so Trino is stopped too.
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$etc/catalog" "$etc/data"
# write_config PORT: the server's config.properties for one start-up attempt. Trino's launcher
# would turn node.properties and its options into system properties; started without it, they all
# sit in config.properties, which is the same to Trino.
write_config() {
  local port=$1
  cat >"$etc/config.properties" <<EOF
node.environment=lakecat_conformance
node.id=lakecat-conformance-$port
node.bind-ip=127.0.0.1
node.internal-address=127.0.0.1
plugin.dir=$trino_home/plugin
log.levels-file=$etc/log.properties
coordinator=true
node-scheduler.include-coordinator=true
# Tests add catalogs pinned to other references (a tag, a commit) with CREATE CATALOG.
catalog.management=dynamic
catalog.store=file
# catalog.config-dir is given as a system property (below): the file catalog store reads it after
# start-up, and Trino refuses config-file properties it did not use during start-up.
http-server.http.port=$port
discovery.uri=http://127.0.0.1:$port
# Small machine, shared with PostgreSQL, MinIO, lakecat and the tests.
query.max-memory=512MB
query.max-memory-per-node=512MB
task.concurrency=2
task.max-worker-threads=4
EOF
}

echo "io.trino=INFO" >"$etc/log.properties"
# Two Iceberg REST catalogs on lakecat, pinned to a branch each by the warehouse name. Trino 476
# uses vended S3 keys only when they come with a session token (s3.session-token); lakecat vends
# its long-lived keys without one, so the static MinIO keys below are the ones in use (README).
for branch in $catalogs; do
  cat >"$etc/catalog/lakecat_$branch.properties" <<EOF
connector.name=iceberg
iceberg.catalog.type=rest
iceberg.rest-catalog.uri=$LAKECAT_URL
iceberg.rest-catalog.warehouse=$branch
iceberg.rest-catalog.vended-credentials-enabled=true
# Lets the tests expire snapshots of tables they just wrote (the default keeps 7 days).
iceberg.expire-snapshots.min-retention=0s
# CREATE TABLE ... WITH (extra_properties = MAP(...)) may set any Iceberg table property.
iceberg.allowed-extra-properties=*
fs.native-s3.enabled=true
s3.endpoint=$LAKECAT_TEST_S3_ENDPOINT
s3.region=$LAKECAT_TEST_S3_REGION
s3.path-style-access=true
s3.aws-access-key=$LAKECAT_TEST_S3_ACCESS_KEY
s3.aws-secret-key=$LAKECAT_TEST_S3_SECRET_KEY
EOF
done

heap=${TRINO_HEAP:-1500m}
# start_trino PORT: starts the server in the background (sets $pid). The JVM options of Trino's
# deployment guide, with a fixed small heap instead of a share of the machine's memory; run in
# the data folder, as the launcher does.
start_trino() {
  write_config "$1"
  (cd "$etc/data" && exec "$trino_java" -server "-Xmx$heap" "-Xms$heap" \
    -XX:+UseG1GC -XX:G1HeapRegionSize=32M -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError \
    -XX:-OmitStackTraceInFastThrow -XX:ReservedCodeCacheSize=256M \
    -XX:PerMethodRecompilationCutoff=10000 -XX:PerBytecodeRecompilationCutoff=10000 \
    -Djdk.attach.allowAttachSelf=true -Djdk.nio.maxCachedBufferSize=2000000 -Dfile.encoding=UTF-8 \
    -XX:+EnableDynamicAgentLoading --enable-native-access=ALL-UNNAMED \
    -Dconfig="$etc/config.properties" -Dcatalog.config-dir="$etc/catalog" \
    -cp "$trino_home/lib/*" io.trino.server.TrinoServer) >"$log" 2>&1 &
  pid=$!
}

# await_trino PORT: 0 once Trino answers queries on both catalogs, 1 if it exited, 2 on timeout.
await_trino() {
  local url="http://127.0.0.1:$1" since=$SECONDS
  while (( SECONDS - since < ${TRINO_START_TIMEOUT:-240} )); do
    kill -0 "$pid" 2>/dev/null || return 1
    # shellcheck disable=SC2086 # $catalogs: one argument per branch
    if grep -q 'SERVER STARTED' "$log" 2>/dev/null &&
      "$venv/bin/python" "$here/trino_ready.py" "$url" $catalogs 2>"$etc/ready.err"; then
      return 0
    fi
    sleep 1
  done
  return 2
}

started=$SECONDS
for attempt in 1 2 3; do
  # A free port chosen by the OS: Trino must know it before it starts (discovery.uri names it),
  # so another process may take it in between; that attempt is then retried on a new port.
  port=$("$venv/bin/python" -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
  start_trino "$port"
  outcome=0
  await_trino "$port" || outcome=$?
  [[ $outcome -eq 0 ]] && break
  if [[ $outcome -eq 1 ]] && grep -q 'Address already in use' "$log" && [[ $attempt -lt 3 ]]; then
    wait "$pid" 2>/dev/null || true
    echo "with-trino: port $port was taken meanwhile; retrying" >&2
    continue
  fi
  if [[ $outcome -eq 1 ]]; then
    echo "with-trino: Trino exited during start-up; its log:" >&2
  else
    echo "with-trino: Trino did not answer queries within ${TRINO_START_TIMEOUT:-240} s; last check: $(cat "$etc/ready.err" 2>/dev/null); its log:" >&2
  fi
  cat "$log" >&2
  exit 1
done
export TRINO_URL="http://127.0.0.1:$port"
echo "with-trino: Trino $TRINO_VERSION at $TRINO_URL (lakecat catalogs on: ${catalogs:-none}) after $((SECONDS - started)) s" >&2

# shellcheck source=../lib/run-showing-log.sh
source "$here/../lib/run-showing-log.sh"
run_showing_log with-trino Trino "$log" 60 "$@"
