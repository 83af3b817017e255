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
	"github.com/latentpalette/palette/model/melody"
)

func init() {
	register(command{name: "melody play", summary: "play 2 bars of a MIDI file out of a virtual MIDI port (JACK or ALSA) for a DAW or synth", run: runMelodyPlay})
}

const playUsage = "usage: palette melody play IN.mid --midi-out NAME [--loops N] [--bpm B] [--bar B] [--channel C] [--connect CLIENT:PORT] [--clock-out | --clock-in [--clock-from CLIENT:PORT]] [--key K --scale S [--fit]]"

func runMelodyPlay(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("melody play", flag.ContinueOnError)
	name := fs.String("midi-out", "", "the name of the virtual MIDI output port to open (the window's is \""+midiport.DefaultName+"\")")
	loops := fs.Int("loops", 1, "how many times to play the 2 bars, 1 to 1000")
	bpm := fs.Float64("bpm", audio.DefaultBPM, fmt.Sprintf("tempo in quarter notes per minute, %d to %d", audio.MinBPM, audio.MaxBPM))
	bar := fs.Int("bar", 0, "the first of the 2 bars to play (0 is the first bar of the file)")
	channel := fs.Int("channel", 1, "MIDI channel, 1 to 16")
	connect := fs.String("connect", "", "connect the port to this JACK MIDI input port (CLIENT:PORT) before playing")
	clock := fs.Bool("clock-out", false, "send a MIDI clock (start, 24 per quarter note, stop) with the notes")
	clockIn := fs.Bool("clock-in", false, "follow a MIDI clock sent to the input port NAME:in (start, stop, song position, tempo) instead of --bpm; plays until the host stops, or --loops passes if given")
	clockFrom := fs.String("clock-from", "", "with --clock-in: connect this JACK MIDI output port (the host's clock) to the input port")
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
	if *clockIn && *clock {
		return usagef("--clock-in and --clock-out exclude each other: follow the host, or lead it")
	}
	if *clockFrom != "" && !*clockIn {
		return usagef("--clock-from needs --clock-in")
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
		mf.key.fit = true // a key lock on a file to play moves it into the key
	}
	m = mf.fitted(m, pos[0], stderr)
	if *clockIn {
		loopsGiven := false
		fs.Visit(func(f *flag.Flag) { loopsGiven = loopsGiven || f.Name == "loops" })
		if !loopsGiven {
			*loops = 0
		}
		return followClock(*name, *connect, *clockFrom, m, midiport.FollowOptions{Channel: uint8(*channel - 1), Loops: *loops}, stdout, stderr)
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

// followClock plays m on the MIDI clock that arrives at the input port NAME:in.
func followClock(name, connect, from string, m melody.Melody, opt midiport.FollowOptions, stdout, stderr io.Writer) error {
	io2, err := midiport.OpenIO(name)
	if err != nil {
		return err
	}
	defer io2.Close()
	if c, ok := io2.(midiport.Connector); ok && connect != "" {
		if err := c.Connect(connect); err != nil {
			return err
		}
	}
	if from != "" {
		fc, ok := io2.(midiport.FromConnector)
		if !ok {
			return fmt.Errorf("%s cannot connect itself: connect the clock with the system's tools", io2.InName())
		}
		if err := fc.ConnectFrom(from); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	fmt.Fprintf(stderr, "following the MIDI clock at %s, playing out of %s on channel %d: waiting for the host's start\n", io2.InName(), io2.Name(), opt.Channel+1)
	steps := 0
	var bpm float64
	if err := midiport.Follow(ctx, io2, m, opt, func(_ int64, b float64) { steps++; bpm = b }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "played %d steps on the host's clock (last tempo %.1f BPM) out of %s\n", steps, bpm, io2.Name())
	return nil
}
