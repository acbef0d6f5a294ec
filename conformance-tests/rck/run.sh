#!/usr/bin/env bash
# Runs the Iceberg REST Compatibility Kit (RCK) against a running lakecat, twice: on the default
# branch (warehouse `main`) and on a `dev` branch selected through the Iceberg REST prefix
# (warehouse `dev`, created here from main's head if missing). Starts no service itself:
#   conformance-tests/with-stack.sh conformance-tests/rck/run.sh
# Needs LAKECAT_URL; java (17+) and mvn on PATH. Maven resolves the RCK jars into ~/.m2 once.
# Prints one line per pass, `rck-main: N passed, N failed, N skipped`, lists every skipped test
# with its reason (the RCK's own assumption, or a deviation documented in README.md and listed
# in deviations.tsv that failed with exactly the expected message), and exits non-zero when any
# other test failed.
# RCK_PASSES (default "main dev") picks the passes; RCK_SELECT (a test method name) narrows a
# run. Per pass, the console output is in target/rck-PASS.log and JUnit XML in target/reports-PASS.
# With authentication on (conformance-tests/auth/with-auth.sh), RCK_CLIENT names the service
# client to act as: the RCK then gets OAuth2 client credentials (`credential`,
# `oauth2-server-uri`) and the passes are reported as `rck-auth-main` and `rck-auth-dev`.
# RCK_LABEL prefixes the pass names (`RCK_LABEL=embedded-` reports `rck-embedded-main`, ...).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
work="$here/target"
mkdir -p "$work"
: "${LAKECAT_URL:?LAKECAT_URL must point at a running lakecat (see conformance-tests/with-stack.sh)}"

# --- classpath: resolved by Maven, cached per pom content ---------------------------------
pom_sum=$(sha256sum "$here/pom.xml" | cut -c1-16)
cp_file="$work/classpath-$pom_sum.txt"
if [[ ! -s "$cp_file" ]]; then
  echo "rck: resolving the RCK classpath with Maven" >&2
  mvn -B -q -Dstyle.color=never -f "$here/pom.xml" dependency:build-classpath -Dmdep.outputFile="$cp_file.tmp" >&2
  mv "$cp_file.tmp" "$cp_file"
fi
classpath=$(cat "$cp_file")

# --- authentication: a bearer token for this script's own calls, client credentials for the RCK --
rck_env=()
label=${RCK_LABEL:-}
if [[ -n "${RCK_CLIENT:-}" ]]; then
  : "${LAKECAT_AUTH_SECRETS:?RCK_CLIENT needs LAKECAT_AUTH_SECRETS (run through conformance-tests/auth/with-auth.sh)}"
  rck_secret=$(jq -r --arg c "$RCK_CLIENT" '.[$c]' <<<"$LAKECAT_AUTH_SECRETS")
  rck_env=(CATALOG_CREDENTIAL="$RCK_CLIENT:$rck_secret" CATALOG_OAUTH2__SERVER__URI="$LAKECAT_URL/v1/oauth/tokens" CATALOG_SCOPE=catalog)
  label="${label}auth-"
fi
# curl with a fresh token when authentication is on (tokens may be short-lived).
api() {
  if [[ -z "${RCK_CLIENT:-}" ]]; then
    curl "$@"
    return
  fi
  local token
  token=$(curl -fsS -X POST "$LAKECAT_URL/v1/oauth/tokens" --data-urlencode grant_type=client_credentials \
    --data-urlencode "client_id=$RCK_CLIENT" --data-urlencode "client_secret=$rck_secret" | jq -r .access_token)
  curl -H "Authorization: Bearer $token" "$@"
}

# --- the dev branch, forked from main's head ----------------------------------------------
ensure_branch() {
  local name=$1
  if api -fsS -o /dev/null "$LAKECAT_URL/api/v2/trees/$name" 2>/dev/null; then return; fi
  local main_hash
  main_hash=$(api -fsS "$LAKECAT_URL/api/v2/trees/main" | jq -r .reference.hash)
  api -fsS -o /dev/null -X POST "$LAKECAT_URL/api/v2/trees?name=$name&type=BRANCH" \
    -H 'content-type: application/json' \
    -d "{\"type\":\"BRANCH\",\"name\":\"main\",\"hash\":\"$main_hash\"}"
  echo "rck: created branch $name at $main_hash" >&2
}

# The RCK refuses to start when its namespaces `ns` and `newdb` exist (its own clean-up runs only
# before each test): drop what an earlier run against the same server left behind.
purge_rck_namespaces() {
  local prefix=$1 ns kind name
  for ns in ns newdb; do
    api -fsS -o /dev/null "$LAKECAT_URL/v1/$prefix/namespaces/$ns" 2>/dev/null || continue
    for kind in tables views; do
      for name in $(api -fsS "$LAKECAT_URL/v1/$prefix/namespaces/$ns/$kind" | jq -r '.identifiers[].name'); do
        api -fsS -o /dev/null -X DELETE "$LAKECAT_URL/v1/$prefix/namespaces/$ns/$kind/$name"
      done
    done
    api -fsS -o /dev/null -X DELETE "$LAKECAT_URL/v1/$prefix/namespaces/$ns"
    echo "rck: dropped namespace $ns left on $prefix by an earlier run" >&2
  done
}

# --- one pass -----------------------------------------------------------------------------
# The RCK client reads its catalog properties from CATALOG_* variables (CATALOG_URI -> uri,
# CATALOG_WAREHOUSE -> warehouse) and from system properties. Storage settings are not given:
# the client must get them from lakecat (S3 endpoint, region and vended credentials in the
# table config), as any engine would.
run_pass() {
  local pass=$1 warehouse=$2
  local reports="$work/reports-$pass" log="$work/rck-$pass.log"
  rm -rf "$reports"
  purge_rck_namespaces "$warehouse"
  local select=(--select-class org.apache.iceberg.rest.RESTCompatibilityKitCatalogTests
                --select-class org.apache.iceberg.rest.RESTCompatibilityKitViewCatalogTests)
  if [[ -n "${RCK_SELECT:-}" ]]; then select+=(--include-methodname ".*#${RCK_SELECT}(\(.*)?"); fi
  local status
  set +e
  env -u CATALOG_WAREHOUSE CATALOG_URI="$LAKECAT_URL" CATALOG_WAREHOUSE="$warehouse" "${rck_env[@]}" \
    java -Drck.local=false -Drck.requires-namespace-create=true -Drck.supports-names-with-dot=true ${RCK_JAVA_OPTS:-} -Dorg.slf4j.simpleLogger.defaultLogLevel=warn \
      -cp "$classpath" org.junit.platform.console.ConsoleLauncher execute \
      --disable-banner --details=tree --disable-ansi-colors \
      --reports-dir "$reports" "${select[@]}" >"$log" 2>&1
  status=$?
  set -e
  python3 "$here/summarize.py" "$pass" "$reports" "$status" "$log" "$here/deviations.tsv"
}

ensure_branch dev
failed=0
for pass in ${RCK_PASSES:-main dev}; do
  run_pass "$label$pass" "$pass" || failed=1
done
exit $failed
