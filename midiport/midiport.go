// Package midiport opens a virtual MIDI output port that DAWs and synths can record: a JACK
// MIDI port (served by jackd or by PipeWire's JACK layer) and, where the kernel offers one, an
// ALSA sequencer port. Messages are scheduled on the port's own clock, so that timing does not
// depend on when the sending goroutine runs: a JACK port places each message on its frame.
//
// The JACK and ALSA back ends use cgo (libjack, libasound); build with the tag nomidiport to
// leave them out, and Open then says that the build has no MIDI port.
package midiport

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"
)

// DefaultName is the port the window opens.
const DefaultName = "Latent Palette"

// Out is an open virtual MIDI output port.
type Out interface {
	// Name says which port this is, for a person: "JACK: Latent Palette:out".
	Name() string
	// Now is the port's clock: the time at which a message sent now would go out.
	Now() time.Duration
	// SendAt schedules a MIDI message at time t of the port's clock (a t already past sends it
	// at once). Calls must come in order of t.
	SendAt(t time.Duration, msg []byte) error
	// Cancel drops the messages scheduled at or after the time it returns (the port's Now),
	// and not yet sent; earlier ones still go out.
	Cancel() time.Duration
	// Close drops what is scheduled and closes the port; a closed port refuses messages.
	Close() error
}

// Connector is an Out that can connect itself to another program's input port.
type Connector interface {
	Connect(dest string) error
}

// FromConnector is an InOut that can connect another program's output port to its input.
type FromConnector interface {
	ConnectFrom(src string) error
}

// ErrNoPort wraps every reason Open could not make a port.
var ErrNoPort = errors.New("no virtual MIDI port could be made")

// InOut is a port with an input too: what other programs send to it (a MIDI clock) is read
// with Receive.
type InOut interface {
	Out
	// InName names the input port, for a person to connect to.
	InName() string
	// Receive returns what arrived since the last call, in order, each at its time on the port's
	// clock.
	Receive() []Event
}

// backend opens one kind of port.
type backend struct {
	kind   string
	rank   int // Open tries the back ends by rank: JACK (0), then ALSA (1)
	open   func(name string) (Out, error)
	openIO func(name string) (InOut, error) // nil: the back end has no input
}

// OpenIO opens a virtual output port and an input port beside it, named after name.
func OpenIO(name string) (InOut, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	var why []string
	for _, b := range ranked() {
		if b.openIO == nil {
			continue
		}
		o, err := b.openIO(name)
		if err == nil {
			return o, nil
		}
		why = append(why, b.kind+": "+err.Error())
	}
	if len(why) == 0 {
		return nil, fmt.Errorf("%w: this build has no MIDI back end with an input port", ErrNoPort)
	}
	return nil, fmt.Errorf("%w: %s", ErrNoPort, strings.Join(why, "; "))
}

var backends []backend // filled by the back ends' init; see ranked

// Open opens a virtual output port named name on the first back end that can make one: JACK,
// then the ALSA sequencer. The error says why each back end failed.
func Open(name string) (Out, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	if len(backends) == 0 {
		return nil, fmt.Errorf("%w: this build has no MIDI back end (built with the tag nomidiport, or without cgo)", ErrNoPort)
	}
	var why []string
	for _, b := range ranked() {
		o, err := b.open(name)
		if err == nil {
			return o, nil
		}
		why = append(why, b.kind+": "+err.Error())
	}
	return nil, fmt.Errorf("%w: %s", ErrNoPort, strings.Join(why, "; "))
}

// CheckName checks a port name: 1 to 63 printable characters, no colon (JACK separates client
// and port with one).
func CheckName(name string) error {
	switch {
	case strings.TrimSpace(name) == "":
		return fmt.Errorf("the MIDI port needs a name")
	case len(name) > 63:
		return fmt.Errorf("the MIDI port name is %d bytes; at most 63", len(name))
	case strings.ContainsAny(name, ":\x00\n\r\t"):
		return fmt.Errorf("the MIDI port name %q has a colon or a control character", name)
	}
	return nil
}

// The channel messages a player sends.

// NoteOn is a note-on message; channel is 0..15.
func NoteOn(channel, pitch, velocity uint8) []byte {
	return []byte{0x90 | channel&15, pitch & 127, velocity & 127}
}

// NoteOff is a note-off message (velocity 0).
func NoteOff(channel, pitch uint8) []byte { return []byte{0x80 | channel&15, pitch & 127, 0} }

// AllNotesOff is the channel mode message 123, all notes off.
func AllNotesOff(channel uint8) []byte { return []byte{0xb0 | channel&15, 123, 0} }

// ProgramChange selects an instrument.
func ProgramChange(channel, program uint8) []byte { return []byte{0xc0 | channel&15, program & 127} }

// System real-time messages, for a MIDI clock.
var (
	Clock = []byte{0xf8}
	Start = []byte{0xfa}
	Stop  = []byte{0xfc}
)

// ranked returns the back ends in the order Open tries them.
func ranked() []backend {
	out := append([]backend(nil), backends...)
	sort.SliceStable(out, func(i, j int) bool { return out[i].rank < out[j].rank })
	return out
}
