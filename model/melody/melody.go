// Package melody holds the Melody type: a monophonic line on a 16th-note grid in the 90-class
// event encoding that Magenta's MusicVAE uses, and its conversions to notes and MIDI files.
package melody

import "fmt"

// The event encoding, as Magenta's MelodyConverter for 2-bar melodies (min pitch 21, max pitch 108).
const (
	StepsPerQuarter = 4
	StepsPerBar     = 16 // 4/4 bars of 16th notes
	WindowSteps     = 32 // the models' window: 2 bars
	NumClasses      = 90
	NoEvent         = 0 // hold the previous note, or keep resting
	NoteOff         = 1
	MinPitch        = 21 // MIDI pitch of class 2
	MaxPitch        = 108
)

// Melody is one event class per 16th step: NoEvent, NoteOff, or a note-on (2 + pitch - MinPitch).
type Melody []int

// Note is a sounding note in steps; End is exclusive.
type Note struct {
	Pitch      int
	Start, End int
}

// NoteOn returns the event class that starts pitch p.
func NoteOn(p int) int { return 2 + p - MinPitch }

// Pitch returns the pitch that event class e starts, and whether e is a note-on.
func Pitch(e int) (int, bool) {
	if e < 2 || e >= NumClasses {
		return 0, false
	}
	return e - 2 + MinPitch, true
}

// Validate reports the first step whose event is not one of the 90 classes.
func (m Melody) Validate() error {
	for i, e := range m {
		if e < 0 || e >= NumClasses {
			return fmt.Errorf("step %d: event %d is outside 0..%d", i, e, NumClasses-1)
		}
	}
	return nil
}

// Notes lists the notes of m in order. A note lasts until the next note-on, a note-off, or the end.
func (m Melody) Notes() []Note {
	var notes []Note
	cur := -1 // index in notes of the sounding note
	for i, e := range m {
		switch {
		case e == NoteOff:
			if cur >= 0 {
				notes[cur].End = i
				cur = -1
			}
		case e >= 2:
			if cur >= 0 {
				notes[cur].End = i
			}
			p, _ := Pitch(e)
			notes = append(notes, Note{Pitch: p, Start: i, End: len(m)})
			cur = len(notes) - 1
		}
	}
	return notes
}

// FromNotes encodes notes (sorted by start, not overlapping) into a melody of n steps.
// Notes that start at or after n are dropped and a note that runs past n is cut there.
func FromNotes(notes []Note, n int) (Melody, error) {
	m := make(Melody, n)
	for i, nt := range notes {
		if nt.Pitch < MinPitch || nt.Pitch > MaxPitch {
			return nil, fmt.Errorf("note %d: pitch %d is outside %d..%d", i, nt.Pitch, MinPitch, MaxPitch)
		}
		if nt.End <= nt.Start || nt.Start < 0 {
			return nil, fmt.Errorf("note %d: empty or negative span %d..%d", i, nt.Start, nt.End)
		}
		if i > 0 && nt.Start < notes[i-1].End {
			return nil, fmt.Errorf("note %d overlaps note %d", i, i-1)
		}
		if nt.Start >= n {
			break
		}
		m[nt.Start] = NoteOn(nt.Pitch)
		if nt.End < n && (i+1 == len(notes) || notes[i+1].Start > nt.End) {
			m[nt.End] = NoteOff
		}
	}
	return m, nil
}

// HasNote reports whether m starts any note.
func (m Melody) HasNote() bool {
	for _, e := range m {
		if e >= 2 {
			return true
		}
	}
	return false
}

// Transpose returns m moved by k semitones, and false (with a nil melody) when a note would
// leave MinPitch..MaxPitch.
func (m Melody) Transpose(k int) (Melody, bool) {
	t := make(Melody, len(m))
	for i, e := range m {
		if p, ok := Pitch(e); ok {
			p += k
			if p < MinPitch || p > MaxPitch {
				return nil, false
			}
			e = NoteOn(p)
		}
		t[i] = e
	}
	return t, true
}

// soundingAtEnd reports whether a note is still held at the last step of m.
func (m Melody) soundingAtEnd() bool {
	for i := len(m) - 1; i >= 0; i-- {
		switch {
		case m[i] == NoteOff:
			return false
		case m[i] >= 2:
			return true
		}
	}
	return false
}

// trimLead turns every event before the first note-on into NoEvent, in place: a window cut
// from inside a held note drops the held continuation (as Magenta's slicing does), and a
// leading NoteOff, which would end nothing, becomes the rest it stands for.
func (m Melody) trimLead() {
	for i, e := range m {
		if e >= 2 {
			return
		}
		m[i] = NoEvent
	}
}

// Concat joins melodies one after another into a new melody. Where a melody ends on a held
// note and the next one does not start with an event of its own, a NoteOff is put at the
// join, so that each part sounds as it does alone. Use it to write several windows (an
// interpolation, a list of samples) as one MIDI file.
func Concat(parts ...Melody) Melody {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make(Melody, 0, n)
	for _, p := range parts {
		if len(p) == 0 {
			continue
		}
		start := len(out)
		held := out.soundingAtEnd()
		out = append(out, p...)
		if held && p[0] == NoEvent {
			out[start] = NoteOff
		}
	}
	return out
}
