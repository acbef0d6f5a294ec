#!/usr/bin/env bash
# Apache Flink (PyFlink, a local mini-cluster) writing to lakecat through Iceberg's Flink
# connector and REST catalog, read back by PyIceberg:
#   conformance-tests/with-stack.sh conformance-tests/flink/run.sh [pytest args...]
# Installs once into ${LAKECAT_CACHE:-~/.cache/lakecat}: the PyFlink virtualenv (named after the
# hash of requirements.txt), the jars from Maven Central (iceberg-flink-runtime-2.1 and
# iceberg-aws-bundle 1.11.0, Hadoop's shaded client 3.4.1, which the connector needs for its
# catalog), linked into PyFlink's lib folder, and the PyIceberg virtualenv of ../pyiceberg. Prints
# pytest's summary, then `flink: N passed, N failed, N skipped`; exits non-zero when a test
# failed or none ran.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
: "${LAKECAT_URL:?run this inside conformance-tests/with-stack.sh}"

ICEBERG_VERSION=1.11.0
HADOOP_VERSION=3.4.1

# shellcheck source=../lib/spark-env.sh
source "$here/../lib/spark-env.sh"
spark_venv flink "$here/requirements.txt"
flink_venv=$venv
fetch_jar flink org.apache.iceberg iceberg-flink-runtime-2.1 "$ICEBERG_VERSION"
fetch_jar flink org.apache.iceberg iceberg-aws-bundle "$ICEBERG_VERSION"
fetch_jar flink org.apache.hadoop hadoop-client-api "$HADOOP_VERSION"
fetch_jar flink org.apache.hadoop hadoop-client-runtime "$HADOOP_VERSION"
# PyFlink's client JVM (which creates catalogs) loads what its lib folder holds.
pyflink_lib=$("$flink_venv/bin/python" -c 'import os, pyflink; print(os.path.join(os.path.dirname(pyflink.__file__), "lib"))')
for jar in "${spark_jars[@]}"; do ln -sf "$jar" "$pyflink_lib/"; done

# shellcheck source=../lib/pyiceberg-venv.sh
source "$here/../lib/pyiceberg-venv.sh"
PYICEBERG_PYTHON="$(pyiceberg_venv)/bin/python"
export PYICEBERG_PYTHON

# shellcheck source=../lib/pytest-suite.sh
source "$here/../lib/pytest-suite.sh"
run_pytest_suite flink "$here" "$flink_venv/bin/python" "$@" .
