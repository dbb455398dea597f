#!/bin/sh
# Benchmark of issue 15, point 3: series of captures, each in a fresh
# browser with a fresh profile.
#   A. `capture URL --every 1s --count N` of one local page (default N = 50);
#   B. `capture --urls FILE` of M local pages (default M = 20).
# For each: total time, peak memory (largest process, /usr/bin/time -v), and
# the reference of the same run: the same number of cold
# `chromium --headless --screenshot` runs (a fresh profile each), one after
# the other, and the ratio to it. While the command runs, the browsers
# started from its temporary folder are counted every 0.2 s (at most one
# capturing, plus the previous one finishing its exit; the pattern's [-] keeps
# grep from counting itself); afterwards, none may
# be left, nor any entry in that folder (exits non-zero otherwise).
#
#   bench/series.sh [N] [M]
#
# Needs: go, chromium, python3.
set -eu
N=${1:-50}
M=${2:-20}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d)
SERVER=
trap 'kill $SERVER 2>/dev/null; rm -rf "$W"' EXIT INT TERM
. "$ROOT/bench/lib.sh"
find_chromium
(cd "$ROOT" && go build -o "$W/anef-dossier" ./cmd/anef-dossier)
mkdir "$W/site" "$W/tmp" "$W/ref"
for i in $(seq 0 "$M"); do
	cat > "$W/site/page$i.html" <<HTML
<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Prendre un rendez-vous ($i)</title></head>
<body><h1>Préfecture de test n°$i</h1><p>Aucun créneau disponible. Veuillez réessayer ultérieurement.</p></body></html>
HTML
done
serve_dir "$W/site"
BASE="http://127.0.0.1:$PORT"
for i in $(seq 50); do python3 -c "import urllib.request; urllib.request.urlopen('$BASE/page0.html')" 2>/dev/null && break; sleep 0.1; done
: > "$W/urls.txt"
for i in $(seq "$M"); do echo "$BASE/page$i.html" >> "$W/urls.txt"; done

# The reference gets exactly the switches the tool gives its Chromium.
tool_switches "$W/anef-dossier" "$BASE/page0.html" "$W/switches"
echo "commutateurs des deux (ceux que l'outil donne à Chromium) : $FLAGS"
now() { python3 -c 'import time; print(time.monotonic())'; }

# reference K URL...: K cold chromium --screenshot runs, prints the seconds.
reference() {
	k=$1; shift
	t0=$(now)
	i=0
	while [ "$i" -lt "$k" ]; do
		for u in "$@"; do
			[ "$i" -lt "$k" ] || break
			P=$(mktemp -d "$W/ref/p.XXXXXX")
			reference_chromium "$P" --user-data-dir="$P/profil" --screenshot="$W/ref/shot.png" "$u" >/dev/null 2>&1
			rm -rf "$P"
			i=$((i + 1))
		done
	done
	python3 -c "print(f'{$(now) - $t0:.1f}')"
}

# watch FILE: samples the browsers of the series (main processes, with a
# --user-data-dir under $W/tmp) and the capture folders, every 0.2 s.
watch() {
	: > "$1"
	while :; do
		b=$(ps -eo args= | grep -- "[-]-user-data-dir=$W/tmp/" | grep -vc -- "--type=" || true)
		d=$(ls -A "$W/tmp" | wc -l)
		echo "$b $d" >> "$1"
		sleep 0.2
	done
}

# run LABEL K ARGS...: the command under /usr/bin/time, its figures, the checks.
run() {
	label=$1; k=$2; shift 2
	rm -rf "$W/cas"; "$W/anef-dossier" init "$W/cas" --protocol rdv-indisponible >/dev/null
	watch "$W/samples" & WATCH=$!
	TMPDIR="$W/tmp" /usr/bin/time -v "$W/anef-dossier" -C "$W/cas" capture "$@" >/dev/null 2>"$W/time" || { kill $WATCH; tail -20 "$W/time" >&2; exit 1; }
	kill $WATCH
	wait $WATCH 2>/dev/null || true
	T=$(awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(j=1;j<=n;j++) s=s*60+a[j]; print s}' "$W/time")
	MEM=$(awk -F': ' '/Maximum resident set size/ {print int($2/1024)}' "$W/time")
	PIECES=$(ls "$W/cas/pieces" | grep -c '^[0-9]*-capture\.png$' || true)
	MAXB=$(awk 'BEGIN{m=0} {if ($1>m) m=$1} END{print m}' "$W/samples")
	MAXD=$(awk 'BEGIN{m=0} {if ($2>m) m=$2} END{print m}' "$W/samples")
	LEFT=$(ps -eo args= | grep -c -- "[-]-user-data-dir=$W/tmp" || true)
	REST=$(ls -A "$W/tmp" | wc -l)
	REF=$(reference "$k" $REFURLS)
	echo "$label : $PIECES pièces en ${T} s ($(python3 -c "print(f'{$T/$k:.2f}')") s par capture), mémoire max ${MEM} Mo ;" \
		"référence ($k × chromium --headless --screenshot à froid) ${REF} s ; rapport $(python3 -c "print(f'{$T/$REF:.2f}')")×"
	echo "  pendant la série : au plus $MAXB navigateur(s) à la fois, au plus $MAXD dossier(s) temporaire(s) ; après : $LEFT processus, $REST entrée(s) dans le TMPDIR"
	[ "$PIECES" = "$k" ] || { echo "pièces manquantes ($PIECES sur $k)" >&2; exit 1; }
	[ "$LEFT" = 0 ] && [ "$REST" = 0 ] || { echo "fuite après la série" >&2; exit 1; }
}

echo "machine : $(nproc) cœurs, $(awk '/MemTotal/ {print int($2/1024)}' /proc/meminfo) Mo ; $("$CHROMIUM" --version 2>/dev/null) ; $(go version | cut -d' ' -f3) ; charge au départ $(cut -d' ' -f1-3 /proc/loadavg)"
REFURLS="$BASE/page0.html"
run "A. --every 1s --count $N, une adresse" "$N" "$BASE/page0.html" --every 1s --count "$N"
REFURLS=$(cat "$W/urls.txt")
run "B. --urls, $M adresses" "$M" --urls "$W/urls.txt"
