package wav

import (
	"bytes"
	"encoding/binary"
	"testing"

	"github.com/latentpalette/palette/audio/stream"
)

func TestEncodeSamples(t *testing.T) {
	frames := []stream.Frame{{0, 0}, {0.5, -0.5}, {1, -1}, {2, -2}}
	i := 0
	s := stream.Func(func(buf []stream.Frame) (int, bool) {
		n := copy(buf, frames[i:])
		i += n
		return n, n > 0
	})
	var b bytes.Buffer
	if err := Encode(&b, s, 48000); err != nil {
		t.Fatal(err)
	}
	data := b.Bytes()
	if len(data) != 44+16 {
		t.Fatalf("%d bytes, want 60", len(data))
	}
	want := []int16{0, 0, 16384, -16384, 32767, -32767, 32767, -32768}
	for k, w := range want {
		if got := int16(binary.LittleEndian.Uint16(data[44+2*k:])); got != w {
			t.Errorf("sample %d = %d, want %d", k, got, w)
		}
	}
	if err := Encode(&b, s, 0); err == nil {
		t.Error("a zero sample rate was accepted")
	}
}
