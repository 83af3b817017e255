package musicvae

import (
	"github.com/latentpalette/palette/model/nn"
	G "gorgonia.org/gorgonia"
)

// The drum model's tokens, as Magenta's DrumsConverter makes them: a step's token is the set of
// the nine drum classes hit (bit c for class c, 512 tokens); with roll_input the encoder reads
// the nine bits and a tenth that is 1 when nothing is hit.
const (
	drumClasses   = 9
	drumTokens    = 1 << drumClasses
	drumRollDepth = drumClasses + 1
)

// drumRoll returns the encoder input of every token, [512, 10].
func drumRoll() []float32 {
	r := make([]float32, drumTokens*drumRollDepth)
	for t := range drumTokens {
		row := r[t*drumRollDepth : (t+1)*drumRollDepth]
		for c := range drumClasses {
			if t&(1<<c) != 0 {
				row[c] = 1
			}
		}
		if t == 0 {
			row[drumClasses] = 1
		}
	}
	return r
}

// rollTable turns an encoder cell's input rows for the drum roll, [10, 4H], into a table of
// rows per token, [512, 4H] = roll · rows, so that the encoder looks tokens up as it looks up
// one-hot melody events, and the gradient reaches the roll's rows.
func (l *layers) rollTable(rows *G.Node) *G.Node {
	if l.roll == nil {
		l.roll = input(l.g, "drum_roll", drumTokens, drumRollDepth)
		copy(nn.Values(l.roll), drumRoll())
	}
	return must(nn.MatMul(l.roll, rows, false, false))
}
