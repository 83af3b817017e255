// Package wav writes a stream as a WAV file: 16-bit PCM stereo in a RIFF container, the
// offline consumer of the same stream the speaker plays.
package wav

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/latentpalette/palette/audio/stream"
)

// MaxFrames bounds a file (about 3 hours at 44.1 kHz), so an endless stream fails with an
// error instead of eating memory or disk; RIFF sizes are 32-bit anyway.
const MaxFrames = 1 << 29

// ErrEndless is returned by Encode for a stream that does not end within MaxFrames.
var ErrEndless = errors.New("stream does not end: take a finite part first")

// Encode writes s, sampled at sampleRate, to w as a 16-bit PCM stereo WAV file. s must end.
// The RIFF header carries the data's size: when w is an io.WriteSeeker (a file) Encode streams
// and patches the header at the end; otherwise it gathers the data in memory first.
func Encode(w io.Writer, s stream.Streamer, sampleRate int) error {
	if sampleRate <= 0 {
		return fmt.Errorf("wav: sample rate %d is not positive", sampleRate)
	}
	if ws, ok := w.(io.WriteSeeker); ok {
		start, err := ws.Seek(0, io.SeekCurrent)
		if err == nil {
			return encodeSeeking(ws, start, s, sampleRate)
		}
	}
	var data bytes.Buffer
	size, err := writeData(&data, s)
	if err != nil {
		return err
	}
	if err := binary.Write(w, binary.LittleEndian, newHeader(sampleRate, size)); err != nil {
		return fmt.Errorf("wav: write header: %w", err)
	}
	if _, err := data.WriteTo(w); err != nil {
		return fmt.Errorf("wav: write data: %w", err)
	}
	return nil
}

// encodeSeeking writes a header, the data, and then the header again with the sizes filled in.
func encodeSeeking(w io.WriteSeeker, start int64, s stream.Streamer, sampleRate int) error {
	if err := binary.Write(w, binary.LittleEndian, newHeader(sampleRate, 0)); err != nil {
		return fmt.Errorf("wav: write header: %w", err)
	}
	bw := bufio.NewWriterSize(w, 1<<16)
	size, err := writeData(bw, s)
	if err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return fmt.Errorf("wav: write data: %w", err)
	}
	if _, err := w.Seek(start, io.SeekStart); err != nil {
		return fmt.Errorf("wav: seek to the header: %w", err)
	}
	if err := binary.Write(w, binary.LittleEndian, newHeader(sampleRate, size)); err != nil {
		return fmt.Errorf("wav: write header: %w", err)
	}
	if _, err := w.Seek(start+headerSize+int64(size), io.SeekStart); err != nil {
		return fmt.Errorf("wav: seek past the data: %w", err)
	}
	return nil
}

// writeData writes s's frames to w as 16-bit samples and returns the bytes written.
func writeData(w io.Writer, s stream.Streamer) (int, error) {
	buf := make([]stream.Frame, 4096)
	pcm := make([]byte, 4*len(buf))
	frames := 0
	for {
		n, ok := s.Stream(buf)
		for i, f := range buf[:n] {
			binary.LittleEndian.PutUint16(pcm[4*i:], uint16(toInt16(f[0])))
			binary.LittleEndian.PutUint16(pcm[4*i+2:], uint16(toInt16(f[1])))
		}
		if _, err := w.Write(pcm[:4*n]); err != nil {
			return 0, fmt.Errorf("wav: write data: %w", err)
		}
		frames += n
		if frames > MaxFrames {
			return 0, fmt.Errorf("wav: %w", ErrEndless)
		}
		if !ok || n < len(buf) {
			return 4 * frames, nil
		}
	}
}

const headerSize = 44

// newHeader is the header of a 16-bit stereo PCM file holding size bytes of samples.
func newHeader(sampleRate, size int) *header {
	const channels, bits = 2, 16
	blockAlign := channels * bits / 8
	return &header{
		Riff:          [4]byte{'R', 'I', 'F', 'F'},
		RiffSize:      uint32(headerSize - 8 + size),
		Wave:          [4]byte{'W', 'A', 'V', 'E'},
		Fmt:           [4]byte{'f', 'm', 't', ' '},
		FmtSize:       16,
		AudioFormat:   1, // PCM
		Channels:      channels,
		SampleRate:    uint32(sampleRate),
		ByteRate:      uint32(sampleRate * blockAlign),
		BlockAlign:    uint16(blockAlign),
		BitsPerSample: bits,
		Data:          [4]byte{'d', 'a', 't', 'a'},
		DataSize:      uint32(size),
	}
}

// header is the canonical 44-byte RIFF/WAVE header of a PCM file.
type header struct {
	Riff          [4]byte
	RiffSize      uint32
	Wave          [4]byte
	Fmt           [4]byte
	FmtSize       uint32
	AudioFormat   uint16
	Channels      uint16
	SampleRate    uint32
	ByteRate      uint32
	BlockAlign    uint16
	BitsPerSample uint16
	Data          [4]byte
	DataSize      uint32
}

// toInt16 rounds x in [-1, 1] to a 16-bit sample, saturating outside.
func toInt16(x float64) int16 {
	v := math.Round(x * 32767)
	return int16(math.Max(-32768, math.Min(32767, v)))
}
