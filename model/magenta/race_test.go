package magenta

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/model/nn"
)

// The speed race: Magenta.js (WebAssembly and pure-JS backends) against our code with 1 and 2
// threads, on the same exported mel_2bar_small-sized model and the same inputs, in one run:
//
//	LP_RACE=1 go test ./model/magenta -run Race -v
//
// LP_RACE_ROUNDS (default 3) sets how many turns each side takes and LP_RACE_REPEATS (default 7)
// how many timed runs each row's median takes in one turn (the pure-JS backend: one turn of a
// third as many, at least 3). Our side runs in child processes of the test binary, so that
// OPENBLAS_NUM_THREADS and GOMAXPROCS take effect from the start; they inherit the rest of the
// environment, and where OpenBLAS takes the virtual CPU for a Prescott they get the kernels the
// palette binary picks at start (nn.BetterCoreType; the column names the kernels in use).

const (
	raceEnv       = "LP_RACE"
	raceWorkerEnv = "LP_RACE_WORKER" // the request file of a child process
)

// raceInput is what both sides run: the model directory, 16 z vectors and 4 corner melodies.
type raceInput struct {
	Dir     string          `json:"dir"`
	Repeats int             `json:"repeats"`
	Z       [][]float32     `json:"z"`
	Corners []melody.Melody `json:"corners"`
}

// raceResult is one side's timings and results.
type raceResult struct {
	Times       timings         `json:"times"`
	Decode      []melody.Melody `json:"decode"`      // of the 16 z
	Interpolate []melody.Melody `json:"interpolate"` // the 4x4 grid
	BLAS        string          `json:"blas"`
}

func TestRace(t *testing.T) {
	if os.Getenv(raceEnv) == "" {
		t.Skipf("set %s=1 to race Magenta.js and our code (takes a few minutes)", raceEnv)
	}
	needHarness(t)
	repeats, rounds := envInt(t, "LP_RACE_REPEATS", 7), envInt(t, "LP_RACE_ROUNDS", 3)
	w := randomWeights(t, musicvae.Small, 21)
	in := raceInput{Dir: exportModel(t, w), Repeats: repeats, Z: randomZs(16, w.Config.ZSize, 22), Corners: randomMelodies(4, 23)}
	req := filepath.Join(t.TempDir(), "race.json")
	b, err := json.Marshal(in)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(req, b, 0o644); err != nil {
		t.Fatal(err)
	}

	// The sides take turns, round after round, so that the load of a shared machine falls on
	// all of them alike; each row's time is the median of the rounds' medians. The pure-JS
	// backend, 10-20 times slower, runs once.
	type column struct {
		name   string
		rounds int
		runs   []raceResult
	}
	cols := []*column{{name: "Magenta.js wasm", rounds: rounds}, {name: "Magenta.js cpu", rounds: 1},
		{name: "ours, 1 thread", rounds: rounds}, {name: "ours, 2 threads", rounds: rounds}}
	for round := range rounds {
		for i, c := range cols {
			if round >= c.rounds {
				continue
			}
			var r raceResult
			switch i {
			case 0, 1:
				backend := []string{"wasm", "cpu"}[i]
				n := repeats
				if backend == "cpu" {
					n = max(3, repeats/3)
				}
				hr := runHarness(t, in.Dir, backend, harnessRequest{Decode: in.Z, Interpolate: in.Corners,
					Bench: &benchRequest{Repeats: n, Z: in.Z, Corners: in.Corners}})
				if backend == "wasm" && hr.WasmSIMD && round == 0 {
					c.name += " (SIMD)"
				}
				r = raceResult{Times: *hr.Bench, Decode: hr.Decode, Interpolate: hr.Interpolate}
			default:
				r = runRaceWorker(t, req, i-1)
				if round == 0 {
					c.name += ", " + r.BLAS
				}
			}
			c.runs = append(c.runs, r)
		}
	}
	type side struct {
		name string
		res  raceResult
	}
	var sides []side
	for _, c := range cols {
		res := c.runs[0]
		res.Times = medianTimings(c.runs) // the results are those of the first round
		for _, r := range c.runs[1:] {
			if !slices.EqualFunc(r.Decode, res.Decode, slices.Equal) || !slices.EqualFunc(r.Interpolate, res.Interpolate, slices.Equal) {
				t.Errorf("%s gives different results from one round to the next", c.name)
			}
		}
		sides = append(sides, side{c.name, res})
	}
	// Identical results: every column decodes the 16 z and the 4x4 grid to the same tokens.
	for _, c := range sides[1:] {
		if !slices.EqualFunc(c.res.Decode, sides[0].res.Decode, slices.Equal) {
			t.Errorf("%s decodes the 16 z differently from %s", c.name, sides[0].name)
		}
		if !slices.EqualFunc(c.res.Interpolate, sides[0].res.Interpolate, slices.Equal) {
			t.Errorf("%s interpolates differently from %s", c.name, sides[0].name)
		}
	}

	rows := []struct {
		name string
		get  func(timings) float64
	}{
		{"one decode", func(x timings) float64 { return x.Decode1 }},
		{"batch of 16 decodes", func(x timings) float64 { return x.Decode16 }},
		{"one encode", func(x timings) float64 { return x.Encode }},
		{"4x4 interpolation", func(x timings) float64 { return x.Interpolate }},
		{"one decode, CPU", func(x timings) float64 { return x.Decode1CPU }},
		{"batch of 16, CPU", func(x timings) float64 { return x.Decode16CPU }},
		{"one encode, CPU", func(x timings) float64 { return x.EncodeCPU }},
		{"4x4 interpolation, CPU", func(x timings) float64 { return x.InterpolateCPU }},
	}
	var sb strings.Builder
	fmt.Fprintf(&sb, "median ms over %d rounds of %d runs (pure JS: 1 round of %d), wall-clock, then CPU time of the process; ratio = Magenta.js wasm / ours\n", rounds, repeats, max(3, repeats/3))
	fmt.Fprintf(&sb, "| %-22s |", "")
	for _, c := range sides {
		fmt.Fprintf(&sb, " %s |", c.name)
	}
	sb.WriteString(" ratio, 1 thread | ratio, 2 threads |\n|---|")
	sb.WriteString(strings.Repeat("---:|", len(sides)+2) + "\n")
	for _, row := range rows {
		fmt.Fprintf(&sb, "| %-22s |", row.name)
		for _, c := range sides {
			fmt.Fprintf(&sb, " %.2f |", row.get(c.res.Times))
		}
		wasm := row.get(sides[0].res.Times)
		for _, c := range sides[2:] {
			fmt.Fprintf(&sb, " %.1fx |", wasm/row.get(c.res.Times))
		}
		sb.WriteString("\n")
	}
	t.Log("\n" + sb.String())
}

// TestRaceWorker is our side of the race, run by TestRace in a child process.
func TestRaceWorker(t *testing.T) {
	path := os.Getenv(raceWorkerEnv)
	if path == "" {
		t.Skip("run by TestRace")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var in raceInput
	if err := json.Unmarshal(b, &in); err != nil {
		t.Fatal(err)
	}
	w, err := LoadDir(in.Dir)
	if err != nil {
		t.Fatal(err)
	}
	m := musicvae.NewModel(w)
	var r raceResult
	r.BLAS = nn.BLAS()
	r.Decode = decodeZ(m, in.Z)
	r.Interpolate, _ = interpolate4x4(m, in.Corners)
	median := func(fn func()) (wall, cpu float64) {
		fn() // warm up, as the harness does
		ws, cs := make([]float64, in.Repeats), make([]float64, in.Repeats)
		for i := range ws {
			c0 := cpuTime()
			start := time.Now()
			fn()
			ws[i] = float64(time.Since(start).Nanoseconds()) / 1e6
			cs[i] = float64((cpuTime() - c0).Nanoseconds()) / 1e6
		}
		sort.Float64s(ws)
		sort.Float64s(cs)
		return ws[len(ws)/2], cs[len(cs)/2]
	}
	var x timings
	x.Decode1, x.Decode1CPU = median(func() { decodeZ(m, in.Z[:1]) })
	x.Decode16, x.Decode16CPU = median(func() { decodeZ(m, in.Z) })
	x.Encode, x.EncodeCPU = median(func() { encodeMel(m, in.Corners[:1]) })
	x.Interpolate, x.InterpolateCPU = median(func() { interpolate4x4(m, in.Corners) })
	r.Times = x
	out, err := json.Marshal(r)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Printf("RACE %s\n", out)
}

// cpuTime is the CPU time this process has used, all threads, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// runRaceWorker runs TestRaceWorker in a child process with the given number of threads.
func runRaceWorker(t *testing.T, req string, threads int) raceResult {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestRaceWorker$")
	cmd.Env = append(os.Environ(), raceWorkerEnv+"="+req,
		fmt.Sprintf("OPENBLAS_NUM_THREADS=%d", threads), fmt.Sprintf("GOMAXPROCS=%d", threads))
	if ct := nn.BetterCoreType(); ct != "" {
		// What the palette binary does at start (app/blas_exec_linux.go).
		cmd.Env = append(cmd.Env, "OPENBLAS_CORETYPE="+ct)
	}
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("race worker (%d threads): %v\n%s%s", threads, err, out, stderr.Bytes())
	}
	i := bytes.LastIndex(out, []byte("RACE "))
	if i < 0 {
		t.Fatalf("race worker (%d threads) printed no result:\n%s", threads, out)
	}
	var r raceResult
	if err := json.NewDecoder(bytes.NewReader(out[i+5:])).Decode(&r); err != nil {
		t.Fatalf("race worker (%d threads): %v", threads, err)
	}
	return r
}

// medianTimings is the median of each row over the rounds.
func medianTimings(runs []raceResult) timings {
	med := func(get func(timings) float64) float64 {
		v := make([]float64, len(runs))
		for i, r := range runs {
			v[i] = get(r.Times)
		}
		sort.Float64s(v)
		return v[len(v)/2]
	}
	return timings{
		Decode1:        med(func(x timings) float64 { return x.Decode1 }),
		Decode16:       med(func(x timings) float64 { return x.Decode16 }),
		Encode:         med(func(x timings) float64 { return x.Encode }),
		Interpolate:    med(func(x timings) float64 { return x.Interpolate }),
		Decode1CPU:     med(func(x timings) float64 { return x.Decode1CPU }),
		Decode16CPU:    med(func(x timings) float64 { return x.Decode16CPU }),
		EncodeCPU:      med(func(x timings) float64 { return x.EncodeCPU }),
		InterpolateCPU: med(func(x timings) float64 { return x.InterpolateCPU }),
	}
}

// envInt reads a positive integer from the environment variable name, or returns def.
func envInt(t *testing.T, name string, def int) int {
	t.Helper()
	s := os.Getenv(name)
	if s == "" {
		return def
	}
	var n int
	if _, err := fmt.Sscan(s, &n); err != nil || n < 1 {
		t.Fatalf("%s=%q is not a positive number", name, s)
	}
	return n
}
