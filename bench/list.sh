#!/bin/sh
# bench/list.sh — times `anef-dossier list` over 1,000 generated cases of 50
# events each (target: the first list after the cases were written ≤ 100 ms
# wall; ≤ 1 s for 10,000 cases), with the real binary, process start
# included, side by side in the same run with the reference: the commit
# before the per-case summaries (the parent of the commit that removed
# protocol/listcache.go; REF=commit to choose another).
#
# The cases are written by the Go test helper genCases
# (cmd/anef-dossier/list_bench_test.go): filled dossier.yaml, hash-chained
# journals spread over every protocol; then each case's lock is taken and
# released as a command does, which writes its summary. The dossier.yaml
# template is the reference's (an older version refuses the keys added
# since, such as civilite; the current version opens older case folders), so
# that both versions list the same cases without error.
#
#   sh bench/list.sh            # 10 runs per line
#   RUNS=30 sh bench/list.sh
#   CASES10K=0 sh bench/list.sh # without the 10,000-case lines
set -eu
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
runs=${RUNS:-10}

go build -o "$work/anef-dossier" ./cmd/anef-dossier
ref=${REF:-}
if [ -z "$ref" ]; then
	gone=$(git log -1 --format=%H --diff-filter=D -- protocol/listcache.go 2>/dev/null || true)
	[ -n "$gone" ] && ref=$(git rev-parse "$gone^")
fi
if [ -n "$ref" ]; then
	mkdir "$work/ref"
	git archive "$ref" | tar -x -C "$work/ref"
	(cd "$work/ref" && go build -o "$work/anef-ref" ./cmd/anef-dossier)
	echo "référence : $(git log -1 --format='%h %s' "$ref" | cut -c1-90)"
else
	echo "référence : aucune (REF=commit pour en choisir une)"
fi
echo "mesuré : $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (modifié)')"

tmpl=
[ -f "$work/ref/templates/dossier.yaml.tmpl" ] && tmpl=$work/ref/templates/dossier.yaml.tmpl
gen() { # gen DIR N
	ANEF_BENCH_TEMPLATE="$tmpl" ANEF_BENCH_GEN="$1" ANEF_BENCH_CASES="$2" go test ./cmd/anef-dossier -run '^TestGenerateListCases$' -count=1 -timeout 30m >/dev/null
}

# measure LABEL BINARY CASES PREPARE ARGS...: PREPARE runs before each timed
# run. Prints the wall-clock time (min, median, max) and the median CPU time
# (user + system, both cores added): on a loaded machine the CPU time moves
# less.
measure() {
	label=$1 bin=$2 cases=$3 prepare=$4
	shift 4
	eval "$prepare"
	"$bin" list "$cases" "$@" >/dev/null 2>&1 # warm-up (page cache)
	i=0
	: >"$work/times"
	while [ "$i" -lt "$runs" ]; do
		eval "$prepare"
		/usr/bin/time -f '%e %U %S' -o "$work/t" "$bin" list "$cases" "$@" >/dev/null 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
		cat "$work/t" >>"$work/times"
		i=$((i + 1))
	done
	awk '{printf "%d\n", $1 * 1000}' "$work/times" | sort -n >"$work/wall"
	awk '{printf "%d\n", ($2 + $3) * 1000}' "$work/times" | sort -n >"$work/cpu"
	n=$(wc -l <"$work/wall")
	m=$(((n + 1) / 2))
	printf "%-58s réel : min %5d ms, médiane %5d ms, max %5d ms ; CPU médian %5d ms (%d exécutions)\n" "$label" \
		"$(sed -n 1p "$work/wall")" "$(sed -n "${m}p" "$work/wall")" "$(sed -n "${n}p" "$work/wall")" "$(sed -n "${m}p" "$work/cpu")" "$n"
}

# Same cases: the reference and this version list the same case folders,
# persons and protocols, none in error. Next steps and deadlines are not
# compared: the legal engine changed since the reference (new deadlines,
# other titles), and the JSON keys went from French to English.
check_same() { # check_same CASES
	[ -x "$work/anef-ref" ] || return 0
	ANEF_DOSSIER_CACHE=off "$work/anef-ref" list --json "$1" >"$work/ref.json" 2>/dev/null || true
	"$work/anef-dossier" list --json "$1" >"$work/new.json" 2>/dev/null || true
	python3 - "$work/ref.json" "$work/new.json" <<'PY'
import json, sys
def rows(path):
    out = []
    for e in json.load(open(path)):
        p = e.get("person") or e.get("personne") or {}
        out.append((e.get("case", e.get("dossier")), p.get("surname", p.get("nom")), p.get("first_names", p.get("prenoms")),
                    e.get("protocol", e.get("protocole")), bool(e.get("error", e.get("erreur")))))
    return sorted(out)
ref, new = rows(sys.argv[1]), rows(sys.argv[2])
errors = sum(r[4] for r in ref) + sum(r[4] for r in new)
if ref == new and errors == 0:
    print("mêmes dossiers, personnes et protocoles que la référence, aucun en erreur : oui (%d dossiers)" % len(new))
else:
    print("mêmes dossiers, personnes et protocoles que la référence, aucun en erreur : NON (%d/%d dossiers, %d en erreur)" % (len(ref), len(new), errors))
    for a, b in zip(ref, new):
        if a != b:
            print("  référence :", a, "\n  mesuré    :", b)
            break
PY
}

gen "$work/cases" 1000
echo "cas : $(find "$work/cases" -name journal.jsonl | wc -l) dossiers, $(cat "$work"/cases/*/*/journal.jsonl | wc -l) événements"
check_same "$work/cases"
new=$work/anef-dossier
refbin=$work/anef-ref
if [ -x "$refbin" ]; then
	measure "avant : list, premier passage (cache vide)" "$refbin" "$work/cases" "rm -rf '$work/cache'; export ANEF_DOSSIER_CACHE='$work/cache'"
	measure "avant : list, dossiers inchangés (cache chaud)" "$refbin" "$work/cases" ":"
	measure "avant : list --no-cache (tout relu)" "$refbin" "$work/cases" ":" --no-cache
fi
measure "après : list, premier passage (résumés à jour)" "$new" "$work/cases" ":"
measure "après : list --json (résumés à jour)" "$new" "$work/cases" ":" --json
measure "après : list --no-cache (tout replié)" "$new" "$work/cases" ":" --no-cache

if [ "${CASES10K:-1}" != 0 ]; then
	rm -rf "$work/cases" "$work/cache"
	gen "$work/cases10k" 10000
	echo "cas : $(find "$work/cases10k" -name journal.jsonl | wc -l) dossiers"
	runs=$(((runs + 1) / 2))
	if [ -x "$refbin" ]; then
		measure "avant : 10 000 dossiers, premier passage (cache vide)" "$refbin" "$work/cases10k" "rm -rf '$work/cache'; export ANEF_DOSSIER_CACHE='$work/cache'"
	fi
	measure "après : 10 000 dossiers, premier passage (résumés à jour)" "$new" "$work/cases10k" ":"
fi
echo "machine : $(nproc) cœurs, $(go version | cut -d' ' -f3), charge moyenne $(cut -d' ' -f1-3 /proc/loadavg)"
