#!/bin/sh
# bench/serve.sh — `anef-dossier serve` over real HTTP (issue 12). Targets:
#   - page « Dossier » of a case of 200 pieces and 2,000 events: p95 ≤ 50 ms;
#   - page « Accueil » over 1,000 cases: ≤ 150 ms (p95 quoted);
#   - memory of the serve process with 1,000 cases: ≤ 100 MB RSS (peak,
#     VmHWM, after every request of the run).
#
# The real binary serves the generated cases on 127.0.0.1; the secret of the
# first URL is exchanged for the session cookie, then curl asks for each
# page RUNS times on one kept-alive connection and prints each request's
# time (curl's time_total: the server's time plus the loopback, so an upper
# bound of the server's time). The CPU time of the server process (user +
# system, from /proc) over the timed requests is printed beside.
#
# Cases come from the Go test helper genCases (cmd/anef-dossier/list_bench_test.go):
# 1,000 cases of 50 events with their summaries, as bench/list.sh; and one
# case of 2,000 events of which 200 pieces (journal entries of captures;
# the piece files are not written, the page does not read them) with every
# step recorded.
#
#   sh bench/serve.sh           # 200 requests per page
#   RUNS=500 sh bench/serve.sh
set -eu
cd "$(dirname "$0")/.."
work=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$work"
}
trap cleanup EXIT INT TERM
runs=${RUNS:-200}
hz=$(getconf CLK_TCK)

go build -o "$work/anef-dossier" ./cmd/anef-dossier
echo "mesuré : $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (modifié)')"

gen() { # gen DIR CASES EVENTS PIECES ALLSTEPS
	ANEF_BENCH_GEN="$1" ANEF_BENCH_CASES="$2" ANEF_BENCH_EVENTS="$3" ANEF_BENCH_PIECES="$4" ANEF_BENCH_ALL_STEPS="$5" \
		go test ./cmd/anef-dossier -run '^TestGenerateListCases$' -count=1 -timeout 30m >/dev/null
}
gen "$work/home" 1000 50 0 0
gen "$work/big" 1 2000 200 1
echo "cas : $(find "$work/home" -name journal.jsonl | wc -l) dossiers de 50 événements ; un dossier de $(cat "$work"/big/*/*/journal.jsonl | wc -l) événements dont $(grep -c '"type":"piece.added"' "$work"/big/*/*/journal.jsonl) pièces"

# serve ROOT: starts the server, sets base and pid, takes the cookie.
serve() {
	: >"$work/out"
	"$work/anef-dossier" serve --no-open "$1" >"$work/out" 2>&1 &
	pid=$!
	i=0
	until grep -q 'http://127.0.0.1' "$work/out"; do
		i=$((i + 1))
		[ "$i" -lt 300 ] || { cat "$work/out" >&2; echo "serve n'a pas démarré" >&2; exit 1; }
		sleep 0.1
	done
	first=$(grep -o 'http://127.0.0.1[^ ]*' "$work/out" | head -1)
	base=${first%%/?cle=*}
	rm -f "$work/jar"
	curl -sf -o /dev/null -c "$work/jar" -b "$work/jar" -L "$first" || { echo "échange de la clé refusé" >&2; exit 1; }
	# At start serve takes the attempts of plans that fell due (it reads
	# every case's journal): wait until its CPU time stops moving, and say
	# what that start cost.
	prev=-1
	while :; do
		now=$(cputicks)
		[ "$now" = "$prev" ] && break
		prev=$now
		sleep 0.5
	done
	awk -v t="$now" -v hz="$hz" -v r="$1" 'BEGIN {printf "démarrage de serve sur %s : %.0f ms de CPU (plans échus : lecture de chaque journal)\n", r, t * 1000 / hz}'
}

stop() {
	kill "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	pid=
}

cputicks() { # user + system ticks of the server so far
	awk '{print $14 + $15}' "/proc/$pid/stat"
}

# measure LABEL URL TARGET_MS: RUNS requests on one connection (after 5 not
# counted), prints min, median, p95, max and the server's CPU per request.
measure() {
	label=$1 url=$2 target=$3
	set --
	i=0
	while [ "$i" -lt 5 ]; do set -- "$@" -o /dev/null "$url"; i=$((i + 1)); done
	curl -sf -b "$work/jar" -w '%{http_code}\n' "$@" >"$work/codes"
	grep -qv '^200$' "$work/codes" && { echo "$label : réponse $(grep -v '^200$' "$work/codes" | head -1) au lieu de 200" >&2; exit 1; }
	set --
	i=0
	while [ "$i" -lt "$runs" ]; do set -- "$@" -o /dev/null "$url"; i=$((i + 1)); done
	c0=$(cputicks)
	curl -sf -b "$work/jar" -w '%{http_code} %{time_total} %{size_download}\n' "$@" >"$work/times"
	c1=$(cputicks)
	grep -qv '^200 ' "$work/times" && { echo "$label : réponse autre que 200" >&2; exit 1; }
	awk '{printf "%.1f\n", $2 * 1000}' "$work/times" | sort -n >"$work/ms"
	n=$(wc -l <"$work/ms")
	p50=$(sed -n "$(((n + 1) / 2))p" "$work/ms")
	p95=$(sed -n "$(((n * 95 + 99) / 100))p" "$work/ms")
	size=$(awk 'NR == 1 {printf "%d", $3 / 1024}' "$work/times")
	cpu=$(awk -v a="$c0" -v b="$c1" -v n="$n" -v hz="$hz" 'BEGIN {printf "%.1f", (b - a) * 1000 / hz / n}')
	verdict=$(awk -v p="$p95" -v t="$target" 'BEGIN {print (p <= t) ? "atteint" : "NON ATTEINT"}')
	printf "%-44s min %6.1f ms, médiane %6.1f ms, p95 %6.1f ms, max %6.1f ms ; CPU serveur %5s ms/requête ; %d Kio ; %d requêtes ; cible p95 ≤ %d ms : %s\n" \
		"$label" "$(sed -n 1p "$work/ms")" "$p50" "$p95" "$(sed -n "${n}p" "$work/ms")" "$cpu" "$size" "$n" "$target" "$verdict"
}

rss() { # LABEL: peak and current RSS of the server
	awk -v l="$1" '/^VmHWM/ {h = $2} /^VmRSS/ {r = $2} END {printf "%-44s pic %d Mio (VmHWM), actuelle %d Mio ; cible ≤ 100 Mo : %s\n", l, h / 1024, r / 1024, (h <= 100 * 1000) ? "atteint" : "NON ATTEINT"}' "/proc/$pid/status"
}

serve "$work/home"
measure "Accueil, 1 000 dossiers" "$base/" 150
measure "Accueil, recherche « nom0042 »" "$base/?q=nom0042" 150
rss "mémoire de serve, 1 000 dossiers"
stop

serve "$work/big"
rel=$(cd "$work/big" && ls -d */* | head -1)
enc=$(printf '%s' "$rel" | sed 's|/|%2F|g')
measure "Dossier, 200 pièces et 2 000 événements" "$base/d/$enc/" 50
measure "Pièces, 200 pièces (sans miniatures)" "$base/d/$enc/pieces" 150
rss "mémoire de serve, ce dossier"
stop
echo "machine : $(nproc) cœurs, $(go version | cut -d' ' -f3), $(curl --version | head -1 | cut -d' ' -f1-2), charge moyenne $(cut -d' ' -f1-3 /proc/loadavg)"
