# The last step every JUnit-reporting suite shares (sourced by conformance-tests/{pyiceberg,trino,auth,auth/spark,auth/nessie,auth/trino,
# promotion}/run.sh): run pytest in the suite's folder, then print the one plain summary line
# `<suite>: N passed, N failed, N skipped` from its JUnit XML (lib/python/summarize.py).
# Expects `set -euo pipefail` in the caller.

# run_pytest_suite SUITE DIR PYTHON [pytest args...]: returns pytest's status, or 1 when pytest
# passed but the report holds no test (an empty run is not a passing one). Status 5 is pytest's
# "collected no tests", said in words on stderr. LAKECAT_SUITE_PREFIX, when set, goes before the
# suite's name in the summary line (a second run of a suite in other conditions).
run_pytest_suite() {
  local suite=${LAKECAT_SUITE_PREFIX:-}$1 dir=$2 python=$3 status
  shift 3
  local lib
  lib=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
  pytest_report=$(mktemp -d -t "lakecat-$suite-report.XXXXXX")
  trap 'rm -rf "$pytest_report"' EXIT

  set +e
  (cd "$dir" && "$python" -m pytest -p no:cacheprovider -rfEsxX --junitxml="$pytest_report/junit.xml" "$@")
  status=$?
  set -e

  if ! "$python" "$lib/python/summarize.py" "$suite" "$pytest_report/junit.xml" && [[ $status -eq 0 ]]; then
    status=1
  fi
  if [[ $status -eq 5 ]]; then
    echo "$suite: pytest collected no tests" >&2
  fi
  return $status
}
