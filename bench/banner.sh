#!/bin/sh
# bench/banner.sh — the banner of a 1366x10000 full-page capture (issue 15,
# point 2: under 150 ms, lossless, file no bigger than today's by more than
# 10 %). Chromium takes a real screenshot of a long local page; then, on it
# and on the synthetic page of the Go benchmark:
#   - BenchmarkBanner1366x10000 of this version and of the reference (REF,
#     default: the commit before the banner read its screenshot as a
#     stream), their test binaries run in turn, ROUNDS times, with the CPU
#     time (user + system) of each run beside;
#   - the encoder's trade-off table (BenchmarkPNGEncoders): image/png
#     decoding and encoding, the row reader, the banded encoder under each
#     setting (flate level, row filter, rows per band, workers), time and
#     size.
#
#   sh bench/banner.sh
#   ROUNDS=5 REF=<commit> sh bench/banner.sh
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
W=$(mktemp -d)
trap 'rm -rf "$W"' EXIT INT TERM
rounds=${ROUNDS:-3}

. "$ROOT/bench/lib.sh"
find_chromium

ref=${REF:-}
if [ -z "$ref" ]; then
	added=$(git log -1 --format=%H --diff-filter=A -- capture/pngrows.go 2>/dev/null || true)
	[ -n "$added" ] && ref=$(git rev-parse "$added^")
fi
go test -c -o "$W/new.test" ./capture
echo "mesuré : $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- . 2>/dev/null || echo ' (modifié)')"
if [ -n "$ref" ]; then
	mkdir "$W/ref"
	git archive "$ref" | tar -x -C "$W/ref"
	(cd "$W/ref" && go test -c -o "$W/ref.test" ./capture)
	echo "référence : $(git log -1 --format='%h %s' "$ref" | cut -c1-90)"
fi

# A long page like the ones captured (80 sections of text, alerts, tables).
{
	echo '<!doctype html><html lang="fr"><head><meta charset="utf-8"><style>body{font-family:sans-serif;margin:24px}td{border:1px solid #ccc;padding:4px}</style></head><body>'
	for i in $(seq 80); do
		echo "<h2>Section $i : prendre un rendez-vous en préfecture</h2><p style=\"border-left:4px solid #ce0500;background:#ffe9e9;padding:12px\">Aucun créneau disponible ($i). Veuillez réessayer ultérieurement.</p>"
		echo "<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit $i. Integer nec odio. Praesent libero. Sed cursus ante dapibus diam. Sed nisi. Nulla quis sem at nibh elementum imperdiet. Duis sagittis ipsum. Praesent mauris. Fusce nec tellus sed augue semper porta. Mauris massa.</p>"
		echo "<table><tr><td>Titre de séjour</td><td>Numéro $i$i</td><td>Préfecture</td></tr></table>"
	done
	echo '</body></html>'
} >"$W/long.html"
FLAGS="--headless --disable-gpu --no-first-run --no-default-browser-check --disable-background-networking --disable-component-update --disable-sync --disable-quic --hide-scrollbars --window-size=1366,10000"
[ "$(id -u)" = 0 ] && FLAGS="$FLAGS --no-sandbox"
P=$(mktemp -d)
# shellcheck disable=SC2086
TMPDIR="$P" "$CHROMIUM" $FLAGS --user-data-dir="$P/profil" --screenshot="$W/long.png" "file://$W/long.html" >/dev/null 2>&1 || true
rm -rf "$P"
[ -s "$W/long.png" ] || { echo "capture Chromium impossible" >&2; exit 1; }
echo "capture : $("$CHROMIUM" --version 2>/dev/null), $(python3 -c "
import struct,sys; d=open(sys.argv[1],'rb').read(); w,h,b,c=struct.unpack('>IIBB',d[16:26])
print('%dx%d, %d bits, %s, %d octets' % (w, h, b, {2:'RGB',6:'RGBA'}.get(c,'type %d' % c), len(d)))" "$W/long.png")"

# bench BINARY PAGE LABEL: one run of the banner benchmark (10 banners),
# wall time per banner from Go, CPU time of the whole run from time(1).
bench() {
	ANEF_BANNER_PNG=$2 /usr/bin/time -f '%U %S' -o "$W/t" "$1" -test.run '^$' -test.bench 'Banner1366x10000$' -test.benchtime 10x -test.benchmem >"$W/out" 2>&1 || { cat "$W/out" >&2; exit 1; }
	ns=$(awk '/^BenchmarkBanner/ {print $3}' "$W/out")
	mb=$(awk '/^BenchmarkBanner/ {for (i = 1; i <= NF; i++) if ($i == "B/op") print $(i-1)}' "$W/out")
	printf "%-34s %6.0f ms par bandeau ; CPU du processus %5.2f s pour 10 bandeaux et la préparation ; %4.0f Mo alloués par bandeau\n" \
		"$3" "$(echo "$ns" | awk '{print $1 / 1e6}')" "$(awk '{print $1 + $2}' "$W/t")" "$(echo "$mb" | awk '{print $1 / 1e6}')"
	echo "$ns" >>"$W/$4.ns"
}
for page in "$W/long.png" ""; do
	name="capture Chromium"
	[ -z "$page" ] && name="page synthétique (tallPage)"
	echo "Bandeau, $name, $rounds tours (référence et mesuré en alternance) :"
	: >"$W/ref.ns"
	: >"$W/new.ns"
	i=0
	while [ "$i" -lt "$rounds" ]; do
		[ -x "$W/ref.test" ] && bench "$W/ref.test" "$page" "  référence" ref
		bench "$W/new.test" "$page" "  mesuré" new
		i=$((i + 1))
	done
	if [ -x "$W/ref.test" ]; then
		paste "$W/new.ns" "$W/ref.ns" | awk '{r = r sprintf(" %.2f", $1 / $2)} END {print "  rapport mesuré / référence, tour par tour :" r}'
	fi
	sort -n "$W/new.ns" | awk '{a[NR] = $1} END {printf "  mesuré, médiane : %.0f ms (cible < 150 ms : %s)\n", a[int((NR + 1) / 2)] / 1e6, (a[int((NR + 1) / 2)] < 150e6) ? "atteinte" : "NON atteinte"}'
done
echo "Encodeur PNG du bandeau, capture Chromium réelle (temps par image, taille en octets) :"
ANEF_BANNER_PNG="$W/long.png" "$W/new.test" -test.run '^$' -test.bench 'PNGEncoders' -test.benchtime 3x | grep -E '^Benchmark' |
	awk '{printf "  %-62s %6.0f ms %9d octets\n", $1, $3 / 1e6, $5}'
echo "machine : $(nproc) cœurs, $(go version | cut -d' ' -f3), charge moyenne $(cut -d' ' -f1-3 /proc/loadavg)"
