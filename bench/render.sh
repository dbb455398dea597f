#!/bin/sh
# Benchmark of `anef-dossier render dossier` against img2pdf (issue 4, docs/BENCHMARKS.md, section "Rendu").
#
# A case of 100 pieces is generated once (bench/rendergen: full-page screenshots 1366 px wide, 3,000 to
# 6,000 px tall, and multi-page PDFs standing for scanned documents); then, in the same run, each tool is
# timed three times with /usr/bin/time -v: render dossier on the whole case, img2pdf on the same
# screenshots. Reported: median wall time, peak memory (maximum resident set size), output size against
# the total size of the inputs.
#
#   bench/render.sh [WORKDIR]      (needs img2pdf: apt-get install -y img2pdf)
set -eu
cd "$(dirname "$0")/.."
WORK=${1:-${TMPDIR:-/tmp}/anef-bench-render}
mkdir -p "$WORK"
command -v img2pdf >/dev/null || { echo "img2pdf absent : apt-get install -y img2pdf" >&2; exit 1; }
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
