#!/usr/bin/env bash
# Runs every benchmark of the project in one go, each against its reference tool
# in the same run, and rewrites the generated block at the top of
# docs/BENCHMARKS.md (date, machine, what each script printed, ratios included).
# The hand-written analysis below the block is kept.
#
#   bench/run.sh            # all: capture, banner, render, verify, list, serve, series
#   bench/run.sh verify     # only some
#
# Needs: go, chromium, img2pdf, hyperfine, python3, curl (apt-get install -y chromium img2pdf hyperfine curl).
set -uo pipefail
cd "$(dirname "$0")/.."
doc=docs/BENCHMARKS.md
which=("$@")
[ ${#which[@]} -gt 0 ] || which=(capture banner render verify list serve series)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

{
  echo "<!-- bench/run.sh : début (bloc régénéré à chaque exécution ; ne pas modifier à la main) -->"
  echo "## Dernière exécution de bench/run.sh"
  echo
  echo "- Date : $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo "- Machine : $(uname -srm), $(nproc) cœurs, $(awk '/MemTotal/ {printf "%.0f Gio", $2/1048576}' /proc/meminfo), charge au départ $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "- Processeur : $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "- $(go version) ; $( (chromium --version || echo 'chromium absent') 2>/dev/null | head -1) ; $( (img2pdf --version || echo 'img2pdf absent') 2>&1 | head -1) ; $(sha256sum --version | head -1)"
  echo "- Commit : $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
  echo
  for b in "${which[@]}"; do
    script="bench/$b.sh"
    [ -f "$script" ] || { echo "bench/run.sh: $script absent" >&2; continue; }
    echo "bench/run.sh: $script…" >&2
    start=$(date +%s)
    if bash "$script" >"$out/$b.log" 2>"$out/$b.err"; then status="ok"; else status="ÉCHEC (code $?)"; fi
    echo "### $b — \`$script\` ($status, $(( $(date +%s) - start )) s)"
    echo
    echo '```'
    grep -v '^$' "$out/$b.log" | tail -40
    [ "$status" = ok ] || tail -5 "$out/$b.err"
    echo '```'
    echo
  done
  echo "<!-- bench/run.sh : fin -->"
} >"$out/block.md"

python3 - "$doc" "$out/block.md" <<'PY'
import re, sys, os
doc, block = sys.argv[1], open(sys.argv[2]).read()
text = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n"
pat = re.compile(r"<!-- bench/run.sh : début.*?<!-- bench/run.sh : fin -->\n?", re.S)
if pat.search(text):
    text = pat.sub(lambda m: block, text, count=1)
else:
    lines = text.split("\n", 1)
    text = lines[0] + "\n\n" + block + "\n" + (lines[1] if len(lines) > 1 else "")
tmp = doc + ".tmp"
open(tmp, "w").write(text)
os.replace(tmp, doc)
PY
echo "bench/run.sh: $doc réécrit" >&2
