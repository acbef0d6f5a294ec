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

python=${PYTHON:-python3}
cache=${LAKECAT_CACHE:-$HOME/.cache/lakecat}
key=$({ "$python" --version 2>&1; cat "$here/requirements.txt"; } | sha256sum | cut -c1-16)
venv="$cache/venv-pyiceberg-$key"
mkdir -p "$cache"

# A venv is used only once its install finished (.complete); concurrent runs wait on the lock.
(
  flock 9
  if [[ ! -f "$venv/.complete" ]]; then
    rm -rf "$venv"
    echo "pyiceberg: building $venv" >&2
    "$python" -m venv "$venv"
    "$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$here/requirements.txt"
    touch "$venv/.complete"
  fi
) 9>"$cache/venv-pyiceberg.lock"

# shellcheck source=../lib/pytest-suite.sh
source "$here/../lib/pytest-suite.sh"
run_pytest_suite pyiceberg "$here" "$venv/bin/python" "$@" .
