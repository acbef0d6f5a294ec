#!/usr/bin/env bash
# The PyIceberg conformance suite against a running lakecat; start it through the stack:
#   conformance-tests/with-stack.sh conformance-tests/pyiceberg/run.sh [pytest args...]
# The virtualenv is cached under ${LAKECAT_CACHE:-$HOME/.cache/lakecat}, keyed by the Python
# version and requirements.txt, so a changed pin builds a new one and warm runs install nothing.
# Prints pytest's summary, then one line `pyiceberg: N passed, N failed, N skipped`
# (expected failures count as skipped); exits non-zero when anything failed or nothing ran.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${LAKECAT_URL:?LAKECAT_URL is not set: run through conformance-tests/with-stack.sh}"

# shellcheck source=../lib/pyiceberg-venv.sh
source "$here/../lib/pyiceberg-venv.sh"
venv=$(pyiceberg_venv)

# shellcheck source=../lib/pytest-suite.sh
source "$here/../lib/pytest-suite.sh"
run_pytest_suite pyiceberg "$here" "$venv/bin/python" "$@" .
