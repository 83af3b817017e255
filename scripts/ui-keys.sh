#!/usr/bin/env bash
# Transport keys test of the real palette binary under Xvfb: the space bar plays and stops and the
# arrow keys move the puck whatever widget the last click gave the keyboard focus. A click on the
# "Spherical blend" checkbox, then space: playback starts (the playhead moves in the result), the
# checkbox stays as the click left it. A click on the Temperature slider, then the arrow keys: the
# puck moves (and the result with it), the temperature stays. Screenshots go to OUT_DIR.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-./palette}
out=${2:-build/ui-keys}
mkdir -p "$out"

. scripts/xvfb.sh
trap cleanup_palette EXIT
start_xvfb
start_palette ui-keys "$bin"
sleep 2
geom=$(xdotool getwindowgeometry "$win" | awk '/Geometry/ {print $2}')
[ "$geom" = "1100x750" ] || { echo "ui-keys: window is $geom, the regions below assume 1100x750"; exit 1; }

# Window coordinates at 1100x750 (the Melody tab).
check_x=790 check_y=563 check_region=24x24+778+551 # the "Spherical blend" checkbox
temp_x=800 temp_y=523 temp_region=436x30+664+508     # the Temperature slider and its value
pad_region=300x120+182+315                           # around the puck at the pad's centre
result_region=400x200+690+95 # the result view

shot() { sleep "${2:-0.6}"; import -window "$win" "$out/$1.png"; }

shot start 0
xdotool mousemove --window "$win" "$check_x" "$check_y" click 1
shot check-clicked
changed "$out/start" "$out/check-clicked" "$check_region" 20 "ui-keys: the checkbox after the click (it was hit)"
# Playing shows in the result view: the playhead moves between two screenshots; stopped, it is gone.
xdotool key --window "$win" space
shot check-space
shot check-space-b
changed "$out/check-space" "$out/check-space-b" "$result_region" 50 "ui-keys: the playhead after space with the focus on the checkbox"
same "$out/check-clicked" "$out/check-space" "$check_region" 0 "ui-keys: the checkbox after space"
xdotool key --window "$win" space
shot check-space-2
shot check-space-2b
same "$out/check-space-2" "$out/check-space-2b" "$result_region" 0 "ui-keys: the result view after a second space (stopped)"
same "$out/check-clicked" "$out/check-space-2" "$check_region" 0 "ui-keys: the checkbox after a second space"

xdotool mousemove --window "$win" "$temp_x" "$temp_y" click 1
xdotool mousemove --window "$win" 1000 300 # the pointer off the slider: no hover highlight
shot temp-clicked 1
changed "$out/check-space-2" "$out/temp-clicked" "$temp_region" 20 "ui-keys: the Temperature slider after the click (it was hit)"
for _ in 1 2 3 4; do xdotool key --window "$win" Right; sleep 0.1; done
xdotool key --window "$win" Up
shot temp-arrows 1
changed "$out/temp-clicked" "$out/temp-arrows" "$pad_region" 300 "ui-keys: the pad after the arrow keys with the focus on the slider"
changed "$out/temp-clicked" "$out/temp-arrows" "$result_region" 100 "ui-keys: the result after the arrow keys"
same "$out/temp-clicked" "$out/temp-arrows" "$temp_region" 0 "ui-keys: the Temperature slider and its value after the arrow keys"

xdotool windowfocus --sync "$win" key --clearmodifiers ctrl+q
for _ in $(seq 40); do kill -0 "$app" 2>/dev/null || break; sleep 0.25; done
if kill -0 "$app" 2>/dev/null; then echo "ui-keys: palette did not exit after Ctrl+Q"; exit 1; fi
status=0; wait "$app" || status=$?
app=""
if [ "$status" -ne 0 ]; then echo "ui-keys: palette exited with status $status:"; cat "$log"; exit 1; fi
if grep -qi 'panic' "$log"; then echo "ui-keys: palette panicked:"; cat "$log"; exit 1; fi
echo "ui-keys: ok (space and the arrows reach the transport and the puck with the focus on a checkbox and on a slider; screenshots in $out)"
