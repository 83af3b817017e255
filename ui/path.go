package ui

import (
	"fmt"
	"image"
	"image/color"
	"io"
	"math"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/model/cells"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/sketch"
)

// pathState is a tab's path: recorded from the puck's moves (a drag draws it), drawn over the
// pad, played back by moving the puck along it (one decoded window per 2 bars, looping), and
// exported whole.
type pathState[T any] struct {
	path      palette.Path
	recording bool
	rec       *keyCheck
	play      *keyCheck
	barsSel   *keySelect
	bars      int
	raster    *canvas.Raster
	at        *palette.Point // the playback point, drawn as a ring; nil when stopped

	run     uint64 // bumped by every start and stop: a stale decode or tick does nothing
	windows []T
	pts     []palette.Point
	k       int
	stopped chan struct{}
}

var (
	colPath     = color.NRGBA{0xe0, 0x8a, 0x1c, 0xff}
	pathBarOpts = []string{"2 bars", "4 bars", "8 bars", "16 bars", "32 bars"}
)

// layer is the path drawn over the pad's square; it takes no input, so the pad under it does.
func (p *pathState[T]) layer(t *paletteTab[T]) fyne.CanvasObject {
	p.raster = canvas.NewRaster(p.draw)
	return container.New(padSquare{}, p.raster)
}

// controls are Record path, Play path with its length, Clear and Export path.
func (p *pathState[T]) controls(t *paletteTab[T]) fyne.CanvasObject {
	p.bars = 8
	p.path = t.savedPath
	p.rec = newKeyCheck(t.keys, "Record path", func(on bool) {
		if on {
			p.stop(t)
			p.play.SetChecked(false)
			u, v := t.pad.Point()
			p.path = palette.Path{{U: u, V: v}}
			t.status.SetText("Recording a path: drag the puck (or tap, or use the arrow keys); uncheck Record path to keep it")
		} else if len(p.path) < palette.MinPathPoints {
			p.path = nil
			t.status.SetText("No path: move the puck while Record path is on")
		} else {
			t.status.SetText(fmt.Sprintf("Path of %d points kept: Play path moves the puck along it", len(p.path)))
		}
		p.recording = on
		p.raster.Refresh()
		if !on {
			t.changed() // the session keeps the path
		}
	})
	p.play = newKeyCheck(t.keys, "Play path", func(on bool) {
		if on {
			p.start(t)
		} else {
			p.stop(t)
		}
	})
	p.barsSel = newKeySelect(t.keys, pathBarOpts, func(s string) {
		fmt.Sscanf(s, "%d", &p.bars)
		if p.play.Checked {
			p.start(t)
		}
	})
	p.barsSel.SetSelected("8 bars")
	clear := newKeyButton(t.keys, "Clear path", theme.ContentClearIcon(), func() {
		p.rec.SetChecked(false)
		p.play.SetChecked(false)
		p.path = nil
		p.raster.Refresh()
		t.changed()
	})
	var export *keyButton
	export = newKeyButton(t.keys, "Export path…", theme.DocumentSaveIcon(), func() {
		pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(export)
		widget.ShowPopUpMenuAtPosition(p.exportMenu(t), t.win.Canvas(), pos.AddXY(0, export.Size().Height))
	})
	if isDrawing[T]() {
		return container.NewHBox(p.rec, p.play, clear, export)
	}
	return container.NewHBox(p.rec, p.play, p.barsSel, clear, export)
}

// spaceMoved records the puck's moves while Record path is on.
func (t *paletteTab[T]) spaceMoved(u, v float64) {
	if t.space == nil || !t.space.path.recording {
		return
	}
	p := &t.space.path
	pt := palette.Point{U: u, V: v}.Clamp()
	if n := len(p.path); n > 0 && p.path[n-1] == pt {
		return
	}
	if len(p.path) < palette.MaxPathPoints {
		p.path = append(p.path, pt)
		p.raster.Refresh()
	}
}

// isDrawing reports whether T is a drawing: a drawing's path is an animation of pathFrames
// frames rather than a performance in bars.
func isDrawing[T any]() bool {
	var zero T
	_, ok := any(zero).(sketch.Drawing)
	return ok
}

// windowCount is how many points of the path are decoded: a window per 2 bars, or the frames of
// a drawing's animation.
func (p *pathState[T]) windowCount() int {
	if isDrawing[T]() {
		return pathFrames
	}
	return max(1, p.bars/2)
}

// period is the time from one decoded point to the next in playback.
func (p *pathState[T]) period(t *paletteTab[T]) time.Duration {
	if isDrawing[T]() {
		return frameDelay * 10 * time.Millisecond
	}
	return time.Duration(float64(time.Minute) * 2 * 4 / t.space.tempo()) // 2 bars of 4/4
}

// decode decodes the path's windows in the background and calls done on Fyne's thread, unless
// the path was started or stopped again meanwhile.
func (p *pathState[T]) decode(t *paletteTab[T], done func(pts []palette.Point, items []T)) {
	p.run++
	run := p.run
	pts := p.path.Even(p.windowCount())
	corners, s, m := t.pal.Corners(), t.pal.Settings(), t.pal.Model()
	do := t.runOnUI
	go func() {
		items, err := palette.DecodePoints(m, corners, pts, s, 0, nil)
		do(func() {
			if run != p.run {
				return
			}
			if err != nil {
				t.showError(fmt.Errorf("decode the path: %w", err))
				return
			}
			done(pts, items)
		})
	}()
}

// start decodes the path and moves the puck along it, a window every 2 bars, round and round.
func (p *pathState[T]) start(t *paletteTab[T]) {
	if len(p.path) < palette.MinPathPoints {
		p.play.SetChecked(false)
		dialog.ShowInformation("No path yet", "Check Record path and drag the puck across the pad to draw a path, then play it.", t.win)
		return
	}
	if p.rec.Checked {
		p.rec.SetChecked(false)
	}
	p.halt()
	p.decode(t, func(pts []palette.Point, items []T) {
		p.pts, p.windows, p.k = pts, items, 0
		p.stopped = make(chan struct{})
		p.show(t)
		go p.tick(t, p.run, p.period(t), p.stopped)
	})
}

// clock is the transport as a path's playback follows it: the tempo, the step of the loop the
// listener hears, and whether it plays. The melody and drum tabs set paletteTab.clock to it.
func (tr *transport) clock() (bpm, step float64, playing bool) {
	step, playing = tr.player.Step()
	return tr.tempo, step, playing
}

// pathLead is how many steps before the end of the loop the next window is handed to the
// player: the player hears a little behind where its sequencer is, and a new melody starts at
// the sequencer's next step, so the window starts on the loop's first step.
const pathLead = 1.5

// tick advances the playback a window at a time until stopped: with the transport playing,
// just before each pass of the loop ends, so that the windows, the playhead and the puck keep
// in step; otherwise every period.
func (p *pathState[T]) tick(t *paletteTab[T], run uint64, period time.Duration, stopped chan struct{}) {
	do := t.runOnUI
	next := func() {
		do(func() {
			if run != p.run || len(p.windows) == 0 {
				return
			}
			p.k = (p.k + 1) % len(p.windows)
			p.show(t)
		})
	}
	const poll = 15 * time.Millisecond
	tk := time.NewTicker(poll)
	defer tk.Stop()
	last, armed := time.Now(), true
	for {
		select {
		case <-stopped:
			return
		case now := <-tk.C:
			if t.clock != nil {
				if _, step, playing := t.clock(); playing && step >= 0 {
					switch end := float64(melody.WindowSteps) - pathLead; {
					case step >= end && armed:
						armed = false
						last = now
						next()
					case step < end:
						armed = true
					}
					continue
				}
			}
			if now.Sub(last) >= period {
				last = now
				next()
			}
		}
	}
}

// show makes window k the result and puts the puck and the ring on its point.
func (p *pathState[T]) show(t *paletteTab[T]) {
	pt := p.pts[p.k]
	t.showItem(p.windows[p.k])
	t.pad.SetPoint(pt.U, pt.V)
	t.point.SetText(fmt.Sprintf("u %.2f  v %.2f · path %d/%d", pt.U, pt.V, p.k+1, len(p.windows)))
	p.at = &pt
	p.raster.Refresh()
}

// halt stops the ticker.
func (p *pathState[T]) halt() {
	p.run++
	if p.stopped != nil {
		close(p.stopped)
		p.stopped = nil
	}
}

// stop ends the playback; the puck stays where it was.
func (p *pathState[T]) stop(t *paletteTab[T]) {
	p.halt()
	p.at = nil
	if p.raster != nil {
		p.raster.Refresh()
	}
}

// draw paints the path as a polyline and the playback point as a ring, on a transparent image.
func (p *pathState[T]) draw(w, h int) image.Image {
	img := image.NewNRGBA(image.Rect(0, 0, w, h))
	if len(p.path) == 0 || w == 0 || h == 0 {
		return img
	}
	r := max(1.0, float64(min(w, h))/200) // the line's half width in pixels
	dot := func(x, y float64, c color.NRGBA, rad float64) {
		for dy := -rad; dy <= rad; dy++ {
			for dx := -rad; dx <= rad; dx++ {
				if dx*dx+dy*dy <= rad*rad {
					img.SetNRGBA(int(x+dx), int(y+dy), c)
				}
			}
		}
	}
	px := func(pt palette.Point) (float64, float64) { return pt.U * float64(w-1), pt.V * float64(h-1) }
	x0, y0 := px(p.path[0])
	dot(x0, y0, colPath, 2*r)
	for _, pt := range p.path[1:] {
		x1, y1 := px(pt)
		n := int(math.Max(math.Abs(x1-x0), math.Abs(y1-y0)))
		for i := 0; i <= n; i++ {
			f := float64(i) / float64(max(n, 1))
			dot(x0+f*(x1-x0), y0+f*(y1-y0), colPath, r)
		}
		x0, y0 = x1, y1
	}
	if p.at != nil {
		x, y := px(*p.at)
		for a := 0.0; a < 2*math.Pi; a += 0.02 {
			dot(x+6*r*math.Cos(a), y+6*r*math.Sin(a), colPath, r)
		}
	}
	return img
}

// exportMenu offers the path's formats: the tab's own (MIDI and WAV of the performance, its
// windows one after another at the tab's tempo) or, for drawings, a GIF and an SVG strip.
func (p *pathState[T]) exportMenu(t *paletteTab[T]) *fyne.Menu {
	menu := fyne.NewMenu("")
	for _, e := range pathExporters(t.kind.exporters, t.space.tempo()) {
		menu.Items = append(menu.Items, fyne.NewMenuItem(e.label+"…", func() { p.export(t, e) }))
	}
	return menu
}

func (p *pathState[T]) export(t *paletteTab[T], e exporter[T]) {
	if len(p.path) < palette.MinPathPoints {
		dialog.ShowInformation("No path yet", "Check Record path and drag the puck across the pad to draw a path, then export it.", t.win)
		return
	}
	if p.play.Checked && len(p.windows) > 0 {
		t.exportItems(e, p.windows, "palette-path"+e.ext, "the path")
		return
	}
	p.decode(t, func(_ []palette.Point, items []T) {
		t.exportItems(e, items, "palette-path"+e.ext, "the path")
	})
}

// A drawing's path is an animation of pathFrames frames (one decode each), frameDelay 100ths
// of a second apart.
const (
	pathFrames = 48
	frameDelay = 12
)

// pathExporters are the formats of a path's performance: for melodies and grooves the tab's
// MIDI (with its tempo) and WAV; for drawings an animated GIF and an SVG strip.
func pathExporters[T any](own []exporter[T], bpm float64) []exporter[T] {
	if !isDrawing[T]() {
		out := make([]exporter[T], len(own))
		for i, e := range own {
			out[i] = e
			out[i].label = "The performance as " + e.label
		}
		return out
	}
	opt := sketch.Options{Size: 256, LineWidth: 2}
	return []exporter[T]{
		{label: "Animated GIF", ext: ".gif", writer: func() func(io.Writer, []T) error {
			return func(w io.Writer, items []T) error {
				return cells.WriteGIF(w, any(items).([]sketch.Drawing), cells.GIFOptions{Drawing: opt, Delay: frameDelay, Loop: true})
			}
		}},
		{label: "SVG strip", ext: ".svg", writer: func() func(io.Writer, []T) error {
			return func(w io.Writer, items []T) error {
				return sketch.WriteSheetSVG(w, [][]sketch.Drawing{any(items).([]sketch.Drawing)}, opt)
			}
		}},
	}
}
