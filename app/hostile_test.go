//go:build linux

package main

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"fmt"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/latentpalette/palette/assets"
	"github.com/latentpalette/palette/model/checkpoint"
	"github.com/latentpalette/palette/model/magenta"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/musicvae"
)

// asMain makes the test binary run palette itself (run with its arguments), so that the hostile
// corpus runs the real command line in a process of its own, whose time and memory are measured.
const asMain = "PALETTE_TEST_AS_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(asMain) == "1" {
		// A guard, not the measure: a case that asks for far more than the 2 GB the test allows
		// fails to get it instead of pressing the machine.
		lim := uint64(4 << 30)
		syscall.Setrlimit(syscall.RLIMIT_AS, &syscall.Rlimit{Cur: lim, Max: lim})
		os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
	}
	os.Exit(m.Run())
}

// hostileCase is one command line of the corpus. want is the exit status it must give: 2, or
// -1 for "0 with a valid output, or 2". out is the file it may write ("" for none); a special
// file there must still be one afterwards.
type hostileCase struct {
	kind, name string
	args       []string
	want       int
	out        string
}

// TestHostileCorpus runs palette on hostile files and arguments of every kind issue 19 lists:
// each must exit 0 with a valid output or 2 with one line and no output, in under 20 s and
// 2 GB, without replacing anything that is not a regular file.
func TestHostileCorpus(t *testing.T) {
	if testing.Short() {
		t.Skip("the hostile corpus runs palette some 70 times")
	}
	if raceEnabled {
		t.Skip("the hostile corpus measures the time and memory of palette as built, not under the race detector")
	}
	dir := t.TempDir()
	p := func(name string) string { return filepath.Join(dir, name) }
	tune := writeTestMIDI(t, dir)
	melodyModel, _ := writeTestModel(t, dir)
	cases := hostileFiles(t, dir)

	fifo := func(name string) string {
		if err := syscall.Mkfifo(p(name), 0o644); err != nil {
			t.Fatal(err)
		}
		return p(name)
	}
	for _, name := range []string{"fifo.mid", "fifo.ndjson", "fifo.safetensors", "fifo.json", "fifo-out.png", "fifo-out.mid"} {
		fifo(name)
	}
	devices := []string{"dev.png", "dev.svg", "dev.mid", "dev.wav", "dev.safetensors", "dev.ndjson"}
	for _, name := range devices {
		// A character device like /dev/null (1, 3), made here so that no system device is at risk.
		if err := syscall.Mknod(p(name), syscall.S_IFCHR|0o666, 1<<8|3); err != nil {
			t.Skipf("cannot make a device node (%v): the device cases need root", err)
		}
	}
	if err := os.Symlink("dev.png", p("link-to-dev.png")); err != nil {
		t.Fatal(err)
	}
	os.Mkdir(p("outdir.png"), 0o755)
	os.Mkdir(p("indir.mid"), 0o755)
	os.Mkdir(p("indir.ndjson"), 0o755)
	fifoCfg := p("magenta-fifo")
	os.Mkdir(fifoCfg, 0o755)
	if err := syscall.Mkfifo(filepath.Join(fifoCfg, magenta.ConfigFile), 0o644); err != nil {
		t.Fatal(err)
	}
	ndjson := p("ok.ndjson")
	writeFile(t, ndjson, []byte(`{"word":"sheep","key_id":"1","drawing":[[[0,40,80,40],[0,30,0,0]],[[10,70],[50,50]]]}`+"\n"))

	sk := func(cmd string, args ...string) []string { return append([]string{"sketch", cmd}, args...) }
	mel := func(cmd string, args ...string) []string { return append([]string{"melody", cmd}, args...) }
	cases = append(cases, []hostileCase{
		// Out of memory: flags each in range that together ask for a 64 GB image.
		{"memory", "sample sheet of 64 GB", sk("sample", "-n", "1000", "--per-row", "1000", "--size", "4096", "-o", p("huge.png")), 2, p("huge.png")},
		{"memory", "reconstruct sheet of 1001 columns", sk("reconstruct", ndjson, "--index", "0-0,0-999", "--size", "4096", "-o", p("wide.png")), 2, p("wide.png")},
		// Named pipes and directories where files are read.
		{"pipe", "MIDI is a pipe", mel("encode", p("fifo.mid")), 2, ""},
		{"pipe", "render MIDI is a pipe", mel("render", p("fifo.mid"), "-o", p("r.wav")), 2, p("r.wav")},
		{"pipe", "drawings are a pipe", sk("reconstruct", p("fifo.ndjson"), "-o", p("f.png")), 2, p("f.png")},
		{"pipe", "eval data is a pipe", sk("eval", "--data", p("fifo.ndjson")), 2, ""},
		{"pipe", "sketch model is a pipe", sk("sample", "--model", p("fifo.safetensors"), "-o", p("m.png")), 2, p("m.png")},
		{"pipe", "melody model is a pipe", mel("sample", "--model", p("fifo.safetensors"), "-o", p("m.mid")), 2, p("m.mid")},
		{"pipe", "z file is a pipe", mel("decode", "--z", p("fifo.json")), 2, ""},
		{"pipe", "Magenta config.json is a pipe", mel("sample", "--model", fifoCfg, "-o", p("c.mid")), 2, p("c.mid")},
		{"pipe", "MIDI is a directory", mel("encode", p("indir.mid")), 2, ""},
		{"pipe", "drawings are a directory", sk("eval", "--data", p("indir.ndjson")), 2, ""},
		{"pipe", "device as drawings", sk("eval", "--data", p("dev.ndjson")), 2, ""},
		// Outputs that are not regular files, or not in an existing folder.
		{"device", "sketch -o device", sk("sample", "-n", "1", "-o", p("dev.png")), 2, p("dev.png")},
		{"device", "sketch -o device svg", sk("sample", "-n", "1", "-o", p("dev.svg")), 2, p("dev.svg")},
		{"device", "sketch -o link to device", sk("sample", "-n", "1", "-o", p("link-to-dev.png")), 2, p("dev.png")},
		{"device", "melody -o device", mel("sample", "-n", "1", "-o", p("dev.mid")), 2, p("dev.mid")},
		{"device", "reconstruct -o device", mel("reconstruct", tune, "-o", p("dev.mid")), 2, p("dev.mid")},
		{"device", "render -o device", mel("render", tune, "-o", p("dev.wav")), 2, p("dev.wav")},
		{"device", "convert to device", []string{"model", "convert", "builtin:melody", p("dev.safetensors")}, 2, p("dev.safetensors")},
		{"device", "sketch -o pipe", sk("sample", "-n", "1", "-o", p("fifo-out.png")), 2, p("fifo-out.png")},
		{"device", "melody -o pipe", mel("sample", "-n", "1", "-o", p("fifo-out.mid")), 2, p("fifo-out.mid")},
		{"device", "sketch -o directory", sk("sample", "-n", "1", "-o", p("outdir.png")), 2, p("outdir.png")},
		{"device", "sketch -o missing folder", sk("sample", "-n", "1", "-o", p("none/x.png")), 2, p("none/x.png")},
		{"device", "melody -o missing folder", mel("sample", "-n", "1", "-o", p("none/x.mid")), 2, p("none/x.mid")},
		// Values out of range.
		{"value", "line width NaN", sk("sample", "-n", "1", "--line-width", "NaN", "-o", p("lw.svg")), 2, p("lw.svg")},
		{"value", "line width Inf", sk("sample", "-n", "1", "--line-width", "Inf", "-o", p("lw.svg")), 2, p("lw.svg")},
		{"value", "line width 0", sk("sample", "-n", "1", "--line-width", "0", "-o", p("lw.png")), 2, p("lw.png")},
		{"value", "line width -3", sk("sample", "-n", "1", "--line-width", "-3", "-o", p("lw.png")), 2, p("lw.png")},
		{"value", "sketch temperature NaN", sk("sample", "-n", "1", "--temperature", "NaN", "-o", p("t.png")), 2, p("t.png")},
		{"value", "sketch temperature Inf", sk("sample", "-n", "1", "--temperature", "+Inf", "-o", p("t.png")), 2, p("t.png")},
		{"value", "melody temperature NaN", mel("sample", "--temperature", "NaN", "-o", p("t.mid")), 2, p("t.mid")},
		{"value", "melody bpm Inf", mel("sample", "--bpm", "Inf", "-o", p("t.mid")), -1, p("t.mid")},
		{"value", "render bpm NaN", mel("render", tune, "--bpm", "NaN", "-o", p("b.wav")), 2, p("b.wav")},
		{"value", "z of 1e39", mel("decode", "--z", writeFile(t, p("big.json"), []byte("[1e39, 0]"))), 2, ""},
		{"value", "z of the wrong size", mel("decode", "--model", melodyModel, "--z", writeFile(t, p("short.json"), []byte("[[1, 2]]"))), 2, ""},
		// Errors in one line: bad flag values, unknown commands.
		{"lines", "sketch bad int flag", sk("sample", "--size", "big", "-o", p("s.png")), 2, p("s.png")},
		{"lines", "sketch unknown flag", sk("reconstruct", ndjson, "--nope", "-o", p("s.png")), 2, p("s.png")},
		{"lines", "melody bad flag", mel("sample", "-n", "x", "-o", p("s.mid")), 2, p("s.mid")},
		{"lines", "unknown command", []string{"sketch", "paint", strings.Repeat("x", 5000)}, 2, ""},
		{"lines", "long index", sk("reconstruct", ndjson, "--index", strings.Repeat("9", 5000), "-o", p("s.png")), 2, p("s.png")},
		// Good input still works.
		{"ok", "reconstruct", sk("reconstruct", ndjson, "-o", p("ok.png")), 0, p("ok.png")},
		{"ok", "melody sample", mel("sample", "-n", "1", "-o", p("ok.mid")), 0, p("ok.mid")},
	}...)
	if _, err := os.Stat("/proc/self"); err == nil {
		// A write that fails after the checks is exit 1 in every command (a full disk, /proc).
		cases = append(cases,
			hostileCase{"write", "sketch into /proc", sk("sample", "-n", "1", "-o", "/proc/x.png"), 1, "/proc/x.png"},
			hostileCase{"write", "melody into /proc", mel("sample", "-n", "1", "-o", "/proc/x.mid"), 1, "/proc/x.mid"})
	}

	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	kinds := map[string][2]int{}
	for _, c := range cases {
		ok := t.Run(c.kind+"/"+c.name, func(t *testing.T) { runHostile(t, exe, c) })
		k := kinds[c.kind]
		k[1]++
		if ok {
			k[0]++
		}
		kinds[c.kind] = k
	}
	for k, n := range kinds {
		t.Logf("%-8s %d of %d cases pass", k, n[0], n[1])
	}
}

func runHostile(t *testing.T, exe string, c hostileCase) {
	var before os.FileInfo
	if c.out != "" {
		before, _ = os.Lstat(c.out)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, exe, c.args...)
	cmd.Env = append(os.Environ(), asMain+"=1", "PALETTE_KEEP_BLAS=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if ctx.Err() != nil {
		t.Fatalf("still running after %v: a hang", took.Round(time.Millisecond))
	}
	status := cmd.ProcessState.ExitCode()
	if ee, ok := err.(*exec.ExitError); err != nil && !ok {
		t.Fatalf("run: %v", err)
	} else if ok && !ee.Exited() {
		t.Fatalf("killed by %v", ee.Sys())
	}
	if ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok && ru.Maxrss > 2<<20 { // KiB
		t.Errorf("took %d MB of memory", ru.Maxrss>>10)
	}
	errText := stderr.String()
	t.Logf("exit %d in %v: %.300s", cmd.ProcessState.ExitCode(), took.Round(time.Millisecond), errText)
	for _, crash := range []string{"goroutine ", "fatal error", "panic", "internal error"} {
		if strings.Contains(errText, crash) {
			t.Fatalf("crashed (%q):\n%.2000s", crash, errText)
		}
	}
	lines := strings.Split(strings.TrimSuffix(errText, "\n"), "\n")
	switch {
	case c.want >= 0 && status != c.want:
		t.Errorf("exit status %d, want %d; stderr %.500q", status, c.want, errText)
	case c.want < 0 && status != 0 && status != 2:
		t.Errorf("exit status %d, want 0 or 2; stderr %.500q", status, errText)
	}
	if status != 0 {
		if errText == "" || len(lines) != 1 || len(errText) > 600 {
			t.Errorf("stderr is %d lines, %d bytes, want one line: %.300q", len(lines), len(errText), errText)
		}
	}
	if c.out == "" {
		return
	}
	after, err := os.Lstat(c.out)
	switch {
	case before != nil && !before.Mode().IsRegular():
		if err != nil || after.Mode().Type() != before.Mode().Type() {
			t.Errorf("%s was a %v, now %v (%v)", c.out, before.Mode().Type(), after.Mode().Type(), err)
		}
	case status != 0:
		if err == nil {
			t.Errorf("exit %d, but %s was written", status, c.out)
		}
	default:
		checkOutputFile(t, c.out)
	}
	if entries, _ := os.ReadDir(filepath.Dir(c.out)); len(entries) > 0 {
		for _, e := range entries {
			if strings.Contains(e.Name(), ".tmp") {
				t.Errorf("a temporary file was left behind: %s", e.Name())
			}
		}
	}
}

// checkOutputFile checks that an output a command wrote reads back as what its name says.
func checkOutputFile(t *testing.T, path string) {
	data, err := os.ReadFile(path)
	if err != nil || len(data) == 0 {
		t.Fatalf("output %s: %d bytes, %v", path, len(data), err)
	}
	switch filepath.Ext(path) {
	case ".png":
		if _, err := png.Decode(bytes.NewReader(data)); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	case ".svg":
		if !bytes.HasPrefix(data, []byte("<svg")) || bytes.Contains(data, []byte("Inf")) || bytes.Contains(data, []byte("NaN")) {
			t.Errorf("%s is not a finite SVG: %.200s", path, data)
		}
	case ".mid":
		if _, err := melody.ReadMIDI(bytes.NewReader(data)); err != nil {
			t.Errorf("%s: %v", path, err)
		}
	}
}

func writeFile(t *testing.T, path string, data []byte) string {
	t.Helper()
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}

// hostileFiles writes the corpus's hostile model and drawing files into dir and returns the
// cases that read them.
func hostileFiles(t *testing.T, dir string) []hostileCase {
	p := func(name string) string { return filepath.Join(dir, name) }
	tune := writeTestMIDI(t, dir)
	var cases []hostileCase
	add := func(kind, name string, want int, out string, args ...string) {
		cases = append(cases, hostileCase{kind, name, args, want, out})
	}

	// Magenta folders whose shapes imply enormous models, with encoder/sigma left out.
	for _, size := range []int{40000, 2000} {
		d := p(fmt.Sprintf("magenta-%d", size))
		writeMagentaDir(t, d, map[string]int{
			"encoder/cell_0/bidirectional_rnn/fw/multi_rnn_cell/cell_0/lstm_cell/bias": 4 * size,
			"encoder/mu/bias": size,
			"decoder/multi_rnn_cell/cell_0/lstm_cell/bias": 16,
		})
		add("memory", fmt.Sprintf("Magenta folder implying size %d", size), 2, p("mg.mid"), "melody", "sample", "--model", d, "-o", p("mg.mid"))
	}
	// Magenta folder whose shard is a pipe.
	d := p("magenta-shard-fifo")
	writeMagentaDir(t, d, map[string]int{"encoder/mu/bias": 4})
	shard := filepath.Join(d, "group1-shard1of1")
	os.Remove(shard)
	if err := syscall.Mkfifo(shard, 0o644); err != nil {
		t.Fatal(err)
	}
	add("pipe", "Magenta shard is a pipe", 2, "", "melody", "encode", tune, "--model", d)

	// safetensors headers that declare more than they hold, or too much.
	st := func(name, header string, data []byte) string {
		var b bytes.Buffer
		binary.Write(&b, binary.LittleEndian, uint64(len(header)))
		b.WriteString(header)
		b.Write(data)
		return writeFile(t, p(name), b.Bytes())
	}
	add("memory", "safetensors declaring 2^40 values", 2, "", "melody", "encode", tune, "--model",
		st("huge.safetensors", `{"a":{"dtype":"F32","shape":[1048576,1048576],"data_offsets":[0,4398046511104]}}`, nil))
	add("memory", "safetensors declaring 2^27 values, holding 8", 2, "", "melody", "encode", tune, "--model",
		st("trunc.safetensors", `{"a":{"dtype":"F32","shape":[134217728],"data_offsets":[0,536870912]}}`, make([]byte, 32)))

	// Melody models: several wrong tensors, a 500,000-layer config, weights of 3e38.
	base, err := checkpoint.Load(bytes.NewReader(assets.MelodyModel))
	if err != nil {
		t.Fatal(err)
	}
	save := func(name string, tensors map[string]checkpoint.Tensor, meta map[string]string) string {
		var b bytes.Buffer
		if err := checkpoint.Save(&b, tensors, meta); err != nil {
			t.Fatal(err)
		}
		return writeFile(t, p(name), b.Bytes())
	}
	wrong := map[string]checkpoint.Tensor{}
	n := 0
	for name, tn := range base.Tensors {
		switch {
		case n < 3: // left out
		case n < 5:
			wrong[name] = checkpoint.Tensor{Shape: []int{1}, Data: []float32{0}}
		default:
			wrong[name] = tn
		}
		n++
	}
	wrong["extra/"+strings.Repeat("x", 3000)] = checkpoint.Tensor{Shape: []int{1}, Data: []float32{1}}
	add("lines", "checkpoint with 5 wrong tensors and an extra one", 2, "", "melody", "encode", tune, "--model", save("wrong.safetensors", wrong, base.Metadata))
	layers := make([]string, 500000)
	for i := range layers {
		layers[i] = "1"
	}
	deep := map[string]string{musicvae.MetaConfig: `{"encoder_size":16,"decoder_sizes":[` + strings.Join(layers, ",") + `],"z_size":8}`}
	add("lines", "500,000-layer config", 2, p("deep.mid"), "melody", "sample", "--model", save("deep.safetensors", base.Tensors, deep), "-o", p("deep.mid"))
	huge := map[string]checkpoint.Tensor{}
	for name, tn := range base.Tensors {
		if strings.HasPrefix(name, "encoder/") {
			tn = checkpoint.Tensor{Shape: tn.Shape, Data: make([]float32, len(tn.Data))}
			for i := range tn.Data {
				tn.Data[i] = 3e38 * float32(1-2*(i%2))
			}
		}
		huge[name] = tn
	}
	hugeModel := save("huge-weights.safetensors", huge, base.Metadata)
	add("value", "melody weights of 3e38: encode", 2, "", "melody", "encode", tune, "--model", hugeModel, "--json")
	add("value", "melody weights of 3e38: reconstruct", 2, p("hw.mid"), "melody", "reconstruct", tune, "--model", hugeModel, "-o", p("hw.mid"))
	add("value", "melody weights of 3e38: interpolate", 2, p("hw.mid"), "melody", "interpolate", tune, tune, "--model", hugeModel, "-o", p("hw.mid"))

	// Sketch models: max_seq_len 10^9, scale factors out of range, weights of 3e38.
	sk, err := checkpoint.Load(bytes.NewReader(assets.SketchModel))
	if err != nil {
		t.Fatal(err)
	}
	withMeta := func(name string, edit func(meta map[string]string, cfg map[string]any)) string {
		meta := map[string]string{}
		for k, v := range sk.Metadata {
			meta[k] = v
		}
		var cfg map[string]any
		json.Unmarshal([]byte(meta["config"]), &cfg)
		edit(meta, cfg)
		b, _ := json.Marshal(cfg)
		meta["config"] = string(b)
		return save(name, sk.Tensors, meta)
	}
	ndjson := writeFile(t, p("one.ndjson"), []byte(`{"drawing":[[[0,40,80],[0,30,0]]]}`))
	add("hang", "sketch max_seq_len 1e9", 2, p("long.png"), "sketch", "sample", "-n", "1", "--model",
		withMeta("long.safetensors", func(_ map[string]string, c map[string]any) { c["MaxSeqLen"] = 1e9 }), "-o", p("long.png"))
	for i, sf := range []string{"Inf", "1e300", "NaN", "0", "-2", "1e-30"} {
		m := withMeta(fmt.Sprintf("scale%d.safetensors", i), func(meta map[string]string, _ map[string]any) { meta["scale_factor"] = sf })
		add("value", "sketch scale factor "+sf, 2, p("sf.png"), "sketch", "reconstruct", ndjson, "--model", m, "-o", p("sf.png"))
	}
	big := func(name string, prefix string) string {
		ts := map[string]checkpoint.Tensor{}
		for k, tn := range sk.Tensors {
			if strings.HasPrefix(k, prefix) {
				tn = checkpoint.Tensor{Shape: tn.Shape, Data: make([]float32, len(tn.Data))}
				for i := range tn.Data {
					tn.Data[i] = 3e38 * float32(1-2*(i%2))
				}
			}
			ts[k] = tn
		}
		return save(name, ts, sk.Metadata)
	}
	add("value", "sketch encoder weights of 3e38", 2, p("se.png"), "sketch", "reconstruct", ndjson, "--model", big("enc-huge.safetensors", "encoder/"), "-o", p("se.png"))
	add("value", "sketch decoder weights of 3e38", -1, p("sd.svg"), "sketch", "sample", "-n", "2", "--model", big("dec-huge.safetensors", "decoder/output"), "-o", p("sd.svg"))

	// sketch-rnn-js decoders: scale factor 1e300 (Inf in float32); max_seq_len 1e9 (capped).
	gen := func(name string, info string) string {
		const H, O = 4, 9
		var arrays []string
		for _, n := range []int{H * O, O, 5 * 4 * H, H * 4 * H, 4 * H} {
			arrays = append(arrays, base64.StdEncoding.EncodeToString(make([]byte, 2*n)))
		}
		b, _ := json.Marshal([]any{json.RawMessage(info), [][]int{{H, O}, {O}, {5, 4 * H}, {H, 4 * H}, {4 * H}}, arrays})
		return writeFile(t, p(name), b)
	}
	add("value", "gen.json scale factor 1e300", 2, p("g.png"), "sketch", "sample", "-n", "1", "--model",
		gen("inf.gen.json", `{"mode":2,"version":1,"max_seq_len":250,"name":"x","scale_factor":1e300}`), "-o", p("g.png"))
	add("hang", "gen.json max_seq_len 1e9", -1, p("g2.png"), "sketch", "sample", "-n", "2", "--model",
		gen("long.gen.json", `{"mode":2,"version":1,"max_seq_len":1000000000,"name":"x","scale_factor":50}`), "-o", p("g2.png"))

	// Drawings: a raw zigzag of 150,000 points, an adversarial one within the limits, a BOM.
	zigzag := func(name string, n int, decay bool) string {
		var xs, ys, ts strings.Builder
		amp := 1e5
		for i := range n {
			if i > 0 {
				xs.WriteByte(',')
				ys.WriteByte(',')
				ts.WriteByte(',')
			}
			y := float64(i%2) * 100
			if decay {
				y = float64(1-2*(i%2)) * amp
				amp *= 0.9999
			}
			fmt.Fprintf(&xs, "%d", i)
			fmt.Fprintf(&ys, "%.3f", y)
			fmt.Fprintf(&ts, "%d", i*16)
		}
		line := fmt.Sprintf(`{"word":"zigzag","drawing":[[[%s],[%s],[%s]]]}`, xs.String(), ys.String(), ts.String())
		return writeFile(t, p(name), []byte(line+"\n"))
	}
	add("hang", "raw zigzag of 150,000 points", 2, p("z.png"), "sketch", "reconstruct", zigzag("zig.ndjson", 150000, false), "-o", p("z.png"))
	add("hang", "raw decaying zigzag of 90,000 points", -1, p("z2.png"), "sketch", "reconstruct", zigzag("zig2.ndjson", 90000, true), "-o", p("z2.png"))
	var many bytes.Buffer
	for range 20 {
		b, _ := os.ReadFile(p("zig2.ndjson"))
		many.Write(b)
	}
	add("hang", "20 raw zigzags of 90,000 points", -1, "", "sketch", "eval", "--data", writeFile(t, p("zigs.ndjson"), many.Bytes()))
	add("ok", "NDJSON with a byte-order mark", 0, p("bom.png"), "sketch", "reconstruct",
		writeFile(t, p("bom.ndjson"), []byte("\xef\xbb\xbf"+`{"word":"sheep","drawing":[[[0,40,80],[0,30,0]]]}`+"\n")), "-o", p("bom.png"))
	add("lines", "NDJSON of 5,000 bad lines", 2, p("bad.png"), "sketch", "reconstruct",
		writeFile(t, p("bad.ndjson"), bytes.Repeat([]byte(`{"drawing":[[[1,2],[3]]]}`+"\n"), 5000)), "-o", p("bad.png"))

	// .npz and .npy: 200 MB of zeros in 200 kB, and a pickle whose list refers 200,000 times
	// to one drawing of 10,000 points (24 GB of points).
	var bomb bytes.Buffer
	bomb.Write(npyHeader("|O", "(1,)"))
	bomb.Write(make([]byte, 200<<20))
	add("memory", ".npz inflating to 200 MB", 2, "", "sketch", "eval", "--data", writeFile(t, p("bomb.npz"), zipOf(t, "test.npy", bomb.Bytes())))
	refs := append(npyHeader("|O", "(200000,)"), pickleRefs(200000, 10000)...)
	add("memory", ".npy pickle of 200,000 references", 2, "", "sketch", "eval", "--data", writeFile(t, p("refs.npy"), refs))
	add("memory", ".npz pickle of 200,000 references", 2, "", "sketch", "eval", "--data", writeFile(t, p("refs.npz"), zipOf(t, "test.npy", refs))+":test")
	plain := append(npyHeader("<i2", "(100000000, 3)"), make([]byte, 600)...)
	add("memory", ".npy declaring 100 million points", 2, "", "sketch", "eval", "--data", writeFile(t, p("plain.npy"), plain))
	return cases
}

// writeMagentaDir writes a Magenta.js melody checkpoint folder holding vectors of the given
// sizes as uint8-quantized weights.
func writeMagentaDir(t *testing.T, dir string, vectors map[string]int) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	type weight struct {
		Name         string         `json:"name"`
		Shape        []int          `json:"shape"`
		DType        string         `json:"dtype"`
		Quantization map[string]any `json:"quantization"`
	}
	var ws []weight
	total := 0
	for name, n := range vectors {
		ws = append(ws, weight{name, []int{n}, "float32", map[string]any{"dtype": "uint8", "min": 0, "scale": 0.01}})
		total += n
	}
	manifest, _ := json.Marshal([]map[string]any{{"paths": []string{"group1-shard1of1"}, "weights": ws}})
	config, _ := json.Marshal(magenta.MelodyConfig)
	writeFile(t, filepath.Join(dir, magenta.ManifestFile), manifest)
	writeFile(t, filepath.Join(dir, magenta.ConfigFile), config)
	writeFile(t, filepath.Join(dir, "group1-shard1of1"), bytes.Repeat([]byte{7}, total))
}

func npyHeader(descr, shape string) []byte {
	h := fmt.Sprintf("{'descr': '%s', 'fortran_order': False, 'shape': %s, }", descr, shape)
	h += strings.Repeat(" ", 63-(10+len(h))%64) + "\n"
	b := []byte("\x93NUMPY\x01\x00")
	b = binary.LittleEndian.AppendUint16(b, uint16(len(h)))
	return append(b, h...)
}

func zipOf(t *testing.T, name string, data []byte) []byte {
	var b bytes.Buffer
	z := zip.NewWriter(&b)
	w, err := z.Create(name)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(data)
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// pickleRefs is a NumPy object array of n drawings, pickled as sketch-rnn's files are (protocol
// 2), in which every element is a reference to the same int16 array of points rows.
func pickleRefs(n, points int) []byte {
	le32 := func(v int) string { return string(binary.LittleEndian.AppendUint32(nil, uint32(v))) }
	const dtypeState = "(K\x03U\x01%sNNNJ\xff\xff\xff\xffJ\xff\xff\xff\xffK\x00tb"
	var b strings.Builder
	b.WriteString("\x80\x02cnumpy.core.multiarray\n_reconstruct\nq\x00cnumpy\nndarray\nq\x01cnumpy\ndtype\nq\x02")
	b.WriteString("h\x00h\x01K\x00\x85U\x01b\x87R")                        // _reconstruct(ndarray, (0,), 'b')
	b.WriteString("(K\x01J" + le32(n) + "\x85h\x02U\x02O8K\x00K\x01\x87R") // (1, (n,), dtype('O8', 0, 1)
	b.WriteString(fmt.Sprintf(dtypeState, "|") + "\x89](")                 // ... False, [
	b.WriteString("h\x00h\x01K\x00\x85U\x01b\x87R")                        // the element
	b.WriteString("(K\x01J" + le32(points) + "K\x03\x86h\x02U\x02i2K\x00K\x01\x87R")
	b.WriteString(fmt.Sprintf(dtypeState, "<") + "\x89T" + le32(6*points) + strings.Repeat("\x01\x00", 3*points) + "tbq\x03")
	b.WriteString(strings.Repeat("h\x03", n-1) + "etb.")
	return []byte(b.String())
}
