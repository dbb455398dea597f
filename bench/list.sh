#!/bin/sh
# bench/list.sh — times `anef-dossier list` over 1,000 generated cases of 50
# events each (the target of DESIGN.md: under 200 ms), with the real binary,
# process start included. The cases are written by the Go test helper
# genCases (cmd/anef-dossier/list_bench_test.go): filled dossier.yaml from the
# init template, hash-chained journals spread over every protocol.
#
#   sh bench/list.sh            # 10 runs per case
#   RUNS=30 sh bench/list.sh
set -eu
cd "$(dirname "$0")/.."
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT INT TERM
runs=${RUNS:-10}

go build -o "$work/anef-dossier" ./cmd/anef-dossier
ANEF_BENCH_GEN="$work/cases" go test ./cmd/anef-dossier -run '^TestGenerateListCases$' -count=1 >/dev/null
export ANEF_DOSSIER_CACHE="$work/cache" ANEF_DOSSIER_TEST_NOW=2026-03-25T10:00:00Z
echo "cas : $(find "$work/cases" -name journal.jsonl | wc -l) dossiers, $(cat "$work"/cases/*/*/journal.jsonl | wc -l) événements"

# measure LABEL PREPARE ARGS...: PREPARE runs before each timed run. Prints
# the wall-clock time (min, median, max) and the median CPU time (user +
# system, both cores added): on a loaded machine the CPU time moves less.
measure() {
	label=$1 prepare=$2
	shift 2
	"$work/anef-dossier" list "$work/cases" "$@" >/dev/null # warm-up
	i=0
	: >"$work/times"
	while [ "$i" -lt "$runs" ]; do
		eval "$prepare"
		/usr/bin/time -f '%e %U %S' -o "$work/t" "$work/anef-dossier" list "$work/cases" "$@" >/dev/null
		cat "$work/t" >>"$work/times"
		i=$((i + 1))
	done
	awk '{printf "%d\n", $1 * 1000}' "$work/times" | sort -n >"$work/wall"
	awk '{printf "%d\n", ($2 + $3) * 1000}' "$work/times" | sort -n >"$work/cpu"
	n=$(wc -l <"$work/wall")
	m=$(((n + 1) / 2))
	printf "%-40s réel : min %4d ms, médiane %4d ms, max %4d ms ; CPU médian %4d ms (%d exécutions)\n" "$label" \
		"$(sed -n 1p "$work/wall")" "$(sed -n "${m}p" "$work/wall")" "$(sed -n "${n}p" "$work/wall")" "$(sed -n "${m}p" "$work/cpu")" "$n"
}

measure "list, dossiers inchangés (cache)" ":"
measure "list --json, dossiers inchangés (cache)" ":" --json
measure "list, premier passage (cache vide)" "rm -rf '$work/cache'"
measure "list --no-cache (tout relu)" ":" --no-cache
echo "machine : $(nproc) cœurs, $(go version | cut -d' ' -f3), charge moyenne $(cut -d' ' -f1-3 /proc/loadavg)"
