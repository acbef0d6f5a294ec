# The last step of the wrappers that start a server around a command (sourced by
# conformance-tests/with-stack.sh and trino/with-trino.sh). Expects `set -euo pipefail`.

# run_showing_log LABEL SERVER LOG LINES COMMAND...: runs COMMAND and returns its status. When it
# fails, prints the last LINES lines of the server's LOG, so a failed test can be read beside what
# the server said about it.
run_showing_log() {
  local label=$1 server=$2 log=$3 lines=$4 status
  shift 4
  set +e
  "$@"
  status=$?
  set -e
  if [[ $status -ne 0 ]]; then
    echo "$label: command failed ($status); last $server log lines:" >&2
    tail -n "$lines" "$log" >&2
  fi
  return $status
}
