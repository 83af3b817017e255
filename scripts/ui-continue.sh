#!/usr/bin/env bash
# "Continue my drawing" in the real window: under Xvfb, open the Draw dialog of a sketch corner,
# draw a sheep's woolly body, press Continue and check that the model drew on (the sheet
# changed). Screenshots go to OUT_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-./palette}
out=${2:-build/ui-continue}
mkdir -p "$out"

. scripts/xvfb.sh
trap cleanup_palette EXIT
start_xvfb
start_palette ui-continue "$bin"
sleep 2
geom=$(xdotool getwindowgeometry "$win" | awk '/Geometry/ {print $2}')
[ "$geom" = "1100x750" ] || { echo "ui-continue: window is $geom, the places below assume 1100x750"; exit 1; }

xdotool mousemove --window "$win" 140 21 click 1 # the Sketch tab
sleep 1.5
xdotool mousemove --window "$win" 130 220 click 3 # the top-left corner's menu
sleep 0.7
xdotool mousemove --window "$win" 160 393 click 1 # Draw…, the fifth item
sleep 0.8
stroke $(awk 'BEGIN { for (i = 0; i <= 48; i++) { a = 2 * 3.14159265 * i / 48; r = 1 + 0.08 * cos(12 * a)
	printf "%d %d ", 560 + 110 * r * cos(a), 360 + 60 * r * sin(a) } }')
sheet_region=430x290+335+237
# ink REGION IMAGE: the dark pixels of REGION, the strokes on the sheet.
ink() { convert "$2.png" -crop "$1" +repage -colorspace Gray -threshold 50% -format '%[fx:round(w*h*(1-mean))]' info:; }
import -window "$win" "$out/continue-before.png"
xdotool mousemove --window "$win" 592 553 click 1 # Continue, right of Undo stroke and Clear
sleep 2
import -window "$win" "$out/continue-after.png"
changed "$out/continue-before" "$out/continue-after" "$sheet_region" 100 "continue: the sheet after Continue"
before=$(ink "$sheet_region" "$out/continue-before") after=$(ink "$sheet_region" "$out/continue-after")
echo "continue: $before dark pixels on the sheet before, $after after"
# The model draws on: more ink, and the start is still there (a cleared sheet also "changes").
[ "$after" -ge $((before + 100)) ] || { echo "continue: the model added no strokes ($before -> $after dark pixels)"; exit 1; }
echo "ui-continue: ok (screenshots in $out)"
