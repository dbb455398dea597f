#!/usr/bin/env bash
# Runs every benchmark of the project in one go, each against its reference tool
# in the same run, and rewrites the generated block at the top of
# docs/BENCHMARKS.md (machine, versions, then per script what it printed with
# its date, commit and load, ratios included). Naming some scripts refreshes
# their sections only; the others are kept. The hand-written analysis below
# the block is kept.
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

# Each script's section carries its own date, commit and load; the sections
# of scripts not run this time are kept as they were.
{
  echo "- Machine : $(uname -srm), $(nproc) cœurs, $(awk '/MemTotal/ {printf "%.0f Gio", $2/1048576}' /proc/meminfo)"
  echo "- Processeur : $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
  echo "- $(go version) ; $( (chromium --version || echo 'chromium absent') 2>/dev/null | head -1) ; $( (img2pdf --version || echo 'img2pdf absent') 2>&1 | head -1) ; $(sha256sum --version | head -1) ; $(curl --version | head -1 | cut -d' ' -f1-2)"
} >"$out/head.md"
for b in "${which[@]}"; do
  script="bench/$b.sh"
  [ -f "$script" ] || { echo "bench/run.sh: $script absent" >&2; continue; }
  echo "bench/run.sh: $script…" >&2
  start=$(date +%s)
  load=$(cut -d' ' -f1-3 /proc/loadavg)
  if bash "$script" >"$out/$b.log" 2>"$out/$b.err"; then status="ok"; else status="ÉCHEC (code $?)"; fi
  {
    echo "### $b — \`$script\` ($status, $(( $(date +%s) - start )) s ; $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git rev-parse --short HEAD 2>/dev/null || echo '?'), charge au départ $load)"
    echo
    echo '```'
    grep -v '^$' "$out/$b.log" | tail -40
    [ "$status" = ok ] || tail -5 "$out/$b.err"
    echo '```'
    echo
  } >"$out/section-$b.md"
done

python3 - "$doc" "$out" "${which[@]}" <<'PY'
import re, sys, os
doc, out, order = sys.argv[1], sys.argv[2], ["capture", "banner", "render", "verify", "list", "serve", "series"]
text = open(doc).read() if os.path.exists(doc) else "# Benchmarks\n"
pat = re.compile(r"<!-- bench/run.sh : début.*?<!-- bench/run.sh : fin -->\n?", re.S)
old = pat.search(text)
# The sections of the current block, by script name.
sections = {}
if old:
    for m in re.finditer(r"^### (\S+) — .*?(?=^### \S+ — |^<!-- bench/run.sh : fin)", old.group(0), re.S | re.M):
        sections[m.group(1)] = m.group(0)
for name in os.listdir(out):
    if name.startswith("section-"):
        sections[name[len("section-"):-len(".md")]] = open(os.path.join(out, name)).read()
names = [n for n in order if n in sections] + sorted(n for n in sections if n not in order)
block = ("<!-- bench/run.sh : début (bloc régénéré par bench/run.sh, script par script ; ne pas modifier à la main) -->\n"
         "## Dernière exécution de bench/run.sh\n\n" + open(os.path.join(out, "head.md")).read() + "\n"
         + "".join(sections[n] for n in names) + "<!-- bench/run.sh : fin -->\n")
if old:
    text = text[:old.start()] + block + text[old.end():]
else:
    lines = text.split("\n", 1)
    text = lines[0] + "\n\n" + block + "\n" + (lines[1] if len(lines) > 1 else "")
tmp = doc + ".tmp"
open(tmp, "w").write(text)
os.replace(tmp, doc)
PY
echo "bench/run.sh: $doc réécrit" >&2
