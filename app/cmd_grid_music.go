package main

import (
	"errors"
	"flag"
	"fmt"
	"image"
	"io"
	"slices"
	"strings"

	"github.com/latentpalette/palette/assets/examples"
	"github.com/latentpalette/palette/audio"
	"github.com/latentpalette/palette/audio/synth"
	"github.com/latentpalette/palette/model/cells"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
)

const musicCornerHelp = "a corner: FILE.mid (its first 2 bars) or FILE.mid:BAR (2 bars from BAR on)"

// music is what the grid and path commands of melodies and drums need of their part: how a
// corner is read, the model, and how the results are drawn and written.
type music[T any] struct {
	group, noun string // "melody", "melodies"
	// flags adds the part's flags (--model, --bpm, the WAV's instrument) and returns what
	// reads them: the model's spec, the tempo, and the model once asked for.
	flags  func(fs *flag.FlagSet, path bool) musicFlags[T]
	corner func(stderr io.Writer) func(spec string) (T, error)
	render func(items []T, o cells.SheetOptions) (*image.RGBA, error)
	wav    func(w io.Writer, all T, bpm float64, instrument string) error
	join   func(items []T) T              // windows one after another as one part
	cut    func(items []T, steps int) []T // cutBars
}

type musicFlags[T any] struct {
	spec       *string
	bpm        *float64
	instrument *string // nil where the part has no instruments
	// check reads the flags that need more than parsing (the melodies' key lock); fit moves a
	// corner read from spec as those flags ask (into the key). Both may be nil.
	check func() error
	fit   func(item T, spec string, stderr io.Writer) T
	load  func() (palette.Model[T], error)
	midi  func(w io.Writer, items []T, labels []string) error // at the tempo (and in the key) of the flags
}

var melodyMusic = music[melody.Melody]{
	group: "melody", noun: "melodies",
	flags: func(fs *flag.FlagSet, path bool) musicFlags[melody.Melody] {
		mf := addMelodyFlags(fs)
		mf.addKeyFlags(fs)
		f := musicFlags[melody.Melody]{spec: &mf.model, bpm: &mf.bpm, check: mf.parseKey, fit: mf.fitted,
			load: func() (palette.Model[melody.Melody], error) {
				m, err := mf.load()
				if err != nil {
					return nil, err
				}
				return mf.keyed(m), nil
			},
			midi: func(w io.Writer, ms []melody.Melody, labels []string) error {
				return cells.WriteMelodies(w, ms, labels, melody.WriteOptions{BPM: mf.bpm, Key: mf.key.lock})
			},
		}
		if path {
			f.instrument = fs.String("instrument", synth.Names()[0], "WAV: the instrument ("+strings.Join(synth.Names(), ", ")+")")
		}
		return f
	},
	corner: func(io.Writer) func(string) (melody.Melody, error) { return readMelodyCorner },
	render: cells.RenderMelodies,
	wav: func(w io.Writer, all melody.Melody, bpm float64, instrument string) error {
		return audio.WriteWAV(w, all, audio.RenderOptions{Instrument: instrument, BPM: bpm})
	},
	join: func(ms []melody.Melody) melody.Melody { return melody.Concat(ms...) },
	cut:  cutBars[melody.Melody],
}

var drumsMusic = music[drums.Pattern]{
	group: "drums", noun: "grooves",
	flags: func(fs *flag.FlagSet, _ bool) musicFlags[drums.Pattern] {
		df := addDrumFlags(fs)
		return musicFlags[drums.Pattern]{spec: &df.model, bpm: &df.bpm,
			load: func() (palette.Model[drums.Pattern], error) { return df.load() },
			midi: func(w io.Writer, ps []drums.Pattern, labels []string) error {
				return cells.WriteGrooves(w, ps, labels, drums.WriteOptions{BPM: df.bpm})
			},
		}
	},
	corner: readGrooveCorner,
	render: cells.RenderGrooves,
	wav: func(w io.Writer, all drums.Pattern, bpm float64, _ string) error {
		return audio.WriteDrumsWAV(w, all, audio.RenderOptions{BPM: bpm})
	},
	join: func(ps []drums.Pattern) drums.Pattern { return slices.Concat(ps...) },
	cut:  cutBars[drums.Pattern],
}

func runMelodyGrid(args []string, stdout, stderr io.Writer) error {
	return runMusicGrid(melodyMusic, args, stdout, stderr)
}

func runMelodyPath(args []string, stdout, stderr io.Writer) error {
	return runMusicPath(melodyMusic, args, stdout, stderr)
}

func runDrumsGrid(args []string, stdout, stderr io.Writer) error {
	return runMusicGrid(drumsMusic, args, stdout, stderr)
}

func runDrumsPath(args []string, stdout, stderr io.Writer) error {
	return runMusicPath(drumsMusic, args, stdout, stderr)
}

// readMelodyCorner reads a melody corner: example:NAME, FILE.mid or FILE.mid:BAR.
func readMelodyCorner(spec string) (melody.Melody, error) {
	if strings.HasPrefix(spec, "example:") {
		ex, err := examples.Melodies()
		if err != nil {
			return nil, err
		}
		return pickExample(spec, ex)
	}
	file, bar, _ := splitIndex(spec)
	return readWindow(file, bar)
}

// readGrooveCorner reads a drum corner: example:NAME, FILE.mid or FILE.mid:BAR.
func readGrooveCorner(stderr io.Writer) func(spec string) (drums.Pattern, error) {
	return func(spec string) (drums.Pattern, error) {
		if strings.HasPrefix(spec, "example:") {
			ex, err := examples.Grooves()
			if err != nil {
				return nil, err
			}
			return pickExample(spec, ex)
		}
		file, bar, _ := splitIndex(spec)
		return readGroove(file, bar, stderr)
	}
}

// checkFlags runs f.check, if the part has one.
func (f musicFlags[T]) checkFlags() error {
	if f.check == nil {
		return nil
	}
	return f.check()
}

func checkTempoFlag(bpm float64) error {
	if !(bpm >= audio.MinBPM && bpm <= audio.MaxBPM) {
		return usagef("--bpm %g is out of range: use %d to %d", bpm, audio.MinBPM, audio.MaxBPM)
	}
	return nil
}

// musicCorners reads the corners and the model and encodes the corners.
func musicCorners[T any](k music[T], f musicFlags[T], specs []string, stderr io.Writer) (palette.Model[T], [4]palette.Corner[T], error) {
	var cs [4]palette.Corner[T]
	items, err := readCorners(specs, k.corner(stderr))
	if err != nil {
		return nil, cs, err
	}
	if f.fit != nil {
		for i := range items {
			items[i] = f.fit(items[i], specs[i], stderr)
		}
	}
	m, err := f.load()
	if err != nil {
		return nil, cs, err
	}
	cs, err = cornersOf(m, *f.spec, items)
	return m, cs, err
}

func runMusicGrid[T any](k music[T], args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(k.group+" grid", flag.ContinueOnError)
	f := k.flags(fs, false)
	sf := addSpaceFlags(fs, musicCornerHelp, 0, true, "OUT.mid (the cells one after another, row by row, a marker each) or OUT.png")
	cell := fs.Int("cell", 96, "PNG: pixels per cell side, 16 to 1024")
	usage := "usage: palette " + k.group + " grid --corners A B C D --size N -o OUT.mid|OUT.png [--model M] [--bpm B]"
	if _, err := sf.parse(fs, args, usage, stderr, ".mid", ".png"); err != nil {
		return err
	}
	if *cell < 16 || *cell > 1024 {
		return usagef("--cell %d is outside 16..1024", *cell)
	}
	if err := errors.Join(checkTempoFlag(*f.bpm), f.checkFlags()); err != nil {
		return err
	}
	m, cs, err := musicCorners(k, f, sf.corners, stderr)
	if err != nil {
		return err
	}
	n := sf.size
	items, err := palette.DecodePoints(m, cs, palette.GridPoints(n), sf.settings(), 0, nil)
	if err != nil {
		return err
	}
	if hasExt(sf.out, ".png") {
		img, err := k.render(items, cells.SheetOptions{Cols: n, Cell: *cell})
		if err != nil {
			return usageError{err}
		}
		if err := writeFileAtomic(sf.out, func(w io.Writer) error { return cells.WritePNG(w, img) }); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "wrote %s: %d×%d %s, row by row from the top-left corner\n", sf.out, n, n, k.noun)
		return nil
	}
	if err := writeFileAtomic(sf.out, func(w io.Writer) error { return f.midi(w, items, gridLabels(n)) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d×%d %s of 2 bars, row by row, a marker each, at %g BPM\n", sf.out, n, n, k.noun, *f.bpm)
	return nil
}

func runMusicPath[T any](k music[T], args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet(k.group+" path", flag.ContinueOnError)
	f := k.flags(fs, true)
	sf := addSpaceFlags(fs, musicCornerHelp, 0, false, "OUT.mid (with the tempo, a marker per 2-bar window) or OUT.wav")
	bars := fs.Int("bars", 8, fmt.Sprintf("bars the performance lasts, 1 to %d: one decode per 2 bars along the path", maxPathBars))
	usage := "usage: palette " + k.group + ` path --corners A B C D --path "u,v u,v …" --bars N -o OUT.mid|OUT.wav [--bpm B]`
	path, err := sf.parse(fs, args, usage, stderr, ".mid", ".wav")
	if err != nil {
		return err
	}
	inst := ""
	if f.instrument != nil {
		if _, ok := synth.Lookup(*f.instrument); !ok {
			return usagef("unknown instrument %q: use one of %s", *f.instrument, strings.Join(synth.Names(), ", "))
		}
		inst = *f.instrument
	}
	if err := errors.Join(checkBars(*bars), checkTempoFlag(*f.bpm), f.checkFlags()); err != nil {
		return err
	}
	m, cs, err := musicCorners(k, f, sf.corners, stderr)
	if err != nil {
		return err
	}
	pts := pathWindows(path, *bars)
	items, err := palette.DecodePoints(m, cs, pts, sf.settings(), 0, nil)
	if err != nil {
		return err
	}
	items = k.cut(items, *bars*melody.StepsPerBar)
	if hasExt(sf.out, ".wav") {
		err = writeFileAtomic(sf.out, func(w io.Writer) error { return k.wav(w, k.join(items), *f.bpm, inst) })
	} else {
		err = writeFileAtomic(sf.out, func(w io.Writer) error { return f.midi(w, items, pathLabels(pts)) })
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d bars at %g BPM along %d points of the path, %d decoded windows\n", sf.out, *bars, *f.bpm, len(path), len(pts))
	return nil
}

// cutBars keeps the first steps steps of windows that follow each other: an odd number of bars
// plays the first bar of the last window.
func cutBars[S ~[]E, E any](ws []S, steps int) []S {
	out := make([]S, 0, len(ws))
	for _, w := range ws {
		if steps <= 0 {
			break
		}
		k := min(len(w), steps)
		out = append(out, w[:k])
		steps -= k
	}
	return out
}
