#!/usr/bin/env bash
# Runs a command beside a Keycloak started as a local process, the OIDC provider of the
# authentication suites' second run: realm `lakecat` (keycloak/realm.py) with the service clients
# admin, engineer, validator, promoter and analyst (random secrets; each client's service account
# holds the realm role of its name), access tokens that live LAKECAT_AUTH_TOKEN_SECONDS (default
# 10: Iceberg's default refresh exchanges its token at Keycloak about a tenth of its life before
# it expires, and Keycloak, unlike lakecat, allows no clock skew: 1 s of margin, not 0.5).
#   conformance-tests/auth/with-keycloak.sh conformance-tests/auth/keycloak/run-all.sh
# The command sees LAKECAT_AUTH_IDP=keycloak, LAKECAT_KEYCLOAK_ISSUER, LAKECAT_OAUTH2_SERVER_URI
# (Keycloak's token endpoint), LAKECAT_AUTH_SECRETS (client id -> secret) and
# LAKECAT_AUTH_TOKEN_SECONDS; conformance-tests/auth/with-auth.sh then starts lakecat trusting that
# issuer. Keycloak comes from Maven Central, cached (../lib/keycloak-env.sh); it runs in dev mode
# on an in-memory database, on loopback, on a free port, and is stopped when the command ends. Its
# log is $KEYCLOAK_LOG (default: a temporary file, printed when start-up or the command fails).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
[[ $# -gt 0 ]] || { echo "usage: with-keycloak.sh CMD..." >&2; exit 2; }

# shellcheck source=../lib/keycloak-env.sh
source "$here/../lib/keycloak-env.sh"
keycloak_dist with-keycloak

# One Keycloak at a time uses the cached distribution: it imports realms from its data/import.
exec 8>"$keycloak_cache/.run.lock"
flock 8

secrets=""
for id in admin engineer validator promoter analyst; do
  secret=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)
  secrets+="${secrets:+,}\"$id\":\"$secret\""
done
export LAKECAT_AUTH_SECRETS="{$secrets}"
export LAKECAT_AUTH_TOKEN_SECONDS=${LAKECAT_AUTH_TOKEN_SECONDS:-10}
rm -rf "$keycloak_home/data/import"
mkdir -p "$keycloak_home/data/import"
python3 "$here/keycloak/realm.py" "$LAKECAT_AUTH_TOKEN_SECONDS" "$LAKECAT_AUTH_SECRETS" >"$keycloak_home/data/import/lakecat-realm.json"

log=${KEYCLOAK_LOG:-$(mktemp -t lakecat-keycloak.XXXXXX.log)}
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
# Replaces kc.sh's default JVM options: C1 only and the serial collector about halve start-up on a
# small machine. The build options (--db, --health-enabled, --http-management-health-enabled)
# must stay the same from run to run, or Keycloak rebuilds itself first (15-30 s more).
export JAVA_OPTS="-Xms64m -Xmx512m -XX:MetaspaceSize=96M -XX:MaxMetaspaceSize=256m -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -XX:+ExitOnOutOfMemoryError -Dfile.encoding=UTF-8"
"$keycloak_home/bin/kc.sh" start-dev --db=dev-mem --health-enabled=true --http-management-health-enabled=false \
  --http-host=127.0.0.1 --http-port="$port" --hostname="http://127.0.0.1:$port" --import-realm \
  --log-level=WARN,org.keycloak.exportimport:INFO,io.quarkus:INFO >"$log" 2>&1 &
pid=$!
stop() {
  kill "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
  kill -9 "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  rm -rf "$keycloak_home/data/import"
}
trap stop EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

started=$SECONDS
until curl -fs -o /dev/null "http://127.0.0.1:$port/health/ready"; do
  if ! kill -0 "$pid" 2>/dev/null; then
    echo "with-keycloak: Keycloak exited during start-up; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  if (( SECONDS - started > ${KEYCLOAK_START_TIMEOUT:-300} )); then
    echo "with-keycloak: Keycloak not ready after ${KEYCLOAK_START_TIMEOUT:-300} s; its log:" >&2
    cat "$log" >&2
    exit 1
  fi
  sleep 0.5
done
export LAKECAT_AUTH_IDP=keycloak
export LAKECAT_KEYCLOAK_ISSUER="http://127.0.0.1:$port/realms/lakecat"
export LAKECAT_OAUTH2_SERVER_URI="$LAKECAT_KEYCLOAK_ISSUER/protocol/openid-connect/token"
echo "with-keycloak: Keycloak $KEYCLOAK_VERSION ready after $((SECONDS - started)) s, issuer $LAKECAT_KEYCLOAK_ISSUER, log in $log" >&2

# shellcheck source=../lib/run-showing-log.sh
source "$here/../lib/run-showing-log.sh"
run_showing_log with-keycloak Keycloak "$log" 40 "$@"
