#!/usr/bin/env bash
# Set-up and demonstration on a fresh Debian machine: installs what is missing
# (Chromium, qpdf, poppler-utils) when allowed, builds anef-dossier into ./bin,
# runs the offline demo, and prints how to open a real case.
# Usage: scripts/demo.sh [DEMO_FOLDER]
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

need=()
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v qpdf >/dev/null 2>&1 || need+=(qpdf)
command -v pdftotext >/dev/null 2>&1 || need+=(poppler-utils)
# The fonts a French public site may ask for, emoji included: without them
# the capture shows empty boxes where the page has text.
if command -v dpkg >/dev/null 2>&1; then
  for p in fonts-noto-color-emoji fonts-liberation fonts-dejavu; do
    dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
  done
fi
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "Installation de : ${need[*]}"
    apt-get update -qq || true
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    echo "Installation de : ${need[*]}"
    sudo apt-get update -qq || true
    sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
  else
    echo "Il manque : ${need[*]}. Lancez d'abord : sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
fi
if ! command -v go >/dev/null 2>&1; then
  if [ -x /usr/local/go/bin/go ]; then export PATH="$PATH:/usr/local/go/bin"; else
    echo "Go est absent : installez Go 1.26 (https://go.dev/dl/) ou « sudo apt-get install golang » si votre version de Debian le fournit." >&2
    exit 1
  fi
fi
mkdir -p bin
go build -o bin/anef-dossier ./cmd/anef-dossier
echo "Binaire : $root/bin/anef-dossier"
demo="${1:-$root/demo-$(date +%Y%m%d-%H%M%S)}"
bin/anef-dossier demo "$demo"
cat <<TXT

Et maintenant un vrai dossier :
  $root/bin/anef-dossier init ~/dossiers/NOM --protocol bug-technique
  $root/bin/anef-dossier -C ~/dossiers/NOM check          # ce qu'il reste à remplir dans dossier.yaml
  $root/bin/anef-dossier -C ~/dossiers/NOM protocol next  # l'étape obligatoire suivante et sa commande
Guide complet : README.md, partie « Un vrai dossier, pas à pas ».
TXT
