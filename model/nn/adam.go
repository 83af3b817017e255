package nn

import (
	"math"
	"sync"
)

// Adam is TensorFlow's Adam optimizer over plain float32 slices, with gradients clipped by their
// global norm first (tf.clip_by_global_norm, as MusicVAE does; Gorgonia's AdamSolver clips each
// value on its own). Its state is exported so that a training checkpoint can carry it.
type Adam struct {
	Beta1, Beta2, Epsilon float64
	ClipNorm              float64     // global-norm bound; 0 turns clipping off
	Step                  int         // updates made so far
	M, V                  [][]float32 // first and second moments, one slice per parameter
}

// NewAdam returns Adam with TensorFlow's defaults (0.9, 0.999, 1e-8) for parameters of the given sizes.
func NewAdam(sizes []int, clipNorm float64) *Adam {
	a := &Adam{Beta1: 0.9, Beta2: 0.999, Epsilon: 1e-8, ClipNorm: clipNorm}
	for _, n := range sizes {
		a.M = append(a.M, make([]float32, n))
		a.V = append(a.V, make([]float32, n))
	}
	return a
}

// GlobalNorm returns the L2 norm of all gradients together.
func GlobalNorm(grads [][]float32) float64 {
	var s float64
	for _, g := range grads {
		for _, v := range g {
			s += float64(v) * float64(v)
		}
	}
	return math.Sqrt(s)
}

// Update applies one step with learning rate lr to params in place, and returns the gradients'
// global norm before clipping. params[i] and grads[i] must have the sizes given to NewAdam.
func (a *Adam) Update(params, grads [][]float32, lr float64) float64 {
	return a.UpdateOn(params, grads, lr, 1)
}

// UpdateOn is Update with the parameters shared out among threads goroutines.
func (a *Adam) UpdateOn(params, grads [][]float32, lr float64, threads int) float64 {
	norm := GlobalNorm(grads)
	scale := 1.0
	if a.ClipNorm > 0 && norm > a.ClipNorm {
		scale = a.ClipNorm / norm
	}
	a.Step++
	t := float64(a.Step)
	lrt := lr * math.Sqrt(1-math.Pow(a.Beta2, t)) / (1 - math.Pow(a.Beta1, t))
	b1, b2 := float32(a.Beta1), float32(a.Beta2)
	update := func(i int) {
		p, m, v, g := params[i], a.M[i], a.V[i], grads[i]
		for k := range p {
			gk := float32(float64(g[k]) * scale)
			m[k] = b1*m[k] + (1-b1)*gk
			v[k] = b2*v[k] + (1-b2)*gk*gk
			p[k] -= float32(lrt * float64(m[k]) / (math.Sqrt(float64(v[k])) + a.Epsilon))
		}
	}
	Parallel(len(params), threads, update)
	return norm
}

// Parallel calls fn(i) for i in 0..n-1 on up to threads goroutines, taking turns.
func Parallel(n, threads int, fn func(i int)) {
	if threads <= 1 || n <= 1 {
		for i := range n {
			fn(i)
		}
		return
	}
	var wg sync.WaitGroup
	for w := range min(threads, n) {
		wg.Go(func() {
			for i := w; i < n; i += threads {
				fn(i)
			}
		})
	}
	wg.Wait()
}
