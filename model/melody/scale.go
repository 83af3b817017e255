package melody

import (
	"fmt"
	"strings"
)

// Scale is a set of pitch classes above a tonic. Chromatic (the zero value) is every class: no
// key lock.
type Scale int

// The scales a key lock offers.
const (
	Chromatic Scale = iota
	Major
	NaturalMinor
	Dorian
	Mixolydian
	MajorPentatonic
	MinorPentatonic
	Blues
)

var scales = [...]struct {
	name      string
	intervals []int // semitones above the tonic
	minor     bool  // a minor third above the tonic: written as a minor key signature
}{
	Chromatic:       {"chromatic", []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, false},
	Major:           {"major", []int{0, 2, 4, 5, 7, 9, 11}, false},
	NaturalMinor:    {"minor", []int{0, 2, 3, 5, 7, 8, 10}, true},
	Dorian:          {"dorian", []int{0, 2, 3, 5, 7, 9, 10}, true},
	Mixolydian:      {"mixolydian", []int{0, 2, 4, 5, 7, 9, 10}, false},
	MajorPentatonic: {"major-pentatonic", []int{0, 2, 4, 7, 9}, false},
	MinorPentatonic: {"minor-pentatonic", []int{0, 3, 5, 7, 10}, true},
	Blues:           {"blues", []int{0, 3, 5, 6, 7, 10}, true},
}

// Scales lists every scale, Chromatic first.
func Scales() []Scale {
	out := make([]Scale, len(scales))
	for i := range out {
		out[i] = Scale(i)
	}
	return out
}

// String is the scale's name as ParseScale reads it.
func (s Scale) String() string {
	if s < 0 || int(s) >= len(scales) {
		return fmt.Sprintf("Scale(%d)", int(s))
	}
	return scales[s].name
}

// Intervals returns the scale's pitch classes above the tonic, ascending from 0.
func (s Scale) Intervals() []int {
	if s < 0 || int(s) >= len(scales) {
		return nil
	}
	return append([]int(nil), scales[s].intervals...)
}

// ParseScale reads a scale name: off or chromatic, major (ionian), minor (natural-minor,
// aeolian), dorian, mixolydian, major-pentatonic, minor-pentatonic or blues; case, spaces and
// underscores do not matter.
func ParseScale(name string) (Scale, error) {
	n := strings.NewReplacer(" ", "-", "_", "-").Replace(strings.ToLower(strings.TrimSpace(name)))
	switch n {
	case "off", "none", "chromatic":
		return Chromatic, nil
	case "ionian":
		return Major, nil
	case "natural-minor", "aeolian":
		return NaturalMinor, nil
	case "pentatonic":
		return MajorPentatonic, nil
	}
	for i, s := range scales {
		if s.name == n {
			return Scale(i), nil
		}
	}
	return 0, fmt.Errorf("unknown scale %q: use off, major, minor, dorian, mixolydian, major-pentatonic, minor-pentatonic or blues", firstLine(name))
}

// firstLine cuts s for an error message: its first line, at most 40 bytes.
func firstLine(s string) string {
	if i := strings.IndexAny(s, "\r\n"); i >= 0 {
		s = s[:i]
	}
	if len(s) > 40 {
		s = s[:40] + "…"
	}
	return s
}

var letterClass = map[byte]int{'c': 0, 'd': 2, 'e': 4, 'f': 5, 'g': 7, 'a': 9, 'b': 11}

// ParseKey reads a tonic: a letter A-G (either case) and optional sharps (#, ♯) or flats (b, ♭).
// It returns the pitch class (0 is C) and whether the name was spelled with flats.
func ParseKey(name string) (tonic int, flats bool, err error) {
	s := strings.TrimSpace(name)
	if s == "" {
		return 0, false, fmt.Errorf("empty key: use a note name such as C, F# or Bb")
	}
	pc, ok := letterClass[strings.ToLower(s[:1])[0]]
	if !ok {
		return 0, false, fmt.Errorf("key %q is not a note name: use A to G with # or b, such as F# or Bb", firstLine(name))
	}
	rest := s[1:]
	for n := 0; rest != ""; n++ {
		if n == 2 {
			return 0, false, fmt.Errorf("key %q has more than two accidentals", firstLine(name))
		}
		switch {
		case strings.HasPrefix(rest, "#"), strings.HasPrefix(rest, "♯"):
			pc++
			rest = rest[len(prefixOf(rest, "#", "♯")):]
		case strings.HasPrefix(rest, "b"), strings.HasPrefix(rest, "♭"):
			pc--
			flats = true
			rest = rest[len(prefixOf(rest, "b", "♭")):]
		default:
			return 0, false, fmt.Errorf("key %q is not a note name: use A to G with # or b, such as F# or Bb", firstLine(name))
		}
	}
	return ((pc % 12) + 12) % 12, flats, nil
}

func prefixOf(s string, ps ...string) string {
	for _, p := range ps {
		if strings.HasPrefix(s, p) {
			return p
		}
	}
	return ""
}

var sharpNames = [12]string{"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"}
var flatNames = [12]string{"C", "Db", "D", "Eb", "E", "F", "Gb", "G", "Ab", "A", "Bb", "B"}

// KeyLock is a key and scale that decoded melodies keep to. The zero value (a Chromatic scale)
// is no lock.
type KeyLock struct {
	Tonic int // pitch class of the key, 0 (C) to 11 (B)
	Scale Scale
	Flats bool // name the key with flats (Bb, not A#), as the user spelled it
}

// ParseKeyLock reads a --key and --scale pair. An empty scale with a key means major; an empty
// key with a scale other than off means C; both empty are no lock.
func ParseKeyLock(key, scale string) (KeyLock, error) {
	var l KeyLock
	if strings.TrimSpace(key) == "" && strings.TrimSpace(scale) == "" {
		return l, nil
	}
	var err error
	l.Scale = Major
	if strings.TrimSpace(scale) != "" {
		if l.Scale, err = ParseScale(scale); err != nil {
			return KeyLock{}, err
		}
	}
	if strings.TrimSpace(key) != "" {
		if l.Tonic, l.Flats, err = ParseKey(key); err != nil {
			return KeyLock{}, err
		}
	}
	if l.Scale == Chromatic {
		return KeyLock{}, nil
	}
	return l, nil
}

// Off reports whether l allows every pitch.
func (l KeyLock) Off() bool { return l.Scale == Chromatic }

// String names the lock ("D dorian", "Bb minor"), or "off".
func (l KeyLock) String() string {
	if l.Off() {
		return "off"
	}
	return l.TonicName() + " " + l.Scale.String()
}

// TonicName is the key's note name, with flats where l.Flats says so.
func (l KeyLock) TonicName() string {
	t := ((l.Tonic % 12) + 12) % 12
	if l.Flats {
		return flatNames[t]
	}
	return sharpNames[t]
}

// InScale reports whether MIDI pitch p belongs to the lock's scale.
func (l KeyLock) InScale(p int) bool {
	if l.Off() {
		return true
	}
	pc := ((p-l.Tonic)%12 + 12) % 12
	for _, i := range scales[l.Scale].intervals {
		if i == pc {
			return true
		}
	}
	return false
}

// Allowed returns the event classes a decoder may choose under l, one entry per class of the
// 90: NoEvent, NoteOff and the note-ons of in-scale pitches. It is nil when l is off.
func (l KeyLock) Allowed() []bool {
	if l.Off() {
		return nil
	}
	a := make([]bool, NumClasses)
	a[NoEvent], a[NoteOff] = true, true
	for p := MinPitch; p <= MaxPitch; p++ {
		a[NoteOn(p)] = l.InScale(p)
	}
	return a
}

// OutOfScale returns the steps of m that start a note outside the scale.
func (l KeyLock) OutOfScale(m Melody) []int {
	var steps []int
	for i, e := range m {
		if p, ok := Pitch(e); ok && !l.InScale(p) {
			steps = append(steps, i)
		}
	}
	return steps
}

// Fit moves m into the key: it transposes m by the shift in -6..+5 semitones that puts the most
// note length in the scale (the smallest shift on ties, up before down), then moves each note
// still outside the scale to the nearest scale pitch (down on ties). It returns the new melody
// and the shift. With the lock off, or no notes, it returns a copy of m and 0.
func (l KeyLock) Fit(m Melody) (Melody, int) {
	out := append(Melody(nil), m...)
	if l.Off() || !m.HasNote() {
		return out, 0
	}
	bestShift, bestIn := 0, -1
	notes := m.Notes()
	for _, k := range []int{0, 1, -1, 2, -2, 3, -3, 4, -4, 5, -5, -6} {
		in, ok := 0, true
		for _, n := range notes {
			p := n.Pitch + k
			if p < MinPitch || p > MaxPitch {
				ok = false
				break
			}
			if l.InScale(p) {
				in += n.End - n.Start
			}
		}
		if ok && in > bestIn {
			bestShift, bestIn = k, in
		}
	}
	for i, e := range out {
		p, ok := Pitch(e)
		if !ok {
			continue
		}
		out[i] = NoteOn(l.nearest(p + bestShift))
	}
	return out, bestShift
}

// nearest returns the scale pitch nearest p within MinPitch..MaxPitch, the lower on ties.
func (l KeyLock) nearest(p int) int {
	for d := 0; d < 12; d++ {
		if q := p - d; q >= MinPitch && q <= MaxPitch && l.InScale(q) {
			return q
		}
		if q := p + d; q >= MinPitch && q <= MaxPitch && l.InScale(q) {
			return q
		}
	}
	return p
}

// Signature returns the MIDI key signature (SMF meta event 0x59) that stands for l: sf sharps
// (above 0) or flats (below 0), -7..7, and whether the key is minor. A MIDI key signature names
// only major and minor keys, so each scale is written as the key of its tonic with its third:
// dorian, minor pentatonic and blues as the tonic's minor key, mixolydian and major
// pentatonic as its major key (D dorian is written D minor, one flat). The scale's full name goes
// in a text event beside it (see WriteMIDI).
func (l KeyLock) Signature() (sf int8, minor bool) {
	if l.Off() {
		return 0, false
	}
	minor = scales[l.Scale].minor
	major := l.Tonic
	if minor {
		major += 3 // the relative major's signature
	}
	s := ((major%12 + 12) % 12 * 7) % 12 // sharps of the major key, 0..11
	pos, neg := s, s-12
	switch {
	case l.Flats && neg >= -7:
		return int8(neg), minor
	case !l.Flats && pos <= 7:
		return int8(pos), minor
	case pos <= 7:
		return int8(pos), minor
	default:
		return int8(neg), minor
	}
}
