#!/usr/bin/env bash
# `lakecat load` against PyIceberg's append, on the same rows and the same machine, one run each:
#   npm run bench:load                  # 1,000,000 rows
#   BENCH_LOAD_ROWS=200000 npm run bench:load
# Starts `lakecat serve` on its embedded default (PGlite, a folder warehouse) in a temporary
# folder, writes a CSV of glucose readings (device, taken_at, glucose, note), and loads it into
# two fresh tables of the same schema: once with `lakecat load`, once with a Python process that
# reads the CSV with pyarrow's CSV reader and appends it with PyIceberg 0.12 (the PyIceberg
# suite's virtualenv). Prints wall time and peak RSS of each loader process, and the ratios.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
rows=${BENCH_LOAD_ROWS:-1000000}
work=$(mktemp -d -t lakecat-bench-load.XXXXXX)
# shellcheck source=../../conformance-tests/lib/pyiceberg-venv.sh
source "$repo/conformance-tests/lib/pyiceberg-venv.sh"
python="$(pyiceberg_venv)/bin/python"

node "$repo/bin/lakecat.mjs" serve --port 0 --data-dir "$work/data" --log-requests false >"$work/serve.log" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true; wait $pid 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 1 120); do
  url=$(grep -o '"url":"http://[^"]*"' "$work/serve.log" 2>/dev/null | head -1 | cut -d'"' -f4 || true)
  [[ -n "$url" ]] && break
  sleep 0.5
done
[[ -n "${url:-}" ]] || { cat "$work/serve.log" >&2; exit 1; }

"$python" "$repo/bench/load/make_csv.py" "$work/readings.csv" "$rows"
# The client commands run from a bundle written by their first run after a change of the
# sources (README, The lakecat CLI): write it now, as any earlier command would have.
node "$repo/bin/lakecat.mjs" --help >/dev/null
"$python" "$repo/bench/load/compare.py" "$url" "$work/readings.csv" "$rows" "$repo/bin/lakecat.mjs" "$python"
