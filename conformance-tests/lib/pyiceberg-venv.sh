# The PyIceberg virtualenv, shared by the suites that drive PyIceberg (sourced; expects
# `set -euo pipefail`). Cached under ${LAKECAT_CACHE:-$HOME/.cache/lakecat}, keyed by the Python
# version and conformance-tests/pyiceberg/requirements.txt, so a changed pin builds a new one and
# warm runs install nothing. `pyiceberg_venv` prints its folder, building it first if needed.
pyiceberg_venv() {
  local lib requirements python cache key venv
  lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  requirements="$lib/../pyiceberg/requirements.txt"
  python=${PYTHON:-python3}
  cache=${LAKECAT_CACHE:-$HOME/.cache/lakecat}
  key=$({ "$python" --version 2>&1; cat "$requirements"; } | sha256sum | cut -c1-16)
  venv="$cache/venv-pyiceberg-$key"
  mkdir -p "$cache"
  # A venv is used only once its install finished (.complete); concurrent runs wait on the lock.
  (
    flock 9
    if [[ ! -f "$venv/.complete" ]]; then
      rm -rf "$venv"
      echo "pyiceberg: building $venv" >&2
      "$python" -m venv "$venv"
      "$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$requirements"
      touch "$venv/.complete"
    fi
  ) 9>"$cache/venv-pyiceberg.lock"
  echo "$venv"
}
