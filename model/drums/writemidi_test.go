package drums

import (
	"bytes"
	"flag"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// randomPattern is a performance: random classes, velocities 1..127 and offsets in -0.5..0.5.
func randomPattern(rng *rand.Rand, steps int) Pattern {
	p := make(Pattern, steps)
	for i := range p {
		for c := range NumClasses {
			if rng.IntN(4) == 0 {
				p[i].Velocity[c] = uint8(1 + rng.IntN(127))
				p[i].Offset[c] = float32(rng.Float64() - 0.5)
			}
		}
	}
	return p
}

func TestWriteMIDIRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for _, loops := range []int{1, 3} {
		p := randomPattern(rng, 4*StepsPerBar)
		var b bytes.Buffer
		if err := WriteMIDI(&b, p, WriteOptions{BPM: 93, Loops: loops}); err != nil {
			t.Fatal(err)
		}
		im := read(t, b.Bytes())
		if len(im.Pattern) != loops*len(p) || im.BPM < 92.9 || im.BPM > 93.1 || len(im.Notices) > 0 {
			t.Fatalf("%d loops: %d steps at %v BPM, notices %q", loops, len(im.Pattern), im.BPM, im.Notices)
		}
		for i, got := range im.Pattern {
			want := p[i%len(p)]
			if got.Token() != want.Token() || got.Velocity != want.Velocity {
				t.Fatalf("%d loops: step %d: %v, want %v", loops, i, got, want)
			}
			for c := range NumClasses {
				lo := float32(-0.5)
				if i == 0 {
					lo = 0 // the file cannot start before its first tick
				}
				w := min(max(want.Offset[c], lo), 59.0/120)
				if d := math.Abs(float64(got.Offset[c] - w)); d > 0.5/ticksPerStep+1e-6 {
					t.Fatalf("%d loops: step %d %s: offset %v, want %v", loops, i, Class(c), got.Offset[c], w)
				}
			}
		}
	}
}

// Decoded tokens are written at DefaultVelocity on the grid; velocities over 127 are clamped.
func TestWriteMIDIDecoded(t *testing.T) {
	tokens := []int{1<<Kick | 1<<ClosedHat, 0, 1 << ClosedHat, 0, 1<<Snare | 1<<ClosedHat, 0, 1 << OpenHat, 1 << Crash, 1 << Ride, 1 << LowTom, 1 << MidTom, 1 << HighTom, 0, 0, 0, 0}
	p, err := FromTokens(tokens)
	if err != nil {
		t.Fatal(err)
	}
	p[8].Velocity[Ride] = 200
	var b bytes.Buffer
	if err := WriteMIDI(&b, p, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	im := read(t, b.Bytes())
	if !slices.Equal(im.Pattern.Tokens(), tokens) || im.Pattern[0].Velocity[Kick] != DefaultVelocity || im.Pattern[8].Velocity[Ride] != 127 {
		t.Errorf("read back %v", im.Pattern)
	}
	golden := filepath.Join("testdata", "decoded.mid")
	if *update {
		if err := os.WriteFile(golden, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(golden)
	if err != nil {
		t.Fatalf("%v (run go test -update to write it)", err)
	}
	if !bytes.Equal(b.Bytes(), want) {
		t.Errorf("WriteMIDI output differs from %s", golden)
	}
}

func TestWriteOptions(t *testing.T) {
	p := make(Pattern, 16)
	for _, opt := range []WriteOptions{{BPM: 3}, {BPM: math.NaN()}, {BPM: 1001}, {Loops: -1}, {Loops: maxLoops + 1}} {
		if err := WriteMIDI(&bytes.Buffer{}, p, opt); err == nil {
			t.Errorf("%+v: no error", opt)
		}
	}
}

// exported writes a performance for the tool checks.
func exported(t *testing.T) string {
	p := randomPattern(rand.New(rand.NewPCG(3, 4)), 2*StepsPerBar)
	p[5].Velocity[Snare] = 255
	var b bytes.Buffer
	if err := WriteMIDI(&b, p, WriteOptions{BPM: 100, TrackName: "Groove", Loops: 2}); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "groove.mid")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// gmDrum reports whether a pitch is one WriteMIDI may use: a class's first pitch.
func gmDrum(pitch int) bool {
	c, ok := ClassOf(pitch)
	return ok && c.Pitch() == pitch
}

// TestWriteMIDIMido reads an exported file with mido, the Python MIDI library.
func TestWriteMIDIMido(t *testing.T) {
	py := ""
	for _, p := range []string{"python3", "/usr/bin/python3"} {
		if exec.Command(p, "-c", "import mido").Run() == nil {
			py = p
			break
		}
	}
	if py == "" {
		t.Skip("no python3 with mido (Debian package python3-mido; make test-deps installs it)")
	}
	const script = `import sys, mido
f = mido.MidiFile(sys.argv[1])
print("type", f.type, f.ticks_per_beat)
for tr in f.tracks:
    for m in tr:
        if m.type in ("note_on", "note_off"):
            print(m.type, m.channel, m.note, m.velocity)
        elif m.is_meta:
            print(m.type, getattr(m, "tempo", ""), getattr(m, "name", ""), getattr(m, "numerator", ""), getattr(m, "denominator", ""))
`
	out, err := exec.Command(py, "-c", script, exported(t)).CombinedOutput()
	if err != nil {
		t.Fatalf("mido: %v\n%s", err, out)
	}
	ons, tempos := 0, 0
	var meta []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		switch f[0] {
		case "type":
			if line != "type 0 480" {
				t.Errorf("header %q, want type 0 at 480 ticks", line)
			}
		case "note_on", "note_off":
			ch, _ := strconv.Atoi(f[1])
			key, _ := strconv.Atoi(f[2])
			vel, _ := strconv.Atoi(f[3])
			if ch != 9 || !gmDrum(key) || f[0] == "note_on" && (vel < 1 || vel > 127) {
				t.Errorf("mido reads %q: want channel 9, a GM drum pitch, velocity 1..127", line)
			}
			if f[0] == "note_on" {
				ons++
			}
		case "set_tempo":
			tempos++
			if f[1] != "600000" {
				t.Errorf("tempo %q, want 600000 µs a quarter (100 BPM)", line)
			}
		default:
			meta = append(meta, strings.Join(f, " "))
		}
	}
	if ons == 0 || tempos != 1 || !slices.Contains(meta, "track_name Groove") || !slices.Contains(meta, "time_signature 4 4") {
		t.Errorf("mido reads %d note-ons, %d tempos, meta %q", ons, tempos, meta)
	}
}

// TestWriteMIDICSV reads an exported file with midicsv.
func TestWriteMIDICSV(t *testing.T) {
	if _, err := exec.LookPath("midicsv"); err != nil {
		t.Skip("midicsv is not installed (Debian package midicsv; make test-deps installs it)")
	}
	out, err := exec.Command("midicsv", exported(t)).CombinedOutput()
	if err != nil {
		t.Fatalf("midicsv: %v\n%s", err, out)
	}
	ons, tempos := 0, 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Split(line, ", ")
		if len(f) < 3 {
			t.Fatalf("midicsv line %q", line)
		}
		switch f[2] {
		case "Note_on_c", "Note_off_c":
			ch, _ := strconv.Atoi(f[3])
			key, _ := strconv.Atoi(f[4])
			vel, _ := strconv.Atoi(f[5])
			if ch != 9 || !gmDrum(key) || vel > 127 || f[2] == "Note_on_c" && vel < 1 {
				t.Errorf("midicsv reads %q: want channel 9, a GM drum pitch, velocity 1..127", line)
			}
			if f[2] == "Note_on_c" {
				ons++
			}
		case "Tempo":
			tempos++
		case "Program_c", "Control_c", "Pitch_bend_c", "Poly_aftertouch_c", "Channel_aftertouch_c":
			t.Errorf("unexpected event %q", line)
		}
	}
	if ons == 0 || tempos != 1 {
		t.Errorf("midicsv reads %d note-ons and %d tempo events", ons, tempos)
	}
}
