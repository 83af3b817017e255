#!/usr/bin/env bash
# The report on a multi-class sketch model (README, "Sketches of many classes"): for each class,
# a contact sheet (20 samples of the class at temperature 0.2, 10 held-out teacher drawings, their
# reconstructions, and a row from the first of them to a drawing of the next class) and the
# judge's numbers: the per-point NLL under the class's teacher of the teacher's own drawings
# (held out, T 0.45, and 100 new ones at T 0.2), of our samples (T 0.2) and of our
# reconstructions.
#
# usage: scripts/sketch-report.sh PALETTE MODEL.safetensors TEST.ndjson OUTDIR [N]
# TEST holds N (default 100) drawings of each class in the class order below (palette sketch
# distill writes them so). The teachers are read from ../shared/data/sketch-rnn-models.
set -euo pipefail
P=$1 MODEL=$2 TEST=$3 OUT=$4 N=${5:-100}
M=$(cd "$(dirname "$0")/.." && pwd)/../shared/data/sketch-rnn-models
[ -d "$M" ] || { echo "sketch-report: no teachers in $M" >&2; exit 2; }
export OPENBLAS_NUM_THREADS=${OPENBLAS_NUM_THREADS:-1}
mkdir -p "$OUT/judge"
classes=(bear bird dog dolphin hedgehog monkey parrot rabbit sheep tiger)
nll() { python3 -c 'import json,sys; print("%.3f" % json.load(sys.stdin)["results"][-1]["nll"])'; }
echo "class own_T0.45 own_T0.2 ours_T0.2 reconstructions" | tee "$OUT/judge.txt"
for k in "${!classes[@]}"; do
	c=${classes[$k]} lo=$((k * N)) next=$(( ((k + 1) % ${#classes[@]}) * N + 1 ))
	"$P" sketch sample --model "$MODEL" --class "$c" -n 20 --per-row 10 --temperature 0.2 --seed 1 --size 128 -o "$OUT/s-$c.png"
	"$P" sketch reconstruct "$TEST" --model "$MODEL" --index "$lo-$((lo + 9))" --interpolate "$lo,$next" --temperature 0.2 --seed 1 --size 128 -o "$OUT/r-$c.png"
	convert "$OUT/s-$c.png" "$OUT/r-$c.png" -append "$OUT/sheet-$c.png"
	rm "$OUT/s-$c.png" "$OUT/r-$c.png"
	"$P" sketch distill --teacher "$M/$c.gen.json" -n "$N" --temperature 0.2 --seed 3 -o "$OUT/judge/own-$c.ndjson" 2>/dev/null
	"$P" sketch sample --model "$MODEL" --class "$c" -n "$N" --temperature 0.2 --seed 1 -o "$OUT/judge/ours-$c.ndjson"
	"$P" sketch reconstruct "$TEST" --model "$MODEL" --index "$lo-$((lo + N - 1))" --temperature 0.2 --seed 1 -o "$OUT/judge/rec-$c.ndjson"
	judge() { "$P" sketch eval --judge "$M/$c.gen.json" --json "$@" | nll; }
	echo "$c $(judge --data "$TEST" --class "$c") $(judge --data "$OUT/judge/own-$c.ndjson") $(judge --data "$OUT/judge/ours-$c.ndjson") $(judge --data "$OUT/judge/rec-$c.ndjson")" | tee -a "$OUT/judge.txt"
done
