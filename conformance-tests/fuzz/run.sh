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
# Then the same operations without the prefix (`/v1/namespaces/...`), and the Nessie API v2
# routes (nessie-v2.yaml, written for lakecat's routes). Prints "fuzz: N passed, N failed,
# N skipped", "fuzz-unprefixed: ..." and "fuzz-nessie: ..." (one test per operation) and the
# case counts.
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
"$venv/bin/python" "$here/prepare.py" "$spec" "$work/spec.yaml" "$work/spec-unprefixed.yaml"
"$venv/bin/python" "$here/seed.py" "$LAKECAT_URL"
# One Schemathesis run: fuzz LABEL SPEC URL CONFIG. Prints its case counts and the
# "LABEL: N passed, N failed, N skipped" line; returns 1 when an operation failed.
fuzz() {
  local label=$1 schema=$2 url=$3 config=$4
  set +e
  "$venv/bin/schemathesis" --no-color --config-file "$config" run "$schema" --url "$url" \
    --seed "${FUZZ_SEED:-1}" --max-examples "${FUZZ_EXAMPLES:-10}" --phases examples,coverage,fuzzing,stateful \
    --checks not_a_server_error,response_schema_conformance --continue-on-failure \
    --report junit --report-junit-path "$work/$label.xml" 2>&1 | tee "$work/$label.txt" | grep -vE '^\s*$' | tail -60
  set -e
  grep -E '^\s*[0-9]+ generated' "$work/$label.txt" | sed "s/^ */$label cases: /" || true
  "$venv/bin/python" "$here/summary.py" "$work/$label.xml" "$label"
}

status=0
# Every operation under the default branch's prefix (`/v1/main/...`), so requests reach tables.
printf '[parameters]\n"path.prefix" = "main"\n' >"$work/iceberg.toml"
fuzz fuzz "$work/spec.yaml" "$LAKECAT_URL" "$work/iceberg.toml" || status=1
# The same operations without a prefix (`/v1/namespaces/...`, the default branch).
: >"$work/unprefixed.toml"
fuzz fuzz-unprefixed "$work/spec-unprefixed.yaml" "$LAKECAT_URL" "$work/unprefixed.toml" || status=1

# The Nessie API v2 routes, from the document written for them (nessie-v2.yaml): references
# fixed to the seeded branch `fuzz` (and diffs to main...fuzz) so that fuzzed bodies and
# queries reach commits, merges and listings instead of stopping at an unknown reference.
printf '[parameters]\n"path.ref" = "fuzz"\n"path.from" = "main"\n"path.to" = "fuzz"\n' >"$work/nessie.toml"
fuzz fuzz-nessie "$here/nessie-v2.yaml" "$LAKECAT_URL/api/v2" "$work/nessie.toml" || status=1
exit $status
