#!/usr/bin/env bash
# Runs a command against a throwaway MinIO server listening only on loopback, then stops it:
#
#   bash scripts/with-minio.sh vitest run test/io
#
# The command sees LAKECAT_TEST_S3_ENDPOINT, LAKECAT_TEST_S3_REGION, LAKECAT_TEST_S3_BUCKET,
# LAKECAT_TEST_S3_ACCESS_KEY and LAKECAT_TEST_S3_SECRET_KEY, and LAKECAT_TEST_MINIO_PID (the
# server's process, for tests that pause it). The credentials are random per run
# and the data folder is temporary. If LAKECAT_TEST_S3_ENDPOINT is already set, that service is
# used as it is and no MinIO is started.
set -euo pipefail

if [[ $# -eq 0 ]]; then
  echo "usage: bash scripts/with-minio.sh <command> [args...]" >&2
  exit 2
fi

repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export PATH="$repo/node_modules/.bin:$PATH"

if [[ -n "${LAKECAT_TEST_S3_ENDPOINT:-}" ]]; then
  echo "with-minio: using the S3 service at $LAKECAT_TEST_S3_ENDPOINT from the environment" >&2
  exec "$@"
fi

minio="$(bash "$repo/scripts/minio-build.sh")"

work="$(mktemp -d "${TMPDIR:-/tmp}/lakecat-minio.XXXXXX")"
pid=""
stop_minio() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop_minio EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Two free loopback ports (API and console), held open together so they differ.
read -r port console_port < <(node -e '
  const net = require("node:net");
  const a = net.createServer(), b = net.createServer();
  a.listen(0, "127.0.0.1", () => b.listen(0, "127.0.0.1", () => {
    console.log(a.address().port, b.address().port); a.close(); b.close();
  }));')

access_key="lakecat-$(node -p 'require("node:crypto").randomBytes(4).toString("hex")')"
secret_key="$(node -p 'require("node:crypto").randomBytes(20).toString("hex")')"
bucket="lakecat-test"
endpoint="http://127.0.0.1:$port"

MINIO_ROOT_USER="$access_key" MINIO_ROOT_PASSWORD="$secret_key" \
  MINIO_BROWSER=off MINIO_UPDATE=off \
  "$minio" server "$work/data" --address "127.0.0.1:$port" --console-address "127.0.0.1:$console_port" --quiet \
  >"$work/minio.log" 2>&1 &
pid=$!

ready=""
for _ in $(seq 1 150); do
  if ! kill -0 "$pid" 2>/dev/null; then break; fi
  if node -e 'fetch(process.argv[1]).then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))' \
    "$endpoint/minio/health/ready" 2>/dev/null; then
    ready=1
    break
  fi
  sleep 0.2
done
if [[ -z "$ready" ]]; then
  echo "with-minio: MinIO did not become ready on $endpoint; its log:" >&2
  cat "$work/minio.log" >&2
  exit 1
fi

(cd "$repo" && LAKECAT_TEST_S3_ENDPOINT="$endpoint" LAKECAT_TEST_S3_ACCESS_KEY="$access_key" \
  LAKECAT_TEST_S3_SECRET_KEY="$secret_key" LAKECAT_TEST_S3_BUCKET="$bucket" NODE_NO_WARNINGS=1 node --input-type=module -e '
  import { S3Client, CreateBucketCommand } from "@aws-sdk/client-s3";
  const env = process.env;
  const client = new S3Client({
    endpoint: env.LAKECAT_TEST_S3_ENDPOINT, region: "us-east-1", forcePathStyle: true,
    credentials: { accessKeyId: env.LAKECAT_TEST_S3_ACCESS_KEY, secretAccessKey: env.LAKECAT_TEST_S3_SECRET_KEY },
  });
  await client.send(new CreateBucketCommand({ Bucket: env.LAKECAT_TEST_S3_BUCKET }));
  client.destroy();')

echo "with-minio: MinIO on $endpoint (pid $pid), bucket $bucket" >&2

export LAKECAT_TEST_S3_ENDPOINT="$endpoint"
export LAKECAT_TEST_S3_REGION="us-east-1"
export LAKECAT_TEST_S3_BUCKET="$bucket"
export LAKECAT_TEST_S3_ACCESS_KEY="$access_key"
export LAKECAT_TEST_S3_SECRET_KEY="$secret_key"
export LAKECAT_TEST_MINIO_PID="$pid"

# In the background and waited for, so that an INT or TERM sent to this script is handled at
# once (bash runs traps only between foreground commands): it is passed on to the command,
# and MinIO is stopped on the way out.
child=""
forward() {
  [[ -n "$child" ]] && kill -TERM "$child" 2>/dev/null
  wait "$child" 2>/dev/null || true
  exit "$1"
}
trap 'forward 130' INT
trap 'forward 143' TERM
status=0
"$@" <&0 &
child=$!
wait "$child" || status=$?
exit "$status"
