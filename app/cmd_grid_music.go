package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/latentpalette/palette/assets/examples"
	"github.com/latentpalette/palette/audio"
	"github.com/latentpalette/palette/audio/synth"
	"github.com/latentpalette/palette/model/cells"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
)

const (
	melodyGridUsage = "usage: palette melody grid --corners A B C D --size N -o OUT.mid|OUT.png [--model M] [--bpm B]"
	melodyPathUsage = `usage: palette melody path --corners A B C D --path "u,v u,v …" --bars N -o OUT.mid|OUT.wav [--instrument NAME] [--bpm B]`
	drumsGridUsage  = "usage: palette drums grid --corners A B C D --size N -o OUT.mid|OUT.png [--model M] [--bpm B]"
	drumsPathUsage  = `usage: palette drums path --corners A B C D --path "u,v u,v …" --bars N -o OUT.mid|OUT.wav [--bpm B]`
	musicCornerHelp = "a corner: FILE.mid (its first 2 bars) or FILE.mid:BAR (2 bars from BAR on)"
)

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

// cellSheet is the --cell flag of the PNG sheets of melodies and grooves.
func addCellFlag(fs *flag.FlagSet) *int {
	return fs.Int("cell", 96, "PNG: pixels per cell side, 16 to 1024")
}

func checkCell(cell int) error {
	if cell < 16 || cell > 1024 {
		return usagef("--cell %d is outside 16..1024", cell)
	}
	return nil
}

func checkTempoFlag(bpm float64) error {
	if !(bpm >= audio.MinBPM && bpm <= audio.MaxBPM) {
		return usagef("--bpm %g is out of range: use %d to %d", bpm, audio.MinBPM, audio.MaxBPM)
	}
	return nil
}

func runMelodyGrid(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("melody grid", flag.ContinueOnError)
	mf := addMelodyFlags(fs)
	sf := addSpaceFlags(fs, musicCornerHelp, 0, true, "OUT.mid (the cells one after another, row by row, a marker each) or OUT.png")
	cell := addCellFlag(fs)
	if _, err := sf.parse(fs, args, melodyGridUsage, stderr, ".mid", ".png"); err != nil {
		return err
	}
	if err := errors.Join(checkCell(*cell), checkTempoFlag(mf.bpm)); err != nil {
		return err
	}
	items, err := readCorners(sf.corners, readMelodyCorner)
	if err != nil {
		return err
	}
	m, err := mf.load()
	if err != nil {
		return err
	}
	cs, err := cornersOf(m, mf.model, items)
	if err != nil {
		return err
	}
	n := sf.size
	ws, err := palette.DecodePoints(m, cs, palette.GridPoints(n), sf.settings(), 0, nil)
	if err != nil {
		return err
	}
	if hasExt(sf.out, ".png") {
		img, err := cells.RenderMelodies(ws, cells.SheetOptions{Cols: n, Cell: *cell})
		if err != nil {
			return usageError{err}
		}
		err = writeFileAtomic(sf.out, func(w io.Writer) error { return cells.WritePNG(w, img) })
		if err == nil {
			fmt.Fprintf(stdout, "wrote %s: %d×%d melodies, row by row from the top-left corner\n", sf.out, n, n)
		}
		return err
	}
	opt := melody.WriteOptions{BPM: mf.bpm}
	if err := writeFileAtomic(sf.out, func(w io.Writer) error { return cells.WriteMelodies(w, ws, gridLabels(n), opt) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d×%d cells of 2 bars, row by row, a marker each, at %g BPM\n", sf.out, n, n, mf.bpm)
	return nil
}

func runMelodyPath(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("melody path", flag.ContinueOnError)
	mf := addMelodyFlags(fs)
	sf := addSpaceFlags(fs, musicCornerHelp, 0, false, "OUT.mid (with the tempo, a marker per 2-bar window) or OUT.wav")
	bars := fs.Int("bars", 8, fmt.Sprintf("bars the performance lasts, 1 to %d: one decode per 2 bars along the path", maxPathBars))
	inst := fs.String("instrument", synth.Names()[0], "WAV: the instrument ("+strings.Join(synth.Names(), ", ")+")")
	path, err := sf.parse(fs, args, melodyPathUsage, stderr, ".mid", ".wav")
	if err != nil {
		return err
	}
	if _, ok := synth.Lookup(*inst); !ok {
		return usagef("unknown instrument %q: use one of %s", *inst, strings.Join(synth.Names(), ", "))
	}
	if err := errors.Join(checkBars(*bars), checkTempoFlag(mf.bpm)); err != nil {
		return err
	}
	items, err := readCorners(sf.corners, readMelodyCorner)
	if err != nil {
		return err
	}
	m, err := mf.load()
	if err != nil {
		return err
	}
	cs, err := cornersOf(m, mf.model, items)
	if err != nil {
		return err
	}
	pts := pathWindows(path, *bars)
	ws, err := palette.DecodePoints(m, cs, pts, sf.settings(), 0, nil)
	if err != nil {
		return err
	}
	if hasExt(sf.out, ".wav") {
		all := melody.Concat(ws...)[:*bars*melody.StepsPerBar]
		opts := audio.RenderOptions{Instrument: *inst, BPM: mf.bpm}
		err = writeFileAtomic(sf.out, func(w io.Writer) error { return audio.WriteWAV(w, all, opts) })
	} else {
		ws = cutBars(ws, *bars*melody.StepsPerBar)
		opt := melody.WriteOptions{BPM: mf.bpm}
		err = writeFileAtomic(sf.out, func(w io.Writer) error { return cells.WriteMelodies(w, ws, pathLabels(pts), opt) })
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d bars at %g BPM along %d points of the path, %d decoded windows\n", sf.out, *bars, mf.bpm, len(path), len(pts))
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

func runDrumsGrid(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("drums grid", flag.ContinueOnError)
	df := addDrumFlags(fs)
	sf := addSpaceFlags(fs, musicCornerHelp, 0, true, "OUT.mid (the cells one after another, row by row, a marker each) or OUT.png")
	cell := addCellFlag(fs)
	if _, err := sf.parse(fs, args, drumsGridUsage, stderr, ".mid", ".png"); err != nil {
		return err
	}
	if err := errors.Join(checkCell(*cell), df.check()); err != nil {
		return err
	}
	items, err := readCorners(sf.corners, readGrooveCorner(stderr))
	if err != nil {
		return err
	}
	m, err := df.load()
	if err != nil {
		return err
	}
	cs, err := cornersOf(m, df.model, items)
	if err != nil {
		return err
	}
	n := sf.size
	ps, err := palette.DecodePoints(m, cs, palette.GridPoints(n), sf.settings(), 0, nil)
	if err != nil {
		return err
	}
	if hasExt(sf.out, ".png") {
		img, err := cells.RenderGrooves(ps, cells.SheetOptions{Cols: n, Cell: *cell})
		if err != nil {
			return usageError{err}
		}
		err = writeFileAtomic(sf.out, func(w io.Writer) error { return cells.WritePNG(w, img) })
		if err == nil {
			fmt.Fprintf(stdout, "wrote %s: %d×%d grooves, row by row from the top-left corner\n", sf.out, n, n)
		}
		return err
	}
	opt := drums.WriteOptions{BPM: df.bpm}
	if err := writeFileAtomic(sf.out, func(w io.Writer) error { return cells.WriteGrooves(w, ps, gridLabels(n), opt) }); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d×%d grooves of 2 bars, row by row, a marker each, at %g BPM\n", sf.out, n, n, df.bpm)
	return nil
}

func runDrumsPath(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("drums path", flag.ContinueOnError)
	df := addDrumFlags(fs)
	sf := addSpaceFlags(fs, musicCornerHelp, 0, false, "OUT.mid (with the tempo, a marker per 2-bar window) or OUT.wav")
	bars := fs.Int("bars", 8, fmt.Sprintf("bars the performance lasts, 1 to %d: one decode per 2 bars along the path", maxPathBars))
	path, err := sf.parse(fs, args, drumsPathUsage, stderr, ".mid", ".wav")
	if err != nil {
		return err
	}
	if err := errors.Join(checkBars(*bars), df.check()); err != nil {
		return err
	}
	items, err := readCorners(sf.corners, readGrooveCorner(stderr))
	if err != nil {
		return err
	}
	m, err := df.load()
	if err != nil {
		return err
	}
	cs, err := cornersOf(m, df.model, items)
	if err != nil {
		return err
	}
	pts := pathWindows(path, *bars)
	ps, err := palette.DecodePoints(m, cs, pts, sf.settings(), 0, nil)
	if err != nil {
		return err
	}
	ps = cutBars(ps, *bars*drums.StepsPerBar)
	if hasExt(sf.out, ".wav") {
		var all drums.Pattern
		for _, p := range ps {
			all = append(all, p...)
		}
		opts := audio.RenderOptions{BPM: df.bpm}
		err = writeFileAtomic(sf.out, func(w io.Writer) error { return audio.WriteDrumsWAV(w, all, opts) })
	} else {
		opt := drums.WriteOptions{BPM: df.bpm}
		err = writeFileAtomic(sf.out, func(w io.Writer) error { return cells.WriteGrooves(w, ps, pathLabels(pts), opt) })
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "wrote %s: %d bars at %g BPM along %d points of the path, %d decoded windows\n", sf.out, *bars, df.bpm, len(path), len(pts))
	return nil
}
