// Package cells writes what a palette's grid or path holds, many results in one file: MIDI with a
// marker per cell, a PNG of piano-roll or drum-grid cells, and an animated GIF of drawings.
package cells

import (
	"bytes"
	"fmt"
	"io"
	"sort"

	"gitlab.com/gomidi/midi/v2/smf"

	"github.com/latentpalette/palette/model/drums"
	"github.com/latentpalette/palette/model/melody"
)

// Marker names a place in a MIDI file, counted in 16th steps from its start.
type Marker struct {
	Step int
	Text string
}

// WriteMelodies writes melodies one after another as one MIDI file (melody.WriteMIDI of their
// Concat), with a marker at the start of each: labels[i] names melody i.
func WriteMelodies(w io.Writer, items []melody.Melody, labels []string, opt melody.WriteOptions) error {
	var buf bytes.Buffer
	if err := melody.WriteMIDI(&buf, melody.Concat(items...), opt); err != nil {
		return err
	}
	return writeMarked(w, buf.Bytes(), melody.TicksPerQuarter/melody.StepsPerQuarter, markers(lens(items), labels))
}

// WriteGrooves writes drum patterns one after another as one General MIDI drum file
// (drums.WriteMIDI), with a marker at the start of each: labels[i] names pattern i.
func WriteGrooves(w io.Writer, items []drums.Pattern, labels []string, opt drums.WriteOptions) error {
	var all drums.Pattern
	for _, p := range items {
		all = append(all, p...)
	}
	var buf bytes.Buffer
	if err := drums.WriteMIDI(&buf, all, opt); err != nil {
		return err
	}
	return writeMarked(w, buf.Bytes(), drums.TicksPerQuarter/drums.StepsPerQuarter, markers(lens(items), labels))
}

func lens[S ~[]E, E any](items []S) []int {
	n := make([]int, len(items))
	for i, it := range items {
		n[i] = len(it)
	}
	return n
}

// markers puts labels[i] at the start of item i, items of the given lengths following each other.
func markers(lengths []int, labels []string) []Marker {
	var ms []Marker
	at := 0
	for i, n := range lengths {
		if i < len(labels) {
			ms = append(ms, Marker{Step: at, Text: labels[i]})
		}
		at += n
	}
	return ms
}

func writeMarked(w io.Writer, b []byte, ticksPerStep int, ms []Marker) error {
	out, err := AddMarkers(b, ticksPerStep, ms)
	if err != nil {
		return err
	}
	_, err = w.Write(out)
	return err
}

// AddMarkers returns the Standard MIDI File b with marker meta events put into its first track
// (the tempo track of a type-1 file, the only track of a type 0), each at its step of
// ticksPerStep ticks, before the other events of its tick.
func AddMarkers(b []byte, ticksPerStep int, ms []Marker) ([]byte, error) {
	s, err := smf.ReadFrom(bytes.NewReader(b))
	if err != nil {
		return nil, fmt.Errorf("cells: read back the MIDI file: %w", err)
	}
	if len(s.Tracks) == 0 {
		return nil, fmt.Errorf("cells: the MIDI file has no track")
	}
	type abs struct {
		tick uint64
		msg  smf.Message
		mark bool
	}
	var evs []abs
	var tick, end uint64
	for _, e := range s.Tracks[0] {
		tick += uint64(e.Delta)
		if e.Message.Is(smf.MetaEndOfTrackMsg) {
			end = tick
			continue
		}
		evs = append(evs, abs{tick: tick, msg: e.Message})
	}
	for _, m := range ms {
		evs = append(evs, abs{tick: uint64(m.Step * ticksPerStep), msg: smf.MetaMarker(m.Text), mark: true})
	}
	sort.SliceStable(evs, func(i, j int) bool {
		if evs[i].tick != evs[j].tick {
			return evs[i].tick < evs[j].tick
		}
		return evs[i].mark && !evs[j].mark
	})
	var tr smf.Track
	var at uint64
	for _, e := range evs {
		tr.Add(uint32(e.tick-at), e.msg)
		at = e.tick
	}
	tr.Close(uint32(max(end, at) - at))
	s.Tracks[0] = tr
	var out bytes.Buffer
	if _, err := s.WriteTo(&out); err != nil {
		return nil, fmt.Errorf("cells: encode MIDI: %w", err)
	}
	return out.Bytes(), nil
}
