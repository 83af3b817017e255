//go:build linux && cgo && !nomidiport

package midiport

/*
#cgo pkg-config: jack
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <jack/jack.h>
#include <jack/midiport.h>
#include <jack/ringbuffer.h>

// One scheduled message: the frame it goes out on, the generation it belongs to (Cancel starts
// a new one and the process callback drops older ones), and up to 3 bytes.
typedef struct {
	uint32_t frame;
	uint32_t gen;
	uint32_t len;
	uint8_t data[4];
} lp_event;

typedef struct {
	jack_client_t *client;
	jack_port_t *port;
	jack_ringbuffer_t *rb;
	jack_port_t *in;          // NULL for an output-only client
	jack_ringbuffer_t *inrb;  // what the input port received, for Go to read
	volatile uint32_t gen;
	volatile uint32_t cut[16]; // by generation modulo 16: its messages from this frame on are dropped
	volatile int gone; // the server shut the client down
} lp_out;

// lp_process runs on JACK's process thread: it writes the messages due in this period at their
// frame offsets (late ones at the period's start) and keeps later ones queued. It does not
// allocate or lock.
static int lp_process(jack_nframes_t nframes, void *arg) {
	lp_out *o = arg;
	if (o->in != NULL) {
		void *ib = jack_port_get_buffer(o->in, nframes);
		jack_nframes_t base = jack_last_frame_time(o->client);
		uint32_t n = jack_midi_get_event_count(ib);
		for (uint32_t i = 0; i < n; i++) {
			jack_midi_event_t je;
			if (jack_midi_event_get(&je, ib, i) != 0 || je.size == 0 || je.size > 3) {
				continue; // sysex and the like are not read
			}
			lp_event ev;
			memset(&ev, 0, sizeof ev);
			ev.frame = base + je.time;
			ev.len = je.size;
			memcpy(ev.data, je.buffer, je.size);
			if (jack_ringbuffer_write_space(o->inrb) >= sizeof ev) {
				jack_ringbuffer_write(o->inrb, (const char *)&ev, sizeof ev);
			}
		}
	}
	if (o->port == NULL) {
		return 0;
	}
	void *buf = jack_port_get_buffer(o->port, nframes);
	jack_midi_clear_buffer(buf);
	jack_nframes_t start = jack_last_frame_time(o->client);
	uint32_t gen = __atomic_load_n(&o->gen, __ATOMIC_ACQUIRE);
	int32_t last = 0;
	lp_event ev;
	while (jack_ringbuffer_read_space(o->rb) >= sizeof ev) {
		jack_ringbuffer_peek(o->rb, (char *)&ev, sizeof ev);
		if (ev.gen != gen && (int32_t)(ev.frame - __atomic_load_n(&o->cut[ev.gen & 15], __ATOMIC_ACQUIRE)) >= 0) {
			jack_ringbuffer_read_advance(o->rb, sizeof ev); // cancelled
			continue;
		}
		int32_t off = (int32_t)(ev.frame - start);
		if (off >= (int32_t)nframes) {
			break;
		}
		if (off < last) {
			off = last;
		}
		if (jack_midi_event_write(buf, (jack_nframes_t)off, ev.data, ev.len) != 0) {
			break; // the period's buffer is full: the rest goes out in the next one
		}
		last = off;
		jack_ringbuffer_read_advance(o->rb, sizeof ev);
	}
	return 0;
}

static void lp_shutdown(void *arg) {
	lp_out *o = arg;
	__atomic_store_n(&o->gone, 1, __ATOMIC_RELEASE);
}

// lp_open opens a client named name with one MIDI output port "out", without starting a
// server. It returns NULL and sets *status on failure.
static lp_out *lp_open(const char *name, int with_in, int *status, const char **why) {
	jack_status_t st = 0;
	lp_out *o = calloc(1, sizeof *o);
	*why = "";
	o->client = jack_client_open(name, JackNoStartServer | JackUseExactName, &st);
	*status = (int)st;
	if (o->client == NULL) {
		free(o);
		return NULL;
	}
	o->port = jack_port_register(o->client, "out", JACK_DEFAULT_MIDI_TYPE, JackPortIsOutput | JackPortIsTerminal, 0);
	o->rb = jack_ringbuffer_create(1 << 16);
	if (o->port == NULL || o->rb == NULL) {
		*why = "could not register the MIDI port";
		goto fail;
	}
	if (with_in) {
		o->in = jack_port_register(o->client, "in", JACK_DEFAULT_MIDI_TYPE, JackPortIsInput | JackPortIsTerminal, 0);
		o->inrb = jack_ringbuffer_create(1 << 16);
		if (o->in == NULL || o->inrb == NULL) {
			*why = "could not register the MIDI input port";
			goto fail;
		}
		jack_ringbuffer_mlock(o->inrb);
	}
	jack_ringbuffer_mlock(o->rb);
	jack_set_process_callback(o->client, lp_process, o);
	jack_on_shutdown(o->client, lp_shutdown, o);
	if (jack_activate(o->client) != 0) {
		*why = "could not activate the client";
		goto fail;
	}
	return o;
fail:
	jack_client_close(o->client);
	if (o->rb) jack_ringbuffer_free(o->rb);
	if (o->inrb) jack_ringbuffer_free(o->inrb);
	free(o);
	return NULL;
}

static void lp_close(lp_out *o) {
	jack_deactivate(o->client);
	jack_client_close(o->client);
	jack_ringbuffer_free(o->rb);
	if (o->inrb) jack_ringbuffer_free(o->inrb);
	free(o);
}

// lp_read takes the next received message; it returns 0 when there is none.
static int lp_read(lp_out *o, uint32_t *frame, uint8_t *data, uint32_t *len) {
	lp_event ev;
	if (o->inrb == NULL || jack_ringbuffer_read_space(o->inrb) < sizeof ev) {
		return 0;
	}
	jack_ringbuffer_read(o->inrb, (char *)&ev, sizeof ev);
	*frame = ev.frame;
	*len = ev.len;
	memcpy(data, ev.data, 4);
	return 1;
}
static const char *lp_in_name(lp_out *o) { return o->in ? jack_port_name(o->in) : ""; }
static int lp_connect_from(lp_out *o, const char *src) { return o->in ? jack_connect(o->client, src, jack_port_name(o->in)) : -1; }

static int lp_write(lp_out *o, uint32_t frame, const uint8_t *data, uint32_t len) {
	lp_event ev;
	memset(&ev, 0, sizeof ev);
	ev.frame = frame;
	ev.gen = __atomic_load_n(&o->gen, __ATOMIC_ACQUIRE);
	ev.len = len;
	memcpy(ev.data, data, len);
	if (jack_ringbuffer_write_space(o->rb) < sizeof ev) {
		return -1;
	}
	jack_ringbuffer_write(o->rb, (const char *)&ev, sizeof ev);
	return 0;
}

static void lp_cancel(lp_out *o, uint32_t frame) {
	uint32_t g = __atomic_load_n(&o->gen, __ATOMIC_ACQUIRE);
	__atomic_store_n(&o->cut[g & 15], frame, __ATOMIC_RELEASE);
	__atomic_store_n(&o->gen, g + 1, __ATOMIC_RELEASE);
}
static size_t lp_queued(lp_out *o) { return jack_ringbuffer_read_space(o->rb); }
static int lp_gone(lp_out *o) { return __atomic_load_n(&o->gone, __ATOMIC_ACQUIRE); }
static const char *lp_port_name(lp_out *o) { return jack_port_name(o->port); }
static int lp_connect(lp_out *o, const char *dest) { return jack_connect(o->client, jack_port_name(o->port), dest); }

// Silence libjack's messages on stderr (a missing server is reported by Open's error).
static void lp_quiet(const char *msg) { (void)msg; }
static void lp_silence(void) { jack_set_error_function(lp_quiet); jack_set_info_function(lp_quiet); }
*/
import "C"

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"sync"
	"time"
	"unsafe"
)

func init() {
	C.lp_silence()
	backends = append(backends, backend{kind: "JACK", open: openJack, openIO: openJackIO})
}

// jackOut is a JACK client with one MIDI output port.
type jackOut struct {
	mu     sync.Mutex
	o      *C.lp_out
	rate   float64
	base   uint32 // the frame the port's clock counts from
	hi     uint64 // frames of earlier wraps of the 32-bit frame counter, since base
	last   uint32 // the last frame counter read, since base
	name   string
	closed bool
}

func openJack(name string) (Out, error) { return openJackWith(name, 0) }

// openJackIO opens a client with an output port "out" and an input port "in".
func openJackIO(name string) (InOut, error) {
	o, err := openJackWith(name, 1)
	if err != nil {
		return nil, err
	}
	return o.(*jackOut), nil
}

func openJackWith(name string, withIn int) (Out, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var status C.int
	var why *C.char
	o := C.lp_open(cname, C.int(withIn), &status, &why)
	if o == nil {
		if w := C.GoString(why); w != "" {
			return nil, errors.New(w)
		}
		return nil, jackStatusError(int(status))
	}
	j := &jackOut{o: o, rate: float64(C.jack_get_sample_rate(o.client))}
	j.base = uint32(C.jack_frame_time(o.client))
	j.name = "JACK: " + C.GoString(C.lp_port_name(o))
	return j, nil
}

// jackStatusError says why jack_client_open failed.
func jackStatusError(st int) error {
	var why []string
	switch {
	case st&C.JackServerFailed != 0 || st&C.JackServerError != 0:
		why = append(why, "no JACK server is running (start jackd, or PipeWire with its JACK layer)")
	case st&C.JackNameNotUnique != 0:
		why = append(why, "another JACK client has that name")
	case st&C.JackVersionError != 0:
		why = append(why, "the JACK server speaks another protocol version")
	}
	if len(why) == 0 {
		why = append(why, fmt.Sprintf("could not open a JACK client (status 0x%x)", st))
	}
	return errors.New(strings.Join(why, ", "))
}

func (j *jackOut) Name() string { return j.name }

// frames returns the frames since base, unwrapped; the caller holds j.mu.
func (j *jackOut) frames() uint64 {
	f := uint32(C.jack_frame_time(j.o.client)) - j.base
	if f < j.last {
		j.hi += 1 << 32
	}
	j.last = f
	return j.hi + uint64(f)
}

func (j *jackOut) Now() time.Duration {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return 0
	}
	return time.Duration(float64(j.frames()) / j.rate * float64(time.Second))
}

func (j *jackOut) SendAt(t time.Duration, msg []byte) error {
	if len(msg) == 0 || len(msg) > 3 {
		return fmt.Errorf("midiport: a message of %d bytes (1 to 3 are sent)", len(msg))
	}
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return errors.New("midiport: the port is closed")
	}
	if C.lp_gone(j.o) != 0 {
		return errors.New("midiport: the JACK server has shut the port down")
	}
	f := math.Round(t.Seconds() * j.rate)
	if f < 0 {
		f = 0
	}
	frame := j.base + uint32(uint64(f)) // the process callback compares frames modulo 2^32
	if C.lp_write(j.o, C.uint32_t(frame), (*C.uint8_t)(unsafe.Pointer(&msg[0])), C.uint32_t(len(msg))) != 0 {
		return errors.New("midiport: too many messages scheduled ahead")
	}
	return nil
}

func (j *jackOut) Cancel() time.Duration {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return 0
	}
	f := j.frames()
	C.lp_cancel(j.o, C.uint32_t(j.base+uint32(f)))
	return time.Duration(float64(f) / j.rate * float64(time.Second))
}

// Connect connects the port to another client's MIDI input port ("client:port").
func (j *jackOut) Connect(dest string) error {
	c := C.CString(dest)
	defer C.free(unsafe.Pointer(c))
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return errors.New("midiport: the port is closed")
	}
	if rc := C.lp_connect(j.o, c); rc != 0 && rc != C.int(C.EEXIST) {
		return fmt.Errorf("midiport: could not connect %s to %q (is it a MIDI input port?)", j.name, dest)
	}
	return nil
}

// Close lets what is queued go out (waiting at most 250 ms), then closes the client.
func (j *jackOut) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	j.closed = true
	for deadline := time.Now().Add(250 * time.Millisecond); C.lp_queued(j.o) > 0 && C.lp_gone(j.o) == 0 && time.Now().Before(deadline); {
		time.Sleep(2 * time.Millisecond)
	}
	C.lp_close(j.o)
	j.o = nil
	return nil
}

// InName names the input port ("Latent Palette:in"), "" without one.
func (j *jackOut) InName() string {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return ""
	}
	return C.GoString(C.lp_in_name(j.o))
}

// Receive returns the messages the input port received since the last call, each at its time on
// the port's clock (the frame it arrived on).
func (j *jackOut) Receive() []Event {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return nil
	}
	var out []Event
	var frame, n C.uint32_t
	var data [4]C.uint8_t
	now := j.frames()
	for C.lp_read(j.o, &frame, &data[0], &n) != 0 {
		// frames since base, near now (the 32-bit counter may have wrapped since)
		f := int64(now) + int64(int32(uint32(frame)-j.base-uint32(now)))
		msg := make([]byte, n)
		for i := range msg {
			msg[i] = byte(data[i])
		}
		out = append(out, Event{At: time.Duration(float64(f) / j.rate * float64(time.Second)), Msg: msg})
	}
	return out
}

// ConnectFrom connects another client's MIDI output port ("client:port") to the input port.
func (j *jackOut) ConnectFrom(src string) error {
	c := C.CString(src)
	defer C.free(unsafe.Pointer(c))
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.closed {
		return errors.New("midiport: the port is closed")
	}
	if rc := C.lp_connect_from(j.o, c); rc != 0 && rc != C.int(C.EEXIST) {
		return fmt.Errorf("midiport: could not connect %q to %s's input (is it a MIDI output port?)", src, j.name)
	}
	return nil
}
