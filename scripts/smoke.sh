#!/usr/bin/env bash
# Smoke test of the real palette binary: start it under Xvfb, wait for its window, take a
# screenshot, check that it is not blank, close the window with Ctrl+Q and expect a clean exit.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-./palette}
out=${2:-build/smoke.png}
mkdir -p "$(dirname "$out")"

. scripts/xvfb.sh
trap cleanup_palette EXIT
start_xvfb
start_palette smoke "$bin"
sleep 2 # let the first frames render
import -window "$win" "$out"
geom=$(identify -format '%wx%h' "$out")
colors=$(identify -format '%k' "$out")
sd=$(convert "$out" -colorspace Gray -format '%[fx:standard_deviation]' info:)
echo "smoke: window $win, screenshot $out ${geom}, $colors colours, grey std-dev $sd"
if [ "$colors" -lt 8 ] || awk "BEGIN{exit !($sd < 0.005)}"; then
	echo "smoke: the screenshot looks blank"; exit 1
fi

xdotool windowfocus --sync "$win" key --clearmodifiers ctrl+q
for _ in $(seq 40); do kill -0 "$app" 2>/dev/null || break; sleep 0.25; done
if kill -0 "$app" 2>/dev/null; then echo "smoke: palette did not exit after Ctrl+Q"; exit 1; fi
status=0; wait "$app" || status=$?
app=""
if [ "$status" -ne 0 ]; then echo "smoke: palette exited with status $status:"; cat "$log"; exit 1; fi
if grep -qiE 'error|panic' "$log"; then echo "smoke: palette logged errors:"; cat "$log"; exit 1; fi
echo "smoke: ok (window opened, screenshot not blank, clean exit)"
