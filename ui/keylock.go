package ui

import (
	"slices"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/model/palette"
)

// keyLock is the melody palette's key lock: a key and a scale that the decoder keeps to (it
// masks the out-of-scale notes at every step, see musicvae.KeyLocked), and a button that moves
// the corners into the key. Only a MusicVAE decodes under a lock; with another model (the
// stand-in) the pickers are disabled.
type keyLock struct {
	model *musicvae.KeyLocked // nil: the model cannot be locked
}

// withKeyLock wraps the melody model for the key lock; the palette decodes through what it
// returns.
func withKeyLock(m palette.Model[melody.Melody]) (palette.Model[melody.Melody], *keyLock) {
	if mv, ok := m.(*musicvae.Model); ok {
		k := musicvae.NewKeyLocked(mv)
		return k, &keyLock{model: k}
	}
	return m, &keyLock{}
}

// lock is the lock in force (off when the model cannot be locked).
func (k *keyLock) lock() melody.KeyLock {
	if k == nil || k.model == nil {
		return melody.KeyLock{}
	}
	return k.model.Lock()
}

// keyNames are the key picker's options; the flat names are the usual ones for Eb, Ab and Bb.
var keyNames = []string{"C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"}

// scaleNames are the scale picker's options, "off" first.
func scaleNames() []string {
	var out []string
	for _, s := range melody.Scales() {
		if s == melody.Chromatic {
			out = append(out, "off")
		} else {
			out = append(out, s.String())
		}
	}
	return out
}

// keyLockControls is the key lock's row for the melody tab: Key, Scale and "Fit corners".
func (m *melodyTab) keyLockControls() fyne.CanvasObject {
	k := m.keyLock
	var key, scale *keySelect
	var fit *keyButton
	apply := func() {
		if k == nil || k.model == nil {
			return
		}
		l, err := melody.ParseKeyLock(key.Selected, scale.Selected)
		if err != nil {
			return
		}
		if l == k.model.Lock() {
			return
		}
		k.model.SetLock(l)
		if l.Off() {
			fit.Disable()
		} else {
			fit.Enable()
		}
		m.pal.SetSettings(m.pal.Settings()) // decode again under the new lock
	}
	key = newKeySelect(m.keys, keyNames, func(string) { apply() })
	scale = newKeySelect(m.keys, scaleNames(), func(string) { apply() })
	fit = newKeyButton(m.keys, "Fit corners", theme.ViewRestoreIcon(), func() {
		l := k.lock()
		if l.Off() {
			return
		}
		for i, c := range m.pal.Corners() {
			if !c.Set {
				continue
			}
			if f, _ := l.Fit(c.Item); !slices.Equal(f, c.Item) {
				m.pal.SetCorner(i, f) // undoable from the corner's menu
			}
		}
	})
	key.SetSelected("C")
	scale.SetSelected("off")
	fit.Disable()
	if k == nil || k.model == nil {
		key.Disable()
		scale.Disable()
	}
	return container.NewHBox(widget.NewLabel("Key"), key, scale, fit)
}
