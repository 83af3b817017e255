// Package nn holds the network building blocks the models share: an LSTM cell in TensorFlow's
// BasicLSTMCell layout and a dense layer, as Gorgonia graph pieces and as plain-Go mirrors.
package nn

import (
	"fmt"
	"math"
	"math/rand/v2"

	"gonum.org/v1/gonum/blas"
	"gonum.org/v1/gonum/blas/blas32"
)

// ForgetBias is added to the forget gate before its sigmoid, as TensorFlow's BasicLSTMCell does.
const ForgetBias = 1.0

// LSTMCell holds the weights of a TensorFlow BasicLSTMCell and runs it in plain Go (float32,
// matrix products through blas32). The gates are split in the order i, j, f, o:
//
//	[i j f o] = [x h]·Kernel + Bias
//	c' = c*sigmoid(f+1) + sigmoid(i)*tanh(j)
//	h' = tanh(c')*sigmoid(o)
type LSTMCell struct {
	In, Hidden int
	Kernel     []float32 // [In+Hidden, 4*Hidden], row-major: input rows, then recurrent rows
	Bias       []float32 // [4*Hidden]
}

// NewLSTMCell returns a cell with Glorot-uniform kernel (TensorFlow's default) and zero bias.
func NewLSTMCell(in, hidden int, rng *rand.Rand) LSTMCell {
	return LSTMCell{
		In: in, Hidden: hidden,
		Kernel: GlorotUniform(in+hidden, 4*hidden, rng),
		Bias:   make([]float32, 4*hidden),
	}
}

// Check reports whether the slices have the sizes In and Hidden call for.
func (c LSTMCell) Check() error {
	if c.In <= 0 || c.Hidden <= 0 {
		return fmt.Errorf("lstm cell: sizes %d, %d must be positive", c.In, c.Hidden)
	}
	if len(c.Kernel) != (c.In+c.Hidden)*4*c.Hidden {
		return fmt.Errorf("lstm cell: kernel has %d values, want [%d, %d]", len(c.Kernel), c.In+c.Hidden, 4*c.Hidden)
	}
	if len(c.Bias) != 4*c.Hidden {
		return fmt.Errorf("lstm cell: bias has %d values, want [%d]", len(c.Bias), 4*c.Hidden)
	}
	return nil
}

// Rows returns the kernel rows from..from+n as a [n, 4H] row-major slice (no copy).
func (c LSTMCell) Rows(from, n int) []float32 {
	w := 4 * c.Hidden
	return c.Kernel[from*w : (from+n)*w]
}

// AddInput adds x·Kernel[from:from+n] to pre, for a batch: x is [B, n], pre is [B, 4H].
// Callers split the input into parts (a one-hot, a z) and add each part's share once.
func (c LSTMCell) AddInput(pre []float32, from int, x []float32, n int) {
	gemm(pre, x, c.Rows(from, n), len(x)/n, n, 4*c.Hidden)
}

// AddOneHot adds the kernel row of class k of the input part starting at row from to pre [4H]:
// the product of a one-hot vector with the kernel, without the multiply.
func (c LSTMCell) AddOneHot(pre []float32, from, k int) {
	row := c.Rows(from+k, 1)
	for i, v := range row {
		pre[i] += v
	}
}

// Step advances a batch of states in place. pre [B, 4H] holds the input's share of the gates
// (without the bias) and is used as scratch; c, h are [B, H].
func (c LSTMCell) Step(pre, cs, h []float32) {
	H := c.Hidden
	b := len(h) / H
	gemm(pre, h, c.Rows(c.In, H), b, H, 4*H)
	for r := range b {
		g := pre[r*4*H : (r+1)*4*H]
		cr, hr := cs[r*H:(r+1)*H], h[r*H:(r+1)*H]
		for k, v := range c.Bias {
			g[k] += v
		}
		for k := 2 * H; k < 3*H; k++ {
			g[k] += ForgetBias
		}
		// The activations over whole gate blocks, which the C build vectorizes: i, then j, then f
		// and o together.
		i, j, f, o := g[:H], g[H:2*H], g[2*H:3*H], g[3*H:]
		Sigmoids(i, i)
		Tanhs(j, j)
		Sigmoids(g[2*H:], g[2*H:])
		for k := range H {
			cr[k] = cr[k]*f[k] + i[k]*j[k]
		}
		Tanhs(j, cr) // j is spent: it takes tanh(c')
		for k := range H {
			hr[k] = j[k] * o[k]
		}
	}
}

// Dense holds the weights of a dense layer y = x·Kernel + Bias and applies it in plain Go.
type Dense struct {
	In, Out int
	Kernel  []float32 // [In, Out]
	Bias    []float32 // [Out]
}

// NewDense returns a layer with a Glorot-uniform kernel and zero bias.
func NewDense(in, out int, rng *rand.Rand) Dense {
	return Dense{In: in, Out: out, Kernel: GlorotUniform(in, out, rng), Bias: make([]float32, out)}
}

// Check reports whether the slices have the sizes In and Out call for.
func (d Dense) Check() error {
	if d.In <= 0 || d.Out <= 0 {
		return fmt.Errorf("dense: sizes %d, %d must be positive", d.In, d.Out)
	}
	if len(d.Kernel) != d.In*d.Out || len(d.Bias) != d.Out {
		return fmt.Errorf("dense: kernel %d and bias %d values, want [%d, %d] and [%d]", len(d.Kernel), len(d.Bias), d.In, d.Out, d.Out)
	}
	return nil
}

// Apply writes x·Kernel + Bias into y, for a batch: x is [B, In], y is [B, Out].
func (d Dense) Apply(y, x []float32) {
	b := len(x) / d.In
	for r := range b {
		copy(y[r*d.Out:(r+1)*d.Out], d.Bias)
	}
	gemm(y, x, d.Kernel, b, d.In, d.Out)
}

// gemm adds a·w to y: a is [m, k], w is [k, n], y is [m, n], all row-major.
func gemm(y, a, w []float32, m, k, n int) {
	if m == 1 {
		blas32.Gemv(blas.Trans, 1,
			blas32.General{Rows: k, Cols: n, Stride: n, Data: w},
			blas32.Vector{N: k, Inc: 1, Data: a}, 1,
			blas32.Vector{N: n, Inc: 1, Data: y})
		return
	}
	if smallGemm(y, a, w, m, k, n) {
		return
	}
	blas32.Gemm(blas.NoTrans, blas.NoTrans, 1,
		blas32.General{Rows: m, Cols: k, Stride: k, Data: a},
		blas32.General{Rows: k, Cols: n, Stride: n, Data: w}, 1,
		blas32.General{Rows: m, Cols: n, Stride: n, Data: y})
}

// GlorotUniform returns a [rows, cols] matrix drawn uniformly from ±sqrt(6/(rows+cols)).
func GlorotUniform(rows, cols int, rng *rand.Rand) []float32 {
	lim := math.Sqrt(6 / float64(rows+cols))
	w := make([]float32, rows*cols)
	for i := range w {
		w[i] = float32((2*rng.Float64() - 1) * lim)
	}
	return w
}

// Softplus is log(1+exp(x)) in float32, stable for large x.
func Softplus(x float32) float32 {
	if x > 20 {
		return x
	}
	return float32(math.Log1p(math.Exp(float64(x))))
}

// Argmax is the index of the largest value of x (the first of equals; 0 for an empty x).
func Argmax(x []float32) int {
	best := 0
	for i, v := range x {
		if v > x[best] {
			best = i
		}
	}
	return best
}
