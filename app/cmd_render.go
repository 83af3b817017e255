package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/latentpalette/palette/audio"
	"github.com/latentpalette/palette/audio/synth"
	"github.com/latentpalette/palette/model/melody"
)

func init() {
	register(command{
		name:    "melody render",
		summary: "render 2 bars of a MIDI melody to a WAV file with the built-in synth",
		run:     runMelodyRender,
	})
}

const renderUsage = "usage: palette melody render IN.mid -o OUT.wav [--instrument NAME] [--bpm B] [--loops N] [--bar B] [--rate HZ]\n" +
	"       palette melody render --list"

func runMelodyRender(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("melody render", flag.ContinueOnError)
	out := fs.String("o", "", "the WAV file to write")
	inst := fs.String("instrument", synth.Names()[0], "the instrument (--list names them)")
	bpm := fs.Float64("bpm", audio.DefaultBPM, fmt.Sprintf("tempo in quarter notes per minute, %d to %d", audio.MinBPM, audio.MaxBPM))
	loops := fs.Int("loops", 1, "how many times to play the 2 bars, 1 to 64")
	bar := fs.Int("bar", 0, "the first of the 2 bars to render (0 is the first bar of the file)")
	rate := fs.Int("rate", 44100, "sample rate in Hz: 44100 or 48000")
	list := fs.Bool("list", false, "list the instruments and exit")
	pos, err := parseModelFlags(fs, args, renderUsage, stderr)
	if err != nil {
		return err
	}
	if *list {
		for _, in := range synth.Instruments() {
			fmt.Fprintf(stdout, "%-8s  %s\n", in.Name, in.Description)
		}
		return nil
	}
	switch {
	case len(pos) == 0 || pos[0] == "":
		return usagef("no MIDI file given: %s", strings.SplitN(renderUsage, "\n", 2)[0])
	case len(pos) > 1:
		return usagef("one MIDI file at a time, got %d: %s", len(pos), strings.Join(pos, " "))
	case *out == "":
		return usagef("no output file: add -o OUT.wav")
	case *loops < 1 || *loops > 64:
		return usagef("--loops %d is out of range: use 1 to 64", *loops)
	case *rate != 44100 && *rate != 48000:
		return usagef("--rate %d is not supported: use 44100 or 48000", *rate)
	}
	if _, ok := synth.Lookup(*inst); !ok {
		return usagef("unknown instrument %q: use one of %s (--list describes them)", *inst, strings.Join(synth.Names(), ", "))
	}
	if *bpm < audio.MinBPM || *bpm > audio.MaxBPM || *bpm != *bpm {
		return usagef("--bpm %g is out of range: use %d to %d", *bpm, audio.MinBPM, audio.MaxBPM)
	}
	if err := checkOutput(*out); err != nil {
		return err
	}
	m, err := readWindowNoting(pos[0], *bar, stderr)
	if err != nil {
		return err
	}
	opts := audio.RenderOptions{Instrument: *inst, BPM: *bpm, Loops: *loops, SampleRate: *rate}
	if err := writeFileAtomic(*out, func(w io.Writer) error { return audio.WriteWAV(w, m, opts) }); err != nil {
		return err
	}
	seconds := float64(len(m)**loops) * 60 / *bpm / melody.StepsPerQuarter
	fmt.Fprintf(stdout, "wrote %s: bars %d-%d, %d loop(s) at %g BPM on %s (%.1f s plus the last note's release)\n",
		*out, *bar, *bar+1, *loops, *bpm, *inst, seconds)
	return nil
}

// readWindow reads the MIDI file at path and returns its 2 bars from bar on; what is wrong
// with the file or the bar is a usage error. What the import did that the user may want to
// know (a grid found in the playing, no steady beat) is not said: see readWindowNoting.
func readWindow(path string, bar int) (melody.Melody, error) {
	return readWindowNoting(path, bar, io.Discard)
}

// readWindowNoting is readWindow that writes the import's notices to w, a line each, naming
// the file.
func readWindowNoting(path string, bar int, w io.Writer) (melody.Melody, error) {
	f, err := openInput(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	imp, err := melody.Import(f)
	var fe *melody.FormatError
	if errors.As(err, &fe) {
		return nil, usagef("%s: %s", path, fe.Msg)
	}
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	for _, n := range imp.Notices {
		fmt.Fprintf(w, "%s: %s\n", path, n)
	}
	segs := imp.Segments
	m, err := melody.WindowAt(segs, bar)
	if err != nil {
		return nil, usagef("%s: %v (choose with --bar)", path, strings.TrimPrefix(err.Error(), "melody: "))
	}
	if !m.HasNote() {
		return nil, usagef("%s: bars %d-%d are silent: choose others with --bar (0..%d)", path, bar, bar+1, melody.BarCount(segs)-1)
	}
	return m, nil
}

// parseInterspersed parses flags that may come before and after the positional arguments
// (Go's flag package stops at the first positional one) and returns the positionals.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	fs.SetOutput(io.Discard) // errors are returned in one line, not printed with the usage
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}
