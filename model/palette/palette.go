// Package palette is the latent palette: four corner items and their latent vectors, a point in
// the unit square that blends them, and a background decoder that keeps up with a dragged point.
package palette

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/latentpalette/palette/model/vae"
)

// Model is the shape every model has (vae.Model): the palette calls it from one goroutine at a
// time, so an implementation need not be safe for concurrent use.
type Model[T any] = vae.Model[T]

// Settings are what the decoded result depends on besides the corners and the point.
type Settings struct {
	Temperature float64 // 0 decodes greedily: the same result every time
	Seed        int64   // the sampling seed when Temperature > 0
	Spherical   bool    // slerp along each axis instead of linear blending
}

// Corner is one corner of the pad: an item, its name and its latent vector. Undo gives a corner
// back its previous item with the name it had.
type Corner[T any] struct {
	Item T
	Name string // what a UI labels the corner with: a file's name, "Random", "Result", ...
	Z    []float32
	Set  bool // false until the corner has been given an item
	// Recon is the model's greedy decode of Z: what the model makes of the item, which a UI
	// compares with Item to show how well the model knows it. HasRecon is false if it failed.
	Recon    T
	HasRecon bool
}

// Result is a decoded blend.
type Result[T any] struct {
	Item     T
	Z        []float32 // the blended latent vector Item was decoded from
	Point    Point
	Settings Settings
	Seq      uint64 // the request it answers; delivered results have increasing Seq
	Current  bool   // no newer request was waiting when it was delivered
	// Own is set when the point is on a corner: Item is then that corner's own item (what was
	// loaded there), not the model's reconstruction of it, as Beat Blender and Melody Mixer do.
	Own bool
	// Latency is the time from the request (the point moved) to the result being ready,
	// waiting for an earlier decode included.
	Latency time.Duration
}

// Options are the palette's callbacks. They run on the palette's worker goroutine, one at a
// time; a UI hands them over to its own thread (in Fyne, with fyne.Do).
type Options[T any] struct {
	OnResult  func(Result[T])
	OnCorners func([4]Corner[T]) // after any corner changed
	OnError   func(error)
	// RandomSeed starts the sequence of seeds that Random draws corners from.
	RandomSeed uint64
	// Settings are the settings to start with (the zero value decodes greedily).
	Settings Settings
	// Reconstruct decodes each new corner's vector greedily into Corner.Recon (one more decode
	// per corner change), for a UI to show how well the model knows the corner.
	Reconstruct bool
}

// ErrNoResult is returned by UseResult before the first result has arrived.
var ErrNoResult = errors.New("no result yet: move the puck first")

// Palette holds four corners and a point and decodes the blend in the background. Its methods
// never wait on the model (except Wait), so a UI thread may call them freely.
//
// A decode request is made by every change of the point, the corners or the settings. Requests
// that arrive while the model is busy are coalesced: only the newest is decoded next. A result
// is stale, and dropped, when the corners or settings changed (or a corner change was queued)
// after its request.
type Palette[T any] struct {
	model Model[T]
	opts  Options[T]

	mu       sync.Mutex
	cond     *sync.Cond // signals the worker (work or close) and Wait (idle)
	corners  [4]Corner[T]
	undo     [4][]Corner[T]
	point    Point
	settings Settings
	epoch    uint64 // bumped by corner and settings changes
	seq      uint64 // the newest decode request
	seqAt    time.Time
	want     bool // a decode request is waiting
	jobs     []func()
	busy     bool
	closed   bool
	last     *Result[T]
	pinned   []Result[T]
	rng      *rand.Rand
	done     chan struct{}
}

// New returns a palette over m with empty corners, its point at the centre, and starts its worker.
// Call Close when done with it.
func New[T any](m Model[T], opts Options[T]) *Palette[T] {
	p := &Palette[T]{
		model:    m,
		opts:     opts,
		point:    Point{0.5, 0.5},
		settings: opts.Settings,
		rng:      rand.New(rand.NewPCG(opts.RandomSeed, 0x9e3779b97f4a7c15)),
		done:     make(chan struct{}),
	}
	p.cond = sync.NewCond(&p.mu)
	go p.work()
	return p
}

// Close stops the worker after the model call in progress, if any, returns.
func (p *Palette[T]) Close() {
	p.mu.Lock()
	p.closed = true
	p.cond.Broadcast()
	p.mu.Unlock()
	<-p.done
}

// Wait blocks until every queued corner change and decode request has been handled. It is for
// tests, benchmarks and command-line use; a UI thread must not call it.
func (p *Palette[T]) Wait() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for !p.closed && (p.busy || p.want || len(p.jobs) > 0) {
		p.cond.Wait()
	}
}

// MoveTo sets the point (clamped into the unit square) and asks for its result.
func (p *Palette[T]) MoveTo(pt Point) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.point = pt.Clamp()
	p.request()
}

// Point returns the current point.
func (p *Palette[T]) Point() Point {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.point
}

// SetSettings changes the temperature, seed or blending and asks for a new result.
func (p *Palette[T]) SetSettings(s Settings) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.settings = s
	p.epoch++
	p.request()
}

// Settings returns the current settings.
func (p *Palette[T]) Settings() Settings {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.settings
}

// Corners returns the four corners (their vectors are shared: do not modify them).
func (p *Palette[T]) Corners() [4]Corner[T] {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.corners
}

// Result returns the newest delivered result, if any.
func (p *Palette[T]) Result() (Result[T], bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last == nil {
		return Result[T]{}, false
	}
	return *p.last, true
}

// CanUndo reports whether corner i has an earlier item to go back to.
func (p *Palette[T]) CanUndo(i int) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.undo[i]) > 0
}

// SetCorners encodes four items in one batch and puts them in the corners, unnamed (the previous
// corners can be undone). It returns at once; OnCorners or OnError tells how it went.
func (p *Palette[T]) SetCorners(items [4]T) { p.SetNamedCorners(items, [4]string{}) }

// SetNamedCorners is SetCorners with the corners' names.
func (p *Palette[T]) SetNamedCorners(items [4]T, names [4]string) {
	p.enqueue(func() error {
		zs, err := p.encode(items[:])
		if err != nil {
			return fmt.Errorf("encode the corners: %w", err)
		}
		cs := p.newCorners(items[:], zs)
		for i := range cs {
			cs[i].Name = names[i]
		}
		p.mu.Lock()
		for i, c := range cs {
			p.replace(i, c)
		}
		p.mu.Unlock()
		return nil
	})
}

// SetCorner encodes item and puts it in corner i (undoable), unnamed. It returns at once.
func (p *Palette[T]) SetCorner(i int, item T) { p.SetNamedCorner(i, item, "") }

// SetNamedCorner is SetCorner with the corner's name: the name is set with the item, only once
// the item is encoded, so a failed encode changes neither.
func (p *Palette[T]) SetNamedCorner(i int, item T, name string) {
	p.enqueue(func() error {
		zs, err := p.encode([]T{item})
		if err != nil {
			return fmt.Errorf("encode corner %d: %w", i+1, err)
		}
		c := p.newCorners([]T{item}, zs)[0]
		c.Name = name
		p.mu.Lock()
		p.replace(i, c)
		p.mu.Unlock()
		return nil
	})
}

// Random puts a sample of the model in corner i, named "Random": a latent vector drawn from the
// prior N(0, I), decoded with the current settings. The seeds come from Options.RandomSeed in
// sequence.
func (p *Palette[T]) Random(i int) {
	p.RandomFrom(i, "Random", func(rng *rand.Rand) []float32 {
		z := make([]float32, p.model.ZSize())
		for j := range z {
			z[j] = float32(rng.NormFloat64())
		}
		return z
	})
}

// RandomFrom puts a sample of the model in corner i, named name, as Random does, with the
// latent vector drawn by sample (a class's own distribution, say) from the palette's random
// sequence. A vector of the wrong size leaves the corner as it was and reports an error.
func (p *Palette[T]) RandomFrom(i int, name string, sample func(*rand.Rand) []float32) {
	p.mu.Lock()
	z := sample(p.rng)
	seed := p.rng.Int64()
	p.mu.Unlock()
	p.enqueue(func() error {
		if len(z) != p.model.ZSize() {
			return fmt.Errorf("sample corner %d: a vector of %d values, the model's have %d", i+1, len(z), p.model.ZSize())
		}
		s := p.Settings()
		items, err := p.decode([][]float32{z}, s.Temperature, seed)
		if err != nil {
			return fmt.Errorf("sample corner %d: %w", i+1, err)
		}
		c := p.newCorners(items, [][]float32{z})[0]
		c.Name = name
		p.mu.Lock()
		p.replace(i, c)
		p.mu.Unlock()
		return nil
	})
}

// SetModel makes m the palette's model. Each corner's item, and each item in the corners' undo
// histories, is encoded anew with m: the items and their names stay, their vectors (and
// reconstructions) become m's. Then the point is decoded anew; the kept results stay as they
// are. If m cannot encode them all, the palette keeps its model and reports why.
func (p *Palette[T]) SetModel(m Model[T]) {
	p.enqueue(func() error {
		p.mu.Lock()
		corners, old := p.corners, p.model
		undo := [4][]Corner[T]{}
		var items []T
		for i := range 4 {
			undo[i] = slices.Clone(p.undo[i])
			for _, c := range undo[i] {
				items = append(items, c.Item)
			}
			if corners[i].Set {
				items = append(items, corners[i].Item)
			}
		}
		p.model = m // encode, decode and newCorners use it; this job runs on the worker
		p.mu.Unlock()
		var cs []Corner[T]
		zs, err := p.encode(items)
		if err == nil && len(items) > 0 {
			cs = p.newCorners(items, zs)
		}
		p.mu.Lock()
		defer p.mu.Unlock()
		if err != nil {
			p.model = old
			return fmt.Errorf("switch models: %w", err)
		}
		next := 0
		take := func(c Corner[T]) Corner[T] {
			n := cs[next]
			n.Name = c.Name
			next++
			return n
		}
		for i := range 4 {
			for k := range undo[i] {
				undo[i][k] = take(undo[i][k])
			}
			if corners[i].Set {
				corners[i] = take(corners[i])
			}
		}
		p.corners, p.undo = corners, undo
		p.last = nil
		p.epoch++
		p.request()
		return nil
	})
}

// UseResult puts the current result, with the vector it came from, in corner i, named "Result".
func (p *Palette[T]) UseResult(i int) {
	p.enqueue(func() error {
		p.mu.Lock()
		if p.last == nil {
			p.mu.Unlock()
			return ErrNoResult
		}
		last := *p.last
		p.mu.Unlock()
		c := p.newCorners([]T{last.Item}, [][]float32{last.Z})[0]
		c.Name = "Result"
		p.mu.Lock()
		p.replace(i, c)
		p.mu.Unlock()
		return nil
	})
}

// Undo gives corner i back its previous item and name, if it had one.
func (p *Palette[T]) Undo(i int) {
	p.enqueue(func() error {
		p.mu.Lock()
		defer p.mu.Unlock()
		n := len(p.undo[i])
		if n == 0 {
			return nil
		}
		p.corners[i] = p.undo[i][n-1]
		p.undo[i] = p.undo[i][:n-1]
		p.epoch++
		p.request()
		return nil
	})
}

// Pin keeps the current result in the pinned list and returns it.
func (p *Palette[T]) Pin() (Result[T], error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.last == nil {
		return Result[T]{}, ErrNoResult
	}
	p.pinned = append(p.pinned, *p.last)
	return *p.last, nil
}

// Pinned returns the pinned results, oldest first.
func (p *Palette[T]) Pinned() []Result[T] {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]Result[T](nil), p.pinned...)
}

// Unpin removes pinned result i.
func (p *Palette[T]) Unpin(i int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if i >= 0 && i < len(p.pinned) {
		p.pinned = append(p.pinned[:i], p.pinned[i+1:]...)
	}
}

// newCorners makes corners of items and their vectors, with the model's greedy reconstructions (one
// batch, with Options.Reconstruct). A failed reconstruction leaves HasRecon false: the corner is usable all the same.
// It runs on the worker, without p.mu.
func (p *Palette[T]) newCorners(items []T, zs [][]float32) []Corner[T] {
	cs := make([]Corner[T], len(items))
	var recon []T
	err := errors.ErrUnsupported
	if p.opts.Reconstruct {
		recon, err = p.decode(zs, 0, 0)
	}
	for i := range cs {
		cs[i] = Corner[T]{Item: items[i], Z: zs[i], Set: true}
		if err == nil {
			cs[i].Recon, cs[i].HasRecon = recon[i], true
		}
	}
	return cs
}

// replace sets corner i, keeping the old one for Undo, and asks for a new result. p.mu is held.
func (p *Palette[T]) replace(i int, c Corner[T]) {
	if p.corners[i].Set {
		p.undo[i] = append(p.undo[i], p.corners[i])
	}
	p.corners[i] = c
	p.epoch++
	p.request()
}

// request records a decode request and wakes the worker. p.mu is held.
func (p *Palette[T]) request() {
	p.seq++
	p.seqAt = time.Now()
	p.want = true
	p.cond.Broadcast()
}

func (p *Palette[T]) enqueue(job func() error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.jobs = append(p.jobs, func() {
		if err := job(); err != nil {
			p.mu.Lock()
			p.request() // the result dropped while the job waited
			p.mu.Unlock()
			p.report(err)
			return
		}
		if p.opts.OnCorners != nil {
			p.opts.OnCorners(p.Corners())
		}
	})
	p.cond.Broadcast()
}

// work runs corner jobs in order and, between them, the newest decode request.
func (p *Palette[T]) work() {
	defer close(p.done)
	p.mu.Lock()
	for {
		for !p.closed && !p.want && len(p.jobs) == 0 {
			p.busy = false
			p.cond.Broadcast()
			p.cond.Wait()
		}
		if p.closed {
			p.busy = false
			p.cond.Broadcast()
			p.mu.Unlock()
			return
		}
		p.busy = true
		if len(p.jobs) > 0 {
			job := p.jobs[0]
			p.jobs = p.jobs[1:]
			p.mu.Unlock()
			job()
			p.mu.Lock()
			continue
		}
		p.want = false
		if !p.ready() {
			continue
		}
		seq, seqAt, epoch, pt, s := p.seq, p.seqAt, p.epoch, p.point, p.settings
		var zs [4][]float32
		corners := p.corners
		for i, c := range corners {
			zs[i] = c.Z
		}
		p.mu.Unlock()

		z := Blend(zs, pt, s.Spherical)
		var items []T
		var err error
		own := onCorner(pt)
		if own >= 0 {
			items = []T{corners[own].Item} // the corner's own item, not a decode of it
		} else {
			items, err = p.decode([][]float32{z}, s.Temperature, s.Seed)
		}

		p.mu.Lock()
		// Queued corner changes make the result stale too: the user has already asked for them.
		stale := epoch != p.epoch || len(p.jobs) > 0 || (p.last != nil && seq <= p.last.Seq)
		if stale {
			continue
		}
		if err != nil {
			p.mu.Unlock()
			p.report(fmt.Errorf("decode the point (%.2f, %.2f): %w", pt.U, pt.V, err))
			p.mu.Lock()
			continue
		}
		r := Result[T]{Item: items[0], Z: z, Point: pt, Settings: s, Seq: seq, Current: !p.want, Latency: time.Since(seqAt), Own: own >= 0}
		p.last = &r
		p.mu.Unlock()
		if p.opts.OnResult != nil {
			p.opts.OnResult(r)
		}
		p.mu.Lock()
	}
}

// onCorner returns the corner that p is exactly on, or -1.
func onCorner(p Point) int {
	for i := range 4 {
		if p == CornerPoint(i) {
			return i
		}
	}
	return -1
}

// ready reports whether all four corners hold vectors of the model's size. p.mu is held.
func (p *Palette[T]) ready() bool {
	for _, c := range p.corners {
		if !c.Set || len(c.Z) != p.model.ZSize() {
			return false
		}
	}
	return true
}

func (p *Palette[T]) report(err error) {
	if p.opts.OnError != nil {
		p.opts.OnError(err)
	}
}

// encode calls the model, turning a panic into an error and checking the sizes it returns.
func (p *Palette[T]) encode(items []T) (zs [][]float32, err error) {
	defer func() {
		if r := recover(); r != nil {
			zs, err = nil, fmt.Errorf("the model failed: %v", r)
		}
	}()
	zs, err = p.model.Encode(items)
	if err != nil {
		return nil, err
	}
	if len(zs) != len(items) {
		return nil, fmt.Errorf("the model gave %d vectors for %d items", len(zs), len(items))
	}
	for _, z := range zs {
		if len(z) != p.model.ZSize() {
			return nil, fmt.Errorf("the model gave a vector of %d values, want %d", len(z), p.model.ZSize())
		}
	}
	return zs, nil
}

// decode calls the model, turning a panic into an error and checking the count it returns.
func (p *Palette[T]) decode(zs [][]float32, temperature float64, seed int64) (items []T, err error) {
	defer func() {
		if r := recover(); r != nil {
			items, err = nil, fmt.Errorf("the model failed: %v", r)
		}
	}()
	items, err = p.model.Decode(zs, vae.DecodeOptions{Temperature: temperature, Seed: seed})
	if err != nil {
		return nil, err
	}
	if len(items) != len(zs) {
		return nil, fmt.Errorf("the model gave %d items for %d vectors", len(items), len(zs))
	}
	return items, nil
}

// AddPinned puts r at the end of the pinned list (a kept result restored from an earlier run).
func (p *Palette[T]) AddPinned(r Result[T]) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.pinned = append(p.pinned, r)
}
