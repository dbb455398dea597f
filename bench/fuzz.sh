#!/bin/sh
# Runs every fuzz target of issue 6 for FUZZTIME each (default 60s), one at a
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
	./render:FuzzParseMail; do
	pkg="${target%%:*}"
	name="${target#*:}"
	echo "== $name ($pkg), $t"
	go test -run '^$' -fuzz "^${name}\$" -fuzztime "$t" -fuzzminimizetime 5s -parallel 1 "$pkg"
done
echo "== aucun plantage"
