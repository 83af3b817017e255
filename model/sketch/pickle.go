package sketch

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/big"
	"unicode/utf8"

	"github.com/nlpodyssey/gopickle/pickle"
	"github.com/nlpodyssey/gopickle/types"
)

// The sketch-rnn .npy files are NumPy object arrays, pickled by Python 2 with protocol 2:
//
//	_reconstruct(ndarray, (0,), 'b') + BUILD (1, shape, dtype('O8'), False, [elements])
//
// and each element is an int16 array whose BUILD state carries its raw bytes. unpickleArray
// answers only the globals that takes (and _codecs.encode, which Python 3 uses for bytes in
// protocol 2); every other global is refused, and the opcode stream is checked first so that
// nothing hostile or oversized is ever handed to the unpickler.

// maxPickleOps bounds the opcodes of one pickle: sketch-rnn's arrays take about 15 per drawing.
const maxPickleOps = 1 << 24

// allowedGlobal lists the Python globals a NumPy array pickle may name.
func allowedGlobal(module, name string) (any, bool) {
	switch module + "." + name {
	case "numpy.core.multiarray._reconstruct", "numpy._core.multiarray._reconstruct":
		return reconstruct{}, true
	case "numpy.ndarray":
		return ndarrayClass{}, true
	case "numpy.dtype":
		return dtypeClass{}, true
	case "_codecs.encode":
		return codecsEncode{}, true
	}
	return nil, false
}

// unpickleArray decodes a pickled NumPy array. gopickle may panic on garbage, so a panic becomes
// an error here.
func unpickleArray(data []byte) (arr *ndarray, err error) {
	if err := checkPickle(data); err != nil {
		return nil, err
	}
	defer func() {
		if r := recover(); r != nil {
			arr, err = nil, FormatError(fmt.Sprintf("malformed pickle: %v", r))
		}
	}()
	u := pickle.NewUnpickler(&byteReader{data: data})
	u.FindClass = func(module, name string) (any, error) {
		if c, ok := allowedGlobal(module, name); ok {
			return c, nil
		}
		return nil, &UnsafePickleError{Module: module, Name: name}
	}
	v, err := u.Load()
	if err != nil {
		if _, ok := err.(*UnsafePickleError); ok {
			return nil, err
		}
		return nil, FormatError("malformed pickle: " + err.Error())
	}
	a, ok := v.(*ndarray)
	if !ok || a.dtype == nil {
		return nil, FormatError(fmt.Sprintf("pickle holds %T, not a NumPy array", v))
	}
	return a, nil
}

// byteReader is a minimal io.Reader and io.ByteReader over a byte slice.
type byteReader struct {
	data []byte
	off  int
}

func (r *byteReader) Read(p []byte) (int, error) {
	if r.off >= len(r.data) {
		return 0, io.EOF
	}
	n := copy(p, r.data[r.off:])
	r.off += n
	return n, nil
}

func (r *byteReader) ReadByte() (byte, error) {
	if r.off >= len(r.data) {
		return 0, io.EOF
	}
	b := r.data[r.off]
	r.off++
	return b, nil
}

// checkPickle walks the opcode stream without interpreting it. It accepts only the opcodes a
// pickled NumPy array uses, checks that every length stays inside the data (gopickle allocates
// the length it reads before reading), and refuses GLOBAL names outside allowedGlobal and
// streams of more than maxPickleOps opcodes (each may make an object: a list of references to
// one array would otherwise grow far beyond the bytes of the file).
func checkPickle(data []byte) error {
	off := 0
	ops := 0
	need := func(n uint64) error {
		if n > uint64(len(data)-off) {
			return FormatError(fmt.Sprintf("pickle truncated at byte %d", off))
		}
		return nil
	}
	// skip consumes a length field of size bytes, then that many bytes.
	skip := func(size int) error {
		if err := need(uint64(size)); err != nil {
			return err
		}
		var n uint64
		switch size {
		case 1:
			n = uint64(data[off])
		case 4:
			n = uint64(binary.LittleEndian.Uint32(data[off:]))
		case 8:
			n = binary.LittleEndian.Uint64(data[off:])
		}
		off += size
		if err := need(n); err != nil {
			return err
		}
		off += int(n)
		return nil
	}
	line := func() (string, error) {
		for i := off; i < len(data); i++ {
			if data[i] == '\n' {
				s := string(data[off:i])
				off = i + 1
				return s, nil
			}
		}
		return "", FormatError(fmt.Sprintf("pickle truncated at byte %d", off))
	}
	for off < len(data) {
		if ops++; ops > maxPickleOps {
			return limitErr("maxPickleOps", maxPickleOps, "a pickle of more than %d opcodes", maxPickleOps)
		}
		at := off
		op := data[off]
		off++
		var err error
		switch op {
		case '.': // STOP
			return nil
		case '(', '0', '1', '2', 'N', 't', ')', ']', '}', 'a', 'e', 's', 'u', 'R', 'b',
			0x85, 0x86, 0x87, 0x88, 0x89, 0x93, 0x94: // MARK ... STACK_GLOBAL, MEMOIZE
		case 0x80, 'K', 'h', 'q': // PROTO, BININT1, BINGET, BINPUT
			err = need(1)
			off++
		case 'M': // BININT2
			err = need(2)
			off += 2
		case 'J', 'j', 'r': // BININT, LONG_BINGET, LONG_BINPUT
			err = need(4)
			off += 4
		case 'G': // BINFLOAT
			err = need(8)
			off += 8
		case 0x95: // FRAME: its size must fit, its opcodes follow inline
			if err = need(8); err == nil {
				n := binary.LittleEndian.Uint64(data[off:])
				off += 8
				err = need(n)
			}
		case 0x8a, 'U', 'C', 0x8c: // LONG1, SHORT_BINSTRING, SHORT_BINBYTES, SHORT_BINUNICODE
			err = skip(1)
		case 'T', 'B', 'X': // BINSTRING, BINBYTES, BINUNICODE
			err = skip(4)
		case 0x8d, 0x8e, 0x96: // BINUNICODE8, BINBYTES8, BYTEARRAY8
			err = skip(8)
		case 'I', 'L': // INT, LONG (protocol 0)
			_, err = line()
		case 'c': // GLOBAL
			var module, name string
			if module, err = line(); err == nil {
				if name, err = line(); err == nil {
					if _, ok := allowedGlobal(module, name); !ok {
						return &UnsafePickleError{Module: module, Name: name}
					}
				}
			}
		default:
			return FormatError(fmt.Sprintf("pickle opcode 0x%02x at byte %d is not used by NumPy arrays", op, at))
		}
		if err != nil {
			return err
		}
		if off > len(data) {
			return FormatError(fmt.Sprintf("pickle truncated at byte %d", at))
		}
	}
	return FormatError("pickle has no STOP opcode")
}

// reconstruct stands for numpy.core.multiarray._reconstruct(ndarray, shape, typecode): it
// makes an empty array that the following BUILD fills in.
type reconstruct struct{}

func (reconstruct) Call(args ...any) (any, error) {
	if len(args) != 3 {
		return nil, FormatError(fmt.Sprintf("_reconstruct takes 3 arguments, got %d", len(args)))
	}
	if _, ok := args[0].(ndarrayClass); !ok {
		return nil, FormatError(fmt.Sprintf("_reconstruct of %T, want numpy.ndarray", args[0]))
	}
	return &ndarray{}, nil
}

// ndarrayClass stands for numpy.ndarray, only ever an argument of _reconstruct.
type ndarrayClass struct{}

// dtypeClass stands for numpy.dtype(str, align, copy).
type dtypeClass struct{}

func (dtypeClass) Call(args ...any) (any, error) {
	if len(args) < 1 {
		return nil, FormatError("dtype without a type string")
	}
	s, ok := args[0].(string)
	if !ok {
		return nil, FormatError(fmt.Sprintf("dtype of %T, want a type string", args[0]))
	}
	return &dtype{str: s, order: '|'}, nil
}

// dtype is a NumPy scalar type such as 'i2' with its byte order ('<', '>', '|' or '=').
type dtype struct {
	str   string
	order byte
}

// PySetState takes dtype's state (version, byteorder, subarray, names, fields, elsize, alignment, flags).
func (d *dtype) PySetState(state any) error {
	t, ok := state.(*types.Tuple)
	if !ok || t.Len() < 2 {
		return FormatError(fmt.Sprintf("dtype state is %T, want a tuple", state))
	}
	order, ok := t.Get(1).(string)
	if !ok || len(order) != 1 {
		return FormatError(fmt.Sprintf("dtype byte order %v", t.Get(1)))
	}
	d.order = order[0]
	return nil
}

// ndarray is an array as its pickle describes it: shape, type, and either raw little- or
// big-endian bytes or (for object arrays) a list of elements.
type ndarray struct {
	shape   []int
	dtype   *dtype
	fortran bool
	raw     []byte
	objects []any
}

// PySetState takes ndarray's state ([version,] shape, dtype, is_fortran, data).
func (a *ndarray) PySetState(state any) error {
	t, ok := state.(*types.Tuple)
	if !ok || (t.Len() != 4 && t.Len() != 5) {
		return FormatError(fmt.Sprintf("ndarray state is %T, want a 4- or 5-tuple", state))
	}
	s := []any(*t)
	if len(s) == 5 {
		s = s[1:]
	}
	shape, ok := s[0].(*types.Tuple)
	if !ok {
		return FormatError(fmt.Sprintf("ndarray shape is %T, want a tuple", s[0]))
	}
	a.shape = a.shape[:0]
	for _, v := range *shape {
		n, ok := toInt(v)
		if !ok || n < 0 || n > 1<<40 {
			return FormatError(fmt.Sprintf("ndarray dimension %v", v))
		}
		a.shape = append(a.shape, n)
	}
	if a.dtype, ok = s[1].(*dtype); !ok {
		return FormatError(fmt.Sprintf("ndarray dtype is %T", s[1]))
	}
	a.fortran, _ = s[2].(bool)
	switch data := s[3].(type) {
	case string: // Python 2 str: the bytes themselves
		a.raw = []byte(data)
	case []byte:
		a.raw = data
	case *types.List:
		a.objects = []any(*data)
	default:
		return FormatError(fmt.Sprintf("ndarray data is %T", s[3]))
	}
	return nil
}

// codecsEncode stands for _codecs.encode(str, 'latin1'), Python 3's way to pickle bytes in
// protocol 2. gopickle hands over the str as UTF-8; latin-1 maps each code point to one byte.
type codecsEncode struct{}

func (codecsEncode) Call(args ...any) (any, error) {
	if len(args) != 2 {
		return nil, FormatError("_codecs.encode takes 2 arguments")
	}
	s, ok1 := args[0].(string)
	enc, ok2 := args[1].(string)
	if !ok1 || !ok2 || (enc != "latin1" && enc != "latin-1") {
		return nil, FormatError("_codecs.encode supports only latin1 strings")
	}
	b := make([]byte, 0, len(s))
	for len(s) > 0 {
		r, n := utf8.DecodeRuneInString(s)
		if r > 0xff {
			return nil, FormatError("_codecs.encode: character beyond latin-1")
		}
		b = append(b, byte(r))
		s = s[n:]
	}
	return b, nil
}

func toInt(v any) (int, bool) {
	switch n := v.(type) {
	case int:
		return n, true
	case int64:
		return int(n), true
	case *big.Int:
		if n.IsInt64() {
			return int(n.Int64()), true
		}
	case bool:
		if n {
			return 1, true
		}
		return 0, true
	}
	return 0, false
}
