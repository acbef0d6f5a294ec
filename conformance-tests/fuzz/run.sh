#!/usr/bin/env bash
# Fuzzes lakecat's Iceberg REST API with Schemathesis, driven by the Iceberg REST OpenAPI spec
# (../shared/specs; prepare.py fixes its known defects first), on every operation of the spec:
# examples, coverage, fuzzing and stateful phases (links added by prepare.py), checking that no answer is a server error (>= 500) and
# that every answer fits the spec's schema for its status. The resources the spec's examples
# name are created first (seed.py). Needs LAKECAT_URL: run it under a stack,
#   conformance-tests/with-stack.sh conformance-tests/fuzz/run.sh        (PostgreSQL + MinIO)
#   conformance-tests/with-embedded.sh conformance-tests/fuzz/run.sh     (the embedded default)
# or `npm run fuzz` (the first). FUZZ_EXAMPLES (per operation and phase, default 10) and
# FUZZ_SEED (default 1) set the budget and make a run repeatable; a longer run:
#   FUZZ_EXAMPLES=200 npm run fuzz
# Then the same against the Nessie API v2 routes (nessie-v2.yaml, written for lakecat's routes).
# Prints "fuzz: N passed, N failed, N skipped" and "fuzz-nessie: ..." (one test per operation)
# and the case counts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
: "${LAKECAT_URL:?run under conformance-tests/with-stack.sh or with-embedded.sh}"
spec="${LAKECAT_SPEC:-$repo/../shared/specs/iceberg-rest-catalog-open-api.yaml}"
[[ -f "$spec" ]] || { echo "fuzz: the Iceberg REST spec is not at $spec (set LAKECAT_SPEC)" >&2; exit 2; }

# shellcheck source=../lib/python-venv.sh
source "$repo/conformance-tests/lib/python-venv.sh"
venv=$(python_venv fuzz "$here/requirements.txt")

work=$(mktemp -d -t lakecat-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
"$venv/bin/python" "$here/prepare.py" "$spec" "$work/spec.yaml"
"$venv/bin/python" "$here/seed.py" "$LAKECAT_URL"
# Every operation under the default branch's prefix (`/v1/main/...`), so requests reach tables.
printf '[parameters]\n"path.prefix" = "main"\n' >"$work/schemathesis.toml"

set +e
"$venv/bin/schemathesis" --no-color --config-file "$work/schemathesis.toml" run "$work/spec.yaml" --url "$LAKECAT_URL" \
  --seed "${FUZZ_SEED:-1}" --max-examples "${FUZZ_EXAMPLES:-10}" --phases examples,coverage,fuzzing,stateful \
  --checks not_a_server_error,response_schema_conformance --continue-on-failure \
  --report junit --report-junit-path "$work/junit.xml" 2>&1 | tee "$work/out.txt" | grep -vE '^\s*$' | tail -60
set -e
grep -E '^\s*[0-9]+ generated' "$work/out.txt" | sed 's/^ */fuzz cases: /' || true
status=0
"$venv/bin/python" "$here/summary.py" "$work/junit.xml" || status=1

# The Nessie API v2 routes, from the document written for them (nessie-v2.yaml): references
# fixed to the seeded branch `fuzz` (and diffs to main...fuzz) so that fuzzed bodies and
# queries reach commits, merges and listings instead of stopping at an unknown reference.
printf '[parameters]\n"path.ref" = "fuzz"\n"path.from" = "main"\n"path.to" = "fuzz"\n' >"$work/nessie.toml"
set +e
"$venv/bin/schemathesis" --no-color --config-file "$work/nessie.toml" run "$here/nessie-v2.yaml" --url "$LAKECAT_URL/api/v2" \
  --seed "${FUZZ_SEED:-1}" --max-examples "${FUZZ_EXAMPLES:-10}" --phases examples,coverage,fuzzing,stateful \
  --checks not_a_server_error,response_schema_conformance --continue-on-failure \
  --report junit --report-junit-path "$work/junit-nessie.xml" 2>&1 | tee "$work/out-nessie.txt" | grep -vE '^\s*$' | tail -60
set -e
grep -E '^\s*[0-9]+ generated' "$work/out-nessie.txt" | sed 's/^ */fuzz-nessie cases: /' || true
"$venv/bin/python" "$here/summary.py" "$work/junit-nessie.xml" fuzz-nessie || status=1
exit $status
