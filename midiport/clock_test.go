package midiport_test

import (
	"context"
	"math"
	"sync"
	"testing"
	"time"

	"github.com/latentpalette/palette/midiport"
	"github.com/latentpalette/palette/midiport/jacktest"
	"github.com/latentpalette/palette/model/melody"
)

func TestClockFollower(t *testing.T) {
	c := midiport.NewClockFollower()
	at := time.Duration(0)
	tick := func(bpm float64) bool {
		at += time.Duration(float64(time.Minute) / bpm / 24)
		return c.Feed(midiport.Event{At: at, Msg: midiport.Clock})
	}
	for range 30 { // clocks before Start give the tempo, not steps
		if tick(100) {
			t.Fatal("a step before Start")
		}
	}
	if math.Abs(c.BPM()-100) > 0.01 || c.Running() || c.Step() != -1 {
		t.Fatalf("before Start: %v BPM, running %v, step %d", c.BPM(), c.Running(), c.Step())
	}
	c.Feed(midiport.Event{At: at, Msg: midiport.Start})
	steps := 0
	for i := range 48 {
		if tick(100) {
			if c.Step() != int64(steps) || i%6 != 0 {
				t.Fatalf("clock %d: step %d, want %d", i, c.Step(), steps)
			}
			steps++
		}
	}
	if steps != 8 {
		t.Errorf("%d steps in 48 clocks", steps)
	}
	for range 24 {
		tick(140)
	}
	if math.Abs(c.BPM()-140) > 0.01 {
		t.Errorf("BPM %v after a quarter at 140", c.BPM())
	}
	// Song position 32 (bar 3), then Continue: the next clock is step 32.
	c.Feed(midiport.Event{At: at, Msg: midiport.Stop})
	if c.Running() || tick(140) {
		t.Fatal("running after Stop")
	}
	c.Feed(midiport.Event{At: at, Msg: []byte{0xf2, 32, 0}})
	c.Feed(midiport.Event{At: at, Msg: []byte{0xfb}})
	if !tick(140) || c.Step() != 32 {
		t.Errorf("after song position 32: step %d", c.Step())
	}
}

// A host's clock at 100 BPM, then 140 BPM, over JACK: the palette plays each step when the
// clock reaches it, within one step, and its tempo follows within a quarter note.
func TestFollowJACK(t *testing.T) {
	jacktest.Server(t)
	rec := jacktest.Record(t, "lpfollow")
	pal, err := midiport.OpenIO("LP follow")
	if err != nil {
		t.Fatal(err)
	}
	defer pal.Close()
	host, err := midiport.Open("LP host")
	if err != nil {
		t.Fatal(err)
	}
	defer host.Close()
	for _, c := range [][2]string{{"LP host:out", "LP follow:in"}, {"LP host:out", rec.Port}, {"LP follow:out", rec.Port}} {
		var o midiport.Out = host
		if c[0] == "LP follow:out" {
			o = pal
		}
		if err := o.(midiport.Connector).Connect(c[1]); err != nil {
			t.Fatal(err)
		}
	}
	// A note on every step: the i-th note-on belongs to step i.
	m := make(melody.Melody, 32)
	for i := range m {
		m[i] = melody.NoteOn(48 + i)
	}
	var mu sync.Mutex
	bpms := map[int64]float64{}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		done <- midiport.Follow(ctx, pal, m, midiport.FollowOptions{Channel: 1}, func(step int64, bpm float64) {
			mu.Lock()
			bpms[step] = bpm
			mu.Unlock()
		})
	}()
	// The host: Start, a bar (96 clocks) at 100 BPM, a bar at 140, Stop.
	at := host.Now() + 300*time.Millisecond
	host.SendAt(at, midiport.Start)
	for i := range 192 {
		bpm := 100.0
		if i >= 96 {
			bpm = 140
		}
		host.SendAt(at, midiport.Clock)
		at += time.Duration(float64(time.Minute) / bpm / 24)
	}
	host.SendAt(at, midiport.Stop)
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Follow did not end when the host stopped")
	}
	got := rec.Stop(t, 300*time.Millisecond)

	var clocks, ons []int64
	for _, g := range got {
		switch {
		case g.Bytes[0] == 0xf8:
			clocks = append(clocks, g.Frame)
		case g.Bytes[0] == 0x91:
			ons = append(ons, g.Frame)
			if int(g.Bytes[1]) != 48+(len(ons)-1)%32 {
				t.Errorf("note-on %d is pitch %d, want %d", len(ons)-1, g.Bytes[1], 48+(len(ons)-1)%32)
			}
		case g.Bytes[0]&0xf0 == 0x90:
			t.Errorf("a note on channel %d", g.Bytes[0]&0x0f+1)
		}
	}
	if len(clocks) != 192 || len(ons) != 32 {
		t.Fatalf("recorded %d clocks and %d note-ons, want 192 and 32", len(clocks), len(ons))
	}
	worst := 0.0
	for i, f := range ons {
		stepFrames := float64(jacktest.Rate) * 60 / 100 / 4
		if i >= 16 {
			stepFrames = float64(jacktest.Rate) * 60 / 140 / 4
		}
		lag := float64(f - clocks[6*i])
		worst = max(worst, lag/stepFrames)
		if lag < 0 || lag > stepFrames {
			t.Errorf("step %d sounds %.1f ms after its clock; a step is %.1f ms", i, lag/jacktest.Rate*1000, stepFrames/jacktest.Rate*1000)
		}
	}
	mu.Lock()
	defer mu.Unlock()
	if b := bpms[10]; math.Abs(b-100) > 2 {
		t.Errorf("at step 10 the palette follows %v BPM, want 100", b)
	}
	if b := bpms[24]; math.Abs(b-140) > 2.8 { // a quarter note after the change
		t.Errorf("at step 24 the palette follows %v BPM, want 140", b)
	}
	t.Logf("32 steps on the clock, the latest %.2f of a step after its clock; tempo %.2f then %.2f BPM", worst, bpms[10], bpms[24])
}
