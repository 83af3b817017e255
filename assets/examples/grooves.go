package examples

import (
	"fmt"
	"strings"

	"github.com/latentpalette/palette/model/drums"
)

// grooves are 2-bar drum patterns, one line per drum, one character per 16th step: "X" an
// accent, "x" a hit, "o" a soft hit, "g" a ghost note, "-" nothing. "|" separates the bars for
// the reader only. Drums left out do not play.
var grooves = []struct{ name, score string }{
	{"Rock", `
		crash  X--------------- | ----------------
		hat    --o-X-o-X-o-X-o- | X-o-X-o-X-o-----
		snare  ----X-------X--- | ----X------gX---
		htom   ---------------- | ------------x---
		mtom   ---------------- | -------------x--
		ltom   ---------------- | --------------xX
		kick   X-------X-x----- | X-----x-X-x-----`},
	{"Funk", `
		hat    XoxoXoxoXoxoXoxo | XoxoXoxoXoxoXo--
		open   ---------------- | --------------X-
		snare  ----X--g-g--X--g | -g--X--g----X-g-
		kick   X-x-------x--x-- | X-x---x---x----x`},
	{"Bossa nova", `
		ride   x-o-x-o-x-o-x-o- | x-o-x-o-x-o-x-o-
		hat    ----o-------o--- | ----o-------o---
		snare  x-----x-----x--- | ----x-----x-----
		kick   X--oX--oX--oX--o | X--oX--oX--oX--o`},
	{"Half-time", `
		crash  X--------------- | ----------------
		hat    x-o-x-o-x-o-x-o- | x-o-x-o-x-o-xoxo
		open   ---------------- | ------x---------
		snare  --------X------- | --------X-----g-
		kick   X-----x---x----- | X-------x-x---o-`},
}

// grooveVelocities are the velocities of the score's hit characters.
var grooveVelocities = map[rune]uint8{'X': 120, 'x': 96, 'o': 70, 'g': 38}

// grooveDrums names the drums of a score line.
var grooveDrums = map[string]drums.Class{
	"kick": drums.Kick, "snare": drums.Snare, "hat": drums.ClosedHat, "open": drums.OpenHat,
	"ltom": drums.LowTom, "mtom": drums.MidTom, "htom": drums.HighTom, "crash": drums.Crash, "ride": drums.Ride,
}

// Grooves returns the example drum patterns for the corners, top-left, top-right, bottom-left,
// bottom-right: rock, funk, bossa nova and half-time, 2 bars each, on the grid. An error means a
// typo in a score above (the tests catch it).
func Grooves() ([4]Named[drums.Pattern], error) { return parseAll("groove", grooves, ParseGroove) }

// ParseGroove reads the drum notation of the examples into a 2-bar pattern.
func ParseGroove(score string) (drums.Pattern, error) {
	p := make(drums.Pattern, drums.WindowSteps)
	for line := range strings.Lines(score) {
		fields := strings.Fields(line)
		if len(fields) == 0 {
			continue
		}
		c, ok := grooveDrums[fields[0]]
		if !ok {
			return nil, fmt.Errorf("unknown drum %q", fields[0])
		}
		steps := strings.ReplaceAll(strings.Join(fields[1:], ""), "|", "")
		if n := len([]rune(steps)); n != drums.WindowSteps {
			return nil, fmt.Errorf("%s: %d steps, want %d", fields[0], n, drums.WindowSteps)
		}
		for i, r := range []rune(steps) {
			if r == '-' {
				continue
			}
			v, ok := grooveVelocities[r]
			if !ok {
				return nil, fmt.Errorf("%s: step %d: %q is not a hit (X x o g) or a rest (-)", fields[0], i+1, r)
			}
			p[i].Velocity[c] = v
		}
	}
	return p, p.Validate()
}
