package midiport_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/latentpalette/palette/midiport"
	"github.com/latentpalette/palette/midiport/jacktest"
	"github.com/latentpalette/palette/model/melody"
)

// tune: a long note across the middle of the window, so that a stop lands on a sounding note.
var tune = melody.Melody{
	melody.NoteOn(60), 0, 0, 0, melody.NoteOn(64), 0, 0, 0,
	melody.NoteOn(67), 0, 0, 0, 0, 0, 0, 0,
	0, 0, 0, 0, 0, 0, 0, 0,
	melody.NoteOn(72), 0, melody.NoteOff, 0, 0, 0, 0, 0,
}

func TestSchedule(t *testing.T) {
	evs, end, err := midiport.Schedule(tune, midiport.PlayOptions{BPM: 120, Loops: 2, Channel: 4, SendClock: true})
	if err != nil {
		t.Fatal(err)
	}
	if end != 8*time.Second { // 2 loops of 2 bars at 120 BPM
		t.Errorf("end %v", end)
	}
	var ons, offs, clocks, starts, stops int
	for i, e := range evs {
		if i > 0 && e.At < evs[i-1].At {
			t.Fatalf("event %d goes back in time", i)
		}
		switch {
		case e.Msg[0] == 0x94:
			ons++
		case e.Msg[0] == 0x84:
			offs++
		case e.Msg[0] == 0xf8:
			clocks++
		case e.Msg[0] == 0xfa:
			starts++
		case e.Msg[0] == 0xfc:
			stops++
		default:
			t.Errorf("event % x", e.Msg)
		}
	}
	if ons != 8 || offs != 8 || clocks != 2*8*24 || starts != 1 || stops != 1 {
		t.Errorf("%d ons, %d offs, %d clocks, %d starts, %d stops", ons, offs, clocks, starts, stops)
	}
	for _, o := range []midiport.PlayOptions{{BPM: 0, Loops: 1}, {BPM: 120}, {BPM: 120, Loops: 1, Channel: 16}} {
		if _, _, err := midiport.Schedule(tune, o); err == nil {
			t.Errorf("%+v: no error", o)
		}
	}
}

// A stop in the middle of a note: what was sounding gets its note-off, then all notes off, and
// nothing scheduled after the stop goes out.
func TestPlayStopJACK(t *testing.T) {
	jacktest.Server(t)
	rec := jacktest.Record(t, "lpstop")
	out, err := midiport.Open("Latent Palette stop")
	if err != nil {
		t.Fatalf("no port with a server running: %v", err)
	}
	defer out.Close()
	if !strings.HasPrefix(out.Name(), "JACK: Latent Palette stop:") {
		t.Errorf("port %q", out.Name())
	}
	if err := out.(midiport.Connector).Connect(rec.Port); err != nil {
		t.Fatal(err)
	}
	// At 240 BPM a step is 62.5 ms: the stop at 0.8 s falls in the held C5 (steps 8-24).
	ctx, cancel := context.WithTimeout(context.Background(), 800*time.Millisecond)
	defer cancel()
	if _, err := midiport.Play(ctx, out, tune, midiport.PlayOptions{BPM: 240, Loops: 3, Channel: 0}); err != nil {
		t.Fatal(err)
	}
	got := rec.Stop(t, 300*time.Millisecond)
	sounding := map[byte]bool{}
	var ons []byte
	for _, m := range got {
		switch m.Bytes[0] {
		case 0x90:
			sounding[m.Bytes[1]] = true
			ons = append(ons, m.Bytes[1])
		case 0x80:
			sounding[m.Bytes[1]] = false
		}
	}
	if string(ons) != string([]byte{60, 64, 67}) {
		t.Errorf("note-ons %v, want 60 64 67 (the stop came at step 12 or so)", ons)
	}
	for p, on := range sounding {
		if on {
			t.Errorf("pitch %d still sounds after the stop", p)
		}
	}
	last := got[len(got)-1].Bytes
	if len(last) != 3 || last[0] != 0xb0 || last[1] != 123 {
		t.Errorf("the last message is % x, want all notes off", last)
	}
}

func TestOpenNoServer(t *testing.T) {
	t.Setenv("JACK_DEFAULT_SERVER", "lp-none-"+strings.Repeat("x", 3)+string(rune('0'+os.Getpid()%10)))
	_, err := midiport.Open(midiport.DefaultName)
	if err == nil || !strings.Contains(err.Error(), "no JACK server is running") {
		t.Errorf("Open without a server: %v", err)
	}
	for _, bad := range []string{"", "a:b", strings.Repeat("n", 64), "tab\there"} {
		if _, err := midiport.Open(bad); err == nil {
			t.Errorf("Open(%q) made a port", bad)
		}
	}
}
