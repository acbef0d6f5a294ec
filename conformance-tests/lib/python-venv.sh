# A Python virtualenv for a suite (sourced; expects `set -euo pipefail`). Cached under
# ${LAKECAT_CACHE:-$HOME/.cache/lakecat}, keyed by the Python version and the requirements file,
# so a changed pin builds a new one and warm runs install nothing.
# `python_venv NAME REQUIREMENTS` prints its folder, building it first if needed.
python_venv() {
  local name=$1 requirements=$2 python cache key venv
  python=${PYTHON:-python3}
  cache=${LAKECAT_CACHE:-$HOME/.cache/lakecat}
  key=$({ "$python" --version 2>&1; cat "$requirements"; } | sha256sum | cut -c1-16)
  venv="$cache/venv-$name-$key"
  mkdir -p "$cache"
  # A venv is used only once its install finished (.complete); concurrent runs wait on the lock.
  (
    flock 9
    if [[ ! -f "$venv/.complete" ]]; then
      rm -rf "$venv"
      echo "$name: building $venv" >&2
      "$python" -m venv "$venv"
      "$venv/bin/python" -m pip install --disable-pip-version-check --quiet -r "$requirements"
      touch "$venv/.complete"
    fi
  ) 9>"$cache/venv-$name.lock"
  echo "$venv"
}
