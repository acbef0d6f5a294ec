#!/usr/bin/env bash
# Starts the full stack (conformance-tests/with-stack.sh) with authentication on, for the service
# clients admin, engineer, validator, promoter and analyst (each with the role of its name):
#   conformance-tests/auth/with-auth.sh conformance-tests/auth/run.sh
# - By default they get tokens from lakecat's own token endpoint (`--auth-clients-file`, random
#   secrets hashed with `lakecat hash-secret`).
# - Inside conformance-tests/auth/with-keycloak.sh (LAKECAT_AUTH_IDP=keycloak) they get them from
#   Keycloak, and lakecat trusts that issuer (`--oidc-issuers`, audience `lakecat`, the principal
#   named by the token's `azp`, the client id; roles from `realm_access.roles`).
# Tokens are valid for 5 seconds (with Keycloak, what with-keycloak.sh set), so that clients must
# refresh them, and the server allows 2 s of clock skew: Iceberg's REST client refreshes a token
# when 90% of its life has passed (0.5 s before expiry here), and on a loaded 2-core machine a
# request sent just before the refresh can arrive after a skew-less expiry.
# LAKECAT_AUTH_TOKEN_SECONDS overrides the 5 s, LAKECAT_AUTH_CLOCK_SKEW_SECONDS the 2 s; both are
# exported to the command, with LAKECAT_AUTH_SECRETS (a JSON object of client id -> secret),
# LAKECAT_OAUTH2_SERVER_URI (the token endpoint) and LAKECAT_AUTH_IDP (`lakecat` or `keycloak`).
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
dir=$(mktemp -d -t lakecat-auth.XXXXXX)
trap 'rm -rf "$dir"' EXIT

export LAKECAT_AUTH_TOKEN_SECONDS=${LAKECAT_AUTH_TOKEN_SECONDS:-5}
export LAKECAT_AUTH_CLOCK_SKEW_SECONDS=${LAKECAT_AUTH_CLOCK_SKEW_SECONDS:-2}
common="--auth token --auth-clock-skew-seconds $LAKECAT_AUTH_CLOCK_SKEW_SECONDS"

if [[ "${LAKECAT_AUTH_IDP:-lakecat}" == keycloak ]]; then
  : "${LAKECAT_KEYCLOAK_ISSUER:?LAKECAT_AUTH_IDP=keycloak: run this inside conformance-tests/auth/with-keycloak.sh}"
  export LAKECAT_STACK_ARGS="$common --oidc-issuers $LAKECAT_KEYCLOAK_ISSUER --auth-audience lakecat --auth-principal-claims azp"
else
  export LAKECAT_AUTH_IDP=lakecat
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
  export LAKECAT_STACK_ARGS="$common --auth-clients-file $dir/clients.json --auth-token-seconds $LAKECAT_AUTH_TOKEN_SECONDS --auth-issuer http://lakecat.test"
  # lakecat's URL is known only once the stack runs: lib/python/lakecat_auth.py then defaults to
  # <LAKECAT_URL>/v1/oauth/tokens.
  unset LAKECAT_OAUTH2_SERVER_URI
fi
bash "$repo/conformance-tests/with-stack.sh" "$@"
