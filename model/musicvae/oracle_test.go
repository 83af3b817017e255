package musicvae

import (
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/nn"
)

// The plain-Go mirror of the graph: the oracle the Gorgonia graphs are checked against (outputs
// within 1e-5, the same tokens), and the other column of BenchmarkEngines.

// encodePlain runs the encoder in plain Go and returns mu and sigma, [ZSize] per window.
func encodePlain(w *Weights, batch []melody.Melody) (mu, sigma [][]float32) {
	B, E, Z := len(batch), w.Config.EncoderSize, w.Config.ZSize
	h := make([]float32, B*2*E) // [B, 2E]: forward h, then backward h
	run := func(cell nn.LSTMCell, col int, order func(i int) int) {
		c, hs := make([]float32, B*E), make([]float32, B*E) // [B, E]
		pre := make([]float32, B*4*E)                       // [B, 4E]
		for i := range Steps {
			clear(pre)
			for b, m := range batch {
				row := pre[b*4*E : (b+1)*4*E]
				if w.Config.Input != InputDrumRoll {
					cell.AddOneHot(row, 0, m[order(i)])
					continue
				}
				roll := drumRoll()[m[order(i)]*drumRollDepth:][:drumRollDepth]
				cell.AddInput(row, 0, roll, drumRollDepth)
			}
			cell.Step(pre, c, hs)
		}
		for b := range B {
			copy(h[b*2*E+col:], hs[b*E:(b+1)*E])
		}
	}
	run(w.EncFw, 0, func(i int) int { return i })
	run(w.EncBw, E, func(i int) int { return Steps - 1 - i })
	m, s := make([]float32, B*Z), make([]float32, B*Z) // [B, Z]
	w.Mu.Apply(m, h)
	w.Sigma.Apply(s, h)
	for b := range B {
		mu = append(mu, m[b*Z:(b+1)*Z])
		sg := s[b*Z : (b+1)*Z]
		for i, v := range sg {
			sg[i] = nn.Softplus(v)
		}
		sigma = append(sigma, sg)
	}
	return mu, sigma
}

// decodePlain runs the decoder in plain Go. With teacher (one window per z) it feeds the true
// previous events and returns the logits [Steps][B*90] too; otherwise it feeds back its choices.
func decodePlain(w *Weights, zs [][]float32, teacher []melody.Melody, temperature float64, seed int64) ([]melody.Melody, [][]float32) {
	B, Z := len(zs), w.Config.ZSize
	z := make([]float32, 0, B*Z) // [B, Z]
	for _, v := range zs {
		z = append(z, v...)
	}
	L := len(w.Dec)
	sizes := w.Config.DecoderSizes
	state := make([]float32, B*w.ZToState.Out) // [B, 2*sum(D)]: c0, h0, c1, h1, ...
	w.ZToState.Apply(state, z)
	cs, hs := make([][]float32, L), make([][]float32, L) // [B, Dk] each
	for k, d := range sizes {
		cs[k], hs[k] = make([]float32, B*d), make([]float32, B*d)
	}
	for b := range B {
		row := state[b*w.ZToState.Out:]
		off := 0
		for k, d := range sizes {
			for i := range d {
				cs[k][b*d+i] = nn.Tanh(row[off+i])
				hs[k][b*d+i] = nn.Tanh(row[off+d+i])
			}
			off += 2 * d
		}
	}
	D0 := sizes[0]
	zIn := make([]float32, B*4*D0) // [B, 4D0], z's share of cell 0's gates, the same at every step
	C := w.Config.classes()
	w.Dec[0].AddInput(zIn, C, z, Z)
	pres := make([][]float32, L)
	for k, d := range sizes {
		pres[k] = make([]float32, B*4*d)
	}
	logits := make([]float32, B*C) // [B, C]
	var allLogits [][]float32
	out := emptyMelodies(B)
	pick := newPicker(C, temperature, seed)
	for t := range Steps {
		copy(pres[0], zIn)
		if t > 0 {
			for b := range B {
				prev := out[b][t-1]
				if teacher != nil {
					prev = teacher[b][t-1]
				}
				w.Dec[0].AddOneHot(pres[0][b*4*D0:(b+1)*4*D0], 0, prev)
			}
		}
		w.Dec[0].Step(pres[0], cs[0], hs[0])
		for k := 1; k < L; k++ {
			clear(pres[k])
			w.Dec[k].AddInput(pres[k], 0, hs[k-1], sizes[k-1])
			w.Dec[k].Step(pres[k], cs[k], hs[k])
		}
		w.Out.Apply(logits, hs[L-1])
		if teacher != nil {
			allLogits = append(allLogits, append([]float32(nil), logits...))
		}
		pick.step(out, t, logits)
	}
	return out, allLogits
}
