package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/latentpalette/palette/audio"
	"github.com/latentpalette/palette/midiport"
)

func init() {
	register(command{name: "melody play", summary: "play 2 bars of a MIDI file out of a virtual MIDI port (JACK or ALSA) for a DAW or synth", run: runMelodyPlay})
}

const playUsage = "usage: palette melody play IN.mid --midi-out NAME [--loops N] [--bpm B] [--bar B] [--channel C] [--connect CLIENT:PORT] [--clock-out] [--key K --scale S]"

func runMelodyPlay(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("melody play", flag.ContinueOnError)
	name := fs.String("midi-out", "", "the name of the virtual MIDI output port to open (the window's is \""+midiport.DefaultName+"\")")
	loops := fs.Int("loops", 1, "how many times to play the 2 bars, 1 to 1000")
	bpm := fs.Float64("bpm", audio.DefaultBPM, fmt.Sprintf("tempo in quarter notes per minute, %d to %d", audio.MinBPM, audio.MaxBPM))
	bar := fs.Int("bar", 0, "the first of the 2 bars to play (0 is the first bar of the file)")
	channel := fs.Int("channel", 1, "MIDI channel, 1 to 16")
	connect := fs.String("connect", "", "connect the port to this JACK MIDI input port (CLIENT:PORT) before playing")
	clock := fs.Bool("clock-out", false, "send a MIDI clock (start, 24 per quarter note, stop) with the notes")
	var mf melodyFlags
	mf.addKeyFlags(fs)
	pos, err := parseModelFlags(fs, args, playUsage, stderr)
	if err != nil {
		return err
	}
	switch {
	case len(pos) != 1 || pos[0] == "":
		return usagef("need one MIDI file: %s", playUsage)
	case *name == "":
		return usagef("need --midi-out NAME: the port to open")
	case *loops < 1 || *loops > 1000:
		return usagef("--loops %d is out of range: use 1 to 1000", *loops)
	case *channel < 1 || *channel > 16:
		return usagef("--channel %d is out of range: use 1 to 16", *channel)
	case *bpm < audio.MinBPM || *bpm > audio.MaxBPM || *bpm != *bpm:
		return usagef("--bpm %g is out of range: use %d to %d", *bpm, audio.MinBPM, audio.MaxBPM)
	}
	if err := midiport.CheckName(*name); err != nil {
		return usagef("--midi-out: %v", err)
	}
	if err := mf.parseKey(); err != nil {
		return err
	}
	m, err := readWindowNoting(pos[0], *bar, stderr)
	if err != nil {
		return err
	}
	if !mf.key.lock.Off() {
		m, _ = mf.key.lock.Fit(m)
	}
	out, err := midiport.Open(*name)
	if err != nil {
		return err // status 1: the port, not the input, is missing
	}
	defer out.Close()
	if *connect != "" {
		c, ok := out.(midiport.Connector)
		if !ok {
			return fmt.Errorf("%s cannot connect itself: connect it with the system's tools", out.Name())
		}
		if err := c.Connect(*connect); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opt := midiport.PlayOptions{BPM: *bpm, Loops: *loops, Channel: uint8(*channel - 1), SendClock: *clock}
	fmt.Fprintf(stderr, "playing bars %d-%d of %s out of %s: %d loop(s) at %g BPM on channel %d\n",
		*bar, *bar+1, pos[0], out.Name(), *loops, *bpm, *channel)
	if _, err := midiport.Play(ctx, out, m, opt); err != nil {
		return err
	}
	what := "played"
	if ctx.Err() != nil {
		what = "stopped"
	}
	fmt.Fprintf(stdout, "%s %d loop(s) of %d notes out of %s\n", what, *loops, len(m.Notes()), out.Name())
	return nil
}
