#!/usr/bin/env bash
# The authentication suites of every client (PyIceberg, Spark, Nessie's clients, Trino) with
# Keycloak as the OIDC provider; run it inside with-keycloak.sh:
#   conformance-tests/auth/with-keycloak.sh conformance-tests/auth/keycloak/run-all.sh
# Each suite gets its own lakecat stack (with-auth.sh) and prints its summary line with the prefix
# `keycloak-` (e.g. `keycloak-auth-trino: 3 passed, 0 failed, 0 skipped`). Runs them all, then
# fails if any failed.
set -uo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
: "${LAKECAT_KEYCLOAK_ISSUER:?run this inside conformance-tests/auth/with-keycloak.sh}"
export LAKECAT_SUITE_PREFIX=keycloak-
failed=0
for suite in run.sh spark/run.sh nessie/run.sh trino/run.sh; do
  echo "== keycloak: $suite" >&2
  bash "$here/with-auth.sh" "$here/$suite" || failed=1
done
exit $failed
