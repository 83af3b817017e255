package drums

import (
	"bytes"
	"errors"
	"math"
	"slices"
	"strings"
	"testing"
)

func TestReadMIDIGrid(t *testing.T) {
	const tpq = 96 // 24 ticks a step
	im := read(t, midiBytes(0, tpq, trackBody(
		hit(0, 9, 36, 100),      // kick, step 0
		hit(4*24+6, 9, 38, 80),  // snare, step 4, a quarter step late
		hit(8*24-12, 9, 42, 60), // closed hat half a step early: step 8
		hit(8*24+12, 9, 44, 70), // pedal hat (closed) half a step late: step 9, half early
		hit(12*24, 9, 36, 50),   // two kicks on step 12: the louder stays
		hit(12*24+3, 9, 35, 90),
		hit(13*24, 9, 21, 90), // not in the mapping
		hit(14*24, 9, 22, 40), // Roland hi-hat edge: closed hat in note-seq's mapping
	)))
	if len(im.Pattern) != StepsPerBar || !slices.Equal(im.Bars, []int{0}) {
		t.Fatalf("got %d steps, bars %v; want one bar", len(im.Pattern), im.Bars)
	}
	want := []struct {
		step   int
		class  Class
		vel    uint8
		offset float32
	}{
		{0, Kick, 100, 0}, {4, Snare, 80, 0.25}, {8, ClosedHat, 60, -0.5}, {9, ClosedHat, 70, -0.5},
		{12, Kick, 90, 0.125}, {14, ClosedHat, 40, 0},
	}
	var p Pattern = make(Pattern, StepsPerBar)
	for _, w := range want {
		p[w.step].Velocity[w.class], p[w.step].Offset[w.class] = w.vel, w.offset
	}
	if !slices.Equal(im.Pattern, p) {
		t.Errorf("pattern\n%v\nwant\n%v", im.Pattern, p)
	}
	if im.Hits != 6 || im.Doubled != 1 || im.Unmapped != 1 || im.Track != 1 || im.Channel != 10 {
		t.Errorf("hits %d doubled %d unmapped %d track %d channel %d; want 6 1 1 1 10", im.Hits, im.Doubled, im.Unmapped, im.Track, im.Channel)
	}
	if !hasNotice(im, "(21)") || !hasNotice(im, "louder") {
		t.Errorf("notices %q should name pitch 21 and the doubled hit", im.Notices)
	}
	if im.BPM != 120 || math.Abs(im.Seconds-2) > 1e-9 {
		t.Errorf("%v BPM, %v s; want 120 BPM and 2 s (one bar)", im.BPM, im.Seconds)
	}
}

func hasNotice(im *Import, s string) bool {
	return slices.ContainsFunc(im.Notices, func(n string) bool { return strings.Contains(n, s) })
}

func TestReadMIDIPicksTheDrums(t *testing.T) {
	piano := trackBody(hit(0, 0, 60, 90), hit(96, 0, 64, 90), hit(192, 0, 67, 90))
	beat := func(ch uint8) []byte {
		return trackBody(hit(0, ch, 36, 100), hit(0, ch, 42, 80), hit(48, ch, 42, 80), hit(96, ch, 38, 100), hit(144, ch, 42, 80))
	}
	bassInC := trackBody(hit(0, 1, 36, 90), hit(96, 1, 38, 90), hit(192, 1, 40, 90), hit(288, 1, 41, 90), hit(384, 1, 43, 90))
	tests := []struct {
		name           string
		file           []byte
		track, channel int
		notice         string
	}{
		{"channel 10 in track 2", midiBytes(1, 96, piano, beat(9)), 2, 10, ""},
		{"channel 10 in two tracks", midiBytes(1, 96, beat(9), piano, beat(9)), 0, 10, ""},
		{"no channel 10: the kit track", midiBytes(1, 96, append(trackBody(name("Beat")), piano...), bassInC, beat(3)), 3, 4, `track 3`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			im := read(t, tc.file)
			if im.Track != tc.track || im.Channel != tc.channel {
				t.Errorf("track %d channel %d, want %d %d", im.Track, im.Channel, tc.track, tc.channel)
			}
			if tc.notice != "" && !hasNotice(im, tc.notice) {
				t.Errorf("notices %q, want one with %q", im.Notices, tc.notice)
			}
			if got := im.Pattern.Tokens()[:4]; !slices.Equal(got, []int{1<<Kick | 1<<ClosedHat, 0, 1 << ClosedHat, 0}) {
				t.Errorf("tokens %v", got)
			}
		})
	}
}

func TestReadMIDINoDrums(t *testing.T) {
	piano := trackBody(hit(0, 0, 60, 90), hit(96, 0, 64, 90), hit(192, 0, 67, 90))
	bassInC := trackBody(hit(0, 1, 36, 90), hit(96, 1, 38, 90), hit(192, 1, 40, 90), hit(288, 1, 41, 90), hit(384, 1, 43, 90))
	tests := []struct {
		name string
		file []byte
		msg  string
	}{
		{"melody and bass", midiBytes(1, 96, piano, bassInC), "no drum track: 2 tracks, 8 notes, none on channel 10 or on drum-kit pitches"},
		{"no notes", midiBytes(0, 96, trackBody(tempo(0, 90))), "no drum track: 1 track, no notes, none on channel 10 or on drum-kit pitches"},
		{"unmapped pitches", midiBytes(0, 96, trackBody(hit(0, 9, 20, 90), hit(10, 9, 100, 90))), "no drum track: the 2 notes on channel 10 are all on pitches outside the nine drum classes (20, 100)"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			im, err := ReadMIDI(bytes.NewReader(tc.file))
			var fe *FormatError
			if im != nil || !errors.As(err, &fe) || fe.Kind != NoDrums || err.Error() != tc.msg {
				t.Fatalf("got %v, %v; want NoDrums %q", im, err, tc.msg)
			}
		})
	}
}

func TestReadMIDIMeters(t *testing.T) {
	const tpq = 96 // 24 ticks a step
	tests := []struct {
		name   string
		evs    []ev
		bars   []int
		steps  int
		notice string
	}{
		{"4/4", []ev{meter(0, 4, 2), hit(40*24, 9, 36, 90)}, []int{0, 16, 32}, 48, ""},
		{"3/4", []ev{meter(0, 3, 2), hit(30*24, 9, 36, 90)}, []int{0, 12, 24}, 36, "bar 1 is in 3/4: its bars are 12 steps"},
		{"6/8", []ev{meter(0, 6, 3), hit(13*24, 9, 36, 90)}, []int{0, 12}, 24, "6/8"},
		{"7/8", []ev{meter(0, 7, 3), hit(15*24, 9, 36, 90)}, []int{0, 14}, 28, "are 14 steps"},
		{"4/4 then 3/4", []ev{hit(0, 9, 36, 90), meter(16*24, 3, 2), hit(29*24, 9, 38, 90)}, []int{0, 16, 28}, 40, "bar 2 is in 3/4"},
		{"a meter mid-bar starts a bar", []ev{hit(0, 9, 36, 90), meter(8*24, 3, 2), hit(21*24, 9, 38, 90)}, []int{0, 8, 20}, 32, "bar 2"},
		{"not a meter", []ev{meter(0, 0, 2), meter(0, 4, 9), hit(0, 9, 36, 90)}, []int{0}, 16, "not a meter"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			im := read(t, midiBytes(0, tpq, trackBody(tc.evs...)))
			if !slices.Equal(im.Bars, tc.bars) || len(im.Pattern) != tc.steps {
				t.Errorf("bars %v, %d steps; want %v, %d", im.Bars, len(im.Pattern), tc.bars, tc.steps)
			}
			if tc.notice == "" && len(im.Notices) > 0 || tc.notice != "" && !hasNotice(im, tc.notice) {
				t.Errorf("notices %q, want %q", im.Notices, tc.notice)
			}
		})
	}
}

func TestReadMIDITempoMap(t *testing.T) {
	// One bar at 60 BPM (4 s), then a bar at 120 BPM (2 s); tempo never moves a hit.
	im := read(t, midiBytes(1, 480,
		trackBody(tempo(0, 60), tempo(4*480, 120)),
		trackBody(hit(0, 9, 36, 90), hit(4*480, 9, 36, 90), hit(7*480+120, 9, 38, 90))))
	if im.BPM != 60 || math.Abs(im.Seconds-6) > 1e-6 {
		t.Errorf("%v BPM, %v s; want 60 BPM and 6 s", im.BPM, im.Seconds)
	}
	if got := im.Pattern.Tokens(); got[16] != 1<<Kick || got[29] != 1<<Snare {
		t.Errorf("tokens %v", got)
	}
	if !hasNotice(im, "between 60 and 120 BPM") {
		t.Errorf("notices %q", im.Notices)
	}
}

func TestReadMIDIErrors(t *testing.T) {
	notes := trackBody(hit(0, 9, 36, 90))
	manyNotes := make([]byte, 0, 4*(maxNotes+1)+8)
	manyNotes = append(manyNotes, 0, 0x99, 36, 90)
	for range maxNotes {
		manyNotes = append(manyNotes, 0, 36, 90) // running status
	}
	huge := make([]byte, maxFileSize+1)
	copy(huge, midiBytes(0, 96, notes))
	tests := []struct {
		name string
		data []byte
		kind ErrorKind
		msg  string
	}{
		{"empty", nil, NotMIDI, "empty"},
		{"text", []byte("hello, world"), NotMIDI, "MThd"},
		{"short header", []byte("MTh"), Truncated, "header"},
		{"header only", midiBytes(0, 96, notes)[:14], Truncated, "ends after 0"},
		{"type 2", midiBytes(2, 96, notes), Unsupported, "type 2"},
		{"SMPTE", midiBytes(0, 0xe728, notes), Unsupported, "SMPTE"},
		{"zero ticks", midiBytes(0, 0, notes), Corrupt, "zero ticks"},
		{"unknown type", midiBytes(7, 96, notes), Corrupt, "type 7"},
		{"short track", midiBytes(0, 96, notes)[:26], Truncated, "track 1 announces"},
		{"meta of 4 GiB", midiBytes(0, 96, []byte{0, 0xff, 0x01, 0x8f, 0xff, 0xff, 0xff, 0x7f}), Corrupt, "longer than 4 bytes"},
		{"meta past the end", midiBytes(0, 96, []byte{0, 0xff, 0x01, 0x8f, 0xff, 0xff, 0x7f, 1, 2}), Truncated, "runs past"},
		{"sysex past the end", midiBytes(0, 96, []byte{0, 0xf0, 0x20, 1, 2}), Truncated, "runs past"},
		{"data without status", midiBytes(0, 96, []byte{0, 36, 90}), Corrupt, "no status"},
		{"system message", midiBytes(0, 96, []byte{0, 0xf8}), Corrupt, "system message"},
		{"data byte above 127", midiBytes(0, 96, []byte{0, 0x99, 36, 0x80}), Corrupt, "above 127"},
		{"cut note", midiBytes(0, 96, []byte{0, 0x99, 36}), Truncated, "channel message"},
		{"cut delta", midiBytes(0, 96, []byte{0, 0x99, 36, 90, 0x81}), Truncated, "number"},
		{"too many notes", midiBytes(0, 96, manyNotes), TooLarge, "notes"},
		{"too long", midiBytes(0, 4, trackBody(hit(0, 9, 36, 90), hit(maxSteps, 9, 36, 90))), TooLarge, "bars long"},
		{"too big", huge, TooLarge, "MiB"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			im, err := ReadMIDI(bytes.NewReader(tc.data))
			var fe *FormatError
			if im != nil || !errors.As(err, &fe) || fe.Kind != tc.kind || !strings.Contains(fe.Msg, tc.msg) {
				t.Fatalf("got %v, %v; want kind %d with %q", im, err, tc.kind, tc.msg)
			}
		})
	}
}

// A failing reader gives its own error, not a FormatError.
func TestReadMIDIReaderError(t *testing.T) {
	want := errors.New("disk on fire")
	_, err := ReadMIDI(failing{want})
	var fe *FormatError
	if !errors.Is(err, want) || errors.As(err, &fe) {
		t.Fatalf("got %v", err)
	}
}

type failing struct{ err error }

func (f failing) Read([]byte) (int, error) { return 0, f.err }
