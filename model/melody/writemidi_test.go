package melody

import (
	"bytes"
	"flag"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"gitlab.com/gomidi/midi/v2/smf"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/")

// randomMelody makes a melody as ReadMIDI returns it: the first note in the first bar, no rest
// of a whole bar, and a length of whole bars ending with the bar of the last note.
func randomMelody(rng *rand.Rand) Melody {
	var notes []Note
	at := rng.IntN(StepsPerBar)
	for range 1 + rng.IntN(40) {
		dur := 1 + rng.IntN(8)
		notes = append(notes, Note{Pitch: MinPitch + rng.IntN(MaxPitch-MinPitch+1), Start: at, End: at + dur})
		at += dur + rng.IntN(3)*rng.IntN(8) // legato or a rest shorter than a bar
	}
	end := notes[len(notes)-1].End
	m, err := FromNotes(notes, end+(StepsPerBar-end%StepsPerBar)%StepsPerBar)
	if err != nil {
		panic(err)
	}
	return m
}

func TestWriteReadRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	melodies := []Melody{
		padBar(Melody{NoteOn(MinPitch), NoteOn(MaxPitch), NoteOff}),
		padBar(Melody{NoteOn(60)}),                                      // held to the end
		{NoteOn(60), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, NoteOff}, // off on the last step
	}
	for range 200 {
		melodies = append(melodies, randomMelody(rng))
	}
	for i, m := range melodies {
		for _, opt := range []WriteOptions{{}, {BPM: 73.5, Velocity: 127, Program: 73, TrackName: "flute", Channel: 15}} {
			var b bytes.Buffer
			if err := WriteMIDI(&b, m, opt); err != nil {
				t.Fatal(err)
			}
			got, err := ReadMIDI(&b)
			if err != nil {
				t.Fatalf("melody %d: %v", i, err)
			}
			if len(got) != 1 || !equal(got[0], m) {
				t.Fatalf("melody %d with %+v:\nwrote %v\nread  %v", i, opt, m, got)
			}
		}
	}
}

// The bytes WriteMIDI produces are pinned; run with -update after a deliberate change.
func TestWriteMIDIGolden(t *testing.T) {
	m := Melody{NoteOn(60), 0, NoteOn(62), NoteOff, NoteOn(64), 0, 0, 0, 0, 0, NoteOn(67), 0, 0, 0, 0, 0,
		NoteOn(72), 0, 0, 0, 0, 0, 0, 0, NoteOff, 0, 0, 0, 0, 0, 0, 0}
	var b bytes.Buffer
	if err := WriteMIDI(&b, m, WriteOptions{BPM: 100, Program: 40, TrackName: "golden"}); err != nil {
		t.Fatal(err)
	}
	golden := filepath.Join("testdata", "golden.mid")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("WriteMIDI output differs from %s (run go test -update if the change is deliberate)", golden)
	}
}

// The file's structure, as gomidi reads it back: type 1, the division, the meta events, the notes.
func TestWriteMIDIStructure(t *testing.T) {
	m := Melody{0, 0, NoteOn(60), 0, NoteOn(64), NoteOff, 0, 0}
	var b bytes.Buffer
	if err := WriteMIDI(&b, m, WriteOptions{BPM: 90, Velocity: 64, Program: 19, TrackName: "organ", Channel: 3}); err != nil {
		t.Fatal(err)
	}
	s, err := smf.ReadFrom(&b)
	if err != nil {
		t.Fatal(err)
	}
	if s.Format() != 1 || s.TimeFormat != smf.MetricTicks(TicksPerQuarter) || len(s.Tracks) != 2 {
		t.Fatalf("format %d, time format %v, %d tracks; want type 1, %d ticks per quarter, 2 tracks", s.Format(), s.TimeFormat, len(s.Tracks), TicksPerQuarter)
	}
	var got []string
	for i, tr := range s.Tracks {
		var tick uint32
		for _, e := range tr {
			tick += e.Delta
			got = append(got, fmt.Sprintf("%d@%d %s", i, tick, e.Message))
		}
	}
	want := []string{
		"0@0 MetaTrackName text: \"organ\"",
		"0@0 MetaTempo bpm: 90.00",
		"0@0 MetaTimeSig meter: 4/4",
		"0@960 MetaEndOfTrack",
		"1@0 MetaTrackName text: \"organ\"",
		"1@0 ProgramChange channel: 3 program: 19",
		"1@240 NoteOn channel: 3 key: 60 velocity: 64",
		"1@480 NoteOff channel: 3 key: 60",
		"1@480 NoteOn channel: 3 key: 64 velocity: 64",
		"1@600 NoteOff channel: 3 key: 64",
		"1@960 MetaEndOfTrack",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestWriteMIDIOptions(t *testing.T) {
	m := Melody{NoteOn(60)}
	bad := []WriteOptions{
		{BPM: -1}, {BPM: 3}, {BPM: 1001}, {BPM: math.NaN()}, {BPM: math.Inf(1)},
		{Velocity: 128}, {Program: 128}, {Channel: 16},
	}
	for _, opt := range bad {
		if err := WriteMIDI(&bytes.Buffer{}, m, opt); err == nil {
			t.Errorf("%+v: no error", opt)
		}
	}
	if err := WriteMIDI(&bytes.Buffer{}, Melody{NumClasses}, WriteOptions{}); err == nil {
		t.Error("an invalid event: no error")
	}
	var b bytes.Buffer
	if err := WriteMIDI(&b, nil, WriteOptions{}); err != nil {
		t.Errorf("an empty melody: %v", err)
	}
}

// Several windows in one file: Concat ends a note held at the end of a window.
func TestWriteConcatenated(t *testing.T) {
	a := Melody{NoteOn(60), 0, 0, 0}
	b := Melody{0, 0, NoteOn(62), 0}
	var buf bytes.Buffer
	if err := WriteMIDI(&buf, Concat(a, b, a), WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	got := readBytes(t, buf.Bytes())
	want := padBar(Melody{NoteOn(60), 0, 0, 0, NoteOff, 0, NoteOn(62), 0, NoteOn(60), 0, 0, 0, NoteOff})
	if !equalMelodies(got, []Melody{want}) {
		t.Errorf("got %v, want %v", got, []Melody{want})
	}
}

// wroteNotes is what a correct reader must find in the file written for m with opt: one line
// per note event, "tick on|off channel key velocity".
func wroteNotes(m Melody, opt WriteOptions) []string {
	var lines []string
	for _, n := range m.Notes() {
		lines = append(lines,
			fmt.Sprintf("%d on %d %d %d", n.Start*ticksPerStep, opt.Channel, n.Pitch, opt.Velocity),
			fmt.Sprintf("%d off %d %d 0", n.End*ticksPerStep, opt.Channel, n.Pitch))
	}
	return lines
}

// writeTemp writes m to a temporary .mid file.
func writeTemp(t *testing.T, m Melody, opt WriteOptions) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteMIDI(&b, m, opt); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "m.mid")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// Debian's midicsv reads back exactly the notes, tempo, meter, name and program we wrote.
func TestMidicsvReadsWhatWeWrite(t *testing.T) {
	if _, err := exec.LookPath("midicsv"); err != nil {
		t.Skip("midicsv is not installed (Debian package midicsv; make test-deps installs it)")
	}
	rng := rand.New(rand.NewPCG(3, 4))
	for i := range 5 {
		m := randomMelody(rng)
		opt := WriteOptions{BPM: 96, Velocity: uint8(40 + i), Program: 71, TrackName: "clarinet", Channel: uint8(i)}
		out, err := exec.Command("midicsv", writeTemp(t, m, opt)).CombinedOutput()
		if err != nil {
			t.Fatalf("midicsv: %v\n%s", err, out)
		}
		var notes []string
		meta := map[string]string{}
		for _, line := range strings.Split(string(out), "\n") {
			f := strings.Split(line, ", ")
			if len(f) < 3 {
				continue
			}
			switch f[2] {
			case "Header", "Tempo", "Time_signature", "Title_t", "Program_c":
				meta[f[2]] = strings.Join(f[3:], ",")
			case "Note_on_c", "Note_off_c":
				kind := "on"
				if f[2] == "Note_off_c" || f[5] == "0" {
					kind, f[5] = "off", "0"
				}
				notes = append(notes, fmt.Sprintf("%s %s %s %s %s", f[1], kind, f[3], f[4], f[5]))
			}
		}
		want := map[string]string{
			"Header":         "1,2," + strconv.Itoa(TicksPerQuarter),
			"Tempo":          "625000", // µs per quarter at 96 BPM
			"Time_signature": "4,2,24,8",
			"Title_t":        `"clarinet"`,
			"Program_c":      fmt.Sprintf("%d,71", i),
		}
		for k, v := range want {
			if meta[k] != v {
				t.Errorf("%s: midicsv says %q, want %q", k, meta[k], v)
			}
		}
		if w := wroteNotes(m, opt); strings.Join(notes, "\n") != strings.Join(w, "\n") {
			t.Errorf("melody %d: midicsv reads\n%s\nwant\n%s", i, strings.Join(notes, "\n"), strings.Join(w, "\n"))
		}
	}
}

// midoScript prints the file's type, division, tempo, meter, names, programs and note events.
const midoScript = `
import sys, mido
f = mido.MidiFile(sys.argv[1])
print("type", f.type, f.ticks_per_beat)
for track in f.tracks:
    tick = 0
    for msg in track:
        tick += msg.time
        if msg.type == "set_tempo":
            print("tempo", msg.tempo)
        elif msg.type == "time_signature":
            print("meter", msg.numerator, msg.denominator)
        elif msg.type == "track_name":
            print("name", msg.name)
        elif msg.type == "program_change":
            print("program", msg.channel, msg.program)
        elif msg.type == "note_on" and msg.velocity > 0:
            print(tick, "on", msg.channel, msg.note, msg.velocity)
        elif msg.type in ("note_on", "note_off"):
            print(tick, "off", msg.channel, msg.note, 0)
`

// midoPython finds a Python that has mido (Debian's python3-mido sits in /usr/bin's Python,
// which another python3 first on PATH may not see).
func midoPython() (string, bool) {
	for _, py := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(py, "-c", "import mido").Run() == nil {
			return py, true
		}
	}
	return "", false
}

// Python's mido reads back exactly what we wrote.
func TestMidoReadsWhatWeWrite(t *testing.T) {
	py, ok := midoPython()
	if !ok {
		t.Skip("Python's mido is not installed (Debian package python3-mido; make test-deps installs it)")
	}
	rng := rand.New(rand.NewPCG(5, 6))
	for i := range 5 {
		m := randomMelody(rng)
		opt := WriteOptions{BPM: 150, Velocity: 100, Program: uint8(i), TrackName: "lead " + strconv.Itoa(i), Channel: uint8(15 - i)}
		out, err := exec.Command(py, "-c", midoScript, writeTemp(t, m, opt)).CombinedOutput()
		if err != nil {
			t.Fatalf("mido: %v\n%s", err, out)
		}
		want := append([]string{
			"type 1 " + strconv.Itoa(TicksPerQuarter),
			"name lead " + strconv.Itoa(i), "tempo 400000", "meter 4 4",
			"name lead " + strconv.Itoa(i), fmt.Sprintf("program %d %d", opt.Channel, opt.Program),
		}, wroteNotes(m, opt)...)
		if got := strings.TrimSpace(string(out)); got != strings.Join(want, "\n") {
			t.Errorf("melody %d: mido reads\n%s\nwant\n%s", i, got, strings.Join(want, "\n"))
		}
	}
}
