// Package checkpoint reads and writes model weights as safetensors files: an 8-byte header length,
// a JSON header naming each tensor's dtype, shape and byte range, then the raw little-endian data.
package checkpoint

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Tensor is a float32 tensor, row-major.
type Tensor struct {
	Shape []int
	Data  []float32
}

// Size returns the number of values the shape holds.
func (t Tensor) Size() int { return size(t.Shape) }

func size(shape []int) int {
	n := 1
	for _, d := range shape {
		n *= d
	}
	return n
}

// File is the content of a checkpoint: named tensors and string metadata.
type File struct {
	Tensors  map[string]Tensor
	Metadata map[string]string
}

// FormatError says what is wrong with a checkpoint's bytes or layout.
type FormatError struct {
	Tensor string // the tensor concerned, or "" for the file as a whole
	Msg    string
}

func (e *FormatError) Error() string {
	if e.Tensor == "" {
		return "checkpoint: " + e.Msg
	}
	return fmt.Sprintf("checkpoint: tensor %s: %s", quoteName(e.Tensor), e.Msg)
}

// quoteName quotes a tensor name for a message, cut short: a hostile header may hold a name of
// megabytes.
func quoteName(name string) string {
	const most = 120
	if len(name) > most {
		return strconv.Quote(strings.ToValidUTF8(name[:most], "")) + "…"
	}
	return strconv.Quote(name)
}

func formatErr(tensor, format string, a ...any) error {
	return &FormatError{Tensor: tensor, Msg: fmt.Sprintf(format, a...)}
}

// Limits on what Load accepts, so that a hostile header cannot ask for unbounded memory.
// MaxElements is shared by every reader of weights (safetensors, Magenta checkpoint folders):
// the most float32 values one model may hold, 1 GiB of them (Magenta's largest melody model,
// mel_2bar_big, has 134.6 million).
const (
	MaxHeader   = 16 << 20        // bytes of JSON header
	MaxElements = 1 << 28         // values of all tensors together
	MaxData     = 4 * MaxElements // bytes of tensor data
)

// CheckElements reports, with a *FormatError, shapes that hold more than MaxElements values
// together (or a negative size): a reader checks the shapes a file declares before it builds them.
func CheckElements(shapes map[string][]int) error {
	var total int64
	for name, shape := range shapes {
		n := int64(1)
		for _, d := range shape {
			if d < 0 {
				return formatErr(name, "shape %v has a negative size", shape)
			}
			if d > 0 && n > MaxElements/int64(d) {
				n = MaxElements + 1
				break
			}
			n *= int64(d)
		}
		if total += n; total > MaxElements {
			return formatErr(name, "the tensors take more than checkpoint.MaxElements (%d) values", MaxElements)
		}
	}
	return nil
}

const metadataKey = "__metadata__"

type entry struct {
	DType       string   `json:"dtype"`
	Shape       []int    `json:"shape"`
	DataOffsets [2]int64 `json:"data_offsets"`
}

// Load reads a safetensors file. It accepts only F32 tensors, and rejects a malformed header,
// byte ranges that overlap, leave gaps or disagree with the shape, and NaN or Inf values, with a
// *FormatError that names the tensor.
func Load(r io.Reader) (*File, error) {
	var n uint64
	if err := binary.Read(r, binary.LittleEndian, &n); err != nil {
		return nil, formatErr("", "reading the header length: %v", err)
	}
	if n < 2 || n > MaxHeader {
		return nil, formatErr("", "header length %d is outside 2..%d", n, MaxHeader)
	}
	header := make([]byte, n)
	if _, err := io.ReadFull(r, header); err != nil {
		return nil, formatErr("", "reading the %d-byte header: %v", n, err)
	}
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(header, &raw); err != nil {
		return nil, formatErr("", "header is not a JSON object: %v", err)
	}
	f := &File{Tensors: map[string]Tensor{}, Metadata: map[string]string{}}
	type span struct {
		name       string
		begin, end int64
		e          entry
	}
	var spans []span
	for name, msg := range raw {
		if name == metadataKey {
			if err := json.Unmarshal(msg, &f.Metadata); err != nil {
				return nil, formatErr("", "metadata is not an object of strings: %v", err)
			}
			continue
		}
		var e entry
		dec := json.NewDecoder(bytes.NewReader(msg))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&e); err != nil {
			return nil, formatErr(name, "bad header entry: %v", err)
		}
		if e.DType != "F32" {
			return nil, formatErr(name, "dtype %q is not supported (want F32)", e.DType)
		}
		if err := CheckElements(map[string][]int{name: e.Shape}); err != nil {
			return nil, err
		}
		elems := int64(size(e.Shape))
		b, end := e.DataOffsets[0], e.DataOffsets[1]
		if b < 0 || end < b || end > MaxData {
			return nil, formatErr(name, "data offsets [%d, %d] are invalid", b, end)
		}
		if end-b != 4*elems {
			return nil, formatErr(name, "data offsets [%d, %d] hold %d bytes, shape %v needs %d", b, end, end-b, e.Shape, 4*elems)
		}
		spans = append(spans, span{name, b, end, e})
	}
	sort.Slice(spans, func(i, j int) bool {
		if spans[i].begin != spans[j].begin {
			return spans[i].begin < spans[j].begin
		}
		return spans[i].end < spans[j].end
	})
	var total int64
	for _, s := range spans {
		if s.begin != total {
			return nil, formatErr(s.name, "data starts at byte %d, expected %d (gap or overlap)", s.begin, total)
		}
		total = s.end
		if total > MaxData {
			return nil, formatErr(s.name, "the tensors take more than checkpoint.MaxElements (%d) values", MaxElements)
		}
	}
	// Tensor by tensor, through a small buffer: memory grows with the data that is there, not
	// with what the header declares, and holds each value once.
	buf := make([]byte, 64<<10)
	var read int64
	for _, s := range spans {
		t := Tensor{Shape: s.e.Shape}
		if t.Shape == nil {
			t.Shape = []int{}
		}
		for left := s.end - s.begin; left > 0; {
			b := buf[:min(left, int64(len(buf)))]
			n, err := io.ReadFull(r, b)
			read += int64(n)
			if err != nil {
				return nil, formatErr("", "file is truncated: %d of %d data bytes", read, total)
			}
			for i := 0; i < n; i += 4 {
				v := math.Float32frombits(binary.LittleEndian.Uint32(b[i:]))
				if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
					return nil, formatErr(s.name, "value %d is %v", len(t.Data), v)
				}
				t.Data = append(t.Data, v) // grows with what is read, never to a declared size
			}
			left -= int64(n)
		}
		if t.Data == nil {
			t.Data = []float32{}
		}
		f.Tensors[s.name] = t
	}
	return f, nil
}

// Save writes tensors and metadata as a safetensors file, tensors in name order, the header
// padded with spaces to a multiple of 8 bytes.
func Save(w io.Writer, tensors map[string]Tensor, metadata map[string]string) error {
	names := make([]string, 0, len(tensors))
	for name, t := range tensors {
		if name == metadataKey || name == "" {
			return fmt.Errorf("checkpoint: tensor name %q is reserved", name)
		}
		if t.Size() != len(t.Data) {
			return fmt.Errorf("checkpoint: tensor %q: shape %v needs %d values, has %d", name, t.Shape, t.Size(), len(t.Data))
		}
		names = append(names, name)
	}
	slices.Sort(names)
	header := map[string]any{}
	if len(metadata) > 0 {
		header[metadataKey] = metadata
	}
	var off int64
	for _, name := range names {
		t := tensors[name]
		shape := t.Shape
		if shape == nil {
			shape = []int{}
		}
		header[name] = entry{DType: "F32", Shape: shape, DataOffsets: [2]int64{off, off + 4*int64(len(t.Data))}}
		off += 4 * int64(len(t.Data))
	}
	h, err := json.Marshal(header)
	if err != nil {
		return fmt.Errorf("checkpoint: header: %w", err)
	}
	if pad := len(h) % 8; pad != 0 {
		h = append(h, strings.Repeat(" ", 8-pad)...)
	}
	bw := &errWriter{w: w}
	var n [8]byte
	binary.LittleEndian.PutUint64(n[:], uint64(len(h)))
	bw.write(n[:])
	bw.write(h)
	buf := make([]byte, 0, 1<<16)
	for _, name := range names {
		for _, v := range tensors[name].Data {
			buf = binary.LittleEndian.AppendUint32(buf, math.Float32bits(v))
			if len(buf) == cap(buf) {
				bw.write(buf)
				buf = buf[:0]
			}
		}
	}
	bw.write(buf)
	if bw.err != nil {
		return fmt.Errorf("checkpoint: write: %w", bw.err)
	}
	return nil
}

type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) write(b []byte) {
	if e.err == nil {
		_, e.err = e.w.Write(b)
	}
}

// Expect checks that f holds exactly the named tensors with the given shapes. Its error is one
// line: how many tensors are missing, unexpected or of the wrong shape, and what is wrong with
// the first few, in name order.
func (f *File) Expect(shapes map[string][]int) error {
	var errs []*FormatError
	names := make([]string, 0, len(shapes))
	for name := range shapes {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		t, ok := f.Tensors[name]
		switch {
		case !ok:
			errs = append(errs, &FormatError{name, "missing"})
		case !slices.Equal(t.Shape, shapes[name]):
			errs = append(errs, &FormatError{name, fmt.Sprintf("shape %v, want %v", t.Shape, shapes[name])})
		}
	}
	extra := []string{}
	for name := range f.Tensors {
		if _, ok := shapes[name]; !ok {
			extra = append(extra, name)
		}
	}
	slices.Sort(extra)
	for _, name := range extra {
		errs = append(errs, &FormatError{name, "not expected in this model"})
	}
	if len(errs) == 0 {
		return nil
	}
	if len(errs) == 1 {
		return errs[0]
	}
	const shown = 3
	var b strings.Builder
	fmt.Fprintf(&b, "%d tensors do not match the model: ", len(errs))
	for i, e := range errs[:min(shown, len(errs))] {
		if i > 0 {
			b.WriteString("; ")
		}
		fmt.Fprintf(&b, "%s: %s", quoteName(e.Tensor), e.Msg)
	}
	if len(errs) > shown {
		fmt.Fprintf(&b, "; and %d more", len(errs)-shown)
	}
	return &FormatError{Msg: b.String()}
}
