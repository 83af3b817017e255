// Package drums holds the Pattern type: a drum groove on a 16th-note grid in the nine drum classes
// of Magenta's MusicVAE drum models, with the velocity and timing a performance gives each hit.
package drums

import "fmt"

// Class is one of MusicVAE's nine drum classes, in the order of its drum mapping (bit c of a
// step's token is class c).
type Class int

const (
	Kick Class = iota
	Snare
	ClosedHat
	OpenHat
	LowTom
	MidTom
	HighTom
	Crash
	Ride
	NumClasses = 9
)

const (
	StepsPerQuarter = 4
	StepsPerBar     = 16
	WindowSteps     = 32           // the models' window: 2 bars
	NumTokens       = 1 << 9       // a step's token: the set of classes hit, as a 9-bit mask
	DefaultVelocity = 100          // the velocity of a hit the model decodes
	maxOffset       = float32(0.5) // a hit's timing offset is within half a step of its step
)

var classNames = [NumClasses]string{"kick", "snare", "closed hi-hat", "open hi-hat", "low tom", "mid tom", "high tom", "crash", "ride"}

func (c Class) String() string {
	if c < 0 || c >= NumClasses {
		return fmt.Sprintf("class %d", int(c))
	}
	return classNames[c]
}

// Step is what sounds at one 16th: per class, a velocity (0: silent, else 1..127) and a timing
// offset in steps (-0.5..0.5; a performance's microtiming, 0 on the grid).
type Step struct {
	Velocity [NumClasses]uint8
	Offset   [NumClasses]float32
}

// Pattern is a groove, one Step per 16th.
type Pattern []Step

// Token is the step's class set as a 9-bit mask (MusicVAE's one-of-512 drum event).
func (s Step) Token() int {
	t := 0
	for c, v := range s.Velocity {
		if v > 0 {
			t |= 1 << c
		}
	}
	return t
}

// Hit reports whether class c sounds at the step.
func (s Step) Hit(c Class) bool { return s.Velocity[c] > 0 }

// Tokens returns the pattern's tokens, one per step.
func (p Pattern) Tokens() []int {
	out := make([]int, len(p))
	for i, s := range p {
		out[i] = s.Token()
	}
	return out
}

// FromTokens makes a pattern from tokens (as a model decodes them): DefaultVelocity on the grid.
func FromTokens(tokens []int) (Pattern, error) {
	p := make(Pattern, len(tokens))
	for i, t := range tokens {
		if t < 0 || t >= NumTokens {
			return nil, fmt.Errorf("drums: step %d: token %d is outside 0..%d", i, t, NumTokens-1)
		}
		for c := range NumClasses {
			if t&(1<<c) != 0 {
				p[i].Velocity[c] = DefaultVelocity
			}
		}
	}
	return p, nil
}

// Validate reports the first step with a velocity above 127 or an offset outside -0.5..0.5.
func (p Pattern) Validate() error {
	for i, s := range p {
		for c := range NumClasses {
			if s.Velocity[c] > 127 {
				return fmt.Errorf("drums: step %d: %s velocity %d is above 127", i, Class(c), s.Velocity[c])
			}
			if o := s.Offset[c]; !(o >= -maxOffset && o <= maxOffset) {
				return fmt.Errorf("drums: step %d: %s offset %v is outside -0.5..0.5 steps", i, Class(c), o)
			}
		}
	}
	return nil
}

// Hits counts the hits of the pattern.
func (p Pattern) Hits() int {
	n := 0
	for _, s := range p {
		for _, v := range s.Velocity {
			if v > 0 {
				n++
			}
		}
	}
	return n
}
