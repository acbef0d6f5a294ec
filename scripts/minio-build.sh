#!/usr/bin/env bash
# Builds the MinIO server that tests run against, from source with `go install` at a pinned
# version, once: the binary is cached and reused. Prints the binary's path on stdout.
#
#   LAKECAT_CACHE   cache folder (default: ~/.cache/lakecat); the binary goes to $LAKECAT_CACHE/bin
set -euo pipefail

# The MinIO repository's last commit (2026-02-12), which follows RELEASE.2025-10-15T17-29-55Z
# with bug fixes only (among them conditional-put quorum handling). Release tags are not
# semantic versions, so Go addresses the commit by this pseudo-version.
MINIO_VERSION="v0.0.0-20260212201848-7aac2a2c5b7c"

cache="${LAKECAT_CACHE:-$HOME/.cache/lakecat}"
bin="$cache/bin/minio-$MINIO_VERSION"

if [[ ! -x "$bin" ]]; then
  if ! command -v go >/dev/null; then
    echo "minio-build: Go is needed to build MinIO (go install github.com/minio/minio@$MINIO_VERSION)" >&2
    exit 1
  fi
  mkdir -p "$cache/bin"
  # Build into a private folder and rename, so concurrent runs never see a half-written binary.
  staging="$(mktemp -d "$cache/bin/.build.XXXXXX")"
  trap 'rm -rf "$staging"' EXIT
  echo "minio-build: building MinIO $MINIO_VERSION (first run only, a few minutes)..." >&2
  started=$SECONDS
  CGO_ENABLED=0 GOFLAGS=-trimpath GOBIN="$staging" go install "github.com/minio/minio@$MINIO_VERSION" >&2
  mv "$staging/minio" "$bin"
  echo "minio-build: built in $((SECONDS - started))s: $bin" >&2
fi

echo "$bin"
