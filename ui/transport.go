package ui

import (
	"fmt"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/audio"
)

// transport is the one player the melody and drum palettes play through: one tempo, one loop and
// one step grid, so that a melody and a groove that play together keep time bar for bar. Each of
// the two palettes has a part in it, started and stopped by its own Play button (or the space bar
// on its tab); the player runs while a part is on, and a part that is off is silent. The tempo,
// Loop and "Change on the bar" are shown on both tabs and kept in step.
type transport struct {
	player Player
	tempo  float64
	parts  []*part
	tempos []*keySlider
	loops  []*keyCheck
	bars   []*keyCheck
	warned bool      // the user has been told once that audio is unavailable
	keys   *keyRoute // where the controls send the transport keys
	// onChange is called after the tempo or the instrument changed (the session keeps them).
	onChange func()
}

func newTransport(p Player) *transport { return &transport{player: p, tempo: audio.DefaultBPM} }

// part is one palette's share of the transport: its Play button and its playhead.
type part struct {
	tr       *transport
	on       bool
	play     *keyButton
	anim     *fyne.Animation
	lastTick time.Time
	status   *widget.Label
	// sound gives the player the part's current item (on) or silence (off).
	sound func(on bool)
	// playhead moves the result view's playhead to a step; a negative step hides it.
	playhead func(step float64)
}

// newPart adds a palette's part; status is its tab's status line.
func (tr *transport) newPart(status *widget.Label, sound func(on bool), playhead func(step float64)) *part {
	p := &part{tr: tr, status: status, sound: sound, playhead: playhead}
	p.play = newKeyButton(tr.keys, "Play", theme.MediaPlayIcon(), p.toggle)
	p.play.Importance = widget.HighImportance
	p.anim = fyne.NewAnimation(time.Second, func(float32) { p.tick() })
	p.anim.RepeatCount = fyne.AnimationRepeatForever
	p.anim.Curve = fyne.AnimationLinear
	tr.parts = append(tr.parts, p)
	return p
}

// controls lays out the part's transport: Play, Loop, Change on the bar, and the tempo with
// extra (the melody's instrument) at its right.
func (p *part) controls(extra ...fyne.CanvasObject) fyne.CanvasObject {
	tr := p.tr
	loop := newKeyCheck(tr.keys, "Loop", func(on bool) {
		tr.player.SetLoop(on)
		for _, c := range tr.loops {
			c.SetChecked(on)
		}
	})
	bar := newKeyCheck(tr.keys, "Change on the bar", func(on bool) {
		tr.player.SetBarQuantize(on)
		for _, c := range tr.bars {
			c.SetChecked(on)
		}
	})
	tempoLabel := widget.NewLabel("")
	tempo := newKeySlider(tr.keys, audio.MinBPM, audio.MaxBPM)
	tempo.Step = 1
	tempo.OnChanged = func(x float64) {
		tr.tempo = x
		tempoLabel.SetText(fmt.Sprintf("%.0f BPM", x))
		tr.player.SetTempo(x)
		for _, s := range tr.tempos {
			s.SetValue(x)
		}
		tr.changed()
	}
	loop.SetChecked(len(tr.loops) == 0 || tr.loops[0].Checked)
	if len(tr.bars) > 0 {
		bar.SetChecked(tr.bars[0].Checked)
	}
	tempo.SetValue(tr.tempo)
	tr.loops, tr.bars, tr.tempos = append(tr.loops, loop), append(tr.bars, bar), append(tr.tempos, tempo)
	return container.NewVBox(
		container.NewHBox(p.play, loop, bar),
		container.NewBorder(nil, nil, widget.NewLabel("Tempo"),
			container.NewHBox(append([]fyne.CanvasObject{container.New(atLeast{fyne.NewSize(textWidth("000 BPM"), 0)}, tempoLabel)}, extra...)...),
			container.New(atLeast{fyne.NewSize(sliderMinWidth, 0)}, tempo)),
	)
}

// changed gives the player the part's new item while the part plays.
func (p *part) changed() {
	if p.on {
		p.sound(true)
	}
}

// toggle starts or stops the part; the player stops when no part is left playing.
func (p *part) toggle() {
	tr := p.tr
	if p.on {
		p.on = false
		p.sound(false)
		if !tr.playing() {
			tr.player.Stop()
		}
		p.stopped()
		return
	}
	p.on = true
	p.sound(true)
	if err := tr.player.Play(); err != nil && !tr.warned { // Play does nothing while playing
		tr.warned = true
		p.status.SetText(err.Error())
	}
	p.play.SetText("Stop")
	p.play.SetIcon(theme.MediaStopIcon())
	p.anim.Start()
}

// playing reports whether a part is on.
func (tr *transport) playing() bool {
	for _, p := range tr.parts {
		if p.on {
			return true
		}
	}
	return false
}

// playheadFrame is how often the playhead moves: every frame would repaint the window 60 times
// a second, which costs a core where OpenGL runs in software.
const playheadFrame = time.Second / 30

// tick moves the playhead to the player's step while playing; when the player has stopped by
// itself (at the end, without Loop), the part stops too.
func (p *part) tick() {
	if now := time.Now(); now.Sub(p.lastTick) >= playheadFrame {
		p.lastTick = now
	} else {
		return
	}
	step, playing := p.tr.player.Step()
	if !playing {
		if p.on {
			p.on = false
			p.sound(false)
		}
		p.stopped()
		return
	}
	p.playhead(step)
}

// stopped shows the part as stopped.
func (p *part) stopped() {
	p.playhead(-1)
	if p.play.Text == "Play" {
		return
	}
	p.play.SetText("Play")
	p.play.SetIcon(theme.MediaPlayIcon())
	p.anim.Stop()
}

// changed tells the window that the tempo or the instrument changed.
func (tr *transport) changed() {
	if tr.onChange != nil {
		tr.onChange()
	}
}

// audition plays, through the transport, what set gives the player (on), as a dialog's preview
// does; off gives the part its own sound back and stops the player if no part plays.
func (p *part) audition(on bool, set func()) {
	tr := p.tr
	if on {
		set()
		tr.player.Play()
		return
	}
	p.sound(p.on) // the result again, or silence
	if !tr.playing() {
		tr.player.Stop()
	}
}
