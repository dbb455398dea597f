#!/usr/bin/env bash
# Builds the command and vets every package, test files included (go vet
# type-checks each test binary), for the six targets of the release archives.
# Usage: scripts/crosscheck.sh [GOOS/GOARCH ...]
set -euo pipefail
cd "$(dirname "$0")/.."
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(linux/amd64 linux/arm64 windows/amd64 windows/arm64 darwin/amd64 darwin/arm64)
for t in "${targets[@]}"; do
  start=$SECONDS
  GOOS=${t%/*} GOARCH=${t#*/} CGO_ENABLED=0 go build -o /dev/null ./cmd/anef-dossier
  GOOS=${t%/*} GOARCH=${t#*/} CGO_ENABLED=0 go vet ./...
  echo "crosscheck: $t : binaire construit, go vet (paquets et tests) propre ($((SECONDS - start)) s)"
done
