#!/usr/bin/env bash
# Starts the full stack (conformance-tests/with-stack.sh) with authentication on: service clients
# admin, engineer, validator, promoter and analyst (each with the role of its name) get tokens
# from lakecat's own token endpoint, valid for 5 seconds, so that clients must refresh them. The
# server allows 2 seconds of clock skew: Iceberg's REST client refreshes a token when 90% of its
# life has passed (0.5 s before expiry here), and on a loaded 2-core machine a request sent just
# before the refresh can arrive after a skew-less expiry.
# LAKECAT_AUTH_TOKEN_SECONDS overrides the 5 s, LAKECAT_AUTH_CLOCK_SKEW_SECONDS the 2 s. The command sees LAKECAT_AUTH_SECRETS, a JSON
# object of client id -> secret.
#   conformance-tests/auth/with-auth.sh conformance-tests/auth/run.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d -t lakecat-auth.XXXXXX)
trap 'rm -rf "$dir"' EXIT

clients=""
secrets=""
for id in admin engineer validator promoter analyst; do
  secret=$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)
  hash=$(printf %s "$secret" | node "$repo/bin/lakecat.mjs" hash-secret)
  clients+="${clients:+,}{\"id\":\"$id\",\"secretHash\":\"$hash\",\"roles\":[\"$id\"]}"
  secrets+="${secrets:+,}\"$id\":\"$secret\""
done
printf '[%s]\n' "$clients" >"$dir/clients.json"
export LAKECAT_AUTH_SECRETS="{$secrets}"
export LAKECAT_STACK_ARGS="--auth token --auth-clients-file $dir/clients.json --auth-token-seconds ${LAKECAT_AUTH_TOKEN_SECONDS:-5} --auth-clock-skew-seconds ${LAKECAT_AUTH_CLOCK_SKEW_SECONDS:-2} --auth-issuer http://lakecat.test"
bash "$repo/conformance-tests/with-stack.sh" "$@"
