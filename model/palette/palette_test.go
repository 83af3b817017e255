package palette

import (
	"errors"
	"github.com/latentpalette/palette/model/vae"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"sync"
	"testing"
)

// vecModel is a model whose items are their own latent vectors. At temperature > 0 it adds
// noise drawn from the seed. When gate is set, each Decode waits for a value from it.
type vecModel struct {
	size    int
	gate    chan struct{}
	started chan Point // the decoded z's first two values, for requests made by pointModel corners
	mu      sync.Mutex
	decodes int
	fail    error
}

func (m *vecModel) ZSize() int { return m.size }

func (m *vecModel) Encode(items [][]float32) ([][]float32, error) {
	zs := make([][]float32, len(items))
	for i, it := range items {
		if len(it) != m.size {
			return nil, errors.New("wrong size")
		}
		zs[i] = slices.Clone(it)
	}
	return zs, nil
}

func (m *vecModel) Decode(zs [][]float32, opts vae.DecodeOptions) ([][]float32, error) {
	temperature, seed := opts.Temperature, opts.Seed
	if m.started != nil {
		m.started <- Point{float64(zs[0][0]), float64(zs[0][1])}
	}
	if m.gate != nil {
		<-m.gate
	}
	m.mu.Lock()
	m.decodes++
	fail := m.fail
	m.mu.Unlock()
	if fail != nil {
		return nil, fail
	}
	rng := rand.New(rand.NewPCG(uint64(seed), 1))
	out := make([][]float32, len(zs))
	for i, z := range zs {
		out[i] = slices.Clone(z)
		if temperature > 0 {
			for j := range out[i] {
				out[i][j] += float32(temperature * rng.NormFloat64())
			}
		}
	}
	return out, nil
}

// unitCorners puts the corners at (0,0), (1,0), (0,1), (1,1) so that a decoded vector is its point.
var unitCorners = [4][]float32{{0, 0}, {1, 0}, {0, 1}, {1, 1}}

func randVec(rng *rand.Rand, n int) []float32 {
	z := make([]float32, n)
	for i := range z {
		z[i] = float32(rng.NormFloat64())
	}
	return z
}

func norm(z []float32) float64 {
	var s float64
	for _, x := range z {
		s += float64(x) * float64(x)
	}
	return math.Sqrt(s)
}

func TestBlendCornersExact(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	var c [4][]float32
	for i := range c {
		c[i] = randVec(rng, 64)
	}
	for _, spherical := range []bool{false, true} {
		for i := range c {
			got := Blend(c, CornerPoint(i), spherical)
			if !slices.Equal(got, c[i]) {
				t.Errorf("spherical=%v: corner %d: blend differs from the corner's z", spherical, i)
			}
		}
	}
}

func TestBlendLinear(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	var c [4][]float32
	for i := range c {
		c[i] = randVec(rng, 16)
	}
	mean := func(a ...[]float32) []float32 {
		m := make([]float32, len(a[0]))
		for j := range m {
			var s float64
			for _, v := range a {
				s += float64(v[j])
			}
			m[j] = float32(s / float64(len(a)))
		}
		return m
	}
	tests := []struct {
		name string
		p    Point
		want []float32
	}{
		{"centre is the mean", Point{0.5, 0.5}, mean(c[:]...)},
		{"top edge midpoint", Point{0.5, 0}, mean(c[0], c[1])},
		{"left edge midpoint", Point{0, 0.5}, mean(c[0], c[2])},
		{"bottom edge midpoint", Point{0.5, 1}, mean(c[2], c[3])},
		{"outside clamps to a corner", Point{2, -1}, c[TopRight]},
		{"NaN clamps to 0", Point{math.NaN(), 0}, c[TopLeft]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Blend(c, tt.p, false)
			for j := range got {
				if math.Abs(float64(got[j]-tt.want[j])) > 1e-6 {
					t.Fatalf("z[%d] = %v, want %v", j, got[j], tt.want[j])
				}
			}
		})
	}
}

func TestSlerp(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	a, b := randVec(rng, 256), randVec(rng, 256)
	// Two random Gaussian vectors of the same norm: slerp keeps the norm (they are nearly
	// orthogonal in 256 dimensions, where linear interpolation shrinks it by about 1/sqrt 2).
	bn := make([]float32, len(b))
	for i := range b {
		bn[i] = b[i] * float32(norm(a)/norm(b))
	}
	mid := Slerp(a, bn, 0.5)
	if r := norm(mid) / norm(a); math.Abs(r-1) > 1e-3 {
		t.Errorf("slerp midpoint norm ratio = %v, want 1", r)
	}
	lin := Blend([4][]float32{a, bn, a, bn}, Point{0.5, 0}, false)
	if r := norm(lin) / norm(a); r > 0.8 {
		t.Errorf("linear midpoint norm ratio = %v: the test vectors are not near orthogonal", r)
	}
	// The angle to a grows in proportion to t.
	angle := func(x, y []float32) float64 {
		var d float64
		for i := range x {
			d += float64(x[i]) * float64(y[i])
		}
		return math.Acos(d / norm(x) / norm(y))
	}
	total := angle(a, bn)
	for _, tt := range []float64{0.1, 0.25, 0.5, 0.9} {
		if got := angle(a, Slerp(a, bn, tt)); math.Abs(got-tt*total) > 1e-3 {
			t.Errorf("t=%v: angle %v, want %v", tt, got, tt*total)
		}
	}
	// Parallel and zero vectors fall back to linear interpolation.
	for _, tc := range []struct{ a, b []float32 }{
		{[]float32{1, 2}, []float32{2, 4}},
		{[]float32{0, 0}, []float32{2, 4}},
	} {
		got := Slerp(tc.a, tc.b, 0.5)
		want := []float32{(tc.a[0] + tc.b[0]) / 2, (tc.a[1] + tc.b[1]) / 2}
		if math.Abs(float64(got[0]-want[0])) > 1e-5 || math.Abs(float64(got[1]-want[1])) > 1e-5 {
			t.Errorf("Slerp(%v, %v, 0.5) = %v, want %v", tc.a, tc.b, got, want)
		}
	}
}

// results collects delivered results.
type results struct {
	mu  sync.Mutex
	all []Result[[]float32]
}

func (r *results) add(x Result[[]float32]) {
	r.mu.Lock()
	r.all = append(r.all, x)
	r.mu.Unlock()
}

func (r *results) list() []Result[[]float32] {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.all)
}

func newTestPalette(t *testing.T, m *vecModel) (*Palette[[]float32], *results) {
	t.Helper()
	var res results
	var errs []error
	var emu sync.Mutex
	p := New[[]float32](m, Options[[]float32]{
		OnResult: res.add,
		OnError:  func(err error) { emu.Lock(); errs = append(errs, err); emu.Unlock() },
	})
	t.Cleanup(func() {
		p.Close()
		emu.Lock()
		defer emu.Unlock()
		for _, err := range errs {
			t.Errorf("palette error: %v", err)
		}
	})
	return p, &res
}

func TestResultMatchesPoint(t *testing.T) {
	p, res := newTestPalette(t, &vecModel{size: 2})
	p.SetCorners(unitCorners)
	p.Wait()
	for _, pt := range []Point{{0.25, 0.75}, {1, 0}, {0.5, 0.5}} {
		p.MoveTo(pt)
		p.Wait()
		r, ok := p.Result()
		if !ok {
			t.Fatal("no result")
		}
		if r.Point != pt || math.Abs(float64(r.Item[0])-pt.U) > 1e-6 || math.Abs(float64(r.Item[1])-pt.V) > 1e-6 {
			t.Errorf("MoveTo(%v): result %v at %v", pt, r.Item, r.Point)
		}
		if r.Latency <= 0 {
			t.Errorf("MoveTo(%v): latency %v", pt, r.Latency)
		}
	}
	if got := len(res.list()); got != 4 { // the centre after SetCorners, then three moves
		t.Errorf("%d results delivered, want 4", got)
	}
}

// TestCoalescing blocks the model while a drag sends many points: only the newest is decoded next.
func TestCoalescing(t *testing.T) {
	m := &vecModel{size: 2, gate: make(chan struct{}), started: make(chan Point, 100)}
	p, res := newTestPalette(t, m)
	p.SetCorners(unitCorners)
	<-m.started // the centre, requested by SetCorners, is being decoded
	for i := 1; i <= 50; i++ {
		p.MoveTo(Point{float64(i) / 50, 0.2})
	}
	m.gate <- struct{}{} // finish the centre
	if got := <-m.started; got.U != 1 || math.Abs(got.V-0.2) > 1e-6 {
		t.Errorf("second decode at %v, want the newest point (1, 0.2)", got)
	}
	m.gate <- struct{}{}
	p.Wait()
	m.mu.Lock()
	n := m.decodes
	m.mu.Unlock()
	if n != 2 {
		t.Errorf("%d decodes for 51 requests made during one decode, want 2", n)
	}
	all := res.list()
	if len(all) != 2 || all[0].Current || !all[1].Current || all[1].Point != (Point{1, 0.2}) {
		t.Errorf("results %+v: want the centre (not current) then (1, 0.2) (current)", all)
	}
}

// TestConcurrentDrags drags from several goroutines at once: results arrive in increasing
// request order and the last one is at the final point.
func TestConcurrentDrags(t *testing.T) {
	p, res := newTestPalette(t, &vecModel{size: 2})
	p.SetCorners(unitCorners)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				p.MoveTo(Point{float64(i) / 200, float64(g) / 4})
				if i%50 == 0 {
					p.SetSettings(Settings{Seed: int64(i)})
				}
			}
		}()
	}
	wg.Wait()
	final := Point{0.3, 0.3}
	p.MoveTo(final)
	p.Wait()
	all := res.list()
	for i := 1; i < len(all); i++ {
		if all[i].Seq <= all[i-1].Seq {
			t.Fatalf("result %d has seq %d after seq %d", i, all[i].Seq, all[i-1].Seq)
		}
	}
	last := all[len(all)-1]
	if last.Point != final || !last.Current {
		t.Errorf("last result at %v (current %v), want %v", last.Point, last.Current, final)
	}
	if math.Abs(float64(last.Item[0])-0.3) > 1e-6 || math.Abs(float64(last.Item[1])-0.3) > 1e-6 {
		t.Errorf("last result %v, want (0.3, 0.3)", last.Item)
	}
}

// TestStaleDropped changes a corner while a decode is running: that result must not be delivered.
func TestStaleDropped(t *testing.T) {
	m := &vecModel{size: 2, gate: make(chan struct{}), started: make(chan Point, 100)}
	p, res := newTestPalette(t, m)
	p.SetCorners(unitCorners)
	<-m.started
	p.SetCorner(TopLeft, []float32{-4, -4}) // queued behind the running decode
	m.gate <- struct{}{}                    // the old-corner result comes back stale
	<-m.started
	m.gate <- struct{}{}
	p.Wait()
	all := res.list()
	if len(all) != 1 {
		t.Fatalf("%d results, want only the one made with the new corner", len(all))
	}
	want := Blend([4][]float32{{-4, -4}, {1, 0}, {0, 1}, {1, 1}}, Point{0.5, 0.5}, false)
	if !slices.Equal(all[0].Item, want) {
		t.Errorf("result %v, want %v", all[0].Item, want)
	}
}

func TestDeterministic(t *testing.T) {
	tests := []struct {
		name string
		s    Settings
	}{
		{"greedy", Settings{}},
		{"sampled with a seed", Settings{Temperature: 0.5, Seed: 42}},
		{"spherical sampled", Settings{Temperature: 1, Seed: 7, Spherical: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var got [][]float32
			for range 2 {
				p, _ := newTestPalette(t, &vecModel{size: 2})
				p.SetSettings(tt.s)
				p.SetCorners(unitCorners)
				p.MoveTo(Point{0.3, 0.6})
				p.Wait()
				r, _ := p.Result()
				got = append(got, r.Item)
			}
			if !slices.Equal(got[0], got[1]) {
				t.Errorf("two runs gave %v and %v", got[0], got[1])
			}
		})
	}
}

// TestStartingSettings: the first result is decoded with Options.Settings, no SetSettings needed.
func TestStartingSettings(t *testing.T) {
	start := Settings{Temperature: 0.2, Seed: 1}
	var first []Result[[]float32]
	var mu sync.Mutex
	p := New[[]float32](&vecModel{size: 2}, Options[[]float32]{
		OnResult: func(r Result[[]float32]) { mu.Lock(); first = append(first, r); mu.Unlock() },
		Settings: start,
	})
	defer p.Close()
	if got := p.Settings(); got != start {
		t.Errorf("Settings() = %+v before any change, want %+v", got, start)
	}
	p.SetCorners(unitCorners)
	p.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(first) != 1 || first[0].Settings != start {
		t.Fatalf("results %+v, want one decoded with %+v", first, start)
	}
	if first[0].Item[0] == 0.5 && first[0].Item[1] == 0.5 {
		t.Error("the centre was decoded greedily, not sampled")
	}
}

func TestCornerEdits(t *testing.T) {
	p, _ := newTestPalette(t, &vecModel{size: 2})
	p.SetCorners(unitCorners)
	p.MoveTo(Point{0.5, 0})
	p.Wait()
	if p.CanUndo(TopLeft) {
		t.Error("CanUndo before any edit")
	}
	p.UseResult(TopLeft)
	p.Wait()
	if got := p.Corners()[TopLeft].Item; !slices.Equal(got, []float32{0.5, 0}) {
		t.Errorf("after UseResult, top-left = %v, want the result (0.5, 0)", got)
	}
	p.Random(TopLeft)
	p.Wait()
	c := p.Corners()[TopLeft]
	if !slices.Equal(c.Item, c.Z) || slices.Equal(c.Z, []float32{0.5, 0}) {
		t.Errorf("after Random, top-left = %v (z %v): want a new sample decoded from its z", c.Item, c.Z)
	}
	p.Undo(TopLeft)
	p.Undo(TopLeft)
	p.Wait()
	if got := p.Corners()[TopLeft].Item; !slices.Equal(got, []float32{0, 0}) {
		t.Errorf("after two undos, top-left = %v, want the original (0, 0)", got)
	}
	if p.CanUndo(TopLeft) {
		t.Error("CanUndo after undoing everything")
	}
	if _, err := p.Pin(); err != nil {
		t.Fatal(err)
	}
	if got := p.Pinned(); len(got) != 1 || got[0].Point != (Point{0.5, 0}) {
		t.Errorf("pinned %+v", got)
	}
	p.Unpin(0)
	if len(p.Pinned()) != 0 {
		t.Error("Unpin left a result")
	}
}

func TestErrorsReported(t *testing.T) {
	m := &vecModel{size: 2}
	var errs []error
	var mu sync.Mutex
	p := New[[]float32](m, Options[[]float32]{OnError: func(err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() }})
	defer p.Close()
	p.UseResult(0)                     // no result yet
	p.SetCorner(1, []float32{1, 2, 3}) // wrong size: Encode fails
	p.SetCorners(unitCorners)          // fine
	p.Wait()
	m.mu.Lock()
	m.fail = errors.New("boom")
	m.mu.Unlock()
	p.MoveTo(Point{0.1, 0.1})
	p.Wait()
	mu.Lock()
	defer mu.Unlock()
	if len(errs) != 3 || !errors.Is(errs[0], ErrNoResult) {
		t.Errorf("errors %v: want no result, encode corner 2, decode", errs)
	}
}

type panicModel struct{ vecModel }

func (m *panicModel) Decode([][]float32, vae.DecodeOptions) ([][]float32, error) {
	panic("bad weights")
}

func TestModelPanicBecomesError(t *testing.T) {
	got := make(chan error, 1)
	p := New[[]float32](&panicModel{vecModel{size: 2}}, Options[[]float32]{OnError: func(err error) { got <- err }})
	defer p.Close()
	p.SetCorners(unitCorners)
	if err := <-got; err == nil {
		t.Fatal("no error")
	}
}

// roundModel encodes an item as itself and decodes by rounding: it knows only whole numbers.
type roundModel struct{}

func (roundModel) ZSize() int { return 2 }
func (roundModel) Encode(items [][]float32) ([][]float32, error) {
	out := make([][]float32, len(items))
	for i, it := range items {
		out[i] = slices.Clone(it)
	}
	return out, nil
}
func (roundModel) Decode(zs [][]float32, _ vae.DecodeOptions) ([][]float32, error) {
	out := make([][]float32, len(zs))
	for i, z := range zs {
		out[i] = []float32{float32(math.Round(float64(z[0]))), float32(math.Round(float64(z[1])))}
	}
	return out, nil
}

// TestCornerIsItsOwnItem puts the point on a corner: the result is what was loaded there, not
// the model's reconstruction; a step away it is a decode again. With Reconstruct, each corner
// carries the model's reconstruction of itself.
func TestCornerIsItsOwnItem(t *testing.T) {
	var got []Result[[]float32]
	var mu sync.Mutex
	p := New[[]float32](roundModel{}, Options[[]float32]{Reconstruct: true, OnResult: func(r Result[[]float32]) {
		mu.Lock()
		got = append(got, r)
		mu.Unlock()
	}})
	defer p.Close()
	own := []float32{0.3, 1.6}
	p.SetCorners([4][]float32{own, {1, 0}, {0, 1}, {1, 1}})
	p.MoveTo(CornerPoint(TopLeft))
	p.Wait()
	mu.Lock()
	last := got[len(got)-1]
	mu.Unlock()
	if !last.Own || !slices.Equal(last.Item, own) {
		t.Errorf("on the corner: %v (own %v), want the corner's own %v", last.Item, last.Own, own)
	}
	c := p.Corners()[TopLeft]
	if !c.HasRecon || !slices.Equal(c.Recon, []float32{0, 2}) {
		t.Errorf("corner reconstruction %v (%v), want [0 2]", c.Recon, c.HasRecon)
	}
	p.MoveTo(Point{0.01, 0})
	p.Wait()
	mu.Lock()
	last = got[len(got)-1]
	mu.Unlock()
	if last.Own || !slices.Equal(last.Item, []float32{0, 2}) {
		t.Errorf("next to the corner: %v (own %v), want the decode [0 2]", last.Item, last.Own)
	}
}

// RandomFrom decodes the vector its sampler draws and names the corner; a vector of the wrong
// size is an error that leaves the corner alone.
func TestRandomFrom(t *testing.T) {
	var errs []error
	var mu sync.Mutex
	p := New[[]float32](&vecModel{size: 2}, Options[[]float32]{OnError: func(err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() }})
	defer p.Close()
	p.SetCorners(unitCorners)
	p.RandomFrom(TopRight, "Dog", func(rng *rand.Rand) []float32 { return []float32{7, float32(rng.IntN(1))} })
	p.Wait()
	if c := p.Corners()[TopRight]; c.Name != "Dog" || !slices.Equal(c.Z, []float32{7, 0}) || !slices.Equal(c.Item, c.Z) {
		t.Errorf("corner %q, z %v, item %v: want Dog decoded from (7, 0)", c.Name, c.Z, c.Item)
	}
	p.RandomFrom(TopRight, "Bad", func(*rand.Rand) []float32 { return []float32{1} })
	p.Wait()
	mu.Lock()
	defer mu.Unlock()
	if c := p.Corners()[TopRight]; c.Name != "Dog" || len(errs) != 1 || !strings.Contains(errs[0].Error(), "1 values") {
		t.Errorf("after a bad vector: corner %q, errors %v", c.Name, errs)
	}
}

// doubleModel encodes an item to twice its values and decodes a vector to half of them: a model
// whose latent space differs from vecModel's.
type doubleModel struct{ vecModel }

func (m *doubleModel) Encode(items [][]float32) ([][]float32, error) {
	zs, err := m.vecModel.Encode(items)
	for _, z := range zs {
		for k := range z {
			z[k] *= 2
		}
	}
	return zs, err
}

func (m *doubleModel) Decode(zs [][]float32, opts vae.DecodeOptions) ([][]float32, error) {
	half := make([][]float32, len(zs))
	for i, z := range zs {
		half[i] = slices.Clone(z)
		for k := range half[i] {
			half[i][k] /= 2
		}
	}
	return m.vecModel.Decode(half, vae.DecodeOptions{})
}

// SetModel encodes every corner and every undo step anew with the new model, keeps the items and
// names, and decodes the point with it; a model that cannot encode them changes nothing.
func TestSetModel(t *testing.T) {
	var errs []error
	var mu sync.Mutex
	p := New[[]float32](&vecModel{size: 2}, Options[[]float32]{OnError: func(err error) { mu.Lock(); errs = append(errs, err); mu.Unlock() }})
	defer p.Close()
	p.SetCorners(unitCorners)
	p.SetNamedCorner(TopRight, []float32{3, 4}, "Mine")
	p.MoveTo(CornerPoint(TopRight))
	p.Wait()
	next := &doubleModel{vecModel{size: 2}}
	p.SetModel(next)
	p.Wait()
	c := p.Corners()[TopRight]
	if !slices.Equal(c.Item, []float32{3, 4}) || !slices.Equal(c.Z, []float32{6, 8}) || c.Name != "Mine" {
		t.Errorf("after SetModel the corner is %v (z %v, %q), want (3, 4) at z (6, 8) named Mine", c.Item, c.Z, c.Name)
	}
	if p.Model() != Model[[]float32](next) {
		t.Error("Model() is not the new model")
	}
	if r, ok := p.Result(); !ok || !slices.Equal(r.Item, []float32{3, 4}) {
		t.Errorf("the result after SetModel is %v", r.Item)
	}
	p.Undo(TopRight)
	p.Wait()
	if c := p.Corners()[TopRight]; !slices.Equal(c.Z, slices.Collect(func(yield func(float32) bool) {
		for _, v := range unitCorners[TopRight] {
			yield(2 * v)
		}
	})) {
		t.Errorf("the undone corner's z is %v: the history was not encoded anew", c.Z)
	}
	p.SetModel(&vecModel{size: 3}) // cannot encode 2-value items
	p.Wait()
	mu.Lock()
	defer mu.Unlock()
	if p.Model() != Model[[]float32](next) || len(errs) != 1 || !strings.Contains(errs[0].Error(), "switch models") {
		t.Errorf("a model that cannot encode the corners: model kept %v, errors %v", p.Model() == Model[[]float32](next), errs)
	}
}
