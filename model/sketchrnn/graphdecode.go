package sketchrnn

import (
	"fmt"

	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// stepper advances B decoder sequences by one input row each and exposes the output rows.
type stepper interface {
	step(x []float32) // x: [B, 5] normalised stroke-5 rows
	output() []float32
}

func (d *decoder) output() []float32 { return d.out }

// graphDecoder is the decoder's step as a Gorgonia graph: the reference for the plain-Go
// decoder (plain.go), which is the one the app uses because it is several times faster.
type graphDecoder struct {
	vm           G.VM
	x, c, h, z   *G.Node   // inputs: [B, 5], [B, H], [B, H], [B, Z] (z nil if unconditional)
	cv, hv, outv G.Value   // read at build time: the tape machine reuses its buffers
	cs, hs, zs   []float32 // state between steps, and z
	out          []float32
}

func (w *Weights) newGraphDecoder(c, h, z []float32, b int) (gd *graphDecoder, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sketch vae decoder graph: %v", r)
		}
	}()
	cfg := w.Config
	H, Z, O := cfg.DecSize, cfg.ZSize, cfg.Outputs()
	g := G.NewGraph()
	f32 := tensor.Float32
	input := func(name string, cols int) *G.Node {
		return G.NewMatrix(g, f32, G.WithShape(b, cols), G.WithName(name), G.WithInit(G.Zeroes()))
	}
	gd = &graphDecoder{cs: c, hs: h, zs: z, out: make([]float32, b*O)}
	gd.x, gd.c, gd.h = input("x", 5), input("c", H), input("h", H)
	var cell *cellNodes
	if Z > 0 {
		cell, _ = newCellNodes(g, "decoder/lstm", w.Dec, w.DecLN, 5, Z)
	} else {
		cell, _ = newCellNodes(g, "decoder/lstm", w.Dec, w.DecLN)
	}
	pre := cell.input(0, gd.x) // 4 x [B, H]
	if Z > 0 {
		gd.z = input("z", Z)
		for q, zq := range cell.input(1, gd.z) {
			pre[q] = G.Must(G.Add(pre[q], zq))
		}
	}
	c2, h2 := cell.step(pre, gd.c, gd.h) // [B, H]
	out := &dense{
		kernel: G.NewMatrix(g, f32, G.WithShape(H, O), G.WithName("decoder/output/kernel"),
			G.WithValue(tensor.New(tensor.WithShape(H, O), tensor.WithBacking(append([]float32(nil), w.Out.Kernel...))))),
		bias: G.NewVector(g, f32, G.WithShape(O), G.WithName("decoder/output/bias"),
			G.WithValue(tensor.New(tensor.WithShape(O), tensor.WithBacking(append([]float32(nil), w.Out.Bias...))))),
	}
	y := out.apply(h2) // [B, 3+6M]
	G.Read(c2, &gd.cv)
	G.Read(h2, &gd.hv)
	G.Read(y, &gd.outv)
	gd.vm = G.NewTapeMachine(g)
	return gd, nil
}

func (gd *graphDecoder) step(x []float32) {
	let := func(n *G.Node, data []float32) {
		if err := G.Let(n, tensor.New(tensor.WithShape(n.Shape()...), tensor.WithBacking(append([]float32(nil), data...)))); err != nil {
			panic(err)
		}
	}
	let(gd.x, x)
	let(gd.c, gd.cs)
	let(gd.h, gd.hs)
	if gd.z != nil {
		let(gd.z, gd.zs)
	}
	gd.vm.Reset()
	if err := gd.vm.RunAll(); err != nil {
		panic(fmt.Errorf("sketch vae decoder graph: %w", err))
	}
	copy(gd.cs, gd.cv.Data().([]float32))
	copy(gd.hs, gd.hv.Data().([]float32))
	copy(gd.out, gd.outv.Data().([]float32))
}

func (gd *graphDecoder) output() []float32 { return gd.out }
