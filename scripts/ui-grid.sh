#!/usr/bin/env bash
# The grid and the path in the real palette binary under Xvfb: turn the grid on (melodies, then
# sketches) and check with ImageMagick that its cells differ cell to cell and that a tap on a
# cell makes it the result; record a path by dragging, play it and check that the puck moves
# along it. Screenshots go to OUT_DIR; with --docs, docs/grid.png and docs/walk-path.png are kept.
set -euo pipefail
cd "$(dirname "$0")/.."
docs=0
if [ "${1:-}" = "--docs" ]; then docs=1; shift; fi
bin=${1:-./palette}
out=${2:-build/ui-grid}
mkdir -p "$out"

. scripts/xvfb.sh
trap cleanup_palette EXIT
start_xvfb
start_palette ui-grid "$bin"
sleep 2
geom=$(xdotool getwindowgeometry "$win" | awk '/Geometry/ {print $2}')
[ "$geom" = "1100x750" ] || { echo "ui-grid: window is $geom, the places below assume 1100x750"; exit 1; }

# Window coordinates at 1100x750: the Grid and Record path / Play path check boxes above the
# pad, the pad's square (the grid covers it, 7×7 cells by default), the result view.
grid_x=22 grid_y=66
rec_x=22 rec_y=106
play_x=142 play_y=106
pad_x=45 pad_y=129 pad_side=573
result_region=420x320+668+92
n=7
cell=$((pad_side / n))

click() { xdotool mousemove --window "$win" "$1" "$2" click 1; }

# check_cells NAME: every cell of the first two rows differs from its right neighbour.
check_cells() {
	local name=$1 shot=$out/$1-grid r c x y ae same=0
	for r in 0 1; do
		for c in $(seq 0 $((n - 1))); do
			x=$((pad_x + c * cell + 2)) y=$((pad_y + r * cell + 2))
			convert "$shot.png" -crop "$((cell - 4))x$((cell - 4))+$x+$y" +repage "$out/$name-cell-$r-$c.png"
		done
		for c in $(seq 0 $((n - 2))); do
			ae=$(compare -metric AE "$out/$name-cell-$r-$c.png" "$out/$name-cell-$r-$((c + 1)).png" null: 2>&1 || true)
			ae=${ae%% *}
			echo "$name: cell ($r,$c) and ($r,$((c + 1))): $ae pixels differ"
			awk "BEGIN{exit !($ae < 100)}" && same=$((same + 1))
		done
	done
	[ "$same" = 0 ] || { echo "$name: $same neighbouring cells look the same"; exit 1; }
}

grid_on() { # name: turn the grid on, wait for it to fill, check it
	local name=$1
	import -window "$win" "$out/$name-pad.png"
	click "$grid_x" "$grid_y"
	sleep 4
	import -window "$win" "$out/$name-grid.png"
	changed "$out/$name-pad" "$out/$name-grid" "${pad_side}x${pad_side}+$pad_x+$pad_y" 20000 "$name: the pad with the grid on"
	check_cells "$name"
	# A tap on cell (1,2) makes it the result.
	import -window "$win" "$out/$name-before-tap.png"
	click $((pad_x + 2 * cell + cell / 2)) $((pad_y + 1 * cell + cell / 2))
	sleep 1.5
	import -window "$win" "$out/$name-after-tap.png"
	changed "$out/$name-before-tap" "$out/$name-after-tap" "$result_region" 300 "$name: the result after a tap on a cell"
}

grid_on melody
click "$grid_x" "$grid_y" # off
sleep 0.5
click 140 21 # the Sketch tab
sleep 1.5
grid_on sketch
[ "$docs" = 1 ] && import -window "$win" docs/grid.png
click "$grid_x" "$grid_y" # off
sleep 0.5

# Record a path: a drag across the pad with Record path on.
click "$rec_x" "$rec_y"
sleep 0.3
x0=$((pad_x + pad_side / 6)) y0=$((pad_y + pad_side / 6))
xdotool mousemove --window "$win" "$x0" "$y0"
sleep 0.2
xdotool mousedown 1
for i in $(seq 1 24); do
	xdotool mousemove --window "$win" $((x0 + i * pad_side * 2 / 3 / 24)) $((y0 + (i * i * pad_side * 2 / 3) / 576))
	sleep 0.04
done
xdotool mouseup 1
sleep 0.5
click "$rec_x" "$rec_y" # keep it
sleep 0.5
import -window "$win" "$out/path-recorded.png"
click "$play_x" "$play_y"
sleep 1.2
import -window "$win" "$out/path-playing-1.png"
sleep 1.0
import -window "$win" "$out/path-playing-2.png"
changed "$out/path-playing-1" "$out/path-playing-2" "${pad_side}x${pad_side}+$pad_x+$pad_y" 200 "sketch: the puck along the path"
changed "$out/path-playing-1" "$out/path-playing-2" "$result_region" 300 "sketch: the result along the path"
[ "$docs" = 1 ] && import -window "$win" docs/walk-path.png
click "$play_x" "$play_y" # stop
echo "ui-grid: ok"
