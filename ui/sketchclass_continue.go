package ui

import (
	"errors"
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/model/sketch"
	"github.com/latentpalette/palette/model/sketchrnn"
	"github.com/latentpalette/palette/model/vae"
)

// continueTemperature is how freely Continue draws: a little looser than the palette's 0.2, so
// that pressing it again proposes something else.
const continueTemperature = 0.35

// continueButton returns the Draw dialog's "Continue" button: the model reads the strokes drawn
// so far and draws on (sketch-rnn's "finish my drawing"); its strokes join the sheet, where
// Undo stroke takes them back one by one and another press proposes another ending. It returns
// nil when there is no trained model (m nil). do runs its callback on Fyne's thread
// (hooks.runOnUI).
func continueButton(win fyne.Window, sheet *HandCanvas, m *sketchrnn.Model, do func(func())) *widget.Button {
	if m == nil {
		return nil
	}
	seed := int64(0)
	var b *widget.Button
	b = widget.NewButtonWithIcon("Continue", theme.MediaFastForwardIcon(), func() {
		if sheet.Empty() {
			dialog.ShowInformation("Nothing drawn", "Draw the start of something, then choose Continue: the model draws on.", win)
			return
		}
		seed++
		lines := sheet.Lines()
		b.Disable()
		go func() {
			more, err := continueLines(m, lines, seed)
			do(func() {
				b.Enable()
				if err != nil {
					dialog.ShowError(fmt.Errorf("could not continue the drawing: %w", err), win)
					return
				}
				if len(sheet.Lines()) != len(lines) {
					return // the sheet changed meanwhile: the proposal is stale
				}
				sheet.lines = append(sheet.lines, more...)
				sheet.drawing = false
				sheet.changed()
			})
		}()
	})
	return b
}

// continueLines returns the strokes the model adds to lines (in the sheet's pixels): lines are
// made into a drawing as a hand-drawn corner is (sketch.FromHand: larger side HandSize, RDP),
// the model continues it from the drawing's own encoding, and the new points are mapped back
// onto the sheet.
func continueLines(m *sketchrnn.Model, lines [][][2]float32, seed int64) ([][][2]float32, error) {
	d, err := sketch.FromHand(lines)
	if err != nil {
		return nil, err
	}
	zs, err := m.Encode([]sketch.Drawing{d})
	if err != nil {
		return nil, err
	}
	out, err := m.Continue(zs[0], d, 1, vae.DecodeOptions{Temperature: continueTemperature, Seed: seed}, 0)
	if err != nil {
		return nil, err
	}
	added := out[0][len(d):]
	if len(added) == 0 {
		return nil, errors.New("the model ended the drawing where it is: draw a little more, or press Continue again")
	}
	// FromHand moved the drawing to start at its first point and scaled it by HandSize/side.
	var first [2]float32
	minX, minY, maxX, maxY := float32(0), float32(0), float32(0), float32(0)
	seen := false
	for _, l := range lines {
		for _, p := range l {
			if !seen {
				first, minX, minY, maxX, maxY, seen = p, p[0], p[1], p[0], p[1], true
			}
			minX, minY, maxX, maxY = min(minX, p[0]), min(minY, p[1]), max(maxX, p[0]), max(maxY, p[1])
		}
	}
	back := float32(1)
	if side := max(maxX-minX, maxY-minY); side > 0 {
		back = side / sketch.HandSize
	}
	// Where the partial drawing's pen was at its end, in the drawing's units.
	var x, y float32
	for _, p := range d {
		x, y = x+p.DX, y+p.DY
	}
	var strokes [][][2]float32
	var cur [][2]float32
	for _, p := range added {
		x, y = x+p.DX, y+p.DY
		cur = append(cur, [2]float32{first[0] + x*back, first[1] + y*back})
		if p.PenLift {
			strokes = append(strokes, cur)
			cur = nil
		}
	}
	if len(cur) > 0 {
		strokes = append(strokes, cur)
	}
	return strokes, nil
}
