# Shared set-up of the Spark-based suites (sourced by conformance-tests/{spark,nessie}/run.sh):
# a pinned pyspark virtualenv and jars from Maven Central, both cached in
# ${LAKECAT_CACHE:-~/.cache/lakecat}. Expects `set -euo pipefail` in the caller.

lakecat_cache=${LAKECAT_CACHE:-$HOME/.cache/lakecat}
mkdir -p "$lakecat_cache"
spark_jars=()

# spark_venv LABEL REQUIREMENTS: sets $venv to a virtualenv named after the requirements' hash,
# installing it first if needed. It counts as complete only once the marker exists, so an
# interrupted install is redone.
spark_venv() {
  local label=$1 requirements=$2 req_hash
  req_hash=$(sha256sum "$requirements" | cut -c1-12)
  venv="$lakecat_cache/venv-spark-$req_hash"
  if [[ ! -f "$venv/.complete" ]]; then
    echo "$label: installing $(basename "$requirements") into $venv" >&2
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check --no-input -r "$requirements"
    touch "$venv/.complete"
  fi
}

# fetch_jar LABEL GROUP ARTIFACT VERSION: copies a jar through Maven (so ~/.m2 is shared with the
# other Java suites) into the cache and appends it to spark_jars. The jar is copied into a
# private folder first and moved into place, so a half-written jar never looks cached.
fetch_jar() {
  local label=$1 group=$2 artifact=$3 version=$4
  local jars_dir="$lakecat_cache/jars"
  local jar="$jars_dir/$artifact-$version.jar"
  mkdir -p "$jars_dir"
  if [[ ! -s "$jar" ]]; then
    echo "$label: fetching $group:$artifact:$version" >&2
    local tmp
    tmp=$(mktemp -d "$jars_dir/.copy.XXXXXX")
    mvn -q -B -Dstyle.color=never dependency:copy -Dartifact="$group:$artifact:$version" -DoutputDirectory="$tmp"
    mv "$tmp/$artifact-$version.jar" "$jar"
    rm -rf "$tmp"
  fi
  spark_jars+=("$jar")
}

# Spark 3.5 as the Spark suite runs it (the DuckDB suite borrows it for its Spark side): the
# virtualenv of ../spark/requirements.txt and Iceberg's Spark runtime and AWS bundle.
SPARK35_ICEBERG_VERSION=1.12.0
spark_env_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# spark35_setup LABEL: sets $venv and appends the two jars to spark_jars.
spark35_setup() {
  local label=$1
  spark_venv "$label" "$spark_env_dir/../spark/requirements.txt"
  fetch_jar "$label" org.apache.iceberg iceberg-spark-runtime-3.5_2.12 "$SPARK35_ICEBERG_VERSION"
  fetch_jar "$label" org.apache.iceberg iceberg-aws-bundle "$SPARK35_ICEBERG_VERSION"
}
