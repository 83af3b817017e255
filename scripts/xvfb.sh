# Sourced by the window tests: start_xvfb starts a virtual X server on a display that Xvfb picks
# itself (so parallel runs never collide), exports DISPLAY and sets xvfb to its process id.
start_xvfb() {
	local dfile
	dfile=$(mktemp)
	Xvfb -displayfd 3 -screen 0 1280x1024x24 -nolisten tcp 3>"$dfile" >/dev/null 2>&1 &
	xvfb=$!
	for _ in $(seq 100); do [ -s "$dfile" ] && break; sleep 0.1; done
	if [ ! -s "$dfile" ]; then rm -f "$dfile"; echo "Xvfb did not start" >&2; return 1; fi
	export DISPLAY=:$(head -n1 "$dfile")
	rm -f "$dfile"
	xdpyinfo >/dev/null 2>&1 || { echo "cannot reach Xvfb on $DISPLAY" >&2; return 1; }
}
