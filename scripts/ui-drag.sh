#!/usr/bin/env bash
# Drag test of the real palette binary: start it under Xvfb, drag the puck on each palette with
# xdotool, and check with ImageMagick that the result view changed (and, on the Drums tab, that
# the playhead moves and a click on the grid edits a corner). Screenshots go to OUT_DIR; with
# --docs, one screenshot of each palette is also kept in docs/ for the README.
set -euo pipefail
cd "$(dirname "$0")/.."
docs=0
if [ "${1:-}" = "--docs" ]; then docs=1; shift; fi
bin=${1:-./palette}
out=${2:-build/ui-drag}
mkdir -p "$out"

. scripts/xvfb.sh
trap cleanup_palette EXIT
start_xvfb
start_palette ui-drag "$bin"
sleep 2 # let the first frames render and the first results arrive
geom=$(xdotool getwindowgeometry "$win" | awk '/Geometry/ {print $2}')
[ "$geom" = "1100x750" ] || { echo "ui-drag: window is $geom, the regions below assume 1100x750"; exit 1; }

# Window coordinates at 1100x750: the pad (found from its top-left and bottom-right tiles) and
# its centre, where the puck starts, a point to drag to, and the result view on the right (below
# its heading, above the controls).
import -window "$win" "$out/start.png"
read -r tw th tx ty < <(tile_box "$out/start" '#ff7a6b')
read -r bw bh bx by < <(tile_box "$out/start" '#9d8cff')
puck_x=$(((tx + bx + bw) / 2)) puck_y=$(((ty + by + bh) / 2))
to_x=$((puck_x - 87)) to_y=$((puck_y + 105))
corner_region=${tw}x${th}+${tx}+${ty}
result_region=420x220+668+92
echo "ui-drag: the pad's centre at $puck_x,$puck_y, the top-left tile at $corner_region"

drag() { # x0 y0 x1 y1: press, move in small steps (Fyne needs several motion events), release
	local x0=$1 y0=$2 x1=$3 y1=$4
	xdotool mousemove --window "$win" "$x0" "$y0"
	sleep 0.2
	xdotool mousedown 1
	for i in $(seq 1 12); do
		xdotool mousemove --window "$win" $((x0 + (x1 - x0) * i / 12)) $((y0 + (y1 - y0) * i / 12))
		sleep 0.05
	done
	xdotool mouseup 1
	sleep 1 # the last result and a frame
}

check_palette() { # name
	local name=$1
	import -window "$win" "$out/$name-before.png"
	drag "$puck_x" "$puck_y" "$to_x" "$to_y"
	import -window "$win" "$out/$name-after.png"
	changed "$out/$name-before" "$out/$name-after" "$result_region" 500 "$name: the result view after the drag"
}

check_palette melody
[ "$docs" = 1 ] && import -window "$win" docs/melody.png
xdotool key --window "$win" space # play: the playhead must move
sleep 0.5
import -window "$win" "$out/melody-playing-1.png"
sleep 0.6
import -window "$win" "$out/melody-playing-2.png"
xdotool key --window "$win" space
changed "$out/melody-playing-1" "$out/melody-playing-2" 1100x750+0+0 50 "melody: the window while playing (the playhead)"

xdotool mousemove --window "$win" 140 21 click 1 # the Sketch tab
sleep 1.5
check_palette sketch
if [ "$docs" = 1 ]; then
	sleep 3 # the drawing replays its strokes when the puck rests: let it finish
	import -window "$win" docs/sketch.png
fi

# Draw a corner by hand: the top-left corner's menu (right click), Draw…, a sheep drawn in the
# dialog's sheet stroke by stroke, Use it. The corner's thumbnail and the result must change.
# (stroke is in scripts/xvfb.sh)
import -window "$win" "$out/draw-before.png"
menu_x=$((tx + 30)) menu_y=$((ty + 30))
xdotool mousemove --window "$win" "$menu_x" "$menu_y" click 3 # the corner menu
sleep 0.7
xdotool mousemove --window "$win" $((menu_x + 30)) $((menu_y + 174)) click 1 # Draw…, the fifth item
sleep 0.8
# A woolly body (an ellipse with 12 bumps around 560,360), a head and four legs.
stroke $(awk 'BEGIN { for (i = 0; i <= 48; i++) { a = 2 * 3.14159265 * i / 48; r = 1 + 0.08 * cos(12 * a)
	printf "%d %d ", 560 + 110 * r * cos(a), 360 + 60 * r * sin(a) } }')
stroke 450 340 420 330 410 350 430 370 455 365
for x in 500 530 590 620; do stroke "$x" 410 "$x" 470; done
import -window "$win" "$out/draw-sheet.png"
[ "$docs" = 1 ] && cp "$out/draw-sheet.png" docs/draw.png
xdotool mousemove --window "$win" 595 584 click 1 # Use it
sleep 1.5
import -window "$win" "$out/draw-after.png"
changed "$out/draw-before" "$out/draw-after" "$corner_region" 300 "drawn corner: its thumbnail"
changed "$out/draw-before" "$out/draw-after" "$result_region" 300 "drawn corner: the result view"

# The Drums tab: dragging the puck changes the step grid; the space bar plays the groove and the
# playhead moves; with the puck in a corner a click on the grid adds a hit to the corner's groove.
xdotool mousemove --window "$win" 235 21 click 1 # the Drums tab
sleep 1.5
check_palette drums
if [ "$docs" = 1 ]; then
	xdotool key --window "$win" space
	sleep 0.7
	import -window "$win" docs/drums.png
	xdotool key --window "$win" space
	sleep 0.3
fi
xdotool key --window "$win" space
sleep 0.5
import -window "$win" "$out/drums-playing-1.png"
sleep 0.6
import -window "$win" "$out/drums-playing-2.png"
xdotool key --window "$win" space
changed "$out/drums-playing-1" "$out/drums-playing-2" "$result_region" 50 "drums: the grid while playing (the playhead)"
drag "$puck_x" "$puck_y" 0 40 # past the top-left corner: the puck stops on it
import -window "$win" "$out/edit-before.png"
xdotool mousemove --window "$win" 763 148 click 1 # the snare on step 3
sleep 1
import -window "$win" "$out/edit-after.png"
changed "$out/edit-before" "$out/edit-after" "$corner_region" 20 "drums: the top-left corner's thumbnail after a click on the grid"
changed "$out/edit-before" "$out/edit-after" "$result_region" 100 "drums: the grid after a click on it"

xdotool windowfocus --sync "$win" key --clearmodifiers ctrl+q
for _ in $(seq 40); do kill -0 "$app" 2>/dev/null || break; sleep 0.25; done
if kill -0 "$app" 2>/dev/null; then echo "ui-drag: palette did not exit after Ctrl+Q"; exit 1; fi
status=0; wait "$app" || status=$?
app=""
if [ "$status" -ne 0 ]; then echo "ui-drag: palette exited with status $status:"; cat "$log"; exit 1; fi
if grep -qi 'panic' "$log"; then echo "ui-drag: palette panicked:"; cat "$log"; exit 1; fi
echo "ui-drag: ok (the result view changed on the three palettes, after drawing a corner and after editing a drum corner; screenshots in $out)"
