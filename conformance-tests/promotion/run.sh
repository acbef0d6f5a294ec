#!/usr/bin/env bash
# The promotion workflow end to end (PyIceberg, Spark SQL, the Nessie API and Trino) against a
# running lakecat:
#   conformance-tests/with-stack.sh conformance-tests/promotion/run.sh [pytest args...]
# It starts Trino itself through ../trino/with-trino.sh unless TRINO_URL is already set (as under
# `with-stack.sh trino/with-trino.sh promotion/run.sh`) or LAKECAT_PROMOTION_TRINO=0.
# Installs once into ${LAKECAT_CACHE:-~/.cache/lakecat} (see ../lib/spark-env.sh): a virtualenv
# named after the hash of requirements.txt (pyiceberg, pyspark and the trino client together) and
# the Iceberg jars from Maven Central. Prints pytest's summary, then one plain line
# `promotion: N passed, N failed, N skipped`; exits non-zero when a step fails or none ran.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${LAKECAT_URL:?run this inside conformance-tests/with-stack.sh}"

# Step 8 reads through Trino: without a Trino yet, start one around this script. Set
# LAKECAT_PROMOTION_TRINO=0 to run without it (step 8 is then skipped, with that reason).
if [[ -z "${TRINO_URL:-}" && "${LAKECAT_PROMOTION_TRINO:-1}" != 0 && -x "$here/../trino/with-trino.sh" ]]; then
  exec "$here/../trino/with-trino.sh" "$here/run.sh" "$@"
fi

# shellcheck source=../lib/spark-env.sh
source "$here/../lib/spark-env.sh"
spark_venv promotion "$here/requirements.txt"
fetch_jar promotion org.apache.iceberg iceberg-spark-runtime-3.5_2.12 "$SPARK35_ICEBERG_VERSION"
fetch_jar promotion org.apache.iceberg iceberg-aws-bundle "$SPARK35_ICEBERG_VERSION"
LAKECAT_SPARK_JARS=$(IFS=,; echo "${spark_jars[*]}")
export LAKECAT_SPARK_JARS

# shellcheck source=../lib/pytest-suite.sh
source "$here/../lib/pytest-suite.sh"
run_pytest_suite promotion "$here" "$venv/bin/python" "$@"
