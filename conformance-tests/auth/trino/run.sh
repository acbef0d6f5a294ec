#!/usr/bin/env bash
# Trino 476 (Iceberg connector, REST catalog) with OAuth2 client credentials against a lakecat with
# authentication on; start it through conformance-tests/auth/with-auth.sh:
#   conformance-tests/auth/with-auth.sh conformance-tests/auth/trino/run.sh
# Starts Trino through ../../trino/with-trino.sh without its static catalogs (the tests create one
# catalog per service client with CREATE CATALOG), with the Trino suite's cached virtualenv, Java
# and server (../../lib/trino-env.sh). Prints `auth-trino: N passed, N failed, N skipped`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${LAKECAT_URL:?run this through conformance-tests/auth/with-auth.sh}"
: "${LAKECAT_AUTH_SECRETS:?run this through conformance-tests/auth/with-auth.sh}"

if [[ -z "${TRINO_URL:-}" ]]; then
  TRINO_LAKECAT_CATALOGS="" exec bash "$here/../../trino/with-trino.sh" bash "$0" "$@"
fi

# shellcheck source=../../lib/trino-env.sh
source "$here/../../lib/trino-env.sh"
trino_venv auth-trino

# shellcheck source=../../lib/pytest-suite.sh
source "$here/../../lib/pytest-suite.sh"
run_pytest_suite auth-trino "$here" "$venv/bin/python" "$@" .
