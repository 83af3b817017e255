package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/latentpalette/palette/midiport"
	"github.com/latentpalette/palette/midiport/jacktest"
	"github.com/latentpalette/palette/model/melody"
)

// playTune is 2 bars with notes of several lengths, a rest, repeated pitches and a note held to
// the end of the window (so the loop's join has an off and an on on the same frame).
var playTune = func() melody.Melody {
	m := make(melody.Melody, 32)
	for _, n := range []struct{ p, s, e int }{{60, 0, 2}, {62, 2, 4}, {64, 4, 8}, {64, 8, 9}, {67, 12, 16}, {72, 16, 17}, {71, 17, 24}, {67, 26, 32}} {
		m[n.s] = melody.NoteOn(n.p)
		if n.e < 32 {
			m[n.e] = melody.NoteOff
		}
	}
	return m
}()

func writeMelodyFile(t *testing.T, m melody.Melody) string {
	t.Helper()
	var b bytes.Buffer
	if err := melody.WriteMIDI(&b, m, melody.WriteOptions{}); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "tune.mid")
	if err := os.WriteFile(p, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// palette melody play over a real JACK server (jackd's dummy back end) into jack_midi_dump:
// two loops arrive whole, each note once, in order, on the chosen channel, within 2 ms of the
// tempo grid, and all notes off at the end.
func TestMelodyPlayJACK(t *testing.T) {
	jacktest.Server(t)
	rec := jacktest.Record(t, "lprec")
	in := writeMelodyFile(t, playTune)
	const bpm, channel = 132.0, 3
	status, stdout, stderr := runCmd(t, "melody", "play", in, "--midi-out", "Latent Palette test", "--loops", "2",
		"--bpm", fmt.Sprint(bpm), "--channel", fmt.Sprint(channel), "--connect", rec.Port)
	if status != 0 {
		t.Fatalf("status %d: %s %s", status, stdout, stderr)
	}
	got := rec.Stop(t, 300*time.Millisecond)

	type want struct {
		step int
		msg  []byte
	}
	var wants []want
	notes := playTune.Notes()
	for l := range 2 {
		for _, n := range notes {
			wants = append(wants, want{l*32 + n.Start, []byte{0x90 | (channel - 1), byte(n.Pitch), 100}},
				want{l*32 + n.End, []byte{0x80 | (channel - 1), byte(n.Pitch), 0}})
		}
	}
	// In time order, offs before ons on the same step (as the port sends them).
	for i := 1; i < len(wants); i++ {
		for j := i; j > 0 && (wants[j].step < wants[j-1].step || wants[j].step == wants[j-1].step && wants[j].msg[0]&0xf0 == 0x80 && wants[j-1].msg[0]&0xf0 == 0x90); j-- {
			wants[j], wants[j-1] = wants[j-1], wants[j]
		}
	}
	wants = append(wants, want{64, []byte{0xb0 | (channel - 1), 123, 0}})
	if len(got) != len(wants) {
		t.Fatalf("recorded %d messages, want %d:\n%s", len(got), len(wants), dump(got))
	}
	stepFrames := float64(jacktest.Rate) * 60 / bpm / 4
	origin := float64(got[0].Frame)
	worst := 0.0
	for i, w := range wants {
		g := got[i]
		if !bytes.Equal(g.Bytes, w.msg) {
			t.Fatalf("message %d is % x, want % x:\n%s", i, g.Bytes, w.msg, dump(got))
		}
		if w.msg[0]&0xf0 == 0xb0 { // all notes off: after the last note, at the end
			if g.Frame < got[i-1].Frame {
				t.Errorf("all notes off came before the last note-off")
			}
			continue
		}
		dev := float64(g.Frame) - (origin + float64(w.step)*stepFrames)
		worst = max(worst, max(dev, -dev))
		if ms := dev / jacktest.Rate * 1000; ms > 2 || ms < -2 {
			t.Errorf("message %d (% x) is %.2f ms off the tempo grid", i, g.Bytes, ms)
		}
	}
	t.Logf("%d messages, worst deviation from the grid %.0f frames (%.3f ms)", len(got), worst, worst/jacktest.Rate*1000)
}

func dump(ms []jacktest.Msg) string {
	var b strings.Builder
	for _, m := range ms {
		fmt.Fprintf(&b, "%8d: % x\n", m.Frame, m.Bytes)
	}
	return b.String()
}

// With no server, play exits 1 with one line saying why; bad flags exit 2.
func TestMelodyPlayNoPort(t *testing.T) {
	t.Setenv("JACK_DEFAULT_SERVER", fmt.Sprintf("lp-none-%d", os.Getpid()))
	in := writeMelodyFile(t, playTune)
	status, _, stderr := runCmd(t, "melody", "play", in, "--midi-out", "Latent Palette")
	if status != 1 || !strings.Contains(stderr, "no virtual MIDI port") || !strings.Contains(stderr, "JACK") || strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
		t.Errorf("status %d, stderr %q: want 1 and a line saying why no port", status, stderr)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"melody", "play", in}, "--midi-out"},
		{[]string{"melody", "play", in, "--midi-out", "a:b"}, "colon"},
		{[]string{"melody", "play", in, "--midi-out", "x", "--loops", "0"}, "--loops"},
		{[]string{"melody", "play", in, "--midi-out", "x", "--channel", "17"}, "--channel"},
		{[]string{"melody", "play", in, "--midi-out", "x", "--bpm", "0"}, "--bpm"},
		{[]string{"melody", "play", "--midi-out", "x"}, "one MIDI file"},
		{[]string{"melody", "play", filepath.Join(t.TempDir(), "none.mid"), "--midi-out", "x"}, "none.mid"},
	} {
		status, _, stderr := runCmd(t, tc.args...)
		if status != 2 || !strings.Contains(stderr, tc.want) || strings.Count(strings.TrimSpace(stderr), "\n") > 0 {
			t.Errorf("%v: status %d, stderr %q; want 2 and one line saying %q", tc.args[2:], status, stderr, tc.want)
		}
	}
}

// palette melody play --clock-in follows a host's clock over JACK: it waits for Start, plays the
// file's notes once each on the host's steps (--loops 1) and exits.
func TestMelodyPlayClockIn(t *testing.T) {
	jacktest.Server(t)
	rec := jacktest.Record(t, "lpclkrec")
	host, err := midiport.Open("LP host")
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	in := writeMelodyFile(t, playTune)
	type result struct {
		status         int
		stdout, stderr string
	}
	done := make(chan result, 1)
	go func() {
		status, stdout, stderr := runCmd(t, "melody", "play", in, "--midi-out", "LP clk", "--clock-in", "--clock-from", "LP host:out",
			"--connect", rec.Port, "--loops", "1", "--channel", "5")
		done <- result{status, stdout, stderr}
	}()
	// Wait for the palette's input to be connected to the host.
	deadline := time.Now().Add(10 * time.Second)
	for {
		out, _ := exec.Command("jack_lsp", "-c", "LP clk:in").Output()
		if strings.Contains(string(out), "LP host:out") {
			break
		}
		select {
		case r := <-done:
			t.Fatalf("play ended early: status %d: %s %s", r.status, r.stdout, r.stderr)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("the palette's clock input was not connected to the host")
		}
		time.Sleep(50 * time.Millisecond)
	}
	at := host.Now() + 200*time.Millisecond
	host.SendAt(at, midiport.Start)
	for range 6*32 + 12 { // 2 bars and a little, at 240 BPM
		host.SendAt(at, midiport.Clock)
		at += time.Minute / 240 / 24
	}
	host.SendAt(at, midiport.Stop)
	var r result
	select {
	case r = <-done:
	case <-time.After(15 * time.Second):
		t.Fatal("play --clock-in did not end after one loop")
	}
	if r.status != 0 || !strings.Contains(r.stdout, "played 32 steps") {
		t.Fatalf("status %d, stdout %q, stderr %q", r.status, r.stdout, r.stderr)
	}
	var pitches []byte
	for _, m := range rec.Stop(t, 200*time.Millisecond) {
		if m.Bytes[0] == 0x94 {
			pitches = append(pitches, m.Bytes[1])
		}
	}
	var want []byte
	for _, n := range playTune.Notes() {
		want = append(want, byte(n.Pitch))
	}
	if !bytes.Equal(pitches, want) {
		t.Errorf("note-ons on channel 5: %v, want %v", pitches, want)
	}
}
