#!/usr/bin/env bash
# Installs what Latent Palette needs to build, run and test, and nothing that is already there.
# Idempotent and quiet when everything is present. Run as root (or with sudo available).
set -euo pipefail
cd "$(dirname "$0")/.."

# Build: cgo for Fyne (GLFW, OpenGL), oto (ALSA), the OpenBLAS matrix products and the JACK MIDI
# port (libjack; go build -tags nomidiport leaves it out).
build_pkgs=(gcc pkg-config libgl1-mesa-dev xorg-dev libasound2-dev libopenblas-dev libjack-jackd2-dev)
# Tests: a virtual X server and tools that check our files the way other programs read them.
# jackd2: a JACK server with a dummy back end and jack_midi_dump, for the MIDI port's tests.
test_pkgs=(xvfb xdotool x11-utils imagemagick midicsv python3-mido sox librsvg2-bin nodejs npm jackd2)

want=("${build_pkgs[@]}")
if [ "${1:-}" = "--test" ]; then want+=("${test_pkgs[@]}"); fi

missing=()
for p in "${want[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Node.js may come from outside Debian's packages; then it is there even if dpkg does not know it.
if command -v node >/dev/null && command -v npm >/dev/null; then
	keep=(); for p in "${missing[@]}"; do case "$p" in nodejs|npm) ;; *) keep+=("$p");; esac; done
	missing=("${keep[@]+"${keep[@]}"}")
fi
if [ ${#missing[@]} -gt 0 ]; then
	echo "install-deps: installing ${missing[*]}"
	sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
	export DEBIAN_FRONTEND=noninteractive
	$sudo apt-get update -qq >/dev/null
	$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v go >/dev/null || { echo "install-deps: Go is missing: install Go 1.26 from go.dev first" >&2; exit 1; }
go mod download
