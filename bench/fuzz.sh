#!/bin/sh
# Runs every fuzz target (issues 6 and 16) for FUZZTIME each (default 60s), one at a
# time, one worker (the machine is shared), and stops at the first crash.
# Usage: bench/fuzz.sh            (from the repository root)
#        FUZZTIME=10m bench/fuzz.sh
set -eu
cd "$(dirname "$0")/.."
t="${FUZZTIME:-60s}"
for target in \
	./protocol:FuzzParseJournal \
	./protocol:FuzzParseDossier \
	./tsa:FuzzVerify \
	./render:FuzzParseMail \
	./render:FuzzCheckImportPDF \
	./render:FuzzCheckImage; do
	pkg="${target%%:*}"
	name="${target#*:}"
	echo "== $name ($pkg), $t"
	log="$(mktemp)"
	if ! go test -run '^$' -fuzz "^${name}\$" -fuzztime "$t" -fuzzminimizetime 5s -parallel 1 "$pkg" >"$log" 2>&1; then
		tail -n 40 "$log"
		rm -f "$log"
		echo "== PLANTAGE : $name (entrée gardée dans $pkg/testdata/fuzz/$name/)"
		exit 1
	fi
	grep 'execs:' "$log" | tail -n 1
	rm -f "$log"
done
echo "== aucun plantage"
