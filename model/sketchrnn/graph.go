package sketchrnn

import (
	"fmt"
	"math"

	"github.com/latentpalette/palette/model/nn"
	G "gorgonia.org/gorgonia"
	"gorgonia.org/tensor"
)

// graph is the whole VAE unrolled over T steps for a batch of B drawings, with sketch-rnn's loss.
// Time-major: row t*B+b of a stacked [T*B, ...] tensor is step t of drawing b. Every step gets
// its own input nodes, so nothing is sliced out of a long tensor (G.Slice merges slices whose
// bounds agree modulo 256). The graph's parameters are copies of a Weights; load copies them in.
type graph struct {
	*tiedGraph
	vm   G.VM
	T, B int
	cfg  SketchVAEConfig

	// inputs
	xFw, xBw         []*G.Node // [B, 5] per step: the drawing, and the drawing reversed with padding first
	mFw, mBw         []*G.Node // [B, 1] per step: 1 at the last real point (fw); 1 on real points (bw)
	xDec             []*G.Node // [B, 5] per step: start token, then the drawing shifted by one
	eps              *G.Node   // [B, Z]
	tgtX             *G.Node   // [T*B, 1] target dx
	tgtY             *G.Node   // [T*B, 1] target dy
	tgtPen           *G.Node   // [T*B, 3] target pen one-hot
	mask             *G.Node   // [T*B] 1 before the drawing's end (offsets count), 0 after
	penMask          *G.Node   // [T*B] all ones in training; = mask in evaluation, as sketch-rnn
	klWeight         *G.Node   // scalar
	cost             *G.Node   // scalar: r_loss + kl_weight * max(kl, kl_tolerance)
	rLoss, kl        *G.Node   // scalars
	rVal, kVal, cVal G.Value
}

// newGraph builds the graph for batches of B drawings of at most T points; w gives the sizes and
// the starting values.
func newGraph(w *Weights, T, B int) (gr *graph, err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("sketch vae graph: %v", r)
		}
	}()
	cfg := w.Config
	if !cfg.Conditional() {
		return nil, fmt.Errorf("sketch vae graph: training needs an encoder (z size > 0)")
	}
	E, Z := cfg.EncSize, cfg.ZSize
	N := T * B
	gr = &graph{tiedGraph: newTiedGraph(w), T: T, B: B, cfg: cfg}
	g := gr.g
	f32 := tensor.Float32
	lstm := func(name string, cell nn.LSTMCell, ln *LayerNorm, parts ...int) *cellNodes {
		cn, ties := newCellNodes(g, name, cell, ln, parts...)
		for _, ct := range ties {
			gr.tieCell(ct)
		}
		return cn
	}
	linear := func(name string, d nn.Dense) *dense { return gr.dense(name, d, 0, d.In, true) }
	input := func(name string, shape ...int) *G.Node {
		if len(shape) == 1 {
			return G.NewVector(g, f32, G.WithShape(shape...), G.WithName(name), G.WithInit(G.Zeroes()))
		}
		return G.NewMatrix(g, f32, G.WithShape(shape...), G.WithName(name), G.WithInit(G.Zeroes()))
	}

	encFw := lstm("encoder/fw", w.EncFw, w.EncFwLN)
	encBw := lstm("encoder/bw", w.EncBw, w.EncBwLN)
	muL := linear("encoder/mu", w.Mu)
	presigL := linear("encoder/presig", w.Presig)
	initC := linear("decoder/init_c", w.InitC)
	initH := linear("decoder/init_h", w.InitH)
	dec := lstm("decoder/lstm", w.Dec, w.DecLN, 5, Z)
	heads := gr.outputHeads(cfg)

	must := G.Must
	zerosE := G.NewConstant(tensor.New(tensor.WithShape(B, E), tensor.Of(f32)), G.WithName("zeros_e"))

	// Encoder: forward over the drawing, keeping h at each drawing's last point; backward over the
	// reversed drawing with the padding first and the state held at zero through it.
	hFw, cFw, hFinal := zerosE, zerosE, (*G.Node)(nil)
	hBw, cBw := zerosE, zerosE
	for t := 0; t < T; t++ {
		gr.xFw = append(gr.xFw, input(fmt.Sprintf("x_fw%d", t), B, 5))
		gr.mFw = append(gr.mFw, input(fmt.Sprintf("m_fw%d", t), B, 1))
		gr.xBw = append(gr.xBw, input(fmt.Sprintf("x_bw%d", t), B, 5))
		gr.mBw = append(gr.mBw, input(fmt.Sprintf("m_bw%d", t), B, 1))

		pre := encFw.input(0, gr.xFw[t])                                      // 4 x [B, E]
		cFw, hFw = encFw.step(pre, cFw, hFw)                                  // [B, E]
		last := must(G.BroadcastHadamardProd(gr.mFw[t], hFw, []byte{1}, nil)) // [B, E]
		if hFinal == nil {
			hFinal = last
		} else {
			hFinal = must(G.Add(hFinal, last))
		}

		pre = encBw.input(0, gr.xBw[t])
		c, h := encBw.step(pre, cBw, hBw)
		cBw = must(G.BroadcastHadamardProd(gr.mBw[t], c, []byte{1}, nil)) // [B, E]
		hBw = must(G.BroadcastHadamardProd(gr.mBw[t], h, []byte{1}, nil)) // [B, E]
	}
	hEnc := must(G.Concat(1, hFinal, hBw)) // [B, 2E]
	mu := muL.apply(hEnc)                  // [B, Z]
	presig := presigL.apply(hEnc)          // [B, Z]
	gr.eps = input("eps", B, Z)            // [B, Z]
	z := sampleZ(mu, presig, gr.eps)       // [B, Z]

	// Decoder: initial state tanh(dense(z)); input concat(x_t, z), whose z share is added once.
	c := must(G.Tanh(initC.apply(z))) // [B, H]
	h := must(G.Tanh(initH.apply(z))) // [B, H]
	zShare := dec.input(1, z)         // 4 x [B, H]
	hs := make([]*G.Node, T)
	for t := 0; t < T; t++ {
		gr.xDec = append(gr.xDec, input(fmt.Sprintf("x_dec%d", t), B, 5))
		pre := dec.input(0, gr.xDec[t]) // 4 x [B, H]
		for q := range pre {
			pre[q] = must(G.Add(pre[q], zShare[q]))
		}
		c, h = dec.step(pre, c, h) // [B, H]
		hs[t] = h
	}
	out := hs[0]
	if T > 1 {
		out = must(G.Concat(0, hs...)) // [N, H]
	}

	// Loss: the reconstruction loss averaged over B*MaxSeqLen, and the KL term floored at
	// kl_tolerance and weighted.
	gr.tgtX = input("tgt_x", N, 1)
	gr.tgtY = input("tgt_y", N, 1)
	gr.tgtPen = input("tgt_pen", N, 3)
	gr.mask = input("mask", N)
	gr.penMask = input("pen_mask", N)
	rLoss := mixtureLoss(out, heads, gr.tgtX, gr.tgtY, gr.tgtPen, gr.mask, gr.penMask)
	gr.rLoss = must(G.HadamardDiv(rLoss, G.NewConstant(float32(B*cfg.MaxSeqLen))))
	gr.kl = klLoss(mu, presig)
	gr.klWeight = G.NewScalar(g, f32, G.WithName("kl_weight"), G.WithValue(float32(0)))
	gr.cost = must(G.Add(gr.rLoss, must(G.HadamardProd(gr.klWeight, klFloor(gr.kl, cfg.KLTolerance)))))

	G.Read(gr.rLoss, &gr.rVal)
	G.Read(gr.kl, &gr.kVal)
	G.Read(gr.cost, &gr.cVal)
	nodes := gr.params()
	if _, err := G.Grad(gr.cost, nodes...); err != nil {
		return nil, fmt.Errorf("sketch vae graph: gradients: %w", err)
	}
	gr.vm = G.NewTapeMachine(g, G.BindDualValues(nodes...))
	return gr, nil
}

// sampleZ is the encoder's z = mu + exp(presig/2)⊙eps, [B, Z].
func sampleZ(mu, presig, eps *G.Node) *G.Node {
	must := G.Must
	sigma := must(G.Exp(must(G.HadamardProd(presig, G.NewConstant(float32(0.5))))))
	return must(G.Add(mu, must(G.HadamardProd(sigma, eps))))
}

// mixtureLoss is sketch-rnn's get_lossfunc over the rows of h [N, H], summed (before the
// division by B*MaxSeqLen): -log(sum_k pi_k N(dx, dy | k) + 1e-6) on the rows whose mask is 1,
// plus the pen's softmax cross-entropy on those whose pen mask is 1 (all rows in training, the
// points before the end in evaluation, as sketch-rnn). heads are the output layer's column
// blocks (outputHeads); tgtX, tgtY are [N, 1], tgtPen [N, 3] one-hot, mask and penMask [N].
func mixtureLoss(h *G.Node, heads []*dense, tgtX, tgtY, tgtPen, mask, penMask *G.Node) *G.Node {
	must := G.Must
	apply := func(l *dense) *G.Node { return l.apply(h) }
	penLogits := apply(heads[0])           // [N, 3]
	pi := must(G.SoftMax(apply(heads[1]))) // [N, M]
	muX := apply(heads[2])                 // [N, M]
	muY := apply(heads[3])                 // [N, M]
	sigmaX := must(G.Exp(apply(heads[4]))) // [N, M]
	sigmaY := must(G.Exp(apply(heads[5]))) // [N, M]
	corr := must(G.Tanh(apply(heads[6])))  // [N, M]

	one, two := G.NewConstant(float32(1)), G.NewConstant(float32(2))
	normX := must(G.HadamardDiv(must(G.BroadcastSub(tgtX, muX, []byte{1}, nil)), sigmaX)) // [N, M]
	normY := must(G.HadamardDiv(must(G.BroadcastSub(tgtY, muY, []byte{1}, nil)), sigmaY)) // [N, M]
	zz := must(G.Sub(must(G.Add(must(G.Square(normX)), must(G.Square(normY)))),
		must(G.HadamardProd(two, must(G.HadamardProd(corr, must(G.HadamardProd(normX, normY))))))))
	negRho := must(G.Add(must(G.Sub(one, must(G.Square(corr)))), G.NewConstant(float32(rhoEps)))) // [N, M]
	expo := must(G.Exp(must(G.HadamardDiv(must(G.Neg(zz)), must(G.HadamardProd(two, negRho))))))
	denom := must(G.HadamardProd(G.NewConstant(float32(2*math.Pi)),
		must(G.HadamardProd(must(G.HadamardProd(sigmaX, sigmaY)), must(G.Sqrt(negRho))))))
	pdf := must(G.HadamardDiv(expo, denom))                                                  // [N, M]
	mix := must(G.Sum(must(G.HadamardProd(pi, pdf)), 1))                                     // [N]
	nllOffsets := must(G.Neg(must(G.Log(must(G.Add(mix, G.NewConstant(float32(pdfEps)))))))) // [N]
	logPen := must(G.LogSoftMax(penLogits))                                                  // [N, 3]
	nllPen := must(G.Neg(must(G.Sum(must(G.HadamardProd(tgtPen, logPen)), 1))))              // [N]
	perRow := must(G.Add(must(G.HadamardProd(nllOffsets, mask)), must(G.HadamardProd(nllPen, penMask))))
	return must(G.Sum(perRow))
}

// rhoEps keeps 1-corr^2 away from zero and pdfEps is sketch-rnn's epsilon inside the log.
const (
	rhoEps = 1e-6
	pdfEps = 1e-6
)

// klLoss is sketch-rnn's KL term, averaged over z's dimensions and the batch: mu and presig are [B, Z].
func klLoss(mu, presig *G.Node) *G.Node {
	must := G.Must
	one := G.NewConstant(float32(1))
	terms := must(G.Sub(must(G.Add(one, presig)), must(G.Add(must(G.Square(mu)), must(G.Exp(presig))))))
	return must(G.HadamardProd(G.NewConstant(float32(-0.5)), must(G.Mean(terms))))
}

// klFloor is max(kl, tolerance) as relu(kl-tolerance)+tolerance, which has the floor's
// gradient: none below it.
func klFloor(kl *G.Node, tolerance float64) *G.Node {
	tol := G.NewConstant(float32(tolerance))
	return G.Must(G.Add(G.Must(G.Rectify(G.Must(G.Sub(kl, tol)))), tol))
}

// cellNodes is an LSTM cell in the graph, layer-normalised when ln is set. Its kernel is held
// as one block per input part and gate (i, j, f, o), so every gate is a contiguous [B, H] tensor:
// no graph op slices (G.Slice merges slices whose bounds agree modulo 256, and elementwise ops on
// strided views are several times slower in gorgonia.org/tensor).
type cellNodes struct {
	H    int
	in   [][4]*G.Node // in[p][q]: [Parts[p], H]
	rec  [4]*G.Node   // [H, H]
	bias [4]*G.Node   // [H] (absent with layer norm)
	ln   *lnNodes

	// folded: without layer norm, the bias and the forget bias are already in step's pre
	// (stepGraph.cell), and bias is empty.
	folded bool
}

// cellTie is how one of a cell's nodes maps onto the cell's parameter name: rows of cols values,
// row r from off + r*stride of the parameter's data.
type cellTie struct {
	node                    *G.Node
	name                    string
	off, rows, cols, stride int
}

// newCellNodes adds a cell's parameters to g (values copied from cell and ln) and returns how each
// node maps onto the cell's TensorFlow-layout kernel [In+H, 4H], bias and layer norm vectors.
func newCellNodes(g *G.ExprGraph, name string, cell nn.LSTMCell, ln *LayerNorm, parts ...int) (*cellNodes, []cellTie) {
	if len(parts) == 0 {
		parts = []int{cell.In}
	}
	H := cell.Hidden
	H4 := 4 * H
	node := func(n string, rows int, src []float32, off, stride int) *G.Node {
		data := make([]float32, rows*H)
		for r := 0; r < rows; r++ {
			copy(data[r*H:(r+1)*H], src[off+r*stride:])
		}
		if rows == 1 {
			return G.NewVector(g, tensor.Float32, G.WithShape(H), G.WithName(n), G.WithValue(tensor.New(tensor.WithShape(H), tensor.WithBacking(data))))
		}
		return G.NewMatrix(g, tensor.Float32, G.WithShape(rows, H), G.WithName(n), G.WithValue(tensor.New(tensor.WithShape(rows, H), tensor.WithBacking(data))))
	}
	cn := &cellNodes{H: H}
	var ties []cellTie
	from := 0
	for p, n := range parts {
		var blocks [4]*G.Node
		for q := 0; q < 4; q++ {
			off := from*H4 + q*H
			blocks[q] = node(fmt.Sprintf("%s/kernel/in%d/gate%d", name, p, q), n, cell.Kernel, off, H4)
			ties = append(ties, cellTie{blocks[q], name + "/kernel", off, n, H, H4})
		}
		cn.in = append(cn.in, blocks)
		from += n
	}
	for q := 0; q < 4; q++ {
		off := cell.In*H4 + q*H
		cn.rec[q] = node(fmt.Sprintf("%s/kernel/rec/gate%d", name, q), H, cell.Kernel, off, H4)
		ties = append(ties, cellTie{cn.rec[q], name + "/kernel", off, H, H, H4})
		if ln == nil {
			cn.bias[q] = node(fmt.Sprintf("%s/bias/gate%d", name, q), 1, cell.Bias, q*H, H)
			ties = append(ties, cellTie{cn.bias[q], name + "/bias", q * H, 1, H, H})
		}
	}
	if ln != nil {
		cn.ln = newLNNodes(g, name, ln, H)
		for q := 0; q < 4; q++ {
			ties = append(ties,
				cellTie{cn.ln.gAll[q], name + "/ln_all/gamma", q * H, 1, H, H},
				cellTie{cn.ln.bAll[q], name + "/ln_all/beta", q * H, 1, H, H})
		}
		ties = append(ties,
			cellTie{cn.ln.gC, name + "/ln_c/gamma", 0, 1, H, H},
			cellTie{cn.ln.bC, name + "/ln_c/beta", 0, 1, H, H})
	}
	return cn, ties
}

// input returns input part p's share of each gate: x [B, Parts[p]] -> 4 x [B, H].
func (cn *cellNodes) input(p int, x *G.Node) []*G.Node {
	out := make([]*G.Node, 4)
	for q := range out {
		out[q] = G.Must(G.Mul(x, cn.in[p][q]))
	}
	return out
}

// lnNodes are a LayerNorm's parameters in the graph, one gain and offset vector per gate.
type lnNodes struct {
	gAll, bAll [4]*G.Node // [H] each
	gC, bC     *G.Node    // [H]
}

func newLNNodes(g *G.ExprGraph, name string, ln *LayerNorm, H int) *lnNodes {
	vec := func(n string, data []float32) *G.Node {
		return G.NewVector(g, tensor.Float32, G.WithShape(H), G.WithName(name+n),
			G.WithValue(tensor.New(tensor.WithShape(H), tensor.WithBacking(append([]float32(nil), data...)))))
	}
	l := &lnNodes{gC: vec("/ln_c/gamma", ln.GammaC), bC: vec("/ln_c/beta", ln.BetaC)}
	for q := 0; q < 4; q++ {
		l.gAll[q] = vec(fmt.Sprintf("/ln_all/gamma%d", q), ln.GammaAll[q*H:(q+1)*H])
		l.bAll[q] = vec(fmt.Sprintf("/ln_all/beta%d", q), ln.BetaAll[q*H:(q+1)*H])
	}
	return l
}

// step runs one step of the cell (TensorFlow's BasicLSTMCell, or sketch-rnn's LayerNormLSTMCell),
// with actOp's sigmoid and tanh: pre holds the inputs' share of the gates i, j, f, o (4 x [B, H]);
// c and h are [B, H].
func (cn *cellNodes) step(pre []*G.Node, c, h *G.Node) (c2, h2 *G.Node) {
	must := G.Must
	gate := func(q int) *G.Node { // [B, H]
		v := must(G.Add(pre[q], must(G.Mul(h, cn.rec[q]))))
		switch {
		case cn.ln != nil:
			v = layerNorm(v, cn.ln.gAll[q], cn.ln.bAll[q])
		case cn.folded:
			return v
		default:
			v = must(G.BroadcastAdd(v, cn.bias[q], nil, []byte{0}))
		}
		if q == 2 {
			v = must(G.Add(v, G.NewConstant(float32(nn.ForgetBias))))
		}
		return v
	}
	i := sigmoidNode(gate(0))
	j := tanhNode(gate(1))
	f := sigmoidNode(gate(2))
	o := sigmoidNode(gate(3))
	c2 = must(G.Add(must(G.HadamardProd(c, f)), must(G.HadamardProd(i, j)))) // [B, H]
	if cn.ln != nil {
		return c2, must(G.HadamardProd(tanhNode(layerNorm(c2, cn.ln.gC, cn.ln.bC)), o))
	}
	return c2, must(G.HadamardProd(tanhNode(c2), o)) // [B, H]
}

// layerNorm is sketch-rnn's layer_norm over the last axis of x [B, H]: gamma*(x-mean)/sqrt(var+eps) + beta.
func layerNorm(x, gamma, beta *G.Node) *G.Node {
	must := G.Must
	mean := must(G.Mean(x, 1))                                              // [B]
	cen := must(G.BroadcastSub(x, mean, nil, []byte{1}))                    // [B, H]
	v := must(G.Mean(must(G.Square(cen)), 1))                               // [B]
	rstd := must(G.Sqrt(must(G.Add(v, G.NewConstant(float32(lnEpsilon)))))) // [B]: sqrt(var+eps)
	xhat := must(G.BroadcastHadamardDiv(cen, rstd, nil, []byte{1}))         // [B, H]
	y := must(G.BroadcastHadamardProd(xhat, gamma, nil, []byte{0}))         // [B, H]
	return must(G.BroadcastAdd(y, beta, nil, []byte{0}))                    // [B, H]
}

// dense is a layer x·kernel + bias in the graph.
type dense struct{ kernel, bias *G.Node }

func (d *dense) apply(x *G.Node) *G.Node {
	return G.Must(G.BroadcastAdd(G.Must(G.Mul(x, d.kernel)), d.bias, nil, []byte{0}))
}

// tiedGraph is a Gorgonia graph whose parameter nodes are tied to blocks of a Weights'
// parameters: load copies the values in, and addGrads adds the gradients back out.
type tiedGraph struct {
	g     *G.ExprGraph
	ties  []tie
	index map[string]int // Weights.params() by name
}

func newTiedGraph(w *Weights) *tiedGraph {
	s := &tiedGraph{g: G.NewGraph(), index: map[string]int{}}
	for i, p := range w.params() {
		s.index[p.name] = i
	}
	return s
}

// tie ties rows of a parameter node to a Weights parameter: node rows [row, row+rows) hold
// rows of cols values, row r from off + r*stride of the parameter's data (column blocks of a
// kernel have stride > cols), plus add (a constant folded in on loading: the forget bias).
type tie struct {
	node                    *G.Node
	param, row              int
	off, rows, cols, stride int
	add                     float32
}

// param adds a parameter node of rows x cols (a vector when rows is 1), tied to the Weights
// parameter name as tie describes (from node row 0; tieRows adds more).
func (s *tiedGraph) param(name string, off, rows, cols, stride int) *G.Node {
	var n *G.Node
	if rows == 1 {
		n = G.NewVector(s.g, tensor.Float32, G.WithShape(cols), G.WithName(fmt.Sprintf("%s@%d", name, off)), G.WithInit(G.Zeroes()))
	} else {
		n = G.NewMatrix(s.g, tensor.Float32, G.WithShape(rows, cols), G.WithName(fmt.Sprintf("%s@%d", name, off)), G.WithInit(G.Zeroes()))
	}
	s.tieRows(n, 0, name, off, rows, cols, stride, 0)
	return n
}

func (s *tiedGraph) tieRows(n *G.Node, row int, name string, off, rows, cols, stride int, add float32) {
	p, ok := s.index[name]
	if !ok {
		panic(fmt.Sprintf("no parameter %s", name))
	}
	s.ties = append(s.ties, tie{n, p, row, off, rows, cols, stride, add})
}

// tieCell ties one of the nodes newCellNodes made.
func (s *tiedGraph) tieCell(ct cellTie) {
	s.tieRows(ct.node, 0, ct.name, ct.off, ct.rows, ct.cols, ct.stride, 0)
}

// dense adds the layer name as x·kernel + bias over the kernel rows [from, from+rows): a layer
// over concatenated inputs becomes one such part per input, with the bias in the first.
func (s *tiedGraph) dense(name string, d nn.Dense, from, rows int, bias bool) *dense {
	l := &dense{kernel: s.param(name+"/kernel", from*d.Out, rows, d.Out, d.Out)}
	if bias {
		l.bias = s.param(name+"/bias", 0, 1, d.Out, d.Out)
	}
	return l
}

// outputHeads adds the decoder's output layer as seven column blocks (pen, pi, mu_x, mu_y,
// sigma_x, sigma_y, corr), so that no graph op slices its [N, 3+6M] result.
func (s *tiedGraph) outputHeads(cfg SketchVAEConfig) []*dense {
	H, M, O := cfg.DecSize, cfg.Mixtures, cfg.Outputs()
	head := func(col, n int) *dense {
		return &dense{kernel: s.param("decoder/output/kernel", col, H, n, O), bias: s.param("decoder/output/bias", col, 1, n, O)}
	}
	heads := []*dense{head(0, 3)}
	for k := 0; k < 6; k++ {
		heads = append(heads, head(3+k*M, M))
	}
	return heads
}

// params lists the parameter nodes, each once.
func (s *tiedGraph) params() G.Nodes {
	var ns G.Nodes
	for i, t := range s.ties {
		if i == 0 || t.node != s.ties[i-1].node {
			ns = append(ns, t.node)
		}
	}
	return ns
}

// load copies w's values into the parameters.
func (s *tiedGraph) load(w *Weights) {
	ps := w.params()
	for _, t := range s.ties {
		dst := nn.Values(t.node)[t.row*t.cols:]
		src := ps[t.param].data
		for r := 0; r < t.rows; r++ {
			row := dst[r*t.cols : (r+1)*t.cols]
			copy(row, src[t.off+r*t.stride:])
			if t.add != 0 {
				for i := range row {
					row[i] += t.add
				}
			}
		}
	}
}

// addGrads adds the gradients accumulated since the last call into into (shaped like
// w.params()) and clears them: the tape machine adds each run's gradients to the parameters'
// dual values (Gorgonia's solvers zero them after each step; we do not use those).
func (s *tiedGraph) addGrads(into [][]float32) error {
	for _, t := range s.ties {
		gv, err := t.node.Grad()
		if err != nil {
			return fmt.Errorf("gradient of %s: %w", t.node.Name(), err)
		}
		src := gv.Data().([]float32)[t.row*t.cols:]
		dst := into[t.param]
		for r := 0; r < t.rows; r++ {
			row := dst[t.off+r*t.stride : t.off+r*t.stride+t.cols]
			for i, v := range src[r*t.cols : (r+1)*t.cols] {
				row[i] += v
			}
		}
	}
	for _, n := range s.params() {
		gv, _ := n.Grad()
		clear(gv.Data().([]float32))
	}
	return nil
}

// batch is one batch laid out for the graph (time-major, padded to T).
type batch struct {
	xFw, xBw, mFw, mBw, xDec [][]float32 // per step: [B*5] or [B]
	eps                      []float32   // [B*Z]
	tgtX, tgtY, mask         []float32   // [T*B]
	tgtPen                   []float32   // [T*B*3]
}

// makeBatch lays out drawings (already normalised) of at most T points; eps is [B*Z].
func makeBatch(ds [][][5]float32, T int, eps []float32) *batch {
	B := len(ds)
	bt := &batch{eps: eps, tgtX: make([]float32, T*B), tgtY: make([]float32, T*B), mask: make([]float32, T*B), tgtPen: make([]float32, T*B*3)}
	for t := 0; t < T; t++ {
		bt.xFw = append(bt.xFw, make([]float32, B*5))
		bt.xBw = append(bt.xBw, make([]float32, B*5))
		bt.mFw = append(bt.mFw, make([]float32, B))
		bt.mBw = append(bt.mBw, make([]float32, B))
		bt.xDec = append(bt.xDec, make([]float32, B*5))
	}
	end := [5]float32{0, 0, 0, 0, 1}
	for b, s := range ds {
		n := len(s)
		row := func(t int) [5]float32 {
			if t < n {
				return s[t]
			}
			return end
		}
		for t := 0; t < T; t++ {
			r := row(t)
			copy(bt.xFw[t][b*5:], r[:])
			if t == n-1 {
				bt.mFw[t][b] = 1
			}
			if k := t - (T - n); k >= 0 {
				r := s[n-1-k]
				copy(bt.xBw[t][b*5:], r[:])
				bt.mBw[t][b] = 1
			}
			if t == 0 {
				copy(bt.xDec[t][b*5:], []float32{0, 0, 1, 0, 0})
			} else {
				prev := row(t - 1)
				copy(bt.xDec[t][b*5:], prev[:])
			}
			i := t*B + b
			bt.tgtX[i], bt.tgtY[i] = r[0], r[1]
			copy(bt.tgtPen[i*3:], r[2:])
			if r[4] == 0 {
				bt.mask[i] = 1
			}
		}
	}
	return bt
}

// run feeds a batch and runs the graph forward and backward. eval masks the pen loss after the
// drawing's end, as sketch-rnn's evaluation mode does.
func (gr *graph) run(bt *batch, klWeight float32, eval bool) (cost, rLoss, kl float32, err error) {
	set := func(n *G.Node, data []float32) {
		if err == nil {
			err = G.Let(n, tensor.New(tensor.WithShape(n.Shape()...), tensor.WithBacking(data)))
		}
	}
	for t := 0; t < gr.T; t++ {
		set(gr.xFw[t], bt.xFw[t])
		set(gr.xBw[t], bt.xBw[t])
		set(gr.mFw[t], bt.mFw[t])
		set(gr.mBw[t], bt.mBw[t])
		set(gr.xDec[t], bt.xDec[t])
	}
	set(gr.eps, bt.eps)
	set(gr.tgtX, bt.tgtX)
	set(gr.tgtY, bt.tgtY)
	set(gr.tgtPen, bt.tgtPen)
	set(gr.mask, bt.mask)
	penMask := make([]float32, len(bt.mask))
	if eval {
		copy(penMask, bt.mask)
	} else {
		for i := range penMask {
			penMask[i] = 1
		}
	}
	set(gr.penMask, penMask)
	if err == nil {
		err = G.Let(gr.klWeight, klWeight)
	}
	if err != nil {
		return 0, 0, 0, fmt.Errorf("sketch vae graph: feed: %w", err)
	}
	gr.vm.Reset()
	if err := gr.vm.RunAll(); err != nil {
		return 0, 0, 0, fmt.Errorf("sketch vae graph: run: %w", err)
	}
	return gr.cVal.Data().(float32), gr.rVal.Data().(float32), gr.kVal.Data().(float32), nil
}
