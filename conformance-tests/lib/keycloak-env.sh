# Keycloak for the authentication suites (sourced by conformance-tests/auth/with-keycloak.sh): the
# Quarkus distribution from Maven Central (`org.keycloak:keycloak-quarkus-dist`, a zip checked
# against Maven Central's SHA-1), unpacked once into ${LAKECAT_CACHE:-~/.cache/lakecat}/keycloak.
# Runs on the machine's Java 17 or newer. Expects `set -euo pipefail` in the caller.

KEYCLOAK_VERSION=26.4.7
lakecat_cache=${LAKECAT_CACHE:-$HOME/.cache/lakecat}
keycloak_cache="$lakecat_cache/keycloak"
mkdir -p "$keycloak_cache"
# shellcheck source=fetch-verified.sh
source "$(dirname "${BASH_SOURCE[0]}")/fetch-verified.sh"

# keycloak_dist LABEL: sets $keycloak_home to an unpacked Keycloak $KEYCLOAK_VERSION, downloading
# (about 160 MB) and unpacking it first if needed. It counts only once unpacked (.complete);
# concurrent runs wait on the lock.
keycloak_dist() {
  local label=$1
  keycloak_home="$keycloak_cache/keycloak-$KEYCLOAK_VERSION"
  (
    flock 9
    [[ -f "$keycloak_home/.complete" ]] && exit 0
    local zip="$keycloak_cache/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip" tmp
    fetch_verified "$label" "$MAVEN_CENTRAL/org/keycloak/keycloak-quarkus-dist/$KEYCLOAK_VERSION/keycloak-quarkus-dist-$KEYCLOAK_VERSION.zip" "$zip"
    echo "$label: unpacking Keycloak $KEYCLOAK_VERSION into $keycloak_home" >&2
    tmp=$(mktemp -d "$keycloak_cache/.unpack.XXXXXX")
    # Python rather than unzip, which a fresh machine may lack; zipfile drops the execute bits.
    python3 -m zipfile -e "$zip" "$tmp"
    chmod +x "$tmp/keycloak-$KEYCLOAK_VERSION/bin/"*.sh
    rm -rf "$keycloak_home"
    mv "$tmp/keycloak-$KEYCLOAK_VERSION" "$keycloak_home"
    rmdir "$tmp"
    touch "$keycloak_home/.complete"
    rm -f "$zip"
  ) 9>"$keycloak_cache/.dist.lock"
}
