#!/bin/sh
# Benchmark of `anef-dossier render dossier` against img2pdf (issue 4, docs/BENCHMARKS.md, section "Rendu").
#
# A case of 100 pieces is generated once (bench/rendergen: full-page screenshots 1366 px wide, 3,000 to
# 6,000 px tall, and multi-page PDFs standing for scanned documents); then, in the same run, each tool is
# timed three times with /usr/bin/time -v: render dossier on the whole case, img2pdf on the same
# screenshots. Reported: median wall time, peak memory (maximum resident set size), output size against
# the total size of the inputs.
#
# Then the flat-memory check (issue 15): cases of 100, 500 and 1,000 Mo of large pieces (bench/rendergen
# DIR NMo: captures 1366 px wide and 10,000 to 14,000 px tall, imported PDFs of 120 pages), `render dossier`
# and `render telerecours` on each, peak memory (maximum resident set size) printed for the three sizes;
# the dossier is checked with qpdf --check. SIZES="100 500 1000" (Mo) by default.
#
# Last, the render of a dossier with a 1 MB page title or e-mail Subject (review 1, M2).
#
#   bench/render.sh [WORKDIR]      (needs img2pdf and qpdf: apt-get install -y img2pdf qpdf)
set -eu
cd "$(dirname "$0")/.."
WORK=${1:-${TMPDIR:-/tmp}/anef-bench-render}
mkdir -p "$WORK"
command -v img2pdf >/dev/null || { echo "img2pdf absent : apt-get install -y img2pdf" >&2; exit 1; }
command -v qpdf >/dev/null || { echo "qpdf absent : apt-get install -y qpdf" >&2; exit 1; }
SIZES=${SIZES:-100 500 1000}
go build -o "$WORK/anef-dossier" ./cmd/anef-dossier
if [ ! -f "$WORK/cas-sources/captures.txt" ]; then
	echo "génération du dossier de 100 pièces (une à deux minutes)..."
	go run ./bench/rendergen "$WORK/cas" 100 20
fi
CAPS=$(cat "$WORK/cas-sources/captures.txt")
NCAPS=$(echo "$CAPS" | wc -l)
NPDF=$(ls "$WORK/cas/pieces" | grep -c '\.pdf$' || true)

run() { # label, command...
	label=$1; shift
	for i in 1 2 3; do
		/usr/bin/time -v "$@" >/dev/null 2>"$WORK/time.$label.$i" || { cat "$WORK/time.$label.$i" >&2; exit 1; }
	done
	for i in 1 2 3; do
		awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(j=1;j<=n;j++) s=s*60+a[j]; t=s}
			/Maximum resident set size/ {m=$2} END {printf "%.2f %d\n", t, m/1024}' "$WORK/time.$label.$i"
	done | sort -n | sed -n 2p
}

R=$(run render "$WORK/anef-dossier" -C "$WORK/cas" render dossier)
I=$(run img2pdf img2pdf $CAPS -o "$WORK/img2pdf.pdf")
PIECES=$(cat "$WORK"/cas/pieces/* | wc -c)
CAPSIZE=$(cat $CAPS | wc -c)
OUT=$(wc -c <"$WORK/cas/out/dossier.pdf")
IOUT=$(wc -c <"$WORK/img2pdf.pdf")
PAGES=$(pdfinfo "$WORK/cas/out/dossier.pdf" 2>/dev/null | awk '/^Pages/ {print $2}')
echo "pièces : $NCAPS captures + $NPDF PDF ($PIECES octets) ; dossier : $PAGES pages"
echo "render dossier : $(echo $R | cut -d' ' -f1) s, $(echo $R | cut -d' ' -f2) Mo max ; PDF $OUT octets = $(echo "scale=3; $OUT/$PIECES" | bc) x les pièces"
echo "img2pdf (captures seules) : $(echo $I | cut -d' ' -f1) s, $(echo $I | cut -d' ' -f2) Mo max ; PDF $IOUT octets = $(echo "scale=3; $IOUT/$CAPSIZE" | bc) x les captures"
echo "rapport de temps : $(echo "scale=2; $(echo $R | cut -d' ' -f1)/$(echo $I | cut -d' ' -f1)" | bc)"

# Flat memory: one run of each command per size (they are long; the memory
# figure does not depend on the machine's load).
one() { # label, command... -> "seconds peakMo"
	label=$1; shift
	/usr/bin/time -v "$@" >/dev/null 2>"$WORK/time.$label" || { cat "$WORK/time.$label" >&2; exit 1; }
	awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(j=1;j<=n;j++) s=s*60+a[j]; t=s}
		/Maximum resident set size/ {m=$2} END {printf "%.1f %d\n", t, m/1024}' "$WORK/time.$label"
}
echo
echo "mémoire à plat (charge au départ $(cut -d' ' -f1-3 /proc/loadavg)) :"
PEAKS=
for mo in $SIZES; do
	C="$WORK/cas-${mo}Mo"
	[ -f "$C-captures.txt" ] || go run ./bench/rendergen "$C" "${mo}Mo"
	P=$(cat "$C"/pieces/* | wc -c)
	NP=$(ls "$C/pieces" | wc -l)
	D=$(one "d$mo" "$WORK/anef-dossier" -C "$C" render dossier)
	qpdf --check "$C/out/dossier.pdf" >/dev/null || { echo "qpdf --check : dossier de $mo Mo invalide" >&2; exit 1; }
	OUT=$(wc -c <"$C/out/dossier.pdf")
	T=$(one "t$mo" "$WORK/anef-dossier" -C "$C" render telerecours)
	TOUT=$(cat "$C"/out/telerecours/* | wc -c)
	echo "$mo Mo ($NP pièces, $P octets) : render dossier $(echo $D | cut -d' ' -f1) s, $(echo $D | cut -d' ' -f2) Mo max, PDF = $(echo "scale=3; $OUT/$P" | bc) x les pièces, qpdf --check ok ; render telerecours $(echo $T | cut -d' ' -f1) s, $(echo $T | cut -d' ' -f2) Mo max, fichiers = $(echo "scale=3; $TOUT/$P" | bc) x les pièces"
	PEAKS="$PEAKS $(echo $D | cut -d' ' -f2)/$(echo $T | cut -d' ' -f2)"
	rm -rf "$C/out"
done
echo "pics de mémoire (dossier/telerecours, Mo) pour $SIZES Mo de pièces :$PEAKS (cible < 300 Mo, sans croissance)"

# Review 1, M2 (issue 16): a page title or an e-mail Subject of 1 MB (they come from outside and the journal
# keeps them for ever) against the same example case without them, in the same run; ns/op = one render dossier.
go test ./render -run '^$' -bench 'Dossier(Title1MB|Subject1MB|Reference)$' -benchtime 3x | awk '/^Benchmark/ {printf "%s : %.2f s par render dossier\n", $1, $3/1e9}'
