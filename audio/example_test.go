package audio_test

import (
	"bytes"
	"fmt"
	"log"

	"github.com/latentpalette/palette/audio"
	"github.com/latentpalette/palette/model/melody"
)

// How the window drives playback: one Player for the app's life, controlled from the UI
// goroutine (or any other); none of these calls waits for the audio.
func ExamplePlayer() {
	p, err := audio.NewPlayer(audio.PlayerOptions{
		Config: audio.Config{Instrument: "pad", BPM: 96},
		Log:    func(msg string) { log.Print(msg) }, // "audio unavailable: ..." once, if so
	})
	if err != nil {
		log.Fatal(err)
	}
	defer p.Close()

	m, _ := melody.FromNotes([]melody.Note{{Pitch: 60, Start: 0, End: 4}, {Pitch: 67, Start: 4, End: 8}}, 32)
	_ = p.SetMelody(m) // the puck moved: heard from the next 16th
	p.SetQuantize(audio.NextBar)
	_ = p.SetTempo(120) // heard from the next bar line
	p.SetMetronome(true)
	p.Play()
	_ = p.Step() // the step under the playhead, -1 when stopped; poll it to draw
	p.Stop()
}

// Rendering offline, as the CLI and the export dialog do.
func ExampleWriteWAV() {
	m, _ := melody.FromNotes([]melody.Note{{Pitch: 69, Start: 0, End: 8}}, 32)
	var wav bytes.Buffer
	if err := audio.WriteWAV(&wav, m, audio.RenderOptions{Instrument: "pluck", BPM: 120}); err != nil {
		log.Fatal(err)
	}
	fmt.Println(string(wav.Bytes()[:4]), string(wav.Bytes()[8:12]))
	// Output: RIFF WAVE
}
