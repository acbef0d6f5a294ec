#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL server:
#   scripts/with-postgres.sh npx vitest run test/store
# Starts PostgreSQL (15 or newer, from Debian's postgresql package; installed with apt-get when
# missing) in a temporary folder on 127.0.0.1 and a free port, exports LAKECAT_TEST_PG_URL (and
# LAKECAT_TEST_PSQL, its psql, and LAKECAT_TEST_PG_CTL, its pg_ctl with its folder and options
# as the right user, for a shell: `bash -c "$LAKECAT_TEST_PG_CTL stop -m immediate"`), runs the
# command, then stops the server and deletes the folder.
# PostgreSQL refuses to run as root, so as root the server runs as the `postgres` user.
set -euo pipefail

find_pg_bin() {
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -t/ -k5 -n -r); do
    local v
    v=$(basename "$(dirname "$d")")
    if [ "${v%%.*}" -ge 15 ] && [ -x "$d/initdb" ]; then
      echo "$d"
      return 0
    fi
  done
  return 1
}

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi
}

PG_BIN=$(find_pg_bin || true)
if [ -z "$PG_BIN" ]; then
  echo "with-postgres: installing PostgreSQL with apt-get" >&2
  as_root apt-get update -q
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q postgresql >&2
  PG_BIN=$(find_pg_bin) || { echo "with-postgres: no PostgreSQL 15+ found after install" >&2; exit 1; }
fi

DATA=$(mktemp -d -t lakecat-pg.XXXXXX)
PORT=$(node -e "const s=require('net').createServer();s.listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")

if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir "$DATA" postgres
  chown postgres "$DATA"
  as_pg() { runuser -u postgres -- "$@"; }
else
  as_pg() { "$@"; }
fi

stop() {
  as_pg "$PG_BIN/pg_ctl" -D "$DATA/db" -m fast -w stop >/dev/null 2>&1 || true
  rm -rf "$DATA"
}
trap stop EXIT

PG_OPTS="-c listen_addresses=127.0.0.1 -p $PORT -k $DATA -c max_connections=300 -c shared_buffers=256MB"
as_pg "$PG_BIN/initdb" -D "$DATA/db" -U postgres --auth=trust --no-locale -E UTF8 >/dev/null
as_pg "$PG_BIN/pg_ctl" -D "$DATA/db" -l "$DATA/db/server.log" -w -o "$PG_OPTS" start >/dev/null

export LAKECAT_TEST_PG_URL="postgres://postgres@127.0.0.1:$PORT/postgres"
# Its psql, for tests that make changes in PostgreSQL itself (the CDC scenario of conformance-tests/load).
export LAKECAT_TEST_PSQL="$PG_BIN/psql"
# pg_ctl with this server's folder, log and options (so `start` after a `stop` brings it back as it was).
pg_ctl_cmd="$PG_BIN/pg_ctl -D $DATA/db -l $DATA/db/server.log -o '$PG_OPTS' -w"
if [ "$(id -u)" -eq 0 ]; then pg_ctl_cmd="runuser -u postgres -- $pg_ctl_cmd"; fi
export LAKECAT_TEST_PG_CTL="$pg_ctl_cmd"
echo "with-postgres: PostgreSQL $("$PG_BIN/postgres" --version | awk '{print $3}') at $LAKECAT_TEST_PG_URL" >&2
set +e
"$@"
status=$?
set -e
exit $status
