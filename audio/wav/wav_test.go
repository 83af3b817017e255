package wav

import (
	"bytes"
	"encoding/binary"
	"os"
	"path/filepath"
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

// TestEncodeFile streams into a file (an io.WriteSeeker) after some bytes already there, and
// must give the same bytes as the in-memory path.
func TestEncodeFile(t *testing.T) {
	gen := func() stream.Streamer {
		i := 0
		return stream.Func(func(buf []stream.Frame) (int, bool) {
			k := 0
			for ; k < len(buf) && i < 10000; k++ {
				buf[k] = stream.Frame{float64(i%200)/100 - 1, 0.25}
				i++
			}
			return k, k > 0
		})
	}
	var mem bytes.Buffer
	if err := Encode(&mem, gen(), 44100); err != nil {
		t.Fatal(err)
	}
	f, err := os.Create(filepath.Join(t.TempDir(), "x.wav"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("lead"); err != nil {
		t.Fatal(err)
	}
	if err := Encode(f, gen(), 44100); err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString("tail"); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(f.Name())
	if err != nil {
		t.Fatal(err)
	}
	want := "lead" + mem.String() + "tail"
	if string(got) != want {
		t.Errorf("the file holds %d bytes, differing from the %d of the in-memory encoding", len(got), len(want))
	}
}
