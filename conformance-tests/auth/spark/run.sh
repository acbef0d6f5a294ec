#!/usr/bin/env bash
# Spark 3.5 + the Spark suite's Iceberg with OAuth2 client credentials against a lakecat with
# authentication on; start it through conformance-tests/auth/with-auth.sh:
#   conformance-tests/auth/with-auth.sh conformance-tests/auth/spark/run.sh
# Uses the Spark suite's virtualenv and jars (conformance-tests/lib/spark-env.sh) and pytest through
# ../../lib/pytest-suite.sh, which prints
# `auth-spark: N passed, N failed, N skipped`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${LAKECAT_URL:?run this through conformance-tests/auth/with-auth.sh}"
: "${LAKECAT_AUTH_SECRETS:?run this through conformance-tests/auth/with-auth.sh}"

# shellcheck source=../../lib/spark-env.sh
source "$here/../../lib/spark-env.sh"
spark35_setup auth-spark
LAKECAT_SPARK_JARS=$(IFS=,; echo "${spark_jars[*]}")
export LAKECAT_SPARK_JARS

# shellcheck source=../../lib/pytest-suite.sh
source "$here/../../lib/pytest-suite.sh"
run_pytest_suite auth-spark "$here" "$venv/bin/python" "$@" .
