# Downloads from Maven Central checked against the SHA-1 it publishes (sourced by trino-env.sh
# and keycloak-env.sh). Expects `set -euo pipefail` in the caller.

MAVEN_CENTRAL=${LAKECAT_MAVEN_CENTRAL:-https://repo1.maven.org/maven2}

# fetch_verified LABEL URL FILE: downloads URL to FILE unless FILE is already there, checking the
# SHA-1 that Maven Central publishes beside every artifact. The file is written under a temporary
# name and renamed only once verified, so a partial or corrupt download never looks cached.
fetch_verified() {
  local label=$1 url=$2 file=$3 expected actual
  [[ -s "$file" ]] && return 0
  echo "$label: downloading $url" >&2
  expected=$(curl -sSfL --retry 3 "$url.sha1" | cut -c1-40)
  curl -sSfL --retry 3 -o "$file.part" "$url"
  actual=$(sha1sum "$file.part" | cut -c1-40)
  if [[ "$actual" != "$expected" ]]; then
    rm -f "$file.part"
    echo "$label: SHA-1 mismatch for $url (expected $expected, got $actual)" >&2
    return 1
  fi
  mv "$file.part" "$file"
}
