package sketchrnn

import (
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"

	"github.com/latentpalette/palette/model/nn"
)

// GenInfo is the first element of a sketch-rnn-js model file.
type GenInfo struct {
	Mode        json.RawMessage `json:"mode"` // a number in older files (2), a string in newer ones ("gen")
	Version     int             `json:"version"`
	MaxSeqLen   int             `json:"max_seq_len"`
	Name        string          `json:"name"`
	ScaleFactor float64         `json:"scale_factor"`
}

// GenFormatError says what is wrong with a .gen.json model file.
type GenFormatError string

func (e GenFormatError) Error() string { return "sketch-rnn-js model: " + string(e) }

// maxGenJSON bounds a .gen.json file (Magenta's largest decoders are a few megabytes).
const maxGenJSON = 64 << 20

// ReadGenJSON reads a decoder-only Sketch-RNN model in the format that sketch-rnn-js and
// @magenta/sketch load: [info, dims, weights], the weights as base64 little-endian int16 values
// q standing for 10*q/32767. The result is an unconditional model (no encoder, z size 0) whose
// scale factor is info's: it decodes in the data units the model was trained on.
func ReadGenJSON(r io.Reader) (*Weights, GenInfo, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxGenJSON+1))
	if err != nil {
		return nil, GenInfo{}, fmt.Errorf("sketch-rnn-js model: %w", err)
	}
	if len(data) > maxGenJSON {
		return nil, GenInfo{}, GenFormatError(fmt.Sprintf("larger than %d MB", maxGenJSON>>20))
	}
	var parts []json.RawMessage
	if err := json.Unmarshal(data, &parts); err != nil {
		return nil, GenInfo{}, GenFormatError("not a JSON array [info, dims, weights]: " + err.Error())
	}
	if len(parts) != 3 {
		return nil, GenInfo{}, GenFormatError(fmt.Sprintf("a JSON array of %d elements, want 3 (info, dims, weights)", len(parts)))
	}
	var info GenInfo
	var dims [][]int
	var strs []string
	if err := json.Unmarshal(parts[0], &info); err != nil {
		return nil, GenInfo{}, GenFormatError("info: " + err.Error())
	}
	if err := json.Unmarshal(parts[1], &dims); err != nil {
		return nil, GenInfo{}, GenFormatError("dims: " + err.Error())
	}
	if err := json.Unmarshal(parts[2], &strs); err != nil {
		return nil, GenInfo{}, GenFormatError("weights: " + err.Error())
	}
	if !(info.ScaleFactor >= MinScaleFactor && info.ScaleFactor <= MaxScaleFactor) {
		return nil, GenInfo{}, GenFormatError(fmt.Sprintf("scale_factor %v is outside %g..%g", info.ScaleFactor, MinScaleFactor, MaxScaleFactor))
	}
	if len(dims) != 5 || len(strs) != 5 {
		return nil, GenInfo{}, GenFormatError(fmt.Sprintf("%d dims and %d weight arrays, want 5 of each (a decoder-only LSTM model)", len(dims), len(strs)))
	}
	// [[H, 3+6M], [3+6M], [5, 4H], [H, 4H], [4H]]
	bad := func() (*Weights, GenInfo, error) {
		return nil, GenInfo{}, GenFormatError(fmt.Sprintf("dims %v are not those of an LSTM decoder [[H,3+6M],[3+6M],[5,4H],[H,4H],[4H]]", dims))
	}
	if len(dims[0]) != 2 || len(dims[1]) != 1 || len(dims[2]) != 2 || len(dims[3]) != 2 || len(dims[4]) != 1 {
		return bad()
	}
	H, O := dims[0][0], dims[0][1]
	if H <= 0 || H > 4096 || O < 9 || (O-3)%6 != 0 || dims[1][0] != O ||
		dims[2][0] != 5 || dims[2][1] != 4*H || dims[3][0] != H || dims[3][1] != 4*H || dims[4][0] != 4*H {
		return bad()
	}
	arrays := make([][]float32, 5)
	for i, s := range strs {
		want := dims[i][0]
		if len(dims[i]) == 2 {
			want *= dims[i][1]
		}
		raw, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, GenInfo{}, GenFormatError(fmt.Sprintf("weight array %d: %v", i, err))
		}
		if len(raw) != 2*want {
			return nil, GenInfo{}, GenFormatError(fmt.Sprintf("weight array %d holds %d bytes, want %d for shape %v", i, len(raw), 2*want, dims[i]))
		}
		a := make([]float32, want)
		for k := range a {
			q := int16(binary.LittleEndian.Uint16(raw[2*k:]))
			a[k] = 10 * float32(q) / 32767
		}
		arrays[i] = a
	}
	cfg := DefaultConfig()
	cfg.EncSize, cfg.ZSize, cfg.DecSize, cfg.Mixtures = 0, 0, H, (O-3)/6
	if info.MaxSeqLen > 0 && info.MaxSeqLen <= MaxDecodeLen {
		cfg.MaxSeqLen = info.MaxSeqLen
	}
	w := &Weights{
		Config:      cfg,
		ScaleFactor: float32(info.ScaleFactor),
		Dec:         nn.LSTMCell{In: 5, Hidden: H, Kernel: append(arrays[2], arrays[3]...), Bias: arrays[4]},
		Out:         nn.Dense{In: H, Out: O, Kernel: arrays[0], Bias: arrays[1]},
	}
	if err := w.Check(); err != nil {
		return nil, GenInfo{}, err
	}
	return w, info, nil
}
