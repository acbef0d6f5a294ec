#!/usr/bin/env bash
# Nessie's own clients against lakecat's Nessie API v2 ($LAKECAT_URL/api/v2):
#   conformance-tests/with-stack.sh conformance-tests/nessie/run.sh [pytest args...]
# Spark with Nessie's SQL extensions and Iceberg's NessieCatalog, next to an Iceberg REST catalog
# on the same lakecat. Installs once into ${LAKECAT_CACHE:-~/.cache/lakecat}: the virtualenv of
# the Spark suite (requirements.txt is identical to conformance-tests/spark's, so both share
# one venv by its hash) and three jars from Maven Central, fetched through Maven so ~/.m2 is
# shared with the other Java suites. Prints pytest's summary, then one plain line
# `nessie: N passed, N failed, N skipped`; exits non-zero when a test fails or none ran.
# The Nessie CLI is not part of this suite: see README.md for why.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${LAKECAT_CACHE:-$HOME/.cache/lakecat}
: "${LAKECAT_URL:?run this inside conformance-tests/with-stack.sh}"

ICEBERG_VERSION=1.10.1
# The newest nessie-spark-extensions for Spark 3.5 / Scala 2.12 on Maven Central; it is built
# against Iceberg 1.6 but only adds SQL statements, the catalog itself is Iceberg 1.10.1's.
NESSIE_VERSION=0.99.0

mkdir -p "$cache"

# Same name as the Spark suite's virtualenv (venv-spark-<hash of requirements.txt>); it is
# complete only once the marker exists, so an interrupted install is redone.
req_hash=$(sha256sum "$here/requirements.txt" | cut -c1-12)
venv="$cache/venv-spark-$req_hash"
if [[ ! -f "$venv/.complete" ]]; then
  echo "nessie: installing requirements.txt into $venv" >&2
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
fetch_jar() { # group artifact version
  local jar="$jars_dir/$2-$3.jar"
  if [[ ! -s "$jar" ]]; then
    echo "nessie: fetching $1:$2:$3" >&2
    local tmp
    tmp=$(mktemp -d "$jars_dir/.copy.XXXXXX")
    mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$1:$2:$3" -DoutputDirectory="$tmp"
    mv "$tmp/$2-$3.jar" "$jar"
    rm -rf "$tmp"
  fi
  jars+=("$jar")
}
fetch_jar org.apache.iceberg iceberg-spark-runtime-3.5_2.12 "$ICEBERG_VERSION"
fetch_jar org.apache.iceberg iceberg-aws-bundle "$ICEBERG_VERSION"
fetch_jar org.projectnessie.nessie-integrations nessie-spark-extensions-3.5_2.12 "$NESSIE_VERSION"
LAKECAT_SPARK_JARS=$(IFS=,; echo "${jars[*]}")
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
