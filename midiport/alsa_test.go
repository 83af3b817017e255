//go:build linux && cgo && !nomidiport

package midiport

import (
	"os"
	"strings"
	"testing"
	"time"
)

// The ALSA sequencer port, where the kernel has a sequencer: it opens, takes messages on its
// queue's clock, drops what a Cancel covers and closes. Without one, Open says so in its error.
func TestALSAPort(t *testing.T) {
	o, err := openALSA("Latent Palette test")
	if _, serr := os.Stat("/dev/snd/seq"); serr != nil {
		if err == nil || !strings.Contains(err.Error(), "no ALSA sequencer") {
			t.Errorf("without /dev/snd/seq: %v", err)
		}
		t.Skip("no ALSA sequencer on this machine (/dev/snd/seq is missing): only the error is tested")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer o.Close()
	if !strings.HasPrefix(o.Name(), "ALSA: Latent Palette test") {
		t.Errorf("name %q", o.Name())
	}
	t0 := o.Now()
	time.Sleep(20 * time.Millisecond)
	if d := o.Now() - t0; d < 10*time.Millisecond || d > time.Second {
		t.Errorf("the queue's clock moved %v in 20 ms", d)
	}
	now := o.Now()
	for i, msg := range [][]byte{NoteOn(0, 60, 100), NoteOff(0, 60), Clock, AllNotesOff(0)} {
		if err := o.SendAt(now+time.Duration(i)*10*time.Millisecond, msg); err != nil {
			t.Fatalf("% x: %v", msg, err)
		}
	}
	if c := o.Cancel(); c < now {
		t.Errorf("Cancel at %v, before %v", c, now)
	}
}
