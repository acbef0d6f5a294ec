#!/usr/bin/env bash
# Apache Spark (pyspark + Iceberg's Spark runtime and AWS bundle) against a running lakecat:
#   conformance-tests/with-stack.sh conformance-tests/spark/run.sh [pytest args...]
# Installs once into ${LAKECAT_CACHE:-~/.cache/lakecat}: a virtualenv named after the hash of
# requirements.txt, and the two Iceberg jars from Maven Central (through Maven, so ~/.m2 is
# shared with the other Java suites). Prints pytest's summary, then one plain line
# `spark: N passed, N failed, N skipped`; exits non-zero when a test fails or none ran.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${LAKECAT_CACHE:-$HOME/.cache/lakecat}
: "${LAKECAT_URL:?run this inside conformance-tests/with-stack.sh}"

ICEBERG_VERSION=1.10.1
SPARK_RUNTIME=iceberg-spark-runtime-3.5_2.12

mkdir -p "$cache"

# The virtualenv is complete only once the marker exists, so an interrupted install is redone.
req_hash=$(sha256sum "$here/requirements.txt" | cut -c1-12)
venv="$cache/venv-spark-$req_hash"
if [[ ! -f "$venv/.complete" ]]; then
  echo "spark: installing requirements.txt into $venv" >&2
  rm -rf "$venv"
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$here/requirements.txt"
  touch "$venv/.complete"
fi

# Each jar is copied into a private folder first and moved into place, so a half-written jar
# never looks cached.
jars_dir="$cache/jars"
mkdir -p "$jars_dir"
jars=()
for artifact in "$SPARK_RUNTIME" iceberg-aws-bundle; do
  jar="$jars_dir/$artifact-$ICEBERG_VERSION.jar"
  if [[ ! -s "$jar" ]]; then
    echo "spark: fetching org.apache.iceberg:$artifact:$ICEBERG_VERSION" >&2
    tmp=$(mktemp -d "$jars_dir/.copy.XXXXXX")
    mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="org.apache.iceberg:$artifact:$ICEBERG_VERSION" -DoutputDirectory="$tmp"
    mv "$tmp/$artifact-$ICEBERG_VERSION.jar" "$jar"
    rm -rf "$tmp"
  fi
  jars+=("$jar")
done
LAKECAT_SPARK_JARS=$(IFS=,; echo "${jars[*]}")
export LAKECAT_SPARK_JARS

summary=$(mktemp -t lakecat-spark-summary.XXXXXX)
trap 'rm -f "$summary"' EXIT
export LAKECAT_SPARK_SUMMARY=$summary

set +e
(cd "$here" && "$venv/bin/python" -m pytest -p no:cacheprovider -rfEsxX "$@")
status=$?
set -e

read -r passed failed skipped <"$summary" 2>/dev/null || { passed=0; failed=0; skipped=0; }
echo "spark: $passed passed, $failed failed, $skipped skipped"
if [[ $status -eq 5 || $passed -eq 0 ]]; then
  echo "spark: no test ran" >&2
  exit 1
fi
exit $status
