#!/usr/bin/env bash
# Benchmark: `anef-dossier verify` on a case of 100 pieces against `sha256sum` on
# the same files, same run (hyperfine, warm cache, ≥ 10 runs each).
# Usage: bench/verify.sh [OUT.md]   (prints a Markdown section; target ratio ≤ 1.2)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v hyperfine >/dev/null || { echo "hyperfine absent : apt-get install -y hyperfine" >&2; exit 1; }
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
go build -o "$work/anef-dossier" ./cmd/anef-dossier
bin="$work/anef-dossier"
"$bin" init "$work/cas" >/dev/null
for i in $(seq 1 100); do
  head -c 1048576 /dev/urandom > "$work/p$i.txt"
  "$bin" -C "$work/cas" piece add "$work/p$i.txt" >/dev/null
done
size=$(du -sm "$work/cas/pieces" | cut -f1)
hyperfine -N --warmup 3 --runs 15 --export-json "$work/h.json" \
  "$bin -C $work/cas verify" \
  "sha256sum $(ls "$work"/cas/pieces/* | tr '\n' ' ')" >/dev/null 2>&1
python3 - "$work/h.json" "$size" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"]
a, b = r[0]["median"], r[1]["median"]
print("### verify (100 pièces de 1 Mo, %s Mo)\n" % sys.argv[2])
print("| commande | médiane | min | max |\n|---|---|---|---|")
for name, x in (("anef-dossier verify", r[0]), ("sha256sum (mêmes fichiers)", r[1])):
    print("| %s | %.1f ms | %.1f ms | %.1f ms |" % (name, x["median"]*1000, x["min"]*1000, x["max"]*1000))
print("\nRapport anef-dossier / sha256sum : **%.2f×** (objectif ≤ 1,2×)." % (a / b))
PY
