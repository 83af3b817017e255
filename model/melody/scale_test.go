package melody

import (
	"bytes"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func TestParseKeyLock(t *testing.T) {
	for _, c := range []struct {
		key, scale string
		want       string
		tonic      int
	}{
		{"D", "dorian", "D dorian", 2},
		{"d", "Dorian", "D dorian", 2},
		{"F#", "minor", "F# minor", 6},
		{"Gb", "major", "Gb major", 6},
		{"B♭", "mixolydian", "Bb mixolydian", 10},
		{"C##", "blues", "D blues", 2},
		{"Cb", "major-pentatonic", "B major-pentatonic", 11},
		{"A", "minor pentatonic", "A minor-pentatonic", 9},
		{"E", "aeolian", "E minor", 4},
		{"E", "", "E major", 4},
		{"", "dorian", "C dorian", 0},
		{"", "", "off", 0},
		{"G", "off", "off", 0},
		{"G", "chromatic", "off", 0},
	} {
		l, err := ParseKeyLock(c.key, c.scale)
		if err != nil {
			t.Errorf("%q %q: %v", c.key, c.scale, err)
			continue
		}
		if l.String() != c.want || (!l.Off() && l.Tonic != c.tonic) {
			t.Errorf("%q %q: %v (tonic %d), want %s (tonic %d)", c.key, c.scale, l, l.Tonic, c.want, c.tonic)
		}
	}
	for _, c := range [][2]string{{"H", "major"}, {"C#b#", "major"}, {"Cx", "major"}, {"D", "lydian"}, {"#", ""}, {"Db", "phrygian"}} {
		if _, err := ParseKeyLock(c[0], c[1]); err == nil {
			t.Errorf("%q %q: no error", c[0], c[1])
		} else if strings.Contains(err.Error(), "\n") {
			t.Errorf("%q %q: a multi-line error %q", c[0], c[1], err)
		}
	}
}

func TestAllowed(t *testing.T) {
	if (KeyLock{}).Allowed() != nil {
		t.Fatal("the lock off masks tokens")
	}
	l := KeyLock{Tonic: 2, Scale: Dorian} // D E F G A B C
	a := l.Allowed()
	if len(a) != NumClasses || !a[NoEvent] || !a[NoteOff] {
		t.Fatalf("mask %v", a)
	}
	n := 0
	for p := MinPitch; p <= MaxPitch; p++ {
		var want bool
		switch p % 12 {
		case 1, 3, 6, 8, 10: // C# D# F# G# A#: the black keys are outside D dorian
			want = false
		default:
			want = true
		}
		if a[NoteOn(p)] != want {
			t.Errorf("pitch %d allowed %v", p, a[NoteOn(p)])
		}
		if want {
			n++
		}
	}
	if n != 52 { // the white keys of 21..108
		t.Errorf("%d pitches allowed, want 52", n)
	}
	for _, s := range Scales() {
		got := 0
		l := KeyLock{Tonic: 5, Scale: s}
		for pc := range 12 {
			if l.InScale(60 + pc) {
				got++
			}
		}
		if got != len(s.Intervals()) {
			t.Errorf("%v: %d classes in scale, want %d", s, got, len(s.Intervals()))
		}
	}
}

func TestFit(t *testing.T) {
	// C major arpeggio and an F: fit into D major moves it up a tone, all in scale.
	m := Melody{NoteOn(60), 0, NoteOn(64), 0, NoteOn(67), 0, NoteOn(65), NoteOff}
	l := KeyLock{Tonic: 2, Scale: Major}
	got, k := l.Fit(m)
	want := Melody{NoteOn(62), 0, NoteOn(66), 0, NoteOn(69), 0, NoteOn(67), NoteOff}
	if k != 2 || !equal(got, want) {
		t.Errorf("fit %v by %d, want %v by 2", got, k, want)
	}
	// What no shift fixes moves to the nearest scale pitch, down on ties.
	pent := KeyLock{Scale: MajorPentatonic} // C D E G A
	for p, w := range map[int]int{61: 60, 63: 62, 65: 64, 66: 67, 70: 69, 71: 72, 60: 60} {
		if got := pent.nearest(p); got != w {
			t.Errorf("nearest(%d) = %d, want %d", p, got, w)
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		m := randomMelody(rng)
		l := KeyLock{Tonic: rng.IntN(12), Scale: Scale(1 + rng.IntN(len(scales)-1))}
		f, _ := l.Fit(m)
		if s := l.OutOfScale(f); len(s) > 0 {
			t.Fatalf("%v: fit %v has notes out of scale at %v", l, f, s)
		}
		if len(f.Notes()) != len(m.Notes()) {
			t.Fatalf("fit changed the rhythm: %v -> %v", m, f)
		}
	}
	if f, k := (KeyLock{}).Fit(m); k != 0 || !equal(f, m) {
		t.Error("the lock off changed the melody")
	}
}

// The key signature: Python's mido reads what we write ('Dm' for D dorian), and the text event.
func TestKeySignatureMido(t *testing.T) {
	py, ok := midoPython()
	if !ok {
		t.Skip("Python's mido is not installed (Debian package python3-mido; make test-deps installs it)")
	}
	cases := []struct{ key, scale, want string }{
		{"C", "major", "C"}, {"D", "dorian", "Dm"}, {"G", "mixolydian", "G"}, {"Bb", "minor", "Bbm"},
		{"F#", "major", "F#"}, {"Gb", "major", "Gb"}, {"Eb", "minor", "Ebm"}, {"D#", "minor", "D#m"},
		{"A", "blues", "Am"}, {"E", "major-pentatonic", "E"}, {"C#", "minor-pentatonic", "C#m"}, {"F", "major", "F"},
		{"Db", "major", "Db"}, {"C#", "major", "C#"}, {"B", "major", "B"},
	}
	dir := t.TempDir()
	var args []string
	for i, c := range cases {
		l, err := ParseKeyLock(c.key, c.scale)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteMIDI(&b, Melody{NoteOn(62), 0, NoteOff}, WriteOptions{Key: l}); err != nil {
			t.Fatal(err)
		}
		p := filepath.Join(dir, string(rune('a'+i))+".mid")
		if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		args = append(args, p)
	}
	script := `
import sys, mido
for p in sys.argv[1:]:
    f = mido.MidiFile(p)
    ks = [m.key for t in f.tracks for m in t if m.type == "key_signature"]
    tx = [m.text for t in f.tracks for m in t if m.type == "text"]
    print(",".join(ks), "|", ",".join(tx))
`
	out, err := exec.Command(py, append([]string{"-c", script}, args...)...).CombinedOutput()
	if err != nil {
		t.Fatalf("mido: %v\n%s", err, out)
	}
	lines := strings.Split(strings.TrimSpace(string(out)), "\n")
	if len(lines) != len(cases) {
		t.Fatalf("mido printed %d lines for %d files:\n%s", len(lines), len(cases), out)
	}
	for i, c := range cases {
		l, _ := ParseKeyLock(c.key, c.scale)
		if want := c.want + " | key: " + l.String(); lines[i] != want {
			t.Errorf("%s %s: mido reads %q, want %q", c.key, c.scale, lines[i], want)
		}
	}
	// No lock, no key signature.
	var b bytes.Buffer
	if err := WriteMIDI(&b, Melody{NoteOn(62)}, WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(b.Bytes(), []byte{0xff, 0x59}) {
		t.Error("a key signature without a lock")
	}
}

func FuzzParseKeyLock(f *testing.F) {
	for _, s := range [][2]string{{"D", "dorian"}, {"F#", "minor"}, {"B♭", "blues"}, {"", ""}, {"C##", "off"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, key, scale string) {
		l, err := ParseKeyLock(key, scale)
		if err != nil {
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("multi-line error %q", err)
			}
			return
		}
		if l.Tonic < 0 || l.Tonic > 11 || l.Scale < 0 || int(l.Scale) >= len(scales) {
			t.Fatalf("%q %q: %+v", key, scale, l)
		}
		if l2, err := ParseKeyLock(l.TonicName(), l.Scale.String()); err != nil || l2.Tonic != l.Tonic || l2.Scale != l.Scale {
			t.Fatalf("%v does not read back: %+v %v", l, l2, err)
		}
		sf, _ := l.Signature()
		if sf < -7 || sf > 7 {
			t.Fatalf("%v: signature %d", l, sf)
		}
	})
}
