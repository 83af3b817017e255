package sketch

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"fmt"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// ReadNPZ reads a sketch-rnn .npz file: a zip of .npy arrays, usually train.npy, valid.npy and
// test.npy. The result maps each entry's name without ".npy" to its drawings.
func ReadNPZ(r io.ReaderAt, size int64) (map[string][]Drawing, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("sketch: read npz: %w", err)
	}
	out := make(map[string][]Drawing)
	for _, f := range z.File {
		name, ok := strings.CutSuffix(f.Name, ".npy")
		if !ok {
			continue
		}
		ds, err := readNPZEntry(f)
		if err != nil {
			return nil, err
		}
		out[name] = ds
	}
	if len(out) == 0 {
		return nil, FormatError("npz holds no .npy arrays")
	}
	return out, nil
}

// ReadNPZSplit reads only the array split+".npy" (e.g. "train") of a sketch-rnn .npz file.
func ReadNPZSplit(r io.ReaderAt, size int64, split string) ([]Drawing, error) {
	z, err := zip.NewReader(r, size)
	if err != nil {
		return nil, fmt.Errorf("sketch: read npz: %w", err)
	}
	var names []string
	for _, f := range z.File {
		if f.Name == split+".npy" {
			return readNPZEntry(f)
		}
		if n, ok := strings.CutSuffix(f.Name, ".npy"); ok {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return nil, FormatError(fmt.Sprintf("npz has no split %q (it has %s)", split, strings.Join(names, ", ")))
}

func readNPZEntry(f *zip.File) ([]Drawing, error) {
	if f.UncompressedSize64 > MaxArrayBytes {
		return nil, limitErr("MaxArrayBytes", MaxArrayBytes, "%s inflates to %d bytes", f.Name, f.UncompressedSize64)
	}
	rc, err := f.Open()
	if err != nil {
		return nil, fmt.Errorf("sketch: read %s: %w", f.Name, err)
	}
	defer rc.Close()
	// Deflate expands at most about 1032 times: do not trust a larger declared size.
	hint := min(f.UncompressedSize64, f.CompressedSize64*1032+1024, 64<<20)
	ds, err := readNPY(rc, int64(hint))
	if err != nil {
		return nil, fmt.Errorf("sketch: read %s: %w", f.Name, err)
	}
	return ds, nil
}

var (
	npyMagic     = []byte("\x93NUMPY")
	descrRE      = regexp.MustCompile(`'descr'\s*:\s*'([^']*)'`)
	fortranRE    = regexp.MustCompile(`'fortran_order'\s*:\s*(True|False)`)
	shapeRE      = regexp.MustCompile(`'shape'\s*:\s*\(([0-9,\sL]*)\)`)
	maxNPYHeader = 1 << 20
)

// ReadNPY reads one .npy array of drawings: a NumPy object array of (n, 3) stroke-3 arrays (the
// sketch-rnn layout, pickled), or a plain numeric (n, 3) array, which is one drawing. Values in
// the third column that are not 0 lift the pen.
func ReadNPY(r io.Reader) ([]Drawing, error) {
	return readNPY(r, 0)
}

// readNPY is ReadNPY for a file whose size is known to be about sizeHint bytes.
func readNPY(r io.Reader, sizeHint int64) ([]Drawing, error) {
	var pre [10]byte
	if _, err := io.ReadFull(r, pre[:8]); err != nil {
		return nil, FormatError("not a .npy file: too short")
	}
	if !bytes.Equal(pre[:6], npyMagic) {
		return nil, FormatError("not a .npy file: no \\x93NUMPY magic")
	}
	var hlen int
	switch pre[6] {
	case 1:
		if _, err := io.ReadFull(r, pre[8:10]); err != nil {
			return nil, FormatError("npy header truncated")
		}
		hlen = int(binary.LittleEndian.Uint16(pre[8:10]))
	case 2, 3:
		var b [4]byte
		if _, err := io.ReadFull(r, b[:]); err != nil {
			return nil, FormatError("npy header truncated")
		}
		hlen = int(binary.LittleEndian.Uint32(b[:]))
	default:
		return nil, FormatError(fmt.Sprintf("npy version %d.%d is not supported", pre[6], pre[7]))
	}
	if hlen > maxNPYHeader {
		return nil, FormatError(fmt.Sprintf("npy header of %d bytes", hlen))
	}
	hb, err := readUpTo(r, int64(hlen))
	if err != nil || len(hb) != hlen {
		return nil, FormatError("npy header truncated")
	}
	h := string(hb)
	descr := descrRE.FindStringSubmatch(h)
	fortran := fortranRE.FindStringSubmatch(h)
	shapeM := shapeRE.FindStringSubmatch(h)
	if descr == nil || fortran == nil || shapeM == nil {
		return nil, FormatError(fmt.Sprintf("npy header %q lacks descr, fortran_order or shape", strings.TrimSpace(h)))
	}
	var shape []int
	for _, f := range strings.Split(shapeM[1], ",") {
		f = strings.TrimSuffix(strings.TrimSpace(f), "L")
		if f == "" {
			continue
		}
		n, err := strconv.Atoi(f)
		if err != nil || n < 0 || n > 1<<40 {
			return nil, FormatError(fmt.Sprintf("npy shape %q", shapeM[1]))
		}
		shape = append(shape, n)
	}
	if descr[1] == "|O" {
		if len(shape) != 1 {
			return nil, FormatError(fmt.Sprintf("object array of shape %v, want one dimension", shape))
		}
		buf := bytes.NewBuffer(make([]byte, 0, min(max(sizeHint, 0), MaxArrayBytes)+bytes.MinRead))
		_, err := buf.ReadFrom(io.LimitReader(r, MaxArrayBytes+1))
		data := buf.Bytes()
		if err != nil {
			return nil, fmt.Errorf("sketch: read npy: %w", err)
		}
		if len(data) > MaxArrayBytes {
			return nil, limitErr("MaxArrayBytes", MaxArrayBytes, "an array of more than %d bytes", MaxArrayBytes)
		}
		a, err := unpickleArray(data)
		if err != nil {
			return nil, err
		}
		if a.dtype.str != "O8" && a.dtype.str != "O" {
			return nil, FormatError(fmt.Sprintf("pickled array of dtype %s, want objects", a.dtype.str))
		}
		if len(a.objects) != shape[0] {
			return nil, FormatError(fmt.Sprintf("npy header says %d drawings, pickle holds %d", shape[0], len(a.objects)))
		}
		ds := make([]Drawing, len(a.objects))
		points := 0
		for i, o := range a.objects {
			e, ok := o.(*ndarray)
			if !ok || e.dtype == nil {
				return nil, FormatError(fmt.Sprintf("drawing %d is %T, not an array", i, o))
			}
			if len(e.shape) > 0 {
				if points += e.shape[0]; points > MaxFilePoints {
					return nil, limitErr("MaxFilePoints", MaxFilePoints, "more than %d points by drawing %d", MaxFilePoints, i)
				}
			}
			if ds[i], err = e.drawing(); err != nil {
				return nil, fmt.Errorf("drawing %d: %w", i, err)
			}
		}
		return ds, nil
	}
	if len(descr[1]) < 2 || !strings.Contains("<>|=", descr[1][:1]) {
		return nil, FormatError(fmt.Sprintf("npy descr %q", descr[1]))
	}
	order, typ := descr[1][:1], descr[1][1:]
	a := &ndarray{shape: shape, dtype: &dtype{str: typ, order: order[0]}, fortran: fortran[1] == "True"}
	if err := a.checkShape(); err != nil {
		return nil, err
	}
	size, _ := itemSize(typ)
	want := int64(a.shape[0]) * 3 * int64(size)
	if want > MaxArrayBytes {
		return nil, limitErr("MaxArrayBytes", MaxArrayBytes, "an array of %d bytes", want)
	}
	if a.raw, err = readUpTo(r, want); err != nil {
		return nil, fmt.Errorf("sketch: read npy: %w", err)
	}
	d, err := a.drawing()
	if err != nil {
		return nil, err
	}
	return []Drawing{d}, nil
}

// readUpTo reads at most n bytes, growing its buffer only as data arrives.
func readUpTo(r io.Reader, n int64) ([]byte, error) {
	return io.ReadAll(io.LimitReader(r, n))
}

func itemSize(typ string) (int, bool) {
	switch typ {
	case "i1", "u1", "b1":
		return 1, true
	case "i2", "u2":
		return 2, true
	case "i4", "u4", "f4":
		return 4, true
	case "i8", "u8", "f8":
		return 8, true
	}
	return 0, false
}

func (a *ndarray) checkShape() error {
	if len(a.shape) != 2 || a.shape[1] != 3 {
		return FormatError(fmt.Sprintf("array of shape %v, want (n, 3) stroke-3 points", a.shape))
	}
	if _, ok := itemSize(a.dtype.str); !ok {
		return FormatError(fmt.Sprintf("array of dtype %q, want integers or floats", a.dtype.str))
	}
	if a.shape[0] == 0 {
		return FormatError("empty drawing: no points")
	}
	if a.shape[0] > MaxPoints {
		return limitErr("MaxPoints", MaxPoints, "a drawing of %d points", a.shape[0])
	}
	return nil
}

// drawing converts a numeric (n, 3) array to stroke-3 points.
func (a *ndarray) drawing() (Drawing, error) {
	if err := a.checkShape(); err != nil {
		return nil, err
	}
	size, _ := itemSize(a.dtype.str)
	n := a.shape[0]
	if int64(len(a.raw)) != int64(n)*3*int64(size) {
		return nil, FormatError(fmt.Sprintf("array of %d points holds %d bytes, want %d", n, len(a.raw), n*3*size))
	}
	var bo binary.ByteOrder = binary.LittleEndian
	if a.dtype.order == '>' {
		bo = binary.BigEndian
	}
	kind := a.dtype.str[0]
	at := func(i, j int) float64 {
		k := i*3 + j
		if a.fortran {
			k = j*n + i
		}
		b := a.raw[k*size:]
		switch {
		case kind == 'f' && size == 4:
			return float64(math.Float32frombits(bo.Uint32(b)))
		case kind == 'f':
			return math.Float64frombits(bo.Uint64(b))
		case size == 1 && kind == 'i':
			return float64(int8(b[0]))
		case size == 1:
			return float64(b[0])
		case size == 2 && kind == 'i':
			return float64(int16(bo.Uint16(b)))
		case size == 2:
			return float64(bo.Uint16(b))
		case size == 4 && kind == 'i':
			return float64(int32(bo.Uint32(b)))
		case size == 4:
			return float64(bo.Uint32(b))
		case kind == 'i':
			return float64(int64(bo.Uint64(b)))
		default:
			return float64(bo.Uint64(b))
		}
	}
	d := make(Drawing, n)
	if a.dtype.str == "i2" && a.dtype.order != '>' && !a.fortran {
		// sketch-rnn's layout: int16 rows, which cannot exceed MaxCoord.
		for i := range d {
			b := a.raw[6*i : 6*i+6]
			d[i] = Point{
				DX:      float32(int16(binary.LittleEndian.Uint16(b))),
				DY:      float32(int16(binary.LittleEndian.Uint16(b[2:]))),
				PenLift: binary.LittleEndian.Uint16(b[4:]) != 0,
			}
		}
		return d, nil
	}
	for i := range d {
		dx, dy, pen := at(i, 0), at(i, 1), at(i, 2)
		if !validCoord(dx) || !validCoord(dy) || math.IsNaN(pen) {
			return nil, FormatError(fmt.Sprintf("point %d is (%g, %g, %g): offsets must be finite and within +/-%g", i, dx, dy, pen, MaxCoord))
		}
		d[i] = Point{DX: float32(dx), DY: float32(dy), PenLift: pen != 0}
	}
	return d, nil
}
