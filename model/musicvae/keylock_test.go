package musicvae

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/latentpalette/palette/assets"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/palette"
	"github.com/latentpalette/palette/model/vae"
)

// padPoints returns the latent vectors of n points spread over the pad between four random
// corners (a 2D grid of points blended as the window blends them), and the corners.
func padPoints(rng *rand.Rand, zsize, n int) [][]float32 {
	var corners [4][]float32
	for i := range corners {
		corners[i] = make([]float32, zsize)
		for k := range corners[i] {
			corners[i][k] = float32(rng.NormFloat64())
		}
	}
	out := make([][]float32, n)
	for i := range out {
		pt := palette.Point{U: rng.Float64(), V: rng.Float64()}
		out[i] = palette.Blend(corners, pt, i%2 == 1)
	}
	return out
}

// 1,000 key-locked decodes across the pad of the shipped model contain no out-of-scale note,
// greedy and sampled, in every scale; with the lock off (nil mask, or a KeyLocked set off)
// they are exactly Decode's results.
func TestKeyLockedDecodes(t *testing.T) {
	w, _, err := Load(bytes.NewReader(assets.MelodyModel))
	if err != nil {
		t.Fatal(err)
	}
	m := NewModel(w)
	rng := rand.New(rand.NewPCG(17, 1))
	const batches, batch = 10, 100
	var notes, moved, masked int
	for b := range batches {
		zs := padPoints(rng, m.ZSize(), batch)
		opts := vae.DecodeOptions{Seed: int64(b)}
		if b%2 == 1 {
			opts.Temperature = 0.5 + 0.25*float64(b%4)
		}
		scale := melody.Scales()[1+b%(len(melody.Scales())-1)]
		lock := melody.KeyLock{Tonic: (b * 5) % 12, Scale: scale}
		free, err := m.Decode(zs, opts)
		if err != nil {
			t.Fatal(err)
		}
		locked, err := m.DecodeMasked(zs, opts, lock.Allowed())
		if err != nil {
			t.Fatal(err)
		}
		for i, l := range locked {
			if out := lock.OutOfScale(l); len(out) > 0 {
				t.Fatalf("%v, temperature %v: decode %d has notes out of scale at steps %v: %v", lock, opts.Temperature, i, out, l)
			}
			notes += len(l.Notes())
			masked += len(lock.OutOfScale(free[i]))
			if !slices.Equal(l, free[i]) {
				moved++
			}
		}
		// The lock off: today's results, through every path.
		offs := map[string]func() ([]melody.Melody, error){
			"nil mask":      func() ([]melody.Melody, error) { return m.DecodeMasked(zs, opts, nil) },
			"KeyLocked off": func() ([]melody.Melody, error) { k := NewKeyLocked(m); return k.Decode(zs, opts) },
		}
		if b < 2 { // a mask that allows every token takes the masked path to the same choices
			offs["every token allowed"] = func() ([]melody.Melody, error) { return m.DecodeMasked(zs, opts, allTrue(w.Config.classes())) }
		}
		for name, dec := range offs {
			got, err := dec()
			if err != nil {
				t.Fatal(err)
			}
			for i := range got {
				if !slices.Equal(got[i], free[i]) {
					t.Fatalf("%s, temperature %v: decode %d is %v, Decode gives %v", name, opts.Temperature, i, got[i], free[i])
				}
			}
		}
	}
	if notes < batches*batch {
		t.Errorf("only %d notes in %d decodes: the lock silenced the melodies", notes, batches*batch)
	}
	if masked == 0 || moved == 0 {
		t.Errorf("the unlocked decodes had %d out-of-scale notes and %d locked decodes differ: the test tests nothing", masked, moved)
	}
	t.Logf("%d locked decodes, %d notes, none out of scale; unlocked: %d out-of-scale notes, %d decodes changed by the lock", batches*batch, notes, masked, moved)
}

func TestKeyLockedWrapper(t *testing.T) {
	w, _, err := Load(bytes.NewReader(assets.MelodyModel))
	if err != nil {
		t.Fatal(err)
	}
	k := NewKeyLocked(NewModel(w))
	zs := padPoints(rand.New(rand.NewPCG(3, 4)), k.ZSize(), 20)
	lock := melody.KeyLock{Tonic: 2, Scale: melody.Dorian}
	k.SetLock(lock)
	if k.Lock() != lock {
		t.Fatalf("Lock() = %v", k.Lock())
	}
	got, err := k.Decode(zs, vae.DecodeOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for _, g := range got {
		if out := lock.OutOfScale(g); len(out) > 0 {
			t.Fatalf("out of D dorian at %v: %v", out, g)
		}
	}
	if _, err := k.M.DecodeMasked(zs, vae.DecodeOptions{}, make([]bool, 90)); err == nil {
		t.Error("a mask that allows nothing decoded")
	}
	if _, err := k.M.DecodeMasked(zs, vae.DecodeOptions{}, make([]bool, 3)); err == nil {
		t.Error("a mask of the wrong length decoded")
	}
}

func allTrue(n int) []bool {
	a := make([]bool, n)
	for i := range a {
		a[i] = true
	}
	return a
}

func BenchmarkDecodeMasked(b *testing.B) {
	w, _, err := Load(bytes.NewReader(assets.MelodyModel))
	if err != nil {
		b.Fatal(err)
	}
	m := NewModel(w)
	zs := padPoints(rand.New(rand.NewPCG(1, 1)), m.ZSize(), 1)
	allowed := melody.KeyLock{Tonic: 2, Scale: melody.Dorian}.Allowed()
	for _, c := range []struct {
		name    string
		allowed []bool
	}{{"off", nil}, {"dorian", allowed}} {
		b.Run(c.name, func(b *testing.B) {
			for b.Loop() {
				if _, err := m.DecodeMasked(zs, vae.DecodeOptions{}, c.allowed); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
