# Shared by the benchmark scripts (sourced, POSIX sh).

# find_chromium sets CHROMIUM: ANEF_DOSSIER_CHROMIUM, else Debian's real
# binary (not its wrapper script), else the first on PATH.
find_chromium() {
	CHROMIUM=${ANEF_DOSSIER_CHROMIUM:-}
	if [ -z "$CHROMIUM" ]; then
		if [ -x /usr/lib/chromium/chromium ]; then CHROMIUM=/usr/lib/chromium/chromium
		else CHROMIUM=$(command -v chromium || command -v chromium-browser || command -v google-chrome)
		fi
	fi
}

# serve_dir DIR serves DIR on 127.0.0.1 (python3 -m http.server) on a free
# port: sets PORT and SERVER (its pid, for the caller's trap).
serve_dir() {
	PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
	(cd "$1" && exec python3 -m http.server "$PORT" --bind 127.0.0.1 >/dev/null 2>&1) &
	SERVER=$!
}

# tool_switches BIN URL FILE writes to FILE, one per line, the switches the
# tool gives its Chromium (read from /proc during one capture of URL into a
# scratch case, not measured), plus the tool's viewport, for the reference
# `chromium --headless --screenshot` of the same run; FLAGS gets them on one
# line, for display. A switch may hold spaces (--host-resolver-rules).
tool_switches() {
	_case=$(mktemp -d)
	"$1" init "$_case/cas" --protocol rdv-indisponible >/dev/null
	ANEF_DOSSIER_CHROMIUM=$CHROMIUM python3 "$ROOT/bench/toolflags.py" "$1" -C "$_case/cas" capture "$2" > "$3"
	echo "--window-size=1366,768" >> "$3"
	rm -rf "$_case"
	FLAGS=$(tr '\n' ' ' < "$3")
	REFFLAGS=$3
}

# reference_chromium TMP ARGS... runs Chromium with TMPDIR=TMP, the
# switches of tool_switches, then ARGS.
reference_chromium() {
	_tmp=$1
	shift
	_ifs=$IFS
	IFS='
'
	set -f
	# shellcheck disable=SC2046
	set -- $(cat "$REFFLAGS") "$@"
	set +f
	IFS=$_ifs
	TMPDIR="$_tmp" "$CHROMIUM" "$@"
}
