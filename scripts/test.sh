#!/usr/bin/env bash
# Runs every test of anef-dossier: unit tests, testscript end-to-end scripts with
# real Chromium, real `openssl ts`, real qpdf/pdftotext checks.
# Usage: scripts/test.sh [extra go test flags]
set -euo pipefail
cd "$(dirname "$0")/.."
missing=()
for bin in chromium qpdf pdftotext pdftoppm openssl; do
  command -v "$bin" >/dev/null 2>&1 || missing+=("$bin")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "scripts/test.sh: outils absents : ${missing[*]}" >&2
  echo "scripts/test.sh: installez-les : sudo apt-get install -y chromium qpdf poppler-utils openssl" >&2
  [ -n "${CI:-}" ] && exit 1
fi
export CI="${CI:-}"
exec go test -count=1 -timeout 40m "$@" ./...
