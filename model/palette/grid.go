package palette

import (
	"fmt"
	"sync"
)

// The sizes a grid may have: N×N cells, as Beat Blender's 11×11 and NSynth Super's 9×9.
const (
	MinGridSize = 3
	MaxGridSize = 11
)

// CheckGridSize refuses a grid size outside MinGridSize..MaxGridSize.
func CheckGridSize(n int) error {
	if n < MinGridSize || n > MaxGridSize {
		return fmt.Errorf("grid size %d is outside %d..%d", n, MinGridSize, MaxGridSize)
	}
	return nil
}

// GridPoints returns the n×n points of a grid spanning the pad, row by row from the top, each
// row left to right. The outer rows and columns lie on the pad's edges, so the four corners are
// cells 0, n-1, n(n-1) and n²-1. n must be at least 2.
func GridPoints(n int) []Point {
	pts := make([]Point, 0, n*n)
	d := float64(n - 1)
	for r := range n {
		for c := range n {
			pts = append(pts, Point{U: float64(c) / d, V: float64(r) / d})
		}
	}
	return pts
}

// DecodePoints decodes the blends of the four corners at pts with the settings s, in batches of
// at most batch points (the models decode a batch in one pass; 0 means all at once). A point
// exactly on a corner gives the corner's own item, as the pad does. After each batch, progress
// (if not nil) is told how many points are done and the items so far; if it returns false,
// DecodePoints stops and returns the items so far with ErrCancelled.
//
// The model is called from the caller's goroutine; the shipped models lock themselves, so a
// grid may be decoded beside a Palette that shares the model.
func DecodePoints[T any](m Model[T], corners [4]Corner[T], pts []Point, s Settings, batch int, progress func(done int, items []T) bool) ([]T, error) {
	var zs [4][]float32
	for i, c := range corners {
		if !c.Set || len(c.Z) != m.ZSize() {
			return nil, fmt.Errorf("corner %d has no item for this model", i+1)
		}
		zs[i] = c.Z
	}
	if batch <= 0 {
		batch = len(pts)
	}
	items := make([]T, 0, len(pts))
	for start := 0; start < len(pts); start += batch {
		part := pts[start:min(start+batch, len(pts))]
		var blends [][]float32
		var at []int // where in part each blend goes
		out := make([]T, len(part))
		for k, pt := range part {
			if i := onCorner(pt.Clamp()); i >= 0 {
				out[k] = corners[i].Item
				continue
			}
			blends = append(blends, Blend(zs, pt, s.Spherical))
			at = append(at, k)
		}
		if len(blends) > 0 {
			dec, err := decodeSafely(m, blends, s)
			if err != nil {
				return items, fmt.Errorf("decode points %d..%d: %w", start+1, start+len(part), err)
			}
			for j, k := range at {
				out[k] = dec[j]
			}
		}
		items = append(items, out...)
		if progress != nil && !progress(len(items), items) {
			return items, ErrCancelled
		}
	}
	return items, nil
}

// ErrCancelled is returned by DecodePoints when its progress callback asked it to stop.
var ErrCancelled = fmt.Errorf("cancelled")

// decodeSafely calls the model as Palette does: a panic becomes an error, the count is checked.
func decodeSafely[T any](m Model[T], zs [][]float32, s Settings) ([]T, error) {
	p := &Palette[T]{model: m}
	return p.decode(zs, s.Temperature, s.Seed)
}

// GridUpdate is what a GridDecoder reports as a grid fills: the items of the first Done cells
// of a Size×Size grid, row by row.
type GridUpdate[T any] struct {
	Seq   uint64 // the request it answers
	Size  int
	Items []T // the cells decoded so far (Done of them); do not modify
	Done  int
	Total int
	Err   error // set, with the update final, when decoding failed
}

// Finished reports whether every cell is in.
func (u GridUpdate[T]) Finished() bool { return u.Err == nil && u.Done == u.Total }

// GridDecoder decodes grids in the background, a row at a time, so that a UI can show a grid
// filling in. The newest request wins: a request made while an older one is decoding stops the
// older one after its current row, and only the newest one's updates are reported. Its methods
// never wait on the model.
type GridDecoder[T any] struct {
	model    Model[T]
	onUpdate func(GridUpdate[T]) // on the decoder's goroutine

	mu      sync.Mutex
	cond    *sync.Cond
	seq     uint64
	pending *gridRequest[T]
	busy    bool
	closed  bool
	done    chan struct{}
}

type gridRequest[T any] struct {
	model    Model[T]
	seq      uint64
	corners  [4]Corner[T]
	size     int
	settings Settings
}

// NewGridDecoder starts a decoder over m that reports to onUpdate, from its own goroutine (a UI
// hands the update to its thread). Call Close when done with it.
func NewGridDecoder[T any](m Model[T], onUpdate func(GridUpdate[T])) *GridDecoder[T] {
	g := &GridDecoder[T]{model: m, onUpdate: onUpdate, done: make(chan struct{})}
	g.cond = sync.NewCond(&g.mu)
	go g.work()
	return g
}

// Request asks for the size×size grid of the corners with settings s and returns its sequence
// number; a bad size is reported as an update with Err.
func (g *GridDecoder[T]) Request(corners [4]Corner[T], size int, s Settings) uint64 {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.seq++
	g.pending = &gridRequest[T]{model: g.model, seq: g.seq, corners: corners, size: size, settings: s}
	g.cond.Broadcast()
	return g.seq
}

// SetModel makes m the model of the requests made from now on (the corners they give must be
// m's: Palette.SetModel), and drops the request in progress and any waiting one.
func (g *GridDecoder[T]) SetModel(m Model[T]) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.model = m
	g.seq++
	g.pending = nil
}

// Cancel drops the request in progress and any waiting one.
func (g *GridDecoder[T]) Cancel() {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.seq++
	g.pending = nil
}

// Wait blocks until no request is waiting or decoding (for tests and benchmarks).
func (g *GridDecoder[T]) Wait() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for !g.closed && (g.busy || g.pending != nil) {
		g.cond.Wait()
	}
}

// Close stops the decoder after the row in progress.
func (g *GridDecoder[T]) Close() {
	g.mu.Lock()
	g.closed = true
	g.seq++
	g.cond.Broadcast()
	g.mu.Unlock()
	<-g.done
}

// current reports whether seq is still the newest request.
func (g *GridDecoder[T]) current(seq uint64) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	return seq == g.seq && !g.closed
}

func (g *GridDecoder[T]) work() {
	defer close(g.done)
	g.mu.Lock()
	for {
		for !g.closed && g.pending == nil {
			g.busy = false
			g.cond.Broadcast()
			g.cond.Wait()
		}
		if g.closed {
			g.busy = false
			g.cond.Broadcast()
			g.mu.Unlock()
			return
		}
		req := *g.pending
		g.pending = nil
		g.busy = true
		g.mu.Unlock()
		g.run(req)
		g.mu.Lock()
	}
}

// run decodes one request, a row per batch, reporting while it is the newest.
func (g *GridDecoder[T]) run(req gridRequest[T]) {
	report := func(u GridUpdate[T]) bool {
		if !g.current(req.seq) {
			return false
		}
		if g.onUpdate != nil {
			g.onUpdate(u)
		}
		return true
	}
	total := req.size * req.size
	if err := CheckGridSize(req.size); err != nil {
		report(GridUpdate[T]{Seq: req.seq, Size: req.size, Err: err})
		return
	}
	if !report(GridUpdate[T]{Seq: req.seq, Size: req.size, Total: total}) {
		return
	}
	items, err := DecodePoints(req.model, req.corners, GridPoints(req.size), req.settings, req.size, func(done int, items []T) bool {
		return report(GridUpdate[T]{Seq: req.seq, Size: req.size, Items: items[:done:done], Done: done, Total: total})
	})
	if err != nil && err != ErrCancelled {
		report(GridUpdate[T]{Seq: req.seq, Size: req.size, Items: items, Done: len(items), Total: total, Err: err})
	}
}

// Model returns the model the palette decodes with, for a grid or a path decoded beside it.
func (p *Palette[T]) Model() Model[T] {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.model
}
