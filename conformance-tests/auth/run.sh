#!/usr/bin/env bash
# The authentication and access-control suite against a lakecat with authentication on; start it
# through conformance-tests/auth/with-auth.sh. Uses PyIceberg's virtualenv (same pins as the
# PyIceberg suite, conformance-tests/pyiceberg/requirements.txt) and prints `auth: N passed, ...`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${LAKECAT_URL:?LAKECAT_URL is not set: run through conformance-tests/auth/with-auth.sh}"
: "${LAKECAT_AUTH_SECRETS:?LAKECAT_AUTH_SECRETS is not set: run through conformance-tests/auth/with-auth.sh}"

# shellcheck source=../lib/pyiceberg-venv.sh
source "$here/../lib/pyiceberg-venv.sh"
venv=$(pyiceberg_venv)
# shellcheck source=../lib/pytest-suite.sh
source "$here/../lib/pytest-suite.sh"
run_pytest_suite auth "$here" "$venv/bin/python" "$@" .
