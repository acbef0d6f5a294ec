# wait_for_lakecat LABEL PID LOG: waits (up to 60 s) until the `lakecat serve` process PID has
# written its listening URL to LOG, and exports it as LAKECAT_URL. Exits with the log printed when
# the process dies during start-up or does not start in time. Sourced by the wrappers that start
# lakecat (with-stack.sh, with-embedded.sh); expects `set -euo pipefail`.
wait_for_lakecat() {
  local label=$1 pid=$2 log=$3 url=""
  for _ in $(seq 1 120); do
    url=$(grep -o '"url":"http://[^"]*"' "$log" 2>/dev/null | head -1 | cut -d'"' -f4 || true)
    [[ -n "$url" ]] && break
    if ! kill -0 "$pid" 2>/dev/null; then
      echo "$label: lakecat exited during start-up:" >&2
      cat "$log" >&2
      exit 1
    fi
    sleep 0.5
  done
  [[ -n "$url" ]] || { echo "$label: lakecat did not start in 60 s" >&2; cat "$log" >&2; exit 1; }
  export LAKECAT_URL="$url"
}
