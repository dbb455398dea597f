#!/bin/sh
# Benchmark of issue 15, point 3: a series of captures of one local page
# (`capture URL --every 1s --count N`, default N = 50), each in a fresh
# browser with a fresh profile. Prints the total time, the peak memory (the
# largest process, /usr/bin/time -v) and checks that nothing is left behind:
# no Chromium process started from the series' temporary folder, and that
# folder (TMPDIR of the command) empty afterwards.
#
#   bench/series.sh [N]
#
# Needs: go, chromium, python3. Not done: one capture of each of 20 URLs
# (there is no multi-URL capture yet).
set -eu
N=${1:-50}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
W=$(mktemp -d)
SERVER=
trap 'kill $SERVER 2>/dev/null; rm -rf "$W"' EXIT INT TERM
(cd "$ROOT" && go build -o "$W/anef-dossier" ./cmd/anef-dossier)
mkdir "$W/site" "$W/tmp"
cat > "$W/site/index.html" <<'HTML'
<!doctype html><html lang="fr"><head><meta charset="utf-8"><title>Prendre un rendez-vous</title></head>
<body><h1>Préfecture de test</h1><p>Aucun créneau disponible. Veuillez réessayer ultérieurement.</p></body></html>
HTML
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
(cd "$W/site" && exec python3 -m http.server "$PORT" --bind 127.0.0.1 >/dev/null 2>&1) &
SERVER=$!
URL="http://127.0.0.1:$PORT/index.html"
for i in $(seq 50); do python3 -c "import urllib.request; urllib.request.urlopen('$URL')" 2>/dev/null && break; sleep 0.1; done
"$W/anef-dossier" init "$W/cas" --protocol rdv-indisponible >/dev/null
echo "série de $N captures de $URL (--every 1s), charge au départ $(cut -d' ' -f1-3 /proc/loadavg)"
TMPDIR="$W/tmp" /usr/bin/time -v "$W/anef-dossier" -C "$W/cas" capture "$URL" --every 1s --count "$N" >/dev/null 2>"$W/time" || { tail -20 "$W/time" >&2; exit 1; }
awk -F': ' '/Elapsed \(wall clock\)/ {n=split($2,a,":"); s=0; for(j=1;j<=n;j++) s=s*60+a[j]; t=s}
	/Maximum resident set size/ {m=$2} END {printf "durée totale %.1f s (%.2f s par capture, intervalle de 1 s compris), mémoire max %d Mo (plus gros processus)\n", t, t/'"$N"', m/1024}' "$W/time"
PIECES=$(ls "$W/cas/pieces" | grep -c '\.png$' || true)
echo "fichiers PNG dans pieces/ : $PIECES"
LEFT=$(pgrep -f -- "--user-data-dir=$W/tmp" | wc -l || true)
REST=$(ls -A "$W/tmp" | wc -l)
echo "processus Chromium restants : $LEFT ; entrées restantes dans le TMPDIR de la série : $REST"
[ "$LEFT" = 0 ] && [ "$REST" = 0 ] || { echo "fuite après la série" >&2; exit 1; }
