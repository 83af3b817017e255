package audio

import (
	"bytes"
	"encoding/binary"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/latentpalette/palette/audio/synth"
)

// TestWAVHeader checks the RIFF header field by field against the render's length.
func TestWAVHeader(t *testing.T) {
	for _, sr := range []int{44100, 48000} {
		var b bytes.Buffer
		if err := WriteWAV(&b, tune, RenderOptions{SampleRate: sr, BPM: 200}); err != nil {
			t.Fatal(err)
		}
		frames := len(render(t, tune, RenderOptions{SampleRate: sr, BPM: 200}))
		data := b.Bytes()
		le := binary.LittleEndian
		checks := []struct {
			name      string
			got, want any
		}{
			{"RIFF", string(data[0:4]), "RIFF"},
			{"RIFF size", le.Uint32(data[4:]), uint32(len(data) - 8)},
			{"WAVE", string(data[8:12]), "WAVE"},
			{"fmt ", string(data[12:16]), "fmt "},
			{"fmt size", le.Uint32(data[16:]), uint32(16)},
			{"PCM", le.Uint16(data[20:]), uint16(1)},
			{"channels", le.Uint16(data[22:]), uint16(2)},
			{"sample rate", le.Uint32(data[24:]), uint32(sr)},
			{"byte rate", le.Uint32(data[28:]), uint32(sr * 4)},
			{"block align", le.Uint16(data[32:]), uint16(4)},
			{"bits", le.Uint16(data[34:]), uint16(16)},
			{"data", string(data[36:40]), "data"},
			{"data size", le.Uint32(data[40:]), uint32(frames * 4)},
			{"file size", len(data), 44 + frames*4},
		}
		for _, c := range checks {
			if c.got != c.want {
				t.Errorf("%d Hz: %s = %v, want %v", sr, c.name, c.got, c.want)
			}
		}
	}
}

// TestSox has Debian's sox read every instrument's render: the header it reports and the
// peak it measures.
func TestSox(t *testing.T) {
	sox, err := exec.LookPath("sox")
	if err != nil {
		t.Skip("sox is not installed (Debian: apt-get install sox); skipping the check with a real tool")
	}
	dir := t.TempDir()
	for _, name := range synth.Names() {
		path := filepath.Join(dir, name+".wav")
		var b bytes.Buffer
		if err := WriteWAV(&b, tune, RenderOptions{Instrument: name, BPM: 120, Loops: 2}); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		// 2 passes of 2 bars at 120 BPM is 8 s, plus the last note's release.
		maxAmp, minAmp, rms := soxCheck(t, sox, path, 8, 8.5)
		t.Logf("%s: sox stat max %.3f min %.3f rms %.3f", name, maxAmp, minAmp, rms)
		if rms < 0.02 {
			t.Errorf("%s: sox sees an RMS of %.4f: too quiet to hear", name, rms)
		}
	}
}

// soxCheck has sox read the WAV file at path: the header must say 16-bit stereo PCM at
// 44.1 kHz, the duration must be minDur to maxDur seconds and the peaks below 0 dBFS with
// margin. It returns the amplitudes sox measures.
func soxCheck(t *testing.T, sox, path string, minDur, maxDur float64) (maxAmp, minAmp, rms float64) {
	t.Helper()
	name := filepath.Base(path)
	info, err := exec.Command(sox, "--i", path).CombinedOutput()
	if err != nil {
		t.Fatalf("sox --i %s: %v\n%s", name, err, info)
	}
	for _, want := range []string{"Channels       : 2", "Sample Rate    : 44100", "Precision      : 16-bit", "Sample Encoding: 16-bit Signed Integer PCM"} {
		if !strings.Contains(string(info), want) {
			t.Errorf("%s: sox --i lacks %q:\n%s", name, want, info)
		}
	}
	if m := regexp.MustCompile(`Duration\s*:\s*00:00:(\d+\.\d+)`).FindStringSubmatch(string(info)); m == nil {
		t.Errorf("%s: no duration in sox --i:\n%s", name, info)
	} else if d, _ := strconv.ParseFloat(m[1], 64); d < minDur || d > maxDur {
		t.Errorf("%s: duration %.2f s, want %g to %g s", name, d, minDur, maxDur)
	}
	stat, err := exec.Command(sox, path, "-n", "stat").CombinedOutput()
	if err != nil {
		t.Fatalf("sox stat %s: %v\n%s", name, err, stat)
	}
	maxAmp = statField(t, string(stat), "Maximum amplitude")
	minAmp = statField(t, string(stat), "Minimum amplitude")
	rms = statField(t, string(stat), "RMS     amplitude")
	if maxAmp >= 0.99 || minAmp <= -0.99 {
		t.Errorf("%s: sox sees a peak of %.3f/%.3f, want below 0 dBFS with margin", name, maxAmp, minAmp)
	}
	return maxAmp, minAmp, rms
}

func statField(t *testing.T, stat, name string) float64 {
	t.Helper()
	m := regexp.MustCompile(regexp.QuoteMeta(name) + `:\s*(-?[0-9.]+)`).FindStringSubmatch(stat)
	if m == nil {
		t.Fatalf("sox stat has no %q:\n%s", name, stat)
	}
	v, err := strconv.ParseFloat(m[1], 64)
	if err != nil {
		t.Fatalf("sox stat %q: %v", name, err)
	}
	return v
}
