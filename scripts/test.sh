#!/usr/bin/env bash
# Runs every test of anef-dossier: unit tests, testscript end-to-end scripts with
# real Chromium, real `openssl ts`, real qpdf/pdftotext checks.
# Usage: scripts/test.sh [extra go test flags]
# The fast tier, without Chromium nor the long reliability loops (under a
# minute on two cores): go test -short ./...
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
# CI runs every test: the fast tier (go test -short) is for a developer's loop.
for a in "$@"; do
  case "$a" in
  -short | -short=true | --short)
    if [ -n "$CI" ]; then
      echo "scripts/test.sh: -short refusé en CI (toute la suite doit tourner)" >&2
      exit 1
    fi
    ;;
  esac
done
exec go test -count=1 -timeout 40m "$@" ./...
