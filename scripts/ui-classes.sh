#!/usr/bin/env bash
# The sketch palette's models and classes in the real window: under Xvfb, open the Sketch tab,
# pick "Ten animals" in the Model picker (the corners must become other drawings), then Random ▸
# Dog on the top-right corner (its tile must change) and drag the puck (the result must change).
# Screenshots go to OUT_DIR; with --docs, docs/sketch-animals.png is kept.
set -euo pipefail
cd "$(dirname "$0")/.."
docs=0
if [ "${1:-}" = "--docs" ]; then docs=1; shift; fi
bin=${1:-./palette}
out=${2:-build/ui-classes}
mkdir -p "$out"

. scripts/xvfb.sh
trap cleanup_palette EXIT
start_xvfb
start_palette ui-classes "$bin"
sleep 2
geom=$(xdotool getwindowgeometry "$win" | awk '/Geometry/ {print $2}')
[ "$geom" = "1100x750" ] || { echo "ui-classes: window is $geom, the places below assume 1100x750"; exit 1; }

corners=560x560+50+135 topright=150x150+455+143 result=430x350+662+87
xdotool mousemove --window "$win" 140 21 click 1 # the Sketch tab
sleep 2
import -window "$win" "$out/sheep.png"
xdotool mousemove --window "$win" 590 66 click 1 # the Model picker
sleep 0.8
import -window "$win" "$out/picker.png"
xdotool mousemove --window "$win" 590 140 click 1 # Ten animals, its second entry
sleep 3
import -window "$win" "$out/animals.png"
changed "$out/sheep" "$out/animals" "$corners" 2000 "ui-classes: the corners after picking the animals"

xdotool mousemove --window "$win" 530 220 click 3 # the top-right corner's menu
sleep 0.7
xdotool mousemove --window "$win" 560 275 # Random ▸
sleep 0.8
import -window "$win" "$out/random-menu.png"
xdotool mousemove --window "$win" 720 275 # into the submenu, along its first row
sleep 0.3
xdotool mousemove --window "$win" 720 398 click 1 # Dog: Any, a separator, Bear, Bird, Dog
sleep 3
import -window "$win" "$out/dog.png"
changed "$out/animals" "$out/dog" "$topright" 300 "ui-classes: the top-right corner after Random ▸ Dog"

xdotool mousemove --window "$win" 332 414 mousedown 1 mousemove --window "$win" 200 300 mousemove --window "$win" 150 250 mouseup 1
sleep 2
import -window "$win" "$out/dragged.png"
changed "$out/dog" "$out/dragged" "$result" 500 "ui-classes: the result after a drag"
if [ $docs = 1 ]; then cp "$out/dragged.png" docs/sketch-animals.png; fi
echo "ui-classes: ok (screenshots in $out)"
