# Sourced by the window tests: start_xvfb starts a virtual X server on a display that Xvfb picks
# itself (so parallel runs never collide), 3840x2160 (room for a 4K window), exports DISPLAY and
# sets xvfb to its process id.
start_xvfb() {
	local dfile
	dfile=$(mktemp)
	Xvfb -displayfd 3 -screen 0 3840x2160x24 -nolisten tcp 3>"$dfile" >/dev/null 2>&1 &
	xvfb=$!
	for _ in $(seq 100); do [ -s "$dfile" ] && break; sleep 0.1; done
	if [ ! -s "$dfile" ]; then rm -f "$dfile"; echo "Xvfb did not start" >&2; return 1; fi
	export DISPLAY=:$(head -n1 "$dfile")
	rm -f "$dfile"
	xdpyinfo >/dev/null 2>&1 || { echo "cannot reach Xvfb on $DISPLAY" >&2; return 1; }
}

# start_palette NAME BIN starts the palette binary BIN under that display with a config folder
# of its own (Fyne rewrites its preferences file on exit and reloads it when another instance
# does, so instances sharing one folder can log "Preferences load error: EOF"), waits up to 30 s
# for its window and sets app (process id), win (window id), log (its output) and config. NAME
# prefixes the messages. cleanup_palette kills what start_xvfb and start_palette started.
start_palette() {
	local name=$1 bin=$2
	log=$(mktemp)
	config=$(mktemp -d)
	XDG_CONFIG_HOME=$config "$bin" >"$log" 2>&1 &
	app=$!
	win=""
	for _ in $(seq 120); do
		win=$(xdotool search --onlyvisible --name '^Latent Palette$' 2>/dev/null | head -n1) && [ -n "$win" ] && break
		kill -0 "$app" 2>/dev/null || { echo "$name: palette exited before its window appeared:"; cat "$log"; return 1; }
		sleep 0.25
	done
	[ -n "$win" ] || { echo "$name: no window titled 'Latent Palette' after 30 s"; cat "$log"; return 1; }
}

xvfb="" app="" config=""
cleanup_palette() {
	if [ -n "$app" ] && kill "$app" 2>/dev/null; then
		# The palette may still be writing its session or preferences into $config as it exits:
		# wait for it (5 s at most) before removing the folder.
		for _ in $(seq 50); do kill -0 "$app" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$app" 2>/dev/null || true
		wait "$app" 2>/dev/null || true
	fi
	[ -n "$xvfb" ] && kill "$xvfb" 2>/dev/null
	if [ -n "$config" ]; then rm -rf "$config" 2>/dev/null || { sleep 0.5; rm -rf "$config" 2>/dev/null || true; }; fi
	true
}

# diff_count BEFORE AFTER REGION prints how many pixels of REGION (WxH+X+Y) differ between the
# screenshots BEFORE and AFTER (paths without .png).
diff_count() {
	local before=$1 after=$2 region=$3 ae
	convert "$before.png" -crop "$region" +repage "$before-crop.png"
	convert "$after.png" -crop "$region" +repage "$after-crop.png"
	ae=$(compare -metric AE "$before-crop.png" "$after-crop.png" null: 2>&1 || true)
	echo "${ae%% *}"
}

# changed BEFORE AFTER REGION MIN WHAT: at least MIN pixels of REGION differ, or the test fails
# saying WHAT.
changed() {
	local ae
	ae=$(diff_count "$1" "$2" "$3")
	echo "$5: $ae pixels changed"
	if ! awk "BEGIN{exit !($ae >= $4)}"; then echo "$5: fewer than $4 pixels changed ($1.png, $2.png)"; exit 1; fi
}

# same BEFORE AFTER REGION MAX WHAT: at most MAX pixels of REGION differ, or the test fails.
same() {
	local ae
	ae=$(diff_count "$1" "$2" "$3")
	echo "$5: $ae pixels changed"
	if ! awk "BEGIN{exit !($ae <= $4)}"; then echo "$5: more than $4 pixels changed ($1.png, $2.png)"; exit 1; fi
}

# stroke X0 Y0 X1 Y1 ...: draw one stroke in the window $win with the mouse: press at the first
# point, move through the others, release.
stroke() {
	xdotool mousemove --window "$win" "$1" "$2"
	sleep 0.1
	xdotool mousedown 1
	shift 2
	while [ $# -ge 2 ]; do
		xdotool mousemove --window "$win" "$1" "$2"
		sleep 0.03
		shift 2
	done
	xdotool mouseup 1
	sleep 0.1
}

# tile_box SHOT COLOUR prints the bounding box (W H X Y) of what SHOT.png draws in COLOUR: a corner
# tile's frame, name and thumbnail (coral #ff7a6b top left, violet #9d8cff bottom right), so that
# the tests find the pad wherever the controls around it put it.
tile_box() {
	convert "$1.png" -fuzz 3% -fill white -opaque "$2" -fill black +opaque white -trim -format '%w %h %X %Y\n' info: | tr -d '+'
}
