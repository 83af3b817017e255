package melody

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"

	"gitlab.com/gomidi/midi/v2"
	"gitlab.com/gomidi/midi/v2/smf"
)

// A one-note track, for files that should be fine but for one thing.
var oneNote = track(note(0, 60, 0, 480))

func TestReadMIDIBadInput(t *testing.T) {
	good := smfBytes(t, 1, 480, oneNote, track(note(1, 64, 0, 960)))
	end1 := 22 + int(beUint32(good[18:22])) // the end of the first track chunk
	noNotes := smfBytes(t, 1, 480, track([]ev{{0, smf.MetaTempo(100)}}))
	drums := smfBytes(t, 0, 480, track(note(9, 36, 0, 120), note(9, 38, 240, 360)))
	high := smfBytes(t, 0, 480, track(note(0, 72, 0, 480), note(0, 110, 480, 960)))
	low := smfBytes(t, 0, 480, track(note(0, 20, 0, 480)))
	// A delta of 0x0fffffff ticks at 1 tick per quarter: a note of a billion 16ths.
	longNote := rawSMF(0, 1, 1, []byte{0x00, 0x90, 60, 90, 0xff, 0xff, 0xff, 0x7f, 0x80, 60, 0, 0x00, 0xff, 0x2f, 0x00})

	tests := []struct {
		name string
		data []byte
		kind ErrorKind
		msg  string // a part of the message
	}{
		{"empty", nil, NotMIDI, "empty"},
		{"text", []byte("hello, this is not music"), NotMIDI, "not a MIDI file"},
		{"png", []byte("\x89PNG\r\n\x1a\n0000000000"), NotMIDI, "not a MIDI file"},
		{"short magic", []byte("MTh"), Truncated, "truncated"},
		{"short header", good[:10], Truncated, "header"},
		{"cut in a track", good[:len(good)-5], Truncated, "track 2 announces"},
		{"missing track", good[:end1], Truncated, "announces 2 tracks but the file ends after 1"},
		{"cut in a chunk header", good[:end1+5], Truncated, "ends inside the header of track 2"},
		{"meta longer than its track", rawSMF(0, 1, 480, []byte{0, 0xff, 0x01, 0x8f, 0xff, 0xff, 0xff, 0x7f, 'a'}), Truncated, "runs past the end of its track"},
		{"sysex longer than its track", rawSMF(0, 1, 480, []byte{0, 0x90, 60, 90, 0, 0xf0, 0x7f, 1, 2}), Truncated, "track 1: truncated"},
		{"zero ticks", rawSMF(0, 1, 0, []byte{0, 0xff, 0x2f, 0}), ZeroTicks, "zero ticks per quarter"},
		{"SMPTE", rawSMF(0, 1, 0xE728, []byte{0, 0xff, 0x2f, 0}), Unsupported, "SMPTE time division (25 frames per second, 40 subframes)"},
		{"type 2", rawSMF(2, 1, 480, []byte{0, 0xff, 0x2f, 0}), Unsupported, "type 2"},
		{"type 7", rawSMF(7, 1, 480, []byte{0, 0xff, 0x2f, 0}), Corrupt, "unknown SMF type 7"},
		{"header too small", append([]byte("MThd\x00\x00\x00\x02\x00\x00"), good[14:]...), Corrupt, "header chunk of 2 bytes"},
		{"junk instead of a track", append(bytes.Clone(good[:14]), 0x01, 0x02, 0x03, 0x04, 0, 0, 0, 0), Corrupt, "unexpected bytes"},
		{"no tracks", rawSMF(1, 0, 480), NoNotes, "no tracks"},
		{"no notes", noNotes, NoNotes, "no notes"},
		{"empty track", rawSMF(0, 1, 480, nil), NoNotes, "no notes"},
		{"drums only", drums, DrumsOnly, "drum"},
		{"pitch too high", high, PitchOutOfRange, "pitch 110 (D8) in bar 1"},
		{"pitch too low", low, PitchOutOfRange, "pitch 20 (G#0)"},
		{"melody too long", longNote, TooLarge, "bars long"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			segs, err := ReadMIDI(bytes.NewReader(tt.data))
			var fe *FormatError
			if !errors.As(err, &fe) {
				t.Fatalf("got %v, %v; want a *FormatError", segs, err)
			}
			if fe.Kind != tt.kind {
				t.Errorf("kind %v, want %v (%v)", fe.Kind, tt.kind, err)
			}
			msg := err.Error()
			if !strings.Contains(msg, tt.msg) || !strings.HasPrefix(msg, "melody: ") || strings.Contains(msg, "\n") {
				t.Errorf("message %q: want one line starting with \"melody: \" and holding %q", msg, tt.msg)
			}
			if segs != nil {
				t.Errorf("segments %v with an error", segs)
			}
		})
	}
}

func beUint32(b []byte) uint32 {
	return uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
}

func TestReadMIDITooLarge(t *testing.T) {
	r := io.MultiReader(bytes.NewReader(smfBytes(t, 0, 480, oneNote)), io.LimitReader(zeros{}, maxFileSize))
	_, err := ReadMIDI(r)
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Kind != TooLarge {
		t.Fatalf("got %v, want a TooLarge FormatError", err)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestReadMIDIReaderError(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := ReadMIDI(io.MultiReader(strings.NewReader("MThd"), errReader{boom}))
	var fe *FormatError
	if !errors.Is(err, boom) || errors.As(err, &fe) {
		t.Fatalf("got %v, want the reader's error, not a FormatError", err)
	}
}

type errReader struct{ err error }

func (r errReader) Read([]byte) (int, error) { return 0, r.err }

// A melody of quarter notes C D E F, then a bar of rest, then G: two segments.
func TestReadMIDISegments(t *testing.T) {
	tests := []struct {
		name   string
		tracks []smf.Track
		want   []Melody
	}{
		{
			name:   "one note",
			tracks: []smf.Track{oneNote},
			want:   []Melody{padBar(Melody{NoteOn(60), 0, 0, 0, NoteOff})},
		},
		{
			name: "a whole-bar rest splits; segments start on their bar line",
			tracks: []smf.Track{track(
				note(0, 60, 0, 480), note(0, 62, 480, 960),
				// rest from step 8 to 24 (16 steps), then a note at step 24, in the second bar
				note(0, 64, 24*120, 26*120))},
			want: []Melody{
				padBar(Melody{NoteOn(60), 0, 0, 0, NoteOn(62), 0, 0, 0, NoteOff}),
				padBar(Melody{0, 0, 0, 0, 0, 0, 0, 0, NoteOn(64), 0, NoteOff}),
			},
		},
		{
			name:   "a rest of 15 steps does not split",
			tracks: []smf.Track{track(note(0, 60, 0, 120), note(0, 62, 16*120, 17*120))},
			want: []Melody{padBar(append(append(Melody{NoteOn(60), NoteOff}, make(Melody, 14)...),
				NoteOn(62), NoteOff))},
		},
		{
			name:   "a note ending on the bar line has no NoteOff",
			tracks: []smf.Track{track(note(0, 60, 0, 16*120))},
			want:   []Melody{padBar(Melody{NoteOn(60)})},
		},
		{
			name:   "leading empty bars are cut",
			tracks: []smf.Track{track(note(0, 60, 40*120, 41*120))},
			want:   []Melody{padBar(Melody{0, 0, 0, 0, 0, 0, 0, 0, NoteOn(60), NoteOff})},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readBytes(t, smfBytes(t, 1, 480, tt.tracks...))
			if !equalMelodies(got, tt.want) {
				t.Errorf("got  %v\nwant %v", got, tt.want)
			}
		})
	}
}

// Onsets and offsets go to the nearest 16th, halves up, at any ticks per quarter.
func TestReadMIDIQuantize(t *testing.T) {
	for _, tpq := range []uint16{96, 384, 1024} {
		q := uint32(tpq / 4) // ticks per 16th
		file := smfBytes(t, 0, tpq, track(
			note(0, 60, q/2-1, 2*q+q/2-1), // 0.49 → 0, 2.49 → 2
			note(0, 62, 3*q-q/2, 4*q),     // 2.5 → 3
			note(0, 64, 5*q, 5*q+1),       // shorter than a 16th: one step
			note(0, 65, 7*q+q/2, 8*q-1),   // 7.5 → 8, 7.99 → 8: one step
		))
		want := padBar(Melody{NoteOn(60), 0, NoteOff, NoteOn(62), NoteOff, NoteOn(64), NoteOff, 0, NoteOn(65), NoteOff})
		if got := readBytes(t, file); !equalMelodies(got, []Melody{want}) {
			t.Errorf("tpq %d: got %v, want %v", tpq, got, want)
		}
	}
}

// Quantization is on ticks: tempo changes, in any track, move nothing.
func TestReadMIDITempoChanges(t *testing.T) {
	notes := [][]ev{note(0, 60, 0, 480), note(0, 62, 480, 720), note(0, 64, 720, 1920), note(0, 65, 3840, 4080)}
	plain := readBytes(t, smfBytes(t, 1, 480, track(notes...)))
	tempos := []ev{{0, smf.MetaTempo(90)}, {500, smf.MetaTempo(133.3)}, {1000, smf.MetaTempo(40)}, {3000, smf.MetaTempo(240)}}
	withTempos := readBytes(t, smfBytes(t, 1, 480, track(tempos), track(notes...)))
	if !equalMelodies(plain, withTempos) {
		t.Errorf("tempo changes moved notes:\n%v\n%v", plain, withTempos)
	}
	inTrack := track(append(notes, tempos)...)
	if got := readBytes(t, smfBytes(t, 0, 480, inTrack)); !equalMelodies(plain, got) {
		t.Errorf("tempo changes in the note track moved notes:\n%v\n%v", plain, got)
	}
}

// The melody voice: mostly monophonic with the most notes, wherever it is; drums never count.
func TestReadMIDIPicksMelody(t *testing.T) {
	q := uint32(120) // a 16th at 480 ticks per quarter
	var tune, chords, bass, drums [][]ev
	for bar := uint32(0); bar < 2; bar++ {
		for i, p := range []uint8{67, 69, 71, 72} { // quarter notes
			s := bar*16*q + uint32(i)*4*q
			tune = append(tune, note(0, p, s, s+4*q))
		}
		for _, p := range []uint8{48, 52, 55} { // a block chord per half bar, more notes than the tune
			for h := uint32(0); h < 2; h++ {
				s := bar*16*q + h*8*q
				chords = append(chords, note(1, p, s, s+8*q))
			}
		}
		for i := uint32(0); i < 16; i++ {
			drums = append(drums, note(9, 42, bar*16*q+i*q, bar*16*q+i*q+q/2))
		}
		bass = append(bass, note(2, 36, bar*16*q, bar*16*q+16*q))
	}
	wantTune := padBar(Melody{NoteOn(67), 0, 0, 0, NoteOn(69), 0, 0, 0, NoteOn(71), 0, 0, 0, NoteOn(72), 0, 0, 0,
		NoteOn(67), 0, 0, 0, NoteOn(69), 0, 0, 0, NoteOn(71), 0, 0, 0, NoteOn(72), 0, 0, 0})
	sameChannel := func(evs [][]ev, ch uint8) [][]ev {
		out := make([][]ev, len(evs))
		for i, e := range evs {
			out[i] = []ev{{e[0].tick, midi.NoteOn(ch, e[0].msg[1], 90)}, {e[1].tick, midi.NoteOff(ch, e[1].msg[1])}}
		}
		return out
	}
	tests := []struct {
		name string
		file []byte
	}{
		{"type 1, chords first", smfBytes(t, 1, 480, track(chords...), track(tune...), track(drums...))},
		{"type 1, tune first", smfBytes(t, 1, 480, track(tune...), track(chords...))},
		{"type 0, channels", smfBytes(t, 0, 480, track(append(append(append(chords, drums...), bass...), tune...)...))},
		{"type 1, chords on the tune's channel in another track", smfBytes(t, 1, 480, track(sameChannel(chords, 0)...), track(tune...))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := readBytes(t, tt.file); !equalMelodies(got, []Melody{wantTune}) {
				t.Errorf("got %v, want the tune %v", got, wantTune)
			}
		})
	}

	// With no mostly monophonic voice, the one with the most distinct onsets wins: the tune
	// in thirds over the block chords, though the chords have more notes.
	var thirds [][]ev
	for _, e := range tune {
		thirds = append(thirds, e, []ev{{e[0].tick, midi.NoteOn(0, e[0].msg[1]-4, 90)}, {e[1].tick, midi.NoteOff(0, e[1].msg[1]-4)}})
	}
	if got := readBytes(t, smfBytes(t, 1, 480, track(chords...), track(thirds...))); !equalMelodies(got, []Melody{wantTune}) {
		t.Errorf("thirds: got %v, want the tune's top line %v", got, wantTune)
	}
}

// Overlapping notes keep the highest; see ReadMIDI for the rule.
func TestReadMIDISkyline(t *testing.T) {
	q := uint32(120)
	tests := []struct {
		name  string
		notes [][]ev
		want  Melody
	}{
		{"chord keeps its top", [][]ev{note(0, 60, 0, 4*q), note(0, 67, 0, 4*q), note(0, 64, 0, 4*q)},
			Melody{NoteOn(67), 0, 0, 0, NoteOff}},
		{"a higher note cuts a held one", [][]ev{note(0, 60, 0, 8*q), note(0, 72, 2*q, 4*q)},
			Melody{NoteOn(60), 0, NoteOn(72), 0, NoteOff}},
		{"legato overlap hands over to a lower note", [][]ev{note(0, 72, 0, 3*q), note(0, 71, 2*q, 4*q)},
			Melody{NoteOn(72), 0, NoteOn(71), 0, NoteOff}},
		{"a lower note under a held one is dropped", [][]ev{note(0, 72, 0, 8*q), note(0, 48, 2*q, 4*q), note(0, 50, 4*q, 6*q)},
			Melody{NoteOn(72), 0, 0, 0, 0, 0, 0, 0, NoteOff}},
		{"a doubled note sounds once", [][]ev{note(0, 60, 0, 2*q), note(0, 60, 0, 3*q)},
			Melody{NoteOn(60), 0, NoteOff}},
		{"a note struck again while held restarts", [][]ev{note(0, 60, 0, 8*q), note(0, 60, 2*q+5, 4*q)},
			Melody{NoteOn(60), 0, NoteOn(60), 0, NoteOff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readBytes(t, smfBytes(t, 0, 480, track(tt.notes...)))
			if want := padBar(tt.want); !equalMelodies(got, []Melody{want}) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// Note-ons and note-offs pair as pretty_midi pairs them.
func TestReadMIDINotePairing(t *testing.T) {
	q := uint32(120)
	tests := []struct {
		name   string
		events []ev
		want   Melody
	}{
		{"note-on with velocity 0 ends a note",
			[]ev{on(0, 0, 60), {2 * q, midi.NoteOn(0, 60, 0)}},
			Melody{NoteOn(60), 0, NoteOff}},
		{"a repeated key without an off: the off ends both, the second cuts the first",
			[]ev{on(0, 0, 60), on(2*q, 0, 60), off(4*q, 0, 60)},
			Melody{NoteOn(60), 0, NoteOn(60), 0, NoteOff}},
		{"an off at the tick of its own on is dropped with it",
			[]ev{on(0, 0, 60), off(2*q, 0, 60), on(2*q, 0, 60), off(2*q, 0, 60), on(3*q, 0, 62), off(4*q, 0, 62)},
			Melody{NoteOn(60), 0, NoteOff, NoteOn(62), NoteOff}},
		{"an off before the next on at the same tick",
			[]ev{on(0, 0, 60), off(2*q, 0, 60), on(2*q, 0, 60), off(4*q, 0, 60)},
			Melody{NoteOn(60), 0, NoteOn(60), 0, NoteOff}},
		{"the next on before the off at the same tick keeps the new note",
			[]ev{on(0, 0, 60), on(2*q, 0, 60), off(2*q, 0, 60), off(4*q, 0, 60)},
			Melody{NoteOn(60), 0, NoteOn(60), 0, NoteOff}},
		{"a note never ended lasts to the end of its track",
			[]ev{on(0, 0, 60), off(q, 0, 60), on(q, 0, 62), {5 * q, smf.MetaText("end")}},
			Melody{NoteOn(60), NoteOn(62), 0, 0, 0, NoteOff}},
		{"a stray off is ignored",
			[]ev{off(0, 0, 64), on(q, 0, 60), off(2*q, 0, 60)},
			Melody{0, NoteOn(60), NoteOff}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := readBytes(t, smfBytes(t, 0, 480, track(tt.events)))
			if want := padBar(tt.want); !equalMelodies(got, []Melody{want}) {
				t.Errorf("got %v, want %v", got, want)
			}
		})
	}
}

// A RIFF MIDI file (.rmi) reads as the SMF inside it.
func TestReadMIDIRIFF(t *testing.T) {
	m := padBar(Melody{NoteOn(60), 0, NoteOn(64), NoteOff})
	var b bytes.Buffer
	if err := WriteMIDI(&b, m, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	le := func(n int) []byte { return []byte{byte(n), byte(n >> 8), byte(n >> 16), byte(n >> 24)} }
	smfData := b.Bytes()
	info := []byte("INFOabc") // an odd-length chunk before the data, padded to even
	var riff []byte
	riff = append(riff, "RMID"...)
	riff = append(append(append(riff, "LIST"...), le(len(info))...), append(info, 0)...)
	riff = append(append(append(riff, "data"...), le(len(smfData))...), smfData...)
	file := append(append([]byte("RIFF"), le(len(riff))...), riff...)
	if got := readBytes(t, file); !equalMelodies(got, []Melody{m}) {
		t.Errorf("got %v, want %v", got, m)
	}
	if _, err := ReadMIDI(bytes.NewReader(file[:len(file)-3])); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("a cut RIFF file: %v, want a truncated error", err)
	}
}
