package nn

import (
	"math"
	"math/rand/v2"
	"testing"

	G "gorgonia.org/gorgonia"
)

// A replay of an LSTM step at its recorded output has the step's gradients, without the step.
func TestReplayHasTheOpsGradients(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 8))
	const B, H = 3, 4
	g := G.NewGraph()
	state := param(g, "state", rng, 2, B, H)
	rec := param(g, "rec", rng, H, 4*H)
	bias := param(g, "bias", rng, 4*H)
	pre := param(g, "pre", rng, B, 4*H)
	seed := param(g, "seed", rng, LSTMBlocks, B, H)
	y := must(LSTMStep(state, rec, bias, pre))
	recorded := param(g, "recorded", rng, LSTMBlocks, B, H)
	replay := must(Replay(y, recorded))
	wrt := G.Nodes{state, rec, bias, pre}
	direct, err := G.Backpropagate(G.Nodes{y}, G.Nodes{seed}, wrt)
	if err != nil {
		t.Fatal(err)
	}
	replayed, err := G.Backpropagate(G.Nodes{replay}, G.Nodes{seed}, wrt)
	if err != nil {
		t.Fatal(err)
	}
	fwd, err := NewPlan(y)
	if err != nil {
		t.Fatal(err)
	}
	if err := fwd.Run(); err != nil {
		t.Fatal(err)
	}
	copy(Values(recorded), fwd.Out(y))
	p, err := NewPlan(append(direct, replayed...)...)
	if err != nil {
		t.Fatal(err)
	}
	if err := p.Run(); err != nil {
		t.Fatal(err)
	}
	for i, n := range wrt {
		a, b := p.Out(direct[i]), p.Out(replayed[i])
		for k := range a {
			if math.Abs(float64(a[k]-b[k])) > 1e-6 {
				t.Fatalf("%s[%d]: %v through the step, %v through the replay", n.Name(), k, a[k], b[k])
			}
		}
	}
	// The replay's plan does not run the step.
	only, err := NewPlan(replayed...)
	if err != nil {
		t.Fatal(err)
	}
	if only.Has(y) {
		t.Error("the replay's gradients compute the step")
	}
	if _, err := Replay(state, recorded); err == nil {
		t.Error("a replay of an input node: no error")
	}
}
