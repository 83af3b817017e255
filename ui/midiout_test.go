package ui

import (
	"bytes"
	"errors"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/latentpalette/palette/assets"
	"github.com/latentpalette/palette/midiport"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/palette/standin"
)

// fakeOut is a port that records what is sent, on the wall clock.
type fakeOut struct {
	start time.Time
	mu    sync.Mutex
	sent  []midiport.Event
	close bool
}

func (o *fakeOut) Name() string       { return "fake: Latent Palette" }
func (o *fakeOut) Now() time.Duration { return time.Since(o.start) }
func (o *fakeOut) SendAt(t time.Duration, msg []byte) error {
	o.mu.Lock()
	defer o.mu.Unlock()
	o.sent = append(o.sent, midiport.Event{At: t, Msg: append([]byte(nil), msg...)})
	return nil
}
func (o *fakeOut) Cancel() time.Duration {
	o.mu.Lock()
	defer o.mu.Unlock()
	now := o.Now()
	keep := o.sent[:0]
	for _, e := range o.sent {
		if e.At < now {
			keep = append(keep, e)
		}
	}
	o.sent = keep
	return now
}
func (o *fakeOut) Close() error { o.close = true; return nil }
func (o *fakeOut) messages() []midiport.Event {
	o.mu.Lock()
	defer o.mu.Unlock()
	return append([]midiport.Event(nil), o.sent...)
}

func findCheck(t *testing.T, o fyne.CanvasObject, label string) *keyCheck {
	t.Helper()
	for _, obj := range test.LaidOutObjects(o) {
		if c, ok := obj.(*keyCheck); ok && c.Text == label {
			return c
		}
	}
	t.Fatalf("no check %q", label)
	return nil
}

func findSelect(t *testing.T, o fyne.CanvasObject, option string) *keySelect {
	t.Helper()
	for _, obj := range test.LaidOutObjects(o) {
		if s, ok := obj.(*keySelect); ok {
			for _, opt := range s.Options {
				if opt == option {
					return s
				}
			}
		}
	}
	t.Fatalf("no picker with %q", option)
	return nil
}

// With no port to be had, turning MIDI out on says why in a dialog, once; the check goes off.
func TestMIDIOutNoPortSaysOnce(t *testing.T) {
	f := newFixture(t)
	tries := 0
	f.w.melody.midi.open = func(string) (midiport.Out, error) {
		tries++
		return nil, errors.New("no virtual MIDI port could be made: JACK: no JACK server is running")
	}
	check := findCheck(t, f.w.melody.content, "MIDI out")
	overlays := func() int { return len(f.w.win.Canvas().Overlays().List()) }
	test.Tap(check)
	f.settle()
	if tries != 1 || overlays() != 1 || check.Checked {
		t.Fatalf("tries %d, %d dialogs, checked %v: want 1 try, 1 dialog, off", tries, overlays(), check.Checked)
	}
	f.w.win.Canvas().Overlays().Top().Hide()
	f.w.win.Canvas().Overlays().Remove(f.w.win.Canvas().Overlays().Top())
	test.Tap(check)
	f.settle()
	if tries != 2 || overlays() != 0 || check.Checked {
		t.Errorf("second try: tries %d, %d dialogs, checked %v: want no second dialog", tries, overlays(), check.Checked)
	}
}

// With the port on, the melody part's notes go out on the chosen channel, and stopping leaves
// nothing sounding.
func TestMIDIOutFollowsPlayer(t *testing.T) {
	f := newFixture(t)
	out := &fakeOut{start: time.Now()}
	f.w.melody.midi.open = func(string) (midiport.Out, error) { return out, nil }
	findSelect(t, f.w.melody.content, "Ch 3").SetSelected("Ch 3")
	test.Tap(findCheck(t, f.w.melody.content, "MIDI out"))
	f.settle()
	if f.w.melody.midi.PortName() != out.Name() {
		t.Fatalf("port %q", f.w.melody.midi.PortName())
	}
	test.Tap(findCheck(t, f.w.melody.content, "Clock out"))
	f.w.melody.part.toggle() // play
	time.Sleep(1200 * time.Millisecond)
	f.w.melody.part.toggle() // stop
	f.settle()
	msgs := out.messages()
	sounding := map[byte]bool{}
	ons := 0
	for _, e := range msgs {
		switch e.Msg[0] & 0xf0 {
		case 0x90:
			if e.Msg[0]&0x0f != 2 {
				t.Errorf("a note on channel %d", e.Msg[0]&0x0f+1)
			}
			sounding[e.Msg[1]] = true
			ons++
		case 0x80:
			sounding[e.Msg[1]] = false
		}
	}
	if ons == 0 {
		t.Fatalf("no notes in 1.2 s of playing: %v", msgs)
	}
	clocks, starts, stops := 0, 0, 0
	for _, e := range msgs {
		switch e.Msg[0] {
		case 0xf8:
			clocks++
		case 0xfa:
			starts++
		case 0xfc:
			stops++
		}
	}
	// 1.2 s at 120 BPM is 2.4 quarter notes: about 58 clocks (those scheduled ahead were dropped at stop).
	if starts != 1 || stops != 1 || clocks < 40 || clocks > 70 {
		t.Errorf("clock out: %d starts, %d stops, %d clocks", starts, stops, clocks)
	}
	for p, on := range sounding {
		if on {
			t.Errorf("pitch %d sounds after stop", p)
		}
	}
	if last := msgs[len(msgs)-2].Msg; !bytes.Equal(last, midiport.AllNotesOff(9)) { // then the clock's stop
		t.Errorf("the last message is % x, want all notes off", last)
	}
	test.Tap(findCheck(t, f.w.melody.content, "MIDI out")) // off: the port closes
	if !out.close || f.w.melody.midi.PortName() != "" {
		t.Error("turning MIDI out off left the port open")
	}
}

// The key pickers lock the shipped model's decodes into the key, and Fit corners moves the
// corners into it; with the stand-in model they are disabled.
func TestKeyLockPickers(t *testing.T) {
	if testing.Short() {
		t.Skip("decodes with the shipped melody model")
	}
	w, _, err := musicvae.Load(bytes.NewReader(assets.MelodyModel))
	if err != nil {
		t.Fatal(err)
	}
	queue := make(chan func(), 4096)
	a := test.NewTempApp(t)
	o := options{melodyModel: musicvae.NewModel(w), sketchModel: standin.Sketch{}, drumsModel: standin.Drums{}}
	o.runOnUI = func(fn func()) { queue <- fn }
	win := newWindow(a, o)
	t.Cleanup(win.win.Close)
	win.win.Resize(fyne.NewSize(1100, 750))
	settle := func() {
		for {
			win.melody.pal.Wait()
			select {
			case fn := <-queue:
				fn()
			default:
				return
			}
		}
	}
	settle()
	findSelect(t, win.melody.content, "Eb").SetSelected("F#")
	findSelect(t, win.melody.content, "dorian").SetSelected("major")
	lock := melody.KeyLock{Tonic: 6, Scale: melody.Major}
	if got := win.melody.keyLock.lock(); got.Tonic != 6 || got.Scale != melody.Major {
		t.Fatalf("lock %v", got)
	}
	for _, pt := range []palette.Point{{U: 0.3, V: 0.6}, {U: 0.5, V: 0.5}, {U: 0.8, V: 0.1}} {
		win.melody.pal.MoveTo(pt)
		settle()
		r, ok := win.melody.pal.Result()
		if !ok || r.Point != pt {
			t.Fatalf("no result at %v", pt)
		}
		if s := lock.OutOfScale(r.Item); len(s) > 0 {
			t.Errorf("at %v: notes out of F# major at steps %v", pt, s)
		}
	}
	out := 0
	for _, c := range win.melody.pal.Corners() {
		out += len(lock.OutOfScale(c.Item))
	}
	if out == 0 {
		t.Fatal("the example corners are in F# major already: Fit corners is not tested")
	}
	test.Tap(findButton(t, win.melody.content, "Fit corners"))
	settle()
	for i, c := range win.melody.pal.Corners() {
		if s := lock.OutOfScale(c.Item); len(s) > 0 {
			t.Errorf("corner %d is not in F# major after Fit corners: steps %v", i+1, s)
		}
	}

	// The stand-in cannot be locked: the pickers are off.
	f := newFixture(t)
	if !findSelect(t, f.w.melody.content, "dorian").Disabled() {
		t.Error("the scale picker is on for the stand-in model")
	}
}
