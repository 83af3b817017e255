package drums

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

func TestWindows(t *testing.T) {
	p := make(Pattern, 4*StepsPerBar)
	p[0].Velocity[Kick] = 90
	p[50].Velocity[Snare] = 80
	tests := []struct {
		name   string
		p      Pattern
		hop    int
		starts []int // the step of p each window starts at
	}{
		{"every bar, silent windows dropped", p, StepsPerBar, []int{0, 32}},
		{"every 2 bars", p, 2 * StepsPerBar, []int{0, 32}},
		{"every 3 bars", p, 3 * StepsPerBar, []int{0}},
		{"hop of a step", p[:34], 1, []int{0}}, // windows at 1 and 2 hold no hit
		{"too short", p[:WindowSteps-1], 1, nil},
		{"no hop", p, 0, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ws := Windows(tc.p, tc.hop)
			var got []int
			for _, w := range ws {
				if len(w) != WindowSteps {
					t.Fatalf("window of %d steps", len(w))
				}
				for s := 0; s+WindowSteps <= len(tc.p); s += tc.hop {
					if slices.Equal(w, tc.p[s:s+WindowSteps]) && !slices.Contains(got, s) {
						got = append(got, s)
						break
					}
				}
			}
			if !slices.Equal(got, tc.starts) || len(ws) != len(tc.starts) {
				t.Errorf("windows at %v (%d), want %v", got, len(ws), tc.starts)
			}
		})
	}
	ws := Windows(p, StepsPerBar)
	ws[0][0].Velocity[Kick] = 1
	if p[0].Velocity[Kick] != 90 {
		t.Error("a window shares its steps with the pattern")
	}
}

// TestLoadGroove runs the loader on a small dataset made here: two 4/4 files, one in 3/4, and
// rows of other splits.
func TestLoadGroove(t *testing.T) {
	dir := t.TempDir()
	write := func(rel string, p Pattern) {
		var b bytes.Buffer
		if err := WriteMIDI(&b, p, WriteOptions{}); err != nil {
			t.Fatal(err)
		}
		path := filepath.Join(dir, filepath.FromSlash(rel))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	beat, err := FromTokens(slices.Repeat([]int{1 << Kick, 0, 1 << ClosedHat, 0, 1 << Snare, 0, 1 << ClosedHat, 0}, 8)) // 4 bars
	if err != nil {
		t.Fatal(err)
	}
	write("d1/s1/1_rock_120_beat_4-4.mid", beat)
	write("d1/s1/2_rock_120_fill_4-4.mid", beat[:2*StepsPerBar])
	write("d1/s1/3_jazz_120_beat_3-4.mid", beat)
	const info = `drummer,session,id,style,bpm,beat_type,time_signature,midi_filename,audio_filename,duration,split
d1,d1/s1,d1/s1/1,rock,120,beat,4-4,d1/s1/1_rock_120_beat_4-4.mid,x.wav,8.0,train
d1,d1/s1,d1/s1/2,rock,120,fill,4-4,d1/s1/2_rock_120_fill_4-4.mid,x.wav,4.0,train
d1,d1/s1,d1/s1/3,jazz,120,beat,3-4,d1/s1/3_jazz_120_beat_3-4.mid,x.wav,8.0,train
d1,d1/s1,d1/s1/4,rock,120,beat,4-4,d1/s1/missing.mid,x.wav,8.0,test
`
	if err := os.WriteFile(filepath.Join(dir, "info.csv"), []byte(info), 0o644); err != nil {
		t.Fatal(err)
	}
	d, err := LoadGroove(dir, "train")
	if err != nil {
		t.Fatal(err)
	}
	if d.Files != 2 || len(d.Windows) != 3+1 || len(d.Skipped) != 1 || !strings.Contains(d.Skipped[0], "3-4") {
		t.Errorf("%v: skipped %q", d, d.Skipped)
	}
	if want := "train: 2 files, 4 windows of 32 steps every 16, 1 files skipped"; !strings.HasSuffix(d.String(), want) {
		t.Errorf("String() = %q, want it to end %q", d, want)
	}
	if d.Stats.Steps != 4*WindowSteps || d.Stats.ClassSteps[ClosedHat] != 4*WindowSteps/4 || d.Stats.Loose != 0 {
		t.Errorf("stats %+v", d.Stats)
	}
	if _, err := LoadGroove(dir, "test"); err == nil || !strings.Contains(err.Error(), "missing.mid") {
		t.Errorf("a missing file: %v", err)
	}
	if _, err := LoadGroove(dir, "valid"); err == nil || !strings.Contains(err.Error(), "validation") {
		t.Errorf("a split that does not exist: %v", err)
	}
	if _, err := LoadGroove(t.TempDir(), "train"); err == nil {
		t.Error("no info.csv, no error")
	}
}
