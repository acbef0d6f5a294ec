#!/usr/bin/env bash
# Nessie's own clients against lakecat's Nessie API v2 ($LAKECAT_URL/api/v2):
#   conformance-tests/with-stack.sh conformance-tests/nessie/run.sh [pytest args...]
# Spark with Nessie's SQL extensions and Iceberg's NessieCatalog, next to an Iceberg REST catalog
# on the same lakecat. Installs once into ${LAKECAT_CACHE:-~/.cache/lakecat} (see
# ../lib/spark-env.sh): the Spark suite's virtualenv (its requirements.txt) and three jars from
# Maven Central. Prints pytest's summary, then one plain line
# `nessie: N passed, N failed, N skipped`; exits non-zero when a test fails or none ran.
# The Nessie CLI is not part of this suite: see README.md for why.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${LAKECAT_URL:?run this inside conformance-tests/with-stack.sh}"

# The newest nessie-spark-extensions for Spark 3.5 / Scala 2.12 on Maven Central; it is built
# against Iceberg 1.6 but only adds SQL statements, the catalog itself is the Spark suite's Iceberg.
NESSIE_VERSION=0.99.0

# shellcheck source=../lib/spark-env.sh
source "$here/../lib/spark-env.sh"
# The Spark suite's virtualenv and Iceberg jars, shared.
spark35_setup nessie
fetch_jar nessie org.projectnessie.nessie-integrations nessie-spark-extensions-3.5_2.12 "$NESSIE_VERSION"
LAKECAT_SPARK_JARS=$(IFS=,; echo "${spark_jars[*]}")
export LAKECAT_SPARK_JARS

summary=$(mktemp -t lakecat-nessie-summary.XXXXXX)
trap 'rm -f "$summary"' EXIT
export LAKECAT_NESSIE_SUMMARY=$summary

set +e
(cd "$here" && "$venv/bin/python" -m pytest -p no:cacheprovider -rfEsxX "$@")
status=$?
set -e

read -r passed failed skipped <"$summary" 2>/dev/null || { passed=0; failed=0; skipped=0; }
echo "nessie: $passed passed, $failed failed, $skipped skipped"
if [[ $status -eq 5 || $passed -eq 0 ]]; then
  echo "nessie: no test ran" >&2
  exit 1
fi
exit $status
