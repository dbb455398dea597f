#!/usr/bin/env bash
# For each of the six targets of the release archives: `go vet` of every
# package with its tests, then the command and every test binary compiled and
# linked (go test -c), nothing run.
#
# -trimpath and CGO_ENABLED=0 as in scripts/release.sh, so that the packages
# compiled here are the ones the release build finds in the Go cache. Test
# binaries are linked without symbols (-s -w) into a folder removed at once:
# the link is what is checked, not the result.
# Usage: scripts/crosscheck.sh [GOOS/GOARCH ...]
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(linux/amd64 linux/arm64 windows/amd64 windows/arm64 darwin/amd64 darwin/arm64)
export CGO_ENABLED=0
bins=$(mktemp -d)
trap 'rm -rf "$bins"' EXIT
for t in "${targets[@]}"; do
  start=$SECONDS
  export GOOS=${t%/*} GOARCH=${t#*/}
  go vet -trimpath ./...
  go build -trimpath -ldflags "-s -w" -o "$bins/" ./cmd/anef-dossier
  # -vet=off: go vet above already ran every check on the same files.
  go test -c -trimpath -vet=off -ldflags "-s -w" -o "$bins/" ./... >/dev/null
  n=$(find "$bins" -name '*.test' -o -name '*.test.exe' | wc -l)
  [ "$n" -ge 5 ] || { echo "crosscheck : $t : $n binaires de test seulement" >&2; exit 1; }
  rm -rf "${bins:?}"/*
  echo "crosscheck : $t : go vet (paquets et tests) propre, binaire et $n binaires de test construits ($((SECONDS - start)) s)"
done
unset GOOS GOARCH
