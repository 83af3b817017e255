#!/usr/bin/env bash
# Layout test of the real palette binary under Xvfb: at the minimum size the window declares, at
# 1920x1080 and at 3840x2160, on each tab, nothing reaches the window's right or bottom edge (a
# control cut off there would: the outermost pixels must all be the window's background); a corner
# menu opened at the bottom of the window stays inside it; the first Keep changes only the row of
# kept results (the changed pixels span no more than that row's height). Screenshots in OUT_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-./palette}
out=${2:-build/ui-layout}
mkdir -p "$out"

. scripts/xvfb.sh
trap cleanup_palette EXIT
start_xvfb
start_palette ui-layout "$bin"
sleep 2
minsize=$(xprop -id "$win" WM_NORMAL_HINTS | awk '/minimum size/ {print $5 "x" $7}')
[ -n "$minsize" ] || { echo "ui-layout: the window declares no minimum size"; exit 1; }
echo "ui-layout: the window's minimum size is $minsize"

resize() { xdotool windowmove --sync "$win" 0 0 windowsize --sync "$win" "${1%x*}" "${1#*x}"; sleep 1.5; }
tab() { xdotool mousemove --window "$win" "$1" 21 click 1; xdotool mousemove --window "$win" 1 200; sleep 1.5; }
# edges_clear SHOT WHAT: the 3 outermost pixel columns on the right and rows at the bottom hold one
# colour, the window's background.
edges_clear() {
	local right bottom
	right=$(convert "$1.png" -gravity East -crop 3x+0+0 +repage -format %k info:)
	bottom=$(convert "$1.png" -gravity South -crop x3+0+0 +repage -format %k info:)
	echo "ui-layout: $2: $right colour(s) on the right edge, $bottom at the bottom"
	if [ "$right" -ne 1 ] || [ "$bottom" -ne 1 ]; then echo "ui-layout: $2: something reaches the window's edge ($1.png)"; exit 1; fi
}

for size in "$minsize" 1920x1080 3840x2160; do
	resize "$size"
	geom=$(xdotool getwindowgeometry "$win" | awk '/Geometry/ {print $2}')
	[ "$geom" = "$size" ] || { echo "ui-layout: the window is $geom, not $size"; exit 1; }
	for t in melody:50 sketch:140 drums:235; do
		tab "${t#*:}"
		import -window "$win" "$out/${t%:*}-$size.png"
		edges_clear "$out/${t%:*}-$size" "${t%:*} at $size"
	done
done

resize "$minsize"
tab 50
w=${minsize%x*} h=${minsize#*x}
# diff_box BEFORE AFTER prints the bounding box (WxH+X+Y) of the pixels that differ.
diff_box() { convert "$1.png" "$2.png" -compose difference -composite -threshold 1% -trim -format '%wx%h%O' info:; }
box_height() { local h=${1#*x}; echo "${h%%+*}"; }
# A corner menu opened low in the window (the bottom-right tile, right-clicked) is as tall as one
# opened high (the top-left tile), but for its shadow: it is moved up to fit, not cut off.
menu_height() { # x y name
	import -window "$win" "$out/menu-$3-before.png"
	xdotool mousemove --window "$win" "$1" "$2" click 3
	sleep 0.8
	import -window "$win" "$out/menu-$3.png"
	xdotool key --window "$win" Escape
	xdotool mousemove --window "$win" 1 200
	sleep 0.6
	box_height "$(diff_box "$out/menu-$3-before" "$out/menu-$3")"
}
# tile_point COLOUR prints a point inside the corner tile drawn in COLOUR.
tile_point() {
	local bw bh bx by
	read -r bw bh bx by < <(tile_box "$out/melody-$minsize" "$1")
	echo "$((bx + bw / 2)) $((by + bh * 3 / 4))"
}
high=$(menu_height $(tile_point '#ff7a6b') high) # the coral tile, top left
low=$(menu_height $(tile_point '#9d8cff') low)   # the violet tile, bottom right
echo "ui-layout: a corner menu is $high pixels tall opened high, $low opened low"
[ "$high" -gt 100 ] && [ "$low" -ge $((high - 6)) ] || { echo "ui-layout: the corner menu opened low is cut off ($out/menu-low.png)"; exit 1; }
edges_clear "$out/menu-low-before" "the window before the menu"

# Keep (Ctrl+K): only the row of kept results changes, a strip no taller than the row.
xdotool key --window "$win" Right # move the puck: a result of its own
xdotool mousemove --window "$win" 1 200
sleep 1
import -window "$win" "$out/keep-before.png"
xdotool key --window "$win" --clearmodifiers ctrl+k
sleep 1
import -window "$win" "$out/keep-after.png"
box=$(diff_box "$out/keep-before" "$out/keep-after")
box_h=$(box_height "$box")
echo "ui-layout: Keep changed the region $box"
[ "$box" != "${box#*x}" ] && [ "$box_h" -gt 20 ] || { echo "ui-layout: Keep changed nothing visible"; exit 1; }
[ "$box_h" -le 80 ] || { echo "ui-layout: Keep changed a region $box_h pixels tall: the controls moved"; exit 1; }

xdotool windowfocus --sync "$win" key --clearmodifiers ctrl+q
for _ in $(seq 40); do kill -0 "$app" 2>/dev/null || break; sleep 0.25; done
if kill -0 "$app" 2>/dev/null; then echo "ui-layout: palette did not exit after Ctrl+Q"; exit 1; fi
status=0; wait "$app" || status=$?
app=""
if [ "$status" -ne 0 ]; then echo "ui-layout: palette exited with status $status:"; cat "$log"; exit 1; fi
if grep -qi 'panic' "$log"; then echo "ui-layout: palette panicked:"; cat "$log"; exit 1; fi
echo "ui-layout: ok (nothing reaches the edges at $minsize, 1920x1080 and 3840x2160; the corner menu stays inside; Keep moves nothing; screenshots in $out)"
