package musicvae

import (
	"fmt"
	"math"
	"sync"

	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/vae"
)

// DecodeMasked is Decode where the decoder may choose only the tokens i with allowed[i]: at every
// step the other tokens' logits are masked out before the choice (the likeliest allowed token at
// temperature 0, otherwise a draw from the softmax over the allowed tokens), so each event is
// still the model's choice among the allowed ones and later steps are conditioned on it. A nil
// allowed is Decode. allowed must have one entry per token class and allow at least one.
func (m *Model) DecodeMasked(zs [][]float32, opts vae.DecodeOptions, allowed []bool) ([]melody.Melody, error) {
	if allowed != nil {
		if len(allowed) != m.W.Config.classes() {
			return nil, fmt.Errorf("musicvae: a mask of %d tokens for a model of %d", len(allowed), m.W.Config.classes())
		}
		some := false
		for _, a := range allowed {
			some = some || a
		}
		if !some {
			return nil, fmt.Errorf("musicvae: the mask allows no token")
		}
	}
	out, _, err := m.decodeMasked(zs, nil, opts, allowed)
	return out, err
}

// masked chooses a token of row among p.allowed: the likeliest (the first on ties) at temperature
// 0, otherwise a draw from softmax(logits/temperature) restricted to the allowed tokens.
func (p *picker) masked(row []float32) int {
	best := -1
	for i, l := range row {
		if p.allowed[i] && (best < 0 || l > row[best]) {
			best = i
		}
	}
	if p.rng == nil {
		return best
	}
	mx := float64(row[best])
	total := 0.0
	for i, l := range row {
		p.probs[i] = 0
		if p.allowed[i] {
			p.probs[i] = math.Exp((float64(l) - mx) / p.temperature)
			total += p.probs[i]
		}
	}
	u := p.rng.Float64() * total
	for i, v := range p.probs {
		if !p.allowed[i] {
			continue
		}
		if u < v {
			return i
		}
		u -= v
	}
	return best
}

var _ vae.Model[melody.Melody] = (*KeyLocked)(nil)

// KeyLocked is a melody model whose decodes keep to a key lock (melody.KeyLock) that can be
// changed while it is in use: the window's palette decodes through it. A lock that is off
// decodes exactly as the model alone does.
type KeyLocked struct {
	M *Model

	mu      sync.Mutex
	lock    melody.KeyLock
	allowed []bool
}

// NewKeyLocked wraps m with the lock off.
func NewKeyLocked(m *Model) *KeyLocked { return &KeyLocked{M: m} }

// SetLock sets the lock that later decodes keep to.
func (k *KeyLocked) SetLock(l melody.KeyLock) {
	k.mu.Lock()
	defer k.mu.Unlock()
	k.lock, k.allowed = l, l.Allowed()
}

// Lock returns the lock in force.
func (k *KeyLocked) Lock() melody.KeyLock {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lock
}

// Encode is the model's Encode.
func (k *KeyLocked) Encode(ws []melody.Melody) ([][]float32, error) { return k.M.Encode(ws) }

// ZSize is the model's ZSize.
func (k *KeyLocked) ZSize() int { return k.M.ZSize() }

// Decode decodes with the lock in force.
func (k *KeyLocked) Decode(zs [][]float32, opts vae.DecodeOptions) ([]melody.Melody, error) {
	k.mu.Lock()
	allowed := k.allowed
	k.mu.Unlock()
	return k.M.DecodeMasked(zs, opts, allowed)
}
