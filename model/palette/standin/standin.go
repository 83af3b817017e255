// Package standin holds STAND-IN models for the palette: simple deterministic functions, not
// neural networks, used until the trained melody, sketch and drum VAEs are bundled with the app.
package standin

import (
	"fmt"
	"github.com/latentpalette/palette/model/vae"
	"math"
	"math/rand/v2"

	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/sketch"
)

// Melody is a stand-in melody model. Its latent vector is the melody itself, step by step:
// whether a note sounds, its pitch ((p-60)/12) and whether it starts there. Blends of these
// vectors sound like a cross-fade of contours and rhythms; corners decode back exactly.
type Melody struct{}

const melSteps = melody.WindowSteps

// ZSize is 3 values per step of a 2-bar window.
func (Melody) ZSize() int { return 3 * melSteps }

// Encode returns each melody's vector: [sounding(32), pitch(32), onset(32)].
func (Melody) Encode(ms []melody.Melody) ([][]float32, error) {
	zs := make([][]float32, len(ms))
	for k, m := range ms {
		if err := m.Validate(); err != nil {
			return nil, fmt.Errorf("melody %d: %w", k, err)
		}
		z := make([]float32, 3*melSteps)
		notes := m.Notes()
		pitch := float32(0) // rests carry the pitch of the note before (or the first note)
		if len(notes) > 0 {
			pitch = float32(notes[0].Pitch-60) / 12
		}
		for i := range min(len(m), melSteps) {
			z[melSteps+i] = pitch
		}
		for _, n := range notes {
			if n.Start >= melSteps {
				break
			}
			z[2*melSteps+n.Start] = 1
			for i := n.Start; i < melSteps; i++ {
				z[melSteps+i] = float32(n.Pitch-60) / 12
				if i < n.End {
					z[i] = 1
				}
			}
		}
		zs[k] = z
	}
	return zs, nil
}

// Decode thresholds each step's values; temperature adds seeded noise before it.
func (Melody) Decode(zs [][]float32, opts vae.DecodeOptions) ([]melody.Melody, error) {
	temperature, seed := opts.Temperature, opts.Seed
	rng := rand.New(rand.NewPCG(uint64(seed), 11))
	out := make([]melody.Melody, len(zs))
	for k, z := range zs {
		if len(z) != 3*melSteps {
			return nil, fmt.Errorf("vector %d has %d values, want %d", k, len(z), 3*melSteps)
		}
		noise := func() float64 {
			if temperature <= 0 {
				return 0
			}
			return 0.4 * temperature * rng.NormFloat64()
		}
		m := make(melody.Melody, melSteps)
		prev := -1 // sounding pitch
		for i := range melSteps {
			on := float64(z[i])+noise() > 0.5
			p := int(math.Round(60 + 12*(float64(z[melSteps+i])+noise()/4)))
			p = max(melody.MinPitch, min(melody.MaxPitch, p))
			onset := float64(z[2*melSteps+i])+noise() > 0.5
			switch {
			case !on && prev >= 0:
				m[i], prev = melody.NoteOff, -1
			case on && (prev < 0 || onset || p != prev):
				m[i], prev = melody.NoteOn(p), p
			}
		}
		out[k] = m
	}
	return out, nil
}

// Sketch is a stand-in sketch model. Its latent vector is the drawing resampled to a fixed
// number of points along its path, centred and scaled into [-1, 1], with a pen channel that
// marks the points on a jump between strokes. Blends morph one outline into another.
type Sketch struct{}

const sketchPoints = 160

// sketchScale is the half-size of a decoded drawing, in Quick, Draw! units.
const sketchScale = 120

// ZSize is 3 values per resampled point.
func (Sketch) ZSize() int { return 3 * sketchPoints }

// Encode returns each drawing's vector: [x(160), y(160), jump(160)].
func (Sketch) Encode(ds []sketch.Drawing) ([][]float32, error) {
	zs := make([][]float32, len(ds))
	for k, d := range ds {
		if len(d) < 2 {
			return nil, fmt.Errorf("drawing %d has %d points: it needs at least 2", k, len(d))
		}
		b := d.Bounds()
		cx, cy := (b.MinX+b.MaxX)/2, (b.MinY+b.MaxY)/2
		half := max(b.Dx(), b.Dy()) / 2
		if half == 0 {
			half = 1
		}
		// The path: absolute points; segment i runs from pts[i] to pts[i+1] and is a jump when
		// the pen lifted at pts[i].
		type node struct {
			x, y float32
			lift bool
		}
		var pts []node
		var x, y float32
		for _, p := range d {
			x += p.DX
			y += p.DY
			pts = append(pts, node{(x - cx) / half, (y - cy) / half, p.PenLift})
		}
		cum := make([]float64, len(pts))
		for i := 1; i < len(pts); i++ {
			cum[i] = cum[i-1] + math.Hypot(float64(pts[i].x-pts[i-1].x), float64(pts[i].y-pts[i-1].y))
		}
		total := cum[len(cum)-1]
		z := make([]float32, 3*sketchPoints)
		seg := 0
		for j := range sketchPoints {
			s := total * float64(j) / float64(sketchPoints-1)
			for seg < len(pts)-2 && cum[seg+1] < s {
				seg++
			}
			t := 0.0
			if l := cum[seg+1] - cum[seg]; l > 0 {
				t = (s - cum[seg]) / l
			}
			a, c := pts[seg], pts[seg+1]
			z[j] = a.x + float32(t)*(c.x-a.x)
			z[sketchPoints+j] = a.y + float32(t)*(c.y-a.y)
			if a.lift && t > 0 && t < 1 {
				z[2*sketchPoints+j] = 1
			}
		}
		zs[k] = z
	}
	return zs, nil
}

// Decode draws lines through the points, lifting the pen over jump points; temperature jitters
// the points with seeded noise.
func (Sketch) Decode(zs [][]float32, opts vae.DecodeOptions) ([]sketch.Drawing, error) {
	temperature, seed := opts.Temperature, opts.Seed
	rng := rand.New(rand.NewPCG(uint64(seed), 13))
	out := make([]sketch.Drawing, len(zs))
	for k, z := range zs {
		if len(z) != 3*sketchPoints {
			return nil, fmt.Errorf("vector %d has %d values, want %d", k, len(z), 3*sketchPoints)
		}
		var lines [][][2]float32
		var line [][2]float32
		for j := range sketchPoints {
			x, y := float64(z[j]), float64(z[sketchPoints+j])
			if temperature > 0 {
				x += 0.03 * temperature * rng.NormFloat64()
				y += 0.03 * temperature * rng.NormFloat64()
			}
			if z[2*sketchPoints+j] > 0.5 {
				if len(line) > 1 {
					lines = append(lines, line)
				}
				line = nil
				continue
			}
			line = append(line, [2]float32{float32(x * sketchScale), float32(y * sketchScale)})
		}
		if len(line) > 1 {
			lines = append(lines, line)
		}
		out[k] = sketch.FromStrokes(lines)
	}
	return out, nil
}

// Drums is a stand-in drum model. Its latent vector is the pattern's velocity grid, drum by
// drum and step by step, as a fraction of 127 (microtiming is left out, as MusicVAE's drum
// model leaves it out). Blends cross-fade grooves: a hit the nearby corners share stays, softer
// the fewer share it; corners decode back exactly.
type Drums struct{}

// drumHitLevel is the value above which a step of a decoded vector is a hit.
const drumHitLevel = 0.25

// ZSize is one value per drum per step of a 2-bar window.
func (Drums) ZSize() int { return drums.NumClasses * drums.WindowSteps }

// Encode returns each pattern's vector: [kick(32), snare(32), ... ride(32)].
func (Drums) Encode(ps []drums.Pattern) ([][]float32, error) {
	zs := make([][]float32, len(ps))
	for k, p := range ps {
		if err := p.Validate(); err != nil {
			return nil, fmt.Errorf("pattern %d: %w", k, err)
		}
		z := make([]float32, drums.NumClasses*drums.WindowSteps)
		for i, s := range p[:min(len(p), drums.WindowSteps)] {
			for c, v := range s.Velocity {
				z[c*drums.WindowSteps+i] = float32(v) / 127
			}
		}
		zs[k] = z
	}
	return zs, nil
}

// Decode makes a hit wherever a value is above drumHitLevel, as loud as the value (at least a
// ghost note); temperature adds seeded noise before it.
func (Drums) Decode(zs [][]float32, opts vae.DecodeOptions) ([]drums.Pattern, error) {
	rng := rand.New(rand.NewPCG(uint64(opts.Seed), 17))
	out := make([]drums.Pattern, len(zs))
	for k, z := range zs {
		if len(z) != drums.NumClasses*drums.WindowSteps {
			return nil, fmt.Errorf("vector %d has %d values, want %d", k, len(z), drums.NumClasses*drums.WindowSteps)
		}
		p := make(drums.Pattern, drums.WindowSteps)
		for j, x := range z {
			x := float64(x)
			if opts.Temperature > 0 {
				x += 0.3 * opts.Temperature * rng.NormFloat64()
			}
			if x > drumHitLevel {
				p[j%drums.WindowSteps].Velocity[j/drums.WindowSteps] = uint8(max(20, min(127, math.Round(127*x))))
			}
		}
		out[k] = p
	}
	return out, nil
}
