// Package jacktest runs a real JACK server and a real MIDI recorder for tests: jackd with its
// dummy back end (no sound card needed) and jack_midi_dump, both from Debian's jackd2.
package jacktest

import (
	"bufio"
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Rate is the server's sample rate.
const Rate = 48000

// Server starts `jackd -S --no-realtime -d dummy -r 48000 -p 1024` under a server name of its
// own (JACK_DEFAULT_SERVER, set for the rest of the test, so it does not meet another server),
// waits until it answers, and stops it when the test ends. The server runs synchronously: a
// client that is late delays the cycle instead of losing it, so on a loaded machine nothing
// recorded is lost and frame times stay exact. It skips the test, saying why, when jackd is
// not installed or does not start.
func Server(t testing.TB) {
	t.Helper()
	jackd, err := exec.LookPath("jackd")
	if err != nil {
		t.Skip("jackd is not installed (Debian's jackd2; scripts/install-deps.sh --test installs it)")
	}
	name := fmt.Sprintf("lptest%d_%d", os.Getpid(), rand.IntN(1_000_000))
	t.Setenv("JACK_DEFAULT_SERVER", name)
	t.Setenv("JACK_NO_AUDIO_RESERVATION", "1")
	log := filepath.Join(t.TempDir(), "jackd.log")
	lf, err := os.Create(log)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(jackd, "-S", "--no-realtime", "-d", "dummy", "-r", strconv.Itoa(Rate), "-p", "1024")
	cmd.Stdout, cmd.Stderr = lf, lf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		lf.Close()
		t.Skipf("jackd does not start: %v", err)
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-exited:
		case <-time.After(5 * time.Second):
			cmd.Process.Kill()
			<-exited
		}
		lf.Close()
	})
	deadline := time.Now().Add(15 * time.Second)
	for {
		if exec.Command("jack_lsp").Run() == nil {
			return
		}
		select {
		case <-exited:
			b, _ := os.ReadFile(log)
			t.Skipf("jackd exited at start: %s", lastLine(string(b)))
		default:
		}
		if time.Now().After(deadline) {
			b, _ := os.ReadFile(log)
			t.Skipf("jackd did not answer within 15 s: %s", lastLine(string(b)))
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}

// Msg is one recorded MIDI message.
type Msg struct {
	Frame int64 // frames since the recorder started
	Bytes []byte
}

// Recorder is a running jack_midi_dump.
type Recorder struct {
	Port string // its input port, to connect to
	cmd  *exec.Cmd
	out  string
	done chan struct{}
}

// Record starts jack_midi_dump -a as client name on the test's server (see Server) and waits
// until its input port exists.
func Record(t testing.TB, name string) *Recorder {
	t.Helper()
	bin, err := exec.LookPath("jack_midi_dump")
	if err != nil {
		t.Fatal("jack_midi_dump is not installed (Debian's jackd2)")
	}
	r := &Recorder{Port: name + ":input", out: filepath.Join(t.TempDir(), name+".txt"), done: make(chan struct{})}
	f, err := os.Create(r.out)
	if err != nil {
		t.Fatal(err)
	}
	r.cmd = exec.Command(bin, "-a", name)
	r.cmd.Stdout, r.cmd.Stderr = f, f
	if err := r.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() { r.cmd.Wait(); f.Close(); close(r.done) }()
	t.Cleanup(func() { r.stop() })
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for {
		out, _ := exec.Command("jack_lsp").Output()
		if strings.Contains(string(out), r.Port) {
			return r
		}
		select {
		case <-ctx.Done():
			t.Fatalf("jack_midi_dump's port %s did not appear", r.Port)
		case <-r.done:
			b, _ := os.ReadFile(r.out)
			t.Fatalf("jack_midi_dump exited: %s", b)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func (r *Recorder) stop() {
	select {
	case <-r.done:
		return
	default:
	}
	r.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-r.done:
	case <-time.After(5 * time.Second):
		r.cmd.Process.Kill()
		<-r.done
	}
}

// Stop waits wait for the last messages to arrive, stops the recorder and returns what it
// recorded, in order.
func (r *Recorder) Stop(t testing.TB, wait time.Duration) []Msg {
	t.Helper()
	time.Sleep(wait)
	r.stop()
	f, err := os.Open(r.out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var msgs []Msg
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		m, ok := parseLine(sc.Text())
		if ok {
			msgs = append(msgs, m)
		}
	}
	return msgs
}

// parseLine reads a line of jack_midi_dump -a: "  42952: 90 46 64 note on ...".
func parseLine(line string) (Msg, bool) {
	head, rest, ok := strings.Cut(line, ":")
	if !ok {
		return Msg{}, false
	}
	frame, err := strconv.ParseInt(strings.TrimSpace(head), 10, 64)
	if err != nil {
		return Msg{}, false
	}
	m := Msg{Frame: frame}
	for _, f := range strings.Fields(rest) {
		if len(f) != 2 {
			break
		}
		b, err := strconv.ParseUint(f, 16, 8)
		if err != nil {
			break
		}
		m.Bytes = append(m.Bytes, byte(b))
	}
	return m, len(m.Bytes) > 0
}
