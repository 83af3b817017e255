package nn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// StateFrom makes an LSTM state [2, B, H] from columns from..from+2H of x [B, N]: c from the
// first H, h from the next H (MusicVAE's z_to_initial_state packs every layer's c and h in one
// row).
func StateFrom(x *G.Node, from, H int) (*G.Node, error) {
	s := x.Shape()
	if len(s) != 2 || from < 0 || H <= 0 || from+2*H > s[1] {
		return nil, fmt.Errorf("state from columns %d..%d of shape %v", from, from+2*H, s)
	}
	B, N := s[0], s[1]
	meta := newMeta(tensor.Shape{2, B, H}, []*G.Node{x}, "state_from%d", from)
	return applyFused(meta, []bool{true}, func(out []float32, in [][]float32) float32 {
		for k := range 2 {
			for r := range B {
				copy(out[(k*B+r)*H:(k*B+r+1)*H], in[0][r*N+from+k*H:])
			}
		}
		return 0
	}, func(_ G.Nodes, _, g *G.Node) (_ G.Nodes, err error) {
		defer guard(&err)
		return G.Nodes{must(stateInto(g, from, N))}, nil
	}, x)
}

// stateInto is StateFrom's derivative: g [2, B, H] placed at columns from..from+2H of [B, N] zeros.
func stateInto(g *G.Node, from, N int) (*G.Node, error) {
	B, H := g.Shape()[1], g.Shape()[2]
	meta := newMeta(tensor.Shape{B, N}, []*G.Node{g}, "state_into%d", from)
	return applyFused(meta, []bool{false}, func(out []float32, in [][]float32) float32 {
		clear(out)
		for k := range 2 {
			for r := range B {
				copy(out[r*N+from+k*H:r*N+from+(k+1)*H], in[0][(k*B+r)*H:])
			}
		}
		return 0
	}, nil, g)
}
