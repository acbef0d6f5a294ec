# The PyIceberg virtualenv, shared by the suites that drive PyIceberg (sourced; expects
# `set -euo pipefail`), keyed by conformance-tests/pyiceberg/requirements.txt (python-venv.sh).
# `pyiceberg_venv` prints its folder, building it first if needed.
# shellcheck source=python-venv.sh
source "$(dirname "${BASH_SOURCE[0]}")/python-venv.sh"
pyiceberg_venv() {
  local lib
  lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  python_venv pyiceberg "$lib/../pyiceberg/requirements.txt"
}
