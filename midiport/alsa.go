//go:build linux && cgo && !nomidiport

package midiport

/*
#cgo pkg-config: alsa
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <alsa/asoundlib.h>

// An ALSA sequencer client with one output port ("out") and a queue of its own: messages are
// scheduled on the queue's real-time clock, and the kernel sends each at its time.
typedef struct {
	snd_seq_t *seq;
	int port;
	int queue;
	snd_midi_event_t *enc;
} lpa_out;

// lpa_quiet keeps ALSA's own message about a missing sequencer off stderr while the port is
// opened: Open's error says it in one line.
static void lpa_quiet(const char *file, int line, const char *function, int err, const char *fmt, ...) {
	(void)file; (void)line; (void)function; (void)err; (void)fmt;
}

static lpa_out *lpa_open(const char *name, int *err) {
	lpa_out *o = calloc(1, sizeof *o);
	snd_lib_error_set_handler(lpa_quiet);
	int e = snd_seq_open(&o->seq, "default", SND_SEQ_OPEN_OUTPUT, 0);
	snd_lib_error_set_handler(NULL);
	if (e < 0) {
		*err = e;
		free(o);
		return NULL;
	}
	snd_seq_set_client_name(o->seq, name);
	o->port = snd_seq_create_simple_port(o->seq, "out",
		SND_SEQ_PORT_CAP_READ | SND_SEQ_PORT_CAP_SUBS_READ,
		SND_SEQ_PORT_TYPE_MIDI_GENERIC | SND_SEQ_PORT_TYPE_APPLICATION);
	if (o->port < 0) {
		*err = o->port;
		goto fail;
	}
	o->queue = snd_seq_alloc_named_queue(o->seq, name);
	if (o->queue < 0) {
		*err = o->queue;
		goto fail;
	}
	if ((e = snd_seq_start_queue(o->seq, o->queue, NULL)) < 0 || (e = snd_seq_drain_output(o->seq)) < 0) {
		*err = e;
		goto fail;
	}
	if ((e = snd_midi_event_new(16, &o->enc)) < 0) {
		*err = e;
		goto fail;
	}
	snd_midi_event_no_status(o->enc, 1); // every message whole, no running status
	return o;
fail:
	snd_seq_close(o->seq);
	free(o);
	return NULL;
}

static void lpa_close(lpa_out *o) {
	snd_seq_drain_output(o->seq);
	snd_seq_sync_output_queue(o->seq);
	snd_midi_event_free(o->enc);
	snd_seq_close(o->seq);
	free(o);
}

// lpa_now is the queue's real time in nanoseconds, or a negative error.
static int64_t lpa_now(lpa_out *o) {
	snd_seq_queue_status_t *st;
	snd_seq_queue_status_alloca(&st);
	int e = snd_seq_get_queue_status(o->seq, o->queue, st);
	if (e < 0) {
		return e;
	}
	const snd_seq_real_time_t *rt = snd_seq_queue_status_get_real_time(st);
	return (int64_t)rt->tv_sec * 1000000000 + rt->tv_nsec;
}

static int lpa_send(lpa_out *o, int64_t ns, const uint8_t *data, int len) {
	snd_seq_event_t ev;
	snd_seq_ev_clear(&ev);
	snd_midi_event_reset_encode(o->enc);
	if (snd_midi_event_encode(o->enc, data, len, &ev) <= 0 || ev.type == SND_SEQ_EVENT_NONE) {
		return -EINVAL;
	}
	snd_seq_ev_set_source(&ev, o->port);
	snd_seq_ev_set_subs(&ev);
	snd_seq_real_time_t t = {(unsigned int)(ns / 1000000000), (unsigned int)(ns % 1000000000)};
	snd_seq_ev_schedule_real(&ev, o->queue, 0, &t);
	int e = snd_seq_event_output(o->seq, &ev);
	if (e < 0) {
		return e;
	}
	return snd_seq_drain_output(o->seq);
}

// lpa_cancel removes the messages of the queue scheduled at ns or after.
static int lpa_cancel(lpa_out *o, int64_t ns) {
	snd_seq_remove_events_t *r;
	snd_seq_remove_events_alloca(&r);
	snd_seq_timestamp_t ts;
	memset(&ts, 0, sizeof ts);
	ts.time.tv_sec = (unsigned int)(ns / 1000000000);
	ts.time.tv_nsec = (unsigned int)(ns % 1000000000);
	snd_seq_remove_events_set_queue(r, o->queue);
	snd_seq_remove_events_set_time(r, &ts);
	snd_seq_remove_events_set_condition(r, SND_SEQ_REMOVE_OUTPUT | SND_SEQ_REMOVE_TIME_AFTER);
	return snd_seq_remove_events(o->seq, r);
}

static int lpa_connect(lpa_out *o, const char *dest) {
	snd_seq_addr_t a;
	int e = snd_seq_parse_address(o->seq, &a, dest);
	if (e < 0) {
		return e;
	}
	return snd_seq_connect_to(o->seq, o->port, a.client, a.port);
}

static int lpa_client(lpa_out *o) { return snd_seq_client_id(o->seq); }
*/
import "C"

import (
	"errors"
	"fmt"
	"sync"
	"time"
	"unsafe"
)

func init() {
	backends = append(backends, backend{kind: "ALSA", rank: 1, open: openALSA})
}

// alsaOut is an ALSA sequencer client with one output port and a queue.
type alsaOut struct {
	mu     sync.Mutex
	o      *C.lpa_out
	name   string
	closed bool
}

func openALSA(name string) (Out, error) {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	var e C.int
	o := C.lpa_open(cname, &e)
	if o == nil {
		if -e == C.ENOENT {
			return nil, errors.New("no ALSA sequencer (/dev/snd/seq is missing: the snd-seq kernel module is not loaded)")
		}
		return nil, fmt.Errorf("the ALSA sequencer refused a port: %s", C.GoString(C.snd_strerror(e)))
	}
	return &alsaOut{o: o, name: fmt.Sprintf("ALSA: %s (client %d, port 0)", name, int(C.lpa_client(o)))}, nil
}

func (a *alsaOut) Name() string { return a.name }

func (a *alsaOut) Now() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return 0
	}
	return max(0, time.Duration(C.lpa_now(a.o)))
}

func (a *alsaOut) SendAt(t time.Duration, msg []byte) error {
	if len(msg) == 0 || len(msg) > 3 {
		return fmt.Errorf("midiport: a message of %d bytes (1 to 3 are sent)", len(msg))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return errors.New("midiport: the port is closed")
	}
	if e := C.lpa_send(a.o, C.int64_t(max(t, 0)), (*C.uint8_t)(unsafe.Pointer(&msg[0])), C.int(len(msg))); e < 0 {
		return fmt.Errorf("midiport: ALSA: %s", C.GoString(C.snd_strerror(e)))
	}
	return nil
}

func (a *alsaOut) Cancel() time.Duration {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return 0
	}
	now := time.Duration(C.lpa_now(a.o))
	C.lpa_cancel(a.o, C.int64_t(now))
	return now
}

// Connect subscribes a sequencer port ("client:port", or a client's name) to the output.
func (a *alsaOut) Connect(dest string) error {
	c := C.CString(dest)
	defer C.free(unsafe.Pointer(c))
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return errors.New("midiport: the port is closed")
	}
	if e := C.lpa_connect(a.o, c); e < 0 {
		return fmt.Errorf("midiport: could not connect %s to %q: %s", a.name, dest, C.GoString(C.snd_strerror(e)))
	}
	return nil
}

// Close lets what is queued go out, then closes the client.
func (a *alsaOut) Close() error {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.closed {
		return nil
	}
	a.closed = true
	C.lpa_close(a.o)
	a.o = nil
	return nil
}
