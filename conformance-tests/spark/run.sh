#!/usr/bin/env bash
# Apache Spark (pyspark + Iceberg's Spark runtime and AWS bundle) against a running lakecat:
#   conformance-tests/with-stack.sh conformance-tests/spark/run.sh [pytest args...]
#   LAKECAT_SPARK=4 conformance-tests/with-stack.sh conformance-tests/spark/run.sh   # Spark 4.1
# Installs once into ${LAKECAT_CACHE:-~/.cache/lakecat}: a virtualenv named after the hash of
# requirements.txt, and the two Iceberg jars from Maven Central (through Maven, so ~/.m2 is
# shared with the other Java suites). Prints pytest's summary, then one plain line
# `spark: N passed, N failed, N skipped`; exits non-zero when a test fails or none ran.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${LAKECAT_URL:?run this inside conformance-tests/with-stack.sh}"

# LAKECAT_SPARK=4 runs the same suite on Spark 4.1 with Iceberg 1.12.0 (summary line `spark4: ...`).
# shellcheck source=../lib/spark-env.sh
source "$here/../lib/spark-env.sh"
if [[ "${LAKECAT_SPARK:-3}" == 4 ]]; then
  suite=spark4
  spark_venv "$suite" "$here/requirements-spark4.txt"
  fetch_jar "$suite" org.apache.iceberg iceberg-spark-runtime-4.1_2.13 1.12.0
  fetch_jar "$suite" org.apache.iceberg iceberg-aws-bundle 1.12.0
else
  suite=spark
  spark35_setup "$suite"
fi
LAKECAT_SPARK_JARS=$(IFS=,; echo "${spark_jars[*]}")
export LAKECAT_SPARK_JARS

summary=$(mktemp -t lakecat-spark-summary.XXXXXX)
trap 'rm -f "$summary"' EXIT
export LAKECAT_SPARK_SUMMARY=$summary

set +e
(cd "$here" && "$venv/bin/python" -m pytest -p no:cacheprovider -rfEsxX "$@")
status=$?
set -e

read -r passed failed skipped <"$summary" 2>/dev/null || { passed=0; failed=0; skipped=0; }
echo "$suite: $passed passed, $failed failed, $skipped skipped"
if [[ $status -eq 5 || $passed -eq 0 ]]; then
  echo "$suite: no test ran" >&2
  exit 1
fi
exit $status
