package drums

import (
	"encoding/binary"
	"fmt"
	"io"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"
)

// ErrorKind says what is wrong with a MIDI file that ReadMIDI rejects.
type ErrorKind int

const (
	NotMIDI     ErrorKind = iota + 1 // no MThd header: some other kind of file
	Truncated                        // the file ends before the data it announces
	Corrupt                          // the file's structure or events cannot be parsed
	Unsupported                      // a valid SMF that this reader does not handle (SMPTE time, type 2)
	TooLarge                         // the file or the groove in it is beyond the reader's limits
	NoDrums                          // no drum part: no notes on channel 10 and no track of drum-kit pitches
)

// FormatError reports a MIDI file that ReadMIDI cannot turn into a groove, like png.FormatError.
// Msg says in one line what is wrong and, where it helps, what to do.
type FormatError struct {
	Kind ErrorKind
	Msg  string
}

func (e *FormatError) Error() string { return e.Msg }

func formatErr(k ErrorKind, format string, args ...any) *FormatError {
	return &FormatError{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// Reader limits: a hostile file must not make the reader allocate or work without bound.
// maxFileSize is far above a performance's file (the Groove MIDI Dataset's largest is 150 KiB);
// maxNotes is more than a 4-hour performance at 16 hits a second; maxBars is 2.3 hours at 120 BPM.
const (
	maxFileSize = 4 << 20
	maxNotes    = 1 << 18
	maxBars     = 1 << 12
	maxSteps    = maxBars * StepsPerBar
	drumChannel = 9 // channel 10, counting from 1
	maxNotices  = 8
)

// Import is the drum part of a MIDI file on the 16th-note grid.
type Import struct {
	// Pattern runs from the file's start to the end of the bar of its last hit.
	Pattern Pattern
	// Bars holds the first step of each bar by the file's time signatures: 0, 16, 32 ... in 4/4.
	Bars []int
	// Track and Channel say where the hits came from (1-based); Track is 0 when the channel-10
	// notes lie in several tracks.
	Track, Channel int
	Hits           int // hits in Pattern
	Doubled        int // hits dropped for a louder one of their class on the same step
	Unmapped       int // notes on pitches outside the nine classes, ignored
	BPM            float64
	Seconds        float64 // the length of Pattern by the file's tempo map
	// Notices say in a line each what the import changed or guessed: a meter other than 4/4,
	// ignored pitches, a drum track found without channel 10.
	Notices []string
}

func (im *Import) notice(format string, args ...any) {
	if len(im.Notices) < maxNotices {
		im.Notices = append(im.Notices, fmt.Sprintf(format, args...))
	}
}

// ReadMIDI reads the drum part of a Standard MIDI File (type 0 or 1): its notes on MIDI channel 10
// (General MIDI's drums), or, when no note is on channel 10, the track and channel whose notes are
// mostly drum-kit pitches. Each hit goes to its class by Magenta's drum mapping (ClassOf), on the
// nearest 16th of the file's own grid (its ticks per quarter note, so tempo changes move nothing),
// with its velocity and its offset from that 16th in steps. Of two hits of a class on one step the
// louder stays.
//
// Bars follow the file's time signatures: in 4/4 every 16 steps; in another meter the bars keep
// their own length, with a notice. A file that is not a readable MIDI file gives a *FormatError
// saying what is wrong, one without a drum part a *FormatError of kind NoDrums whose message
// starts "no drum track:"; a failing r gives its own error.
func ReadMIDI(r io.Reader) (*Import, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("drums: read MIDI: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, formatErr(TooLarge, "MIDI file is larger than %d MiB; no drum performance is that big", maxFileSize>>20)
	}
	f, err := parseSMF(data)
	if err != nil {
		return nil, err
	}
	return f.groove(fileGrid(f.tpq))
}

// grid maps a tick to the 16th step nearest to it and the tick's offset from that step, in steps
// (-0.5 <= offset < 0.5). It is the one place where ticks become steps, so that a grid found from
// the onsets of a performance played without a click can take the file's place.
type grid func(tick int64) (step int64, offset float32)

// fileGrid is the file's own grid: tpq/4 ticks a step from tick 0; halves go to the later step.
func fileGrid(tpq int) grid {
	perStep := float64(tpq) / StepsPerQuarter
	return func(tick int64) (int64, float32) {
		x := float64(tick) / perStep
		s := math.Floor(x + 0.5)
		return int64(s), float32(x - s)
	}
}

// midiFile is what parseSMF reads from a file: its note-ons and the meta events that matter.
type midiFile struct {
	tpq    int
	tracks int
	notes  []noteOn // by track, then time
	tempos []tempoChange
	meters []meterChange
	names  map[int]string // track index → name
}

type noteOn struct {
	tick                     int64
	track                    int
	channel, pitch, velocity uint8
}

// tempoChange: from tick on, a quarter note lasts usPerQuarter microseconds.
type tempoChange struct {
	tick         int64
	usPerQuarter float64
}

// meterChange: from tick on, bars of num beats of a 1/2^exp note.
type meterChange struct {
	tick     int64
	num, exp int
}

// parseSMF checks the header and chunks and walks every track's events. It slices data and never
// allocates by a length the file announces.
func parseSMF(data []byte) (*midiFile, error) {
	switch {
	case len(data) == 0:
		return nil, formatErr(NotMIDI, "not a MIDI file: it is empty")
	case len(data) < 4 && strings.HasPrefix("MThd", string(data)):
		return nil, formatErr(Truncated, "truncated MIDI file: it ends inside its header (%d bytes)", len(data))
	case len(data) < 4 || string(data[:4]) != "MThd":
		return nil, formatErr(NotMIDI, "not a MIDI file: it does not start with the MThd header of a Standard MIDI File")
	case len(data) < 14:
		return nil, formatErr(Truncated, "truncated MIDI file: it ends inside its header (%d bytes)", len(data))
	}
	hlen := binary.BigEndian.Uint32(data[4:8])
	if hlen < 6 || uint64(hlen) > uint64(len(data)-8) {
		return nil, formatErr(Corrupt, "corrupt MIDI file: a header chunk of %d bytes in a file of %d", hlen, len(data))
	}
	format := binary.BigEndian.Uint16(data[8:10])
	ntracks := int(binary.BigEndian.Uint16(data[10:12]))
	division := binary.BigEndian.Uint16(data[12:14])
	switch {
	case format == 2:
		return nil, formatErr(Unsupported, "MIDI file type 2 (independent sequences) is not supported: save it as type 0 or 1")
	case format > 2:
		return nil, formatErr(Corrupt, "corrupt MIDI file: unknown SMF type %d", format)
	case division&0x8000 != 0:
		return nil, formatErr(Unsupported, "MIDI file uses SMPTE time (frames per second), which is not supported: save it with ticks per quarter note")
	case division == 0:
		return nil, formatErr(Corrupt, "corrupt MIDI file: zero ticks per quarter note, so no note has a time")
	}
	f := &midiFile{tpq: int(division)}
	off := 8 + int(hlen)
	for f.tracks < ntracks {
		rest := len(data) - off
		if rest < 8 {
			return nil, formatErr(Truncated, "truncated MIDI file: the header announces %d tracks but the file ends after %d", ntracks, f.tracks)
		}
		typ, n := data[off:off+4], binary.BigEndian.Uint32(data[off+4:off+8])
		if strings.ContainsFunc(string(typ), func(r rune) bool { return r < 0x20 || r > 0x7e }) {
			return nil, formatErr(Corrupt, "corrupt MIDI file: unexpected bytes at offset %d where track %d should start", off, f.tracks+1)
		}
		if uint64(n) > uint64(rest-8) {
			return nil, formatErr(Truncated, "truncated MIDI file: track %d announces %d bytes but only %d remain", f.tracks+1, n, rest-8)
		}
		if string(typ) == "MTrk" { // other chunk types are skipped, as the SMF spec asks
			if err := f.readTrack(f.tracks, data[off+8:off+8+int(n)]); err != nil {
				return nil, err
			}
			f.tracks++
		}
		off += 8 + int(n)
	}
	sort.SliceStable(f.tempos, func(i, j int) bool { return f.tempos[i].tick < f.tempos[j].tick })
	sort.SliceStable(f.meters, func(i, j int) bool { return f.meters[i].tick < f.meters[j].tick })
	return f, nil
}

// readTrack walks the events of one track chunk. Running status carries across meta and sysex
// events (files in the wild rely on it); an end-of-track event ends the walk.
func (f *midiFile) readTrack(track int, body []byte) error {
	bad := func(k ErrorKind, format string, args ...any) error {
		return formatErr(k, "track %d: %s", track+1, fmt.Sprintf(format, args...))
	}
	i := 0
	varlen := func() (uint32, error) {
		var v uint32
		for n := 0; n < 4; n++ {
			if i >= len(body) {
				return 0, bad(Truncated, "truncated MIDI file: the track ends inside a number")
			}
			b := body[i]
			i++
			v = v<<7 | uint32(b&0x7f)
			if b&0x80 == 0 {
				return v, nil
			}
		}
		return 0, bad(Corrupt, "corrupt MIDI file: a variable-length number longer than 4 bytes at byte %d", i)
	}
	var tick int64
	var running byte
	for i < len(body) {
		delta, err := varlen()
		if err != nil {
			return err
		}
		tick += int64(delta)
		if i >= len(body) {
			return bad(Truncated, "truncated MIDI file: the track ends after a delta time")
		}
		status := body[i]
		switch {
		case status == 0xff || status == 0xf0 || status == 0xf7:
			i++
			var typ byte
			if status == 0xff {
				if i >= len(body) {
					return bad(Truncated, "truncated MIDI file: the track ends inside a meta event")
				}
				typ = body[i]
				i++
			}
			n, err := varlen()
			if err != nil {
				return err
			}
			if uint64(n) > uint64(len(body)-i) {
				return bad(Truncated, "truncated MIDI file: an event of %d bytes runs past the end of its track", n)
			}
			payload := body[i : i+int(n)]
			i += int(n)
			if status == 0xff {
				if typ == 0x2f {
					return nil // end of track
				}
				f.meta(track, tick, typ, payload)
			}
			continue
		case status >= 0x80 && status <= 0xef:
			running = status
			i++
		case status >= 0xf0:
			return bad(Corrupt, "corrupt MIDI file: system message %#x at byte %d, which has no place in a file", status, i)
		case running == 0:
			return bad(Corrupt, "corrupt MIDI file: data byte %#x at byte %d with no status before it", status, i)
		}
		n := 2
		if t := running & 0xf0; t == 0xc0 || t == 0xd0 {
			n = 1
		}
		if len(body)-i < n {
			return bad(Truncated, "truncated MIDI file: the track ends inside a channel message")
		}
		msg := body[i : i+n]
		i += n
		if msg[0] >= 0x80 || msg[n-1] >= 0x80 {
			return bad(Corrupt, "corrupt MIDI file: data byte above 127 at byte %d", i-n)
		}
		if running&0xf0 == 0x90 && msg[1] > 0 { // a note-on of velocity 0 is a note-off
			if len(f.notes) == maxNotes {
				return formatErr(TooLarge, "MIDI file has over %d notes, the most this reader takes", maxNotes)
			}
			f.notes = append(f.notes, noteOn{tick: tick, track: track, channel: running & 0x0f, pitch: msg[0], velocity: msg[1]})
		}
	}
	return nil
}

// meta keeps the tempo, time signature and track name events.
func (f *midiFile) meta(track int, tick int64, typ byte, data []byte) {
	switch {
	case typ == 0x51 && len(data) == 3:
		if us := int(data[0])<<16 | int(data[1])<<8 | int(data[2]); us > 0 {
			f.tempos = append(f.tempos, tempoChange{tick: tick, usPerQuarter: float64(us)})
		}
	case typ == 0x58 && len(data) >= 2:
		f.meters = append(f.meters, meterChange{tick: tick, num: int(data[0]), exp: int(data[1])})
	case typ == 0x03:
		if f.names == nil {
			f.names = map[int]string{}
		}
		f.names[track] = string(data)
	}
}

// kitPitches are the pitches of a basic kit: kicks, side stick, snares, hi-hats, crash and ride.
var kitPitches = [128]bool{35: true, 36: true, 37: true, 38: true, 40: true, 42: true, 44: true, 46: true, 49: true, 51: true}

// drumPart returns the notes of the drum part: those on channel 10, or else those of the voice
// (track and channel) that looks most like drums: at least three quarters of its notes on
// kitPitches, with a kick or a snare and a hi-hat or cymbal among them (a bass line in the same
// range rarely has all that).
func (f *midiFile) drumPart(im *Import) ([]noteOn, error) {
	drums := f.notes // most drum files hold nothing else: no copy then
	if n := countFunc(f.notes, func(n noteOn) bool { return n.channel == drumChannel }); n < len(f.notes) {
		drums = make([]noteOn, 0, n)
		for _, n := range f.notes {
			if n.channel == drumChannel {
				drums = append(drums, n)
			}
		}
	}
	if len(drums) > 0 {
		if drums[0].track == drums[len(drums)-1].track { // notes are in track order
			im.Track = drums[0].track + 1
		}
		return drums, nil
	}
	type voice struct {
		notes, kit     int
		beat, cymbal   bool
		track, channel int
	}
	voices := map[int]*voice{}
	for _, n := range f.notes {
		k := n.track<<4 | int(n.channel)
		v := voices[k]
		if v == nil {
			v = &voice{track: n.track, channel: int(n.channel)}
			voices[k] = v
		}
		v.notes++
		if kitPitches[n.pitch] {
			v.kit++
			v.beat = v.beat || n.pitch <= 40
			v.cymbal = v.cymbal || n.pitch >= 42
		}
	}
	var best *voice
	for _, k := range slices.Sorted(maps.Keys(voices)) { // in track and channel order: the first of equals wins
		v := voices[k]
		if 4*v.kit < 3*v.notes || !v.beat || !v.cymbal {
			continue
		}
		if best == nil || v.kit*best.notes > best.kit*v.notes || // a larger share of kit pitches, then more notes
			v.kit*best.notes == best.kit*v.notes && v.notes > best.notes {
			best = v
		}
	}
	if best == nil {
		return nil, formatErr(NoDrums, "no drum track: %s, %s, none on channel 10 or on drum-kit pitches",
			count(f.tracks, "track"), count(len(f.notes), "note"))
	}
	im.Track, im.Channel = best.track+1, best.channel+1
	name := ""
	if s := strings.TrimSpace(f.names[best.track]); s != "" {
		name = fmt.Sprintf(" (%q)", s)
	}
	im.notice("no notes on channel 10: took the %d notes of track %d%s, channel %d, which are mostly drum-kit pitches",
		best.notes, im.Track, name, im.Channel)
	drums = make([]noteOn, 0, best.notes)
	for _, n := range f.notes {
		if n.track == best.track && int(n.channel) == best.channel {
			drums = append(drums, n)
		}
	}
	return drums, nil
}

func countFunc[T any](s []T, f func(T) bool) int {
	n := 0
	for _, x := range s {
		if f(x) {
			n++
		}
	}
	return n
}

func count(n int, what string) string {
	switch n {
	case 0:
		return "no " + what + "s"
	case 1:
		return "1 " + what
	}
	return fmt.Sprintf("%d %ss", n, what)
}

// groove puts the drum part on the grid g.
func (f *midiFile) groove(g grid) (*Import, error) {
	im := &Import{Channel: drumChannel + 1, BPM: 120}
	notes, err := f.drumPart(im)
	if err != nil {
		return nil, err
	}
	// Two passes over the notes, so that no hit is stored but in the pattern: the first finds
	// the pattern's length, the second fills it.
	var unmapped [128]bool
	early := 0
	last := int64(-1)
	for _, n := range notes {
		if _, ok := ClassOf(int(n.pitch)); !ok {
			im.Unmapped++
			unmapped[n.pitch] = true
			continue
		}
		switch s, _ := g(n.tick); {
		case s >= maxSteps:
			return nil, formatErr(TooLarge, "the drum part is over %d bars long, the most this reader takes", maxBars)
		case s < 0:
			early++
		default:
			last = max(last, s)
		}
	}
	var ignored []string
	for p, ok := range unmapped {
		if ok {
			ignored = append(ignored, fmt.Sprint(p))
		}
	}
	if last < 0 {
		if early > 0 {
			return nil, formatErr(NoDrums, "no drum track: all %d drum hits fall before the first bar", early)
		}
		return nil, formatErr(NoDrums, "no drum track: the %s on channel %d are all on pitches outside the nine drum classes (%s)",
			count(len(notes), "note"), im.Channel, strings.Join(ignored, ", "))
	}
	if im.Unmapped > 0 {
		im.notice("ignored %s on pitches outside the nine drum classes (%s)", count(im.Unmapped, "note"), strings.Join(ignored, ", "))
	}
	if early > 0 {
		im.notice("dropped %s before the first bar", count(early, "hit"))
	}

	var end int64
	var endTick float64
	im.Bars, end, endTick = f.bars(g, last, im)
	im.Pattern = make(Pattern, end)
	for _, n := range notes {
		c, ok := ClassOf(int(n.pitch))
		s, off := g(n.tick)
		if !ok || s < 0 {
			continue
		}
		st := &im.Pattern[s]
		if v := st.Velocity[c]; v > 0 {
			im.Doubled++
			if n.velocity <= v {
				continue
			}
		} else {
			im.Hits++
		}
		st.Velocity[c], st.Offset[c] = n.velocity, off
	}
	if im.Doubled > 0 {
		im.notice("%s fell on a step its class already had; the louder was kept", count(im.Doubled, "hit"))
	}

	im.Seconds = f.seconds(endTick)
	lo, hi := math.Inf(1), 0.0
	for _, t := range f.tempos {
		bpm := 6e7 / t.usPerQuarter
		if t.tick == 0 {
			im.BPM = bpm
		}
		lo, hi = min(lo, bpm), max(hi, bpm)
	}
	if hi > lo {
		im.notice("the tempo changes between %.0f and %.0f BPM; the hits keep their beats", lo, hi)
	}
	return im, nil
}

// bars returns the first step of every bar up to the bar of step last, by the file's time
// signatures (4/4 until the first), and the step and tick where that bar ends. A time signature
// in the middle of a bar starts a new bar. A bar is at least a 1/64 note, a quarter step, so
// there are at most 4*maxSteps of them.
func (f *midiFile) bars(g grid, last int64, im *Import) (starts []int, end int64, endTick float64) {
	num, exp := 4, 2
	at, next := 0.0, 0 // tick of the bar, index of the next meter change
	for {
		for next < len(f.meters) && float64(f.meters[next].tick) <= at {
			m := f.meters[next]
			next++
			switch {
			case m.num == 0 || m.exp > 6:
				im.notice("ignored a time signature of %d/2^%d, which is not a meter", m.num, m.exp)
			case m.num != num || m.exp != exp:
				num, exp = m.num, m.exp
				if num == 4 && exp == 2 {
					im.notice("bar %d is back in 4/4", len(starts)+1)
				} else {
					im.notice("bar %d is in %d/%d: its bars are %g steps, not %d; they keep their length (see Bars), so the 2-bar windows of %d steps do not line up with them",
						len(starts)+1, num, 1<<exp, float64(num)*StepsPerBar/float64(int(1)<<exp), StepsPerBar, WindowSteps)
				}
			}
		}
		s, _ := g(int64(math.Round(at)))
		if s > last {
			return starts, s, at
		}
		if len(starts) == 0 || int(s) > starts[len(starts)-1] {
			starts = append(starts, int(s))
		}
		bar := at + float64(num*4*f.tpq)/float64(int(1)<<exp)
		if next < len(f.meters) && float64(f.meters[next].tick) < bar {
			bar = float64(f.meters[next].tick)
		}
		at = bar
	}
}

// seconds returns the time of tick from the start by the file's tempo map (120 BPM before the
// first tempo event, as the standard says).
func (f *midiFile) seconds(tick float64) float64 {
	us, at, per := 0.0, 0.0, 5e5
	for _, c := range f.tempos {
		if float64(c.tick) >= tick {
			break
		}
		us += (float64(c.tick) - at) * per / float64(f.tpq)
		at, per = float64(c.tick), c.usPerQuarter
	}
	return (us + (tick-at)*per/float64(f.tpq)) / 1e6
}
