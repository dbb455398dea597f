#!/usr/bin/env bash
# Builds the release archives of anef-dossier for six targets, reproducibly:
# the same commit gives the same bytes, on any machine with the same Go
# version (go.mod's toolchain line).
#   - binaries: CGO_ENABLED=0, -trimpath, empty build ID, version from the
#     git tag (git describe), no symbol table;
#   - archives (zip for Windows, tar.gz elsewhere): entries sorted, times set
#     to the commit's date (SOURCE_DATE_EPOCH), owner root;
#   - SHA256SUMS (the archives and the binaries inside) and one SBOM per
#     target: `go version -m` of the binary (every module and its version,
#     and the build settings).
# Usage: scripts/release.sh [OUTDIR]   (default dist/)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-dist}
version=$(git describe --tags --always --dirty 2>/dev/null || echo dev)
export SOURCE_DATE_EPOCH=${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct)}
export CGO_ENABLED=0 GOFLAGS=-mod=readonly TZ=UTC LC_ALL=C
rm -rf "$out" && mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/archive" ./scripts/archive
docs=(README.md)
for f in LICENSE LICENSE.md LICENCE COPYING; do [ -f "$f" ] && docs+=("$f"); done
for t in linux/amd64 linux/arm64 windows/amd64 windows/arm64 darwin/amd64 darwin/arm64; do
  os=${t%/*} arch=${t#*/}
  name=anef-dossier-$version-$os-$arch
  exe=anef-dossier; [ "$os" = windows ] && exe=anef-dossier.exe
  mkdir -p "$work/$name"
  GOOS=$os GOARCH=$arch go build -trimpath -buildvcs=true \
    -ldflags "-s -w -buildid= -X main.version=$version" -o "$work/$name/$exe" ./cmd/anef-dossier
  go version -m "$work/$name/$exe" | sed "s|$work/$name/||" > "$work/$name/SBOM.txt"
  cp "${docs[@]}" "$work/$name/"
  if [ "$os" = windows ]; then arc=$name.zip; else arc=$name.tar.gz; fi
  "$work/archive" "$out/$arc" "$name" "$work/$name"/*
  cp "$work/$name/SBOM.txt" "$out/$name.sbom.txt"
  (cd "$work" && sha256sum "$name/$exe") >> "$work/bins"
done
(cd "$out" && sha256sum -- *.zip *.tar.gz *.sbom.txt | sort -k2 > SHA256SUMS)
sort -k2 "$work/bins" >> "$out/SHA256SUMS"
echo "release.sh : $version, archives dans $out/ :"
cat "$out/SHA256SUMS"
