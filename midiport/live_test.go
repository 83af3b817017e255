package midiport_test

import (
	"testing"
	"time"

	"github.com/latentpalette/palette/midiport"
	"github.com/latentpalette/palette/midiport/jacktest"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
)

// Live over JACK: the melody on its channel and the groove on channel 10 on one grid, a new
// melody mid-note ends the held note, Stop leaves nothing sounding.
func TestLiveJACK(t *testing.T) {
	jacktest.Server(t)
	rec := jacktest.Record(t, "lplive")
	out, err := midiport.Open("Latent Palette live")
	if err != nil {
		t.Fatal(err)
	}
	defer out.Close()
	if err := out.(midiport.Connector).Connect(rec.Port); err != nil {
		t.Fatal(err)
	}
	held := make(melody.Melody, 32) // one note held over the whole window
	held[0] = melody.NoteOn(60)
	other := make(melody.Melody, 32)
	for i := 0; i < 32; i += 4 {
		other[i] = melody.NoteOn(72)
		other[i+2] = melody.NoteOff
	}
	groove := make(drums.Pattern, 32)
	for i := 0; i < 32; i += 4 {
		groove[i].Velocity[drums.Kick] = 110
	}
	const bpm = 240 // a step is 62.5 ms: 3,000 frames
	l := midiport.NewLive(out, midiport.LiveOptions{BPM: bpm, Channel: 2})
	l.SetMelody(held)
	l.SetDrums(groove)
	l.Play()
	time.Sleep(600 * time.Millisecond) // about step 9: C4 is held
	l.SetMelody(other)
	time.Sleep(700 * time.Millisecond)
	l.Stop()
	l.Close()
	got := rec.Stop(t, 300*time.Millisecond)

	on := map[[2]byte]bool{}
	var kicks []int64
	var first int64 = -1
	ended60 := false
	for _, m := range got {
		st, ch := m.Bytes[0]&0xf0, m.Bytes[0]&0x0f
		if first < 0 && st == 0x90 {
			first = m.Frame
		}
		switch st {
		case 0x90:
			if ch != 2 && ch != 9 {
				t.Errorf("a note on channel %d", ch+1)
			}
			if ch == 2 && m.Bytes[1] == 72 && !ended60 {
				t.Error("the new melody's note came before the held C4 ended")
			}
			if ch == 9 {
				kicks = append(kicks, m.Frame)
			}
			on[[2]byte{ch, m.Bytes[1]}] = true
		case 0x80:
			if ch == 2 && m.Bytes[1] == 60 {
				ended60 = true
			}
			on[[2]byte{ch, m.Bytes[1]}] = false
		}
	}
	for k, v := range on {
		if v {
			t.Errorf("channel %d pitch %d still sounds after Stop", k[0]+1, k[1])
		}
	}
	if !ended60 {
		t.Errorf("the held C4 never ended:\n%v", got)
	}
	// The kicks fall every 4 steps (12,000 frames) from the first note, to the frame.
	for i, k := range kicks {
		if d := k - first - int64(i)*12000; d < -96 || d > 96 {
			t.Errorf("kick %d is %d frames off the grid", i, d)
		}
	}
	if len(kicks) < 4 {
		t.Errorf("%d kicks in 1.3 s at 240 BPM", len(kicks))
	}
}
