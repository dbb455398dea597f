#!/bin/sh
# Benchmark of issues 3 and 15: `anef-dossier capture` against `chromium
# --headless --screenshot` on the same local page, with the same switches, in
# the same run, cold (a new browser
# and a new empty profile each time, its temporary files removed afterwards as
# the tool does), median of N runs (default 7); then the cost of the hashes
# for a 1366x10000 page (Go benchmark). The banner has its own script,
# bench/banner.sh.
#
#   bench/capture.sh [N]
#
# Needs: go, chromium (Debian), python3 (local page server).
set -eu
N=${1:-7}
[ "$N" -ge 5 ] || { echo "N doit valoir au moins 5" >&2; exit 2; }
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d)
SERVER=
trap 'kill $SERVER 2>/dev/null; rm -rf "$W"' EXIT INT TERM

. "$ROOT/bench/lib.sh"
find_chromium
(cd "$ROOT" && go build -o "$W/anef-dossier" ./cmd/anef-dossier)

# A page like the ones captured: styles, an image, a form, French text.
mkdir "$W/site"
cat > "$W/site/index.html" <<'HTML'
<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Prendre un rendez-vous</title>
<style>body{font-family:sans-serif;margin:0}header{background:#000091;color:#fff;padding:24px}main{padding:24px;max-width:900px}
.alerte{border-left:4px solid #ce0500;background:#ffe9e9;padding:16px}footer{color:#666;padding:24px}</style></head>
<body><header><h1>Préfecture de test — Titres de séjour</h1></header><main>
<h2>Choix d'un créneau</h2><p class="alerte">Aucun créneau disponible. Veuillez réessayer ultérieurement.</p>
<img src="logo.svg" width="120" height="60" alt="logo">
<form><label>Numéro étranger <input name="n"></label><button>Valider</button></form>
<p>Lorem ipsum dolor sit amet, consectetur adipiscing elit. Integer nec odio. Praesent libero. Sed cursus ante dapibus diam.</p>
</main><footer>Ministère de l'Intérieur</footer></body></html>
HTML
cat > "$W/site/logo.svg" <<'SVG'
<svg xmlns="http://www.w3.org/2000/svg" width="120" height="60"><rect width="120" height="60" fill="#000091"/><text x="10" y="38" fill="#fff" font-size="20">RF</text></svg>
SVG
serve_dir "$W/site"
URL="http://127.0.0.1:$PORT/index.html"
for i in $(seq 50); do python3 -c "import urllib.request; urllib.request.urlopen('$URL')" 2>/dev/null && break; sleep 0.1; done

"$W/anef-dossier" init "$W/cas" --protocol rdv-indisponible >/dev/null
# The reference gets exactly the switches the tool gives its Chromium.
tool_switches "$W/anef-dossier" "$URL" "$W/switches"

now() { python3 -c 'import time; print(time.monotonic())'; }
: > "$W/chromium.t"; : > "$W/anef.t"
for i in $(seq "$N"); do
	P=$(mktemp -d)
	t0=$(now)
	reference_chromium "$P" --user-data-dir="$P/profil" --screenshot="$W/shot.png" "$URL" >/dev/null 2>&1
	rm -rf "$P"
	t1=$(now)
	ANEF_DOSSIER_CHROMIUM=$CHROMIUM "$W/anef-dossier" -C "$W/cas" capture "$URL" >/dev/null
	t2=$(now)
	echo "$t0 $t1" | awk '{printf "%.3f\n", $2-$1}' >> "$W/chromium.t"
	echo "$t1 $t2" | awk '{printf "%.3f\n", $2-$1}' >> "$W/anef.t"
done
median() { sort -n "$1" | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else printf "%.3f\n", (a[NR/2]+a[NR/2+1])/2}'; }
MC=$(median "$W/chromium.t"); MA=$(median "$W/anef.t")
echo "Chromium : $("$CHROMIUM" --version 2>/dev/null)"
echo "page : $URL (locale), $N mesures à froid, en alternance"
echo "chromium --headless --screenshot : médiane ${MC} s ($(tr '\n' ' ' < "$W/chromium.t"))"
echo "anef-dossier capture             : médiane ${MA} s ($(tr '\n' ' ' < "$W/anef.t"))"
echo "commutateurs des deux (ceux que l'outil donne à Chromium) : $FLAGS"
echo "$MA $MC" | awk '{printf "rapport : %.3fx (cible <= 1.0x)\n", $1/$2}'
echo
echo "Empreintes SHA-256 d'une page de 1366x10000 (le bandeau : bench/banner.sh) :"
(cd "$ROOT" && go test ./capture/ -run '^$' -bench 'Hashes1366x10000' -benchtime 5x -count 1 | grep -E '^Benchmark')
