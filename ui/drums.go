package ui

import (
	"errors"
	"fmt"
	"image/color"
	"io"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/audio"
	"github.com/latentpalette/palette/internal/regfile"
	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/palette"
)

// drumsTab is the drum palette: its part of the transport, and a result grid whose cells edit
// the corner the puck is on.
type drumsTab struct {
	*paletteTab[drums.Pattern]
	tr      *transport
	part    *part
	hint    *widget.Label
	editing int // the corner whose own groove the grid shows, which a click edits; -1 for none
}

func drumsKind(d *drumsTab, note string) kind[drums.Pattern] {
	return kind[drums.Pattern]{
		name:     "Drums",
		noun:     "groove",
		fileExts: []string{".mid", ".midi"},
		newView: func(compact bool, c color.NRGBA) view[drums.Pattern] {
			return NewDrumGrid(compact, c)
		},
		read:     readDrumMIDI,
		audition: func(item drums.Pattern, on bool) { d.audition(item, on) },
		known:    func(item, recon drums.Pattern) string { return knownSteps(item.Tokens(), recon.Tokens()) },
		exporters: []exporter[drums.Pattern]{
			{label: "MIDI", ext: ".mid", writer: func() func(io.Writer, []drums.Pattern) error {
				opt := drums.WriteOptions{BPM: d.tr.tempo, TrackName: "Latent Palette drums"}
				return func(w io.Writer, ps []drums.Pattern) error { return drums.WriteMIDI(w, slices.Concat(ps...), opt) }
			}},
			{label: "WAV", ext: ".wav", writer: func() func(io.Writer, []drums.Pattern) error {
				opt := audio.RenderOptions{BPM: d.tr.tempo}
				return func(w io.Writer, ps []drums.Pattern) error {
					o := opt
					o.Loops = wavLoops(len(ps))
					return audio.WriteDrumsWAV(w, slices.Concat(ps...), o)
				}
			}},
		},
		modelNote: note,
	}
}

// readDrumMIDI reads the drum part of a MIDI file for a corner: its 2-bar windows that have
// hits; what the import changed or guessed (an odd meter, ignored pitches) is shown once the
// corner is set.
func readDrumMIDI(path string) (*choice[drums.Pattern], error) {
	f, err := regfile.Open(path)
	if err != nil {
		return nil, fmt.Errorf("could not open %s: %w", path, err)
	}
	defer f.Close()
	im, err := drums.ReadMIDI(f)
	var fe *drums.FormatError
	switch {
	case errors.As(err, &fe) && fe.Kind == drums.NoDrums:
		return nil, fmt.Errorf("%s (%s)\n\nChoose a MIDI file with a drum part: notes on channel 10, or a track of drum-kit notes", fe.Msg, path)
	case err != nil:
		return nil, fmt.Errorf("%s is not a MIDI file the palette can use: %w\n\nChoose a Standard MIDI File with drums", path, err)
	}
	var starts []int // the bars that begin 2 bars with hits
	for i, s := range im.Bars {
		if drumWindow(im.Pattern, s).Hits() > 0 {
			starts = append(starts, i)
		}
	}
	if len(starts) == 0 {
		return nil, fmt.Errorf("%s has no drum hits to use: choose another file", path)
	}
	c := &choice[drums.Pattern]{title: "Choose 2 bars", n: len(starts),
		label: func(i int) string {
			return fmt.Sprintf("Bars %d–%d of %d", starts[i]+1, min(starts[i]+2, len(im.Bars)), len(im.Bars))
		},
		get: func(i int) (drums.Pattern, error) { return drumWindow(im.Pattern, im.Bars[starts[i]]), nil },
	}
	if len(im.Notices) > 0 {
		c.notice = fmt.Sprintf("%s:\n%s", path, strings.Join(im.Notices, "\n"))
	}
	return c, nil
}

// audition plays a groove in the dialog that asks for 2 bars (on), through the transport, or
// gives the transport back what it played before (off).
func (d *drumsTab) audition(item drums.Pattern, on bool) {
	d.part.audition(on, func() { d.tr.player.SetDrums(item) })
}

// drumWindow is the 2 bars of p from step start on, padded with silence.
func drumWindow(p drums.Pattern, start int) drums.Pattern {
	w := make(drums.Pattern, drums.WindowSteps)
	copy(w, p[min(start, len(p)):min(len(p), start+drums.WindowSteps)])
	return w
}

// build adds the transport above the palette's controls and the editing hint below the grid.
func (d *drumsTab) build() fyne.CanvasObject {
	grid := d.result.(*DrumGrid)
	d.part = d.tr.newPart(d.status, func(on bool) {
		switch {
		case !on:
			d.tr.player.SetDrums(nil)
		case d.hasCurrent:
			d.tr.player.SetDrums(d.current)
		}
	}, grid.SetPlayhead)
	d.editing = -1
	d.hint = widget.NewLabel("")
	d.setHint()
	grid.OnTapped = d.edit
	for _, th := range d.thumbs {
		th.(*DrumGrid).footer = theme.CaptionTextSize() + 2 // the ride row stays clear of "model: …"
	}
	d.onResult = func(drums.Pattern) {
		d.editing = -1 // a kept groove, until onDecoded says the puck is on a corner
		d.setHint()
		d.part.changed()
	}
	d.onDecoded = func(r palette.Result[drums.Pattern]) {
		if r.Own {
			d.editing = cornerOf(r.Point)
		}
		d.setHint()
	}
	d.resultFooter = d.hint
	d.clock = d.tr.clock // a path plays along with the transport
	return d.paletteTab.build(d.part.controls())
}

// cornerOf returns the corner at p, or -1.
func cornerOf(p palette.Point) int {
	for i := range 4 {
		if p == palette.CornerPoint(i) {
			return i
		}
	}
	return -1
}

// setHint says what a click on the grid does now, in two short lines (a wrapping label would
// ask the window for the height of one word per line).
func (d *drumsTab) setHint() {
	if d.editing < 0 {
		d.hint.Importance = widget.LowImportance
		d.hint.SetText("The grid shows the blend. To edit a corner's groove,\ndrag the puck into that corner and click the grid.")
		return
	}
	name := strings.TrimSuffix(d.cornerName(d.editing), editedSuffix)
	d.hint.Importance = widget.MediumImportance
	d.hint.SetText(fmt.Sprintf("Editing %q: a click adds or removes a hit\n(new hits at velocity %d). Undo: the corner's ⋯ menu.", name, drums.DefaultVelocity))
}

// editedSuffix marks a corner edited on the grid.
const editedSuffix = " (edited)"

// edit toggles the hit of drum c at step in the groove of the corner the puck is on: a new hit
// has drums.DefaultVelocity, on the grid. The edited groove replaces the corner's (undoable) and
// is encoded again, so the blends follow it. Off a corner a click only points at the hint.
func (d *drumsTab) edit(step int, c drums.Class) {
	i := d.editing
	if i < 0 {
		d.status.SetText("The grid shows a blend: drag the puck into a corner to edit that corner's groove")
		return
	}
	p := slices.Clone(d.pal.Corners()[i].Item)
	if step >= len(p) {
		return
	}
	if p[step].Hit(c) {
		p[step].Velocity[c], p[step].Offset[c] = 0, 0
	} else {
		p[step].Velocity[c] = drums.DefaultVelocity
	}
	d.pal.SetNamedCorner(i, p, strings.TrimSuffix(d.cornerName(i), editedSuffix)+editedSuffix)
	d.result.show(p) // at once; the palette's result follows when the corner is encoded
}
