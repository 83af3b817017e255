package melody

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sort"
	"strings"

	"gitlab.com/gomidi/midi/v2/smf"
)

// ErrorKind says what is wrong with a MIDI file that ReadMIDI rejects.
type ErrorKind int

const (
	NotMIDI         ErrorKind = iota + 1 // no MThd header: some other kind of file
	Truncated                            // the file ends before the data it announces
	Corrupt                              // the file's structure or events cannot be parsed
	Unsupported                          // a valid SMF that this reader does not handle (SMPTE time, type 2)
	ZeroTicks                            // a time division of zero ticks per quarter note
	TooLarge                             // the file or the melody in it is beyond the reader's limits
	NoNotes                              // no notes at all
	DrumsOnly                            // only notes on the drum channel (10)
	PitchOutOfRange                      // the melody has a note outside MinPitch..MaxPitch
	ChordsOnly                           // every voice plays chords: no single line to take as a melody
	NoWindows                            // no 2-bar window of the melody holds a note (a data set's files)
)

var kindNames = [...]string{"", "not MIDI", "truncated", "corrupt", "unsupported", "zero ticks per quarter",
	"too large", "no notes", "drums only", "pitch out of range", "chords only", "no windows"}

func (k ErrorKind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("ErrorKind(%d)", int(k))
}

// FormatError reports a MIDI file that ReadMIDI cannot turn into a melody, like png.FormatError.
// Msg says in one line what is wrong and, where it helps, what to do.
type FormatError struct {
	Kind ErrorKind
	Msg  string
}

func (e *FormatError) Error() string { return "melody: " + e.Msg }

func formatErr(k ErrorKind, format string, args ...any) *FormatError {
	return &FormatError{Kind: k, Msg: fmt.Sprintf(format, args...)}
}

// Reader limits: MIDI files are small, and a hostile file must not make the reader allocate or
// work without bound. maxFileSize is far above the size of a song's file, and still holds up to
// 1.4 million events, which take gomidi seconds. maxSteps, the most steps of all segments
// together, is 65536 bars: over 18 hours at 240 BPM.
const (
	maxFileSize = 4 << 20
	maxSteps    = 1 << 20
	drumChannel = 9 // channel 10, counting from 1
)

// ReadMIDI reads a Standard MIDI File (type 0 or 1, or one inside a RIFF .rmi file) and returns
// its melody on the 16th-note grid, split into segments wherever a rest of a whole bar
// (StepsPerBar steps) or more falls.
//
// Times are quantized on musical time: ticks become 16ths by the file's ticks per quarter note,
// onsets and offsets each to the nearest 16th (halves round up; a note shorter than a 16th keeps
// one step), as Magenta does. Tempo changes therefore never move a note on the grid. A file
// played in, whose notes are off its own grid, is quantized on the beat grid found in its
// notes instead (see Import, which also says which grid it used).
//
// The melody comes from one voice, a track and channel; the drum channel (10) is ignored. A
// voice in a track whose name says melody (melody, vocal, voice, lead, singer, tune) wins; else, of
// the voices that are mostly monophonic (at most a fifth of their notes start while another of
// theirs sounds) the one with the most notes wins, or if none is, the one with the most notes
// of all; notes are counted once overlaps are resolved as follows, so a block chord counts
// once. Within the voice, notes that start together keep the highest; a note that starts while
// another sounds cuts it short, unless it is lower and ends no later, when it is dropped (a
// short note under a held melody note does not break it).
//
// Each segment starts at the 16-step bar line (counted from the file's start) at or before its
// first note and is padded with rests to a whole number of bars; its last note ends with a
// NoteOff unless it lasts to the segment's end. A file that is not a readable MIDI file with a
// melody in MinPitch..MaxPitch gives a *FormatError saying what is wrong (drums only, chords
// only: every voice of four onsets or more plays three or more notes at four in five of them);
// a failing r gives its own error.
func ReadMIDI(r io.Reader) ([]Melody, error) {
	imp, err := Import(r)
	if err != nil {
		return nil, err
	}
	return imp.Segments, nil
}

// readTune reads r, at most maxFileSize bytes of it, and decodes the file.
func readTune(r io.Reader) (*tune, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxFileSize+1))
	if err != nil {
		return nil, fmt.Errorf("melody: read MIDI: %w", err)
	}
	if len(data) > maxFileSize {
		return nil, formatErr(TooLarge, "MIDI file is larger than %d MiB; no melody file is that big", maxFileSize>>20)
	}
	return decodeSMF(data)
}

// smfFile is the part of a Standard MIDI File this package reads: the header and the raw
// bodies of its track chunks, in order.
type smfFile struct {
	tpq    int // ticks per quarter note
	tracks [][]byte
}

// scanSMF checks the header and the chunk structure itself, so that every malformed file gets
// a precise error before gomidi sees it (gomidi panics on SMPTE files and reads short files
// silently). A RIFF MIDI file (.rmi) is read as the SMF inside it.
func scanSMF(data []byte) (*smfFile, error) {
	if inner, ok := unwrapRMID(data); ok {
		data = inner
	}
	if len(data) == 0 {
		return nil, formatErr(NotMIDI, "not a MIDI file: it is empty")
	}
	if len(data) < 4 {
		if bytes.HasPrefix([]byte("MThd"), data) {
			return nil, formatErr(Truncated, "truncated MIDI file: it ends inside its header (%d bytes)", len(data))
		}
		return nil, formatErr(NotMIDI, "not a MIDI file: it does not start with an MThd header")
	}
	if string(data[:4]) != "MThd" {
		return nil, formatErr(NotMIDI, "not a MIDI file: it starts with %q, not the MThd header of a Standard MIDI File", printable(data[:4]))
	}
	if len(data) < 14 {
		return nil, formatErr(Truncated, "truncated MIDI file: it ends inside its header (%d bytes)", len(data))
	}
	hlen := binary.BigEndian.Uint32(data[4:8])
	if hlen < 6 {
		return nil, formatErr(Corrupt, "corrupt MIDI file: header chunk of %d bytes, want 6", hlen)
	}
	if uint64(hlen) > uint64(len(data)-8) {
		return nil, formatErr(Truncated, "truncated MIDI file: the header announces %d bytes but the file ends first", hlen)
	}
	format := int(binary.BigEndian.Uint16(data[8:10]))
	ntracks := int(binary.BigEndian.Uint16(data[10:12]))
	division := binary.BigEndian.Uint16(data[12:14])
	switch format {
	case 0, 1:
	case 2:
		return nil, formatErr(Unsupported, "MIDI file type 2 (independent sequences) is not supported: save it as type 0 or 1")
	default:
		return nil, formatErr(Corrupt, "corrupt MIDI file: unknown SMF type %d", format)
	}
	if division&0x8000 != 0 {
		fps := -int(int8(division >> 8))
		return nil, formatErr(Unsupported, "MIDI file uses SMPTE time division (%d frames per second, %d subframes), which is not supported: save it with ticks per quarter note", fps, division&0xff)
	}
	if division == 0 {
		return nil, formatErr(ZeroTicks, "corrupt MIDI file: zero ticks per quarter note, so no note has a time")
	}
	if ntracks == 0 {
		return nil, formatErr(NoNotes, "MIDI file has no tracks, so no notes")
	}
	f := &smfFile{tpq: int(division)}
	off := 8 + int(hlen)
	for len(f.tracks) < ntracks {
		rest := len(data) - off
		if rest == 0 {
			return nil, formatErr(Truncated, "truncated MIDI file: the header announces %d tracks but the file ends after %d", ntracks, len(f.tracks))
		}
		if rest < 8 {
			return nil, formatErr(Truncated, "truncated MIDI file: it ends inside the header of track %d", len(f.tracks)+1)
		}
		typ, n := data[off:off+4], binary.BigEndian.Uint32(data[off+4:off+8])
		if !isChunkType(typ) {
			return nil, formatErr(Corrupt, "corrupt MIDI file: unexpected bytes at offset %d where track %d should start", off, len(f.tracks)+1)
		}
		if uint64(n) > uint64(rest-8) {
			return nil, formatErr(Truncated, "truncated MIDI file: track %d announces %d bytes but only %d remain", len(f.tracks)+1, n, rest-8)
		}
		if string(typ) == "MTrk" {
			f.tracks = append(f.tracks, data[off+8:off+8+int(n)])
		} // other chunk types are skipped, as the SMF spec asks
		off += 8 + int(n)
	}
	return f, nil
}

// unwrapRMID returns the SMF inside a RIFF MIDI file: the body of its "data" chunk.
func unwrapRMID(b []byte) ([]byte, bool) {
	if len(b) < 12 || string(b[:4]) != "RIFF" || string(b[8:12]) != "RMID" {
		return nil, false
	}
	for off := 12; off+8 <= len(b); {
		n := int64(binary.LittleEndian.Uint32(b[off+4 : off+8]))
		end := min(int64(off)+8+n, int64(len(b))) // a short data chunk is reported as a truncated SMF
		if string(b[off:off+4]) == "data" {
			return b[off+8 : end], true
		}
		off = int(end + end&1) // RIFF chunks are padded to an even length
	}
	return nil, false
}

func isChunkType(b []byte) bool {
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			return false
		}
	}
	return true
}

func printable(b []byte) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r > 0x7e {
			return '.'
		}
		return r
	}, string(b))
}

// rawNote is a note in ticks.
type rawNote struct {
	pitch      int
	start, end int64
	vel        uint8
}

// openNote is a note-on waiting for its note-off.
type openNote struct {
	tick int64
	vel  uint8
}

// voice is the notes of one track and channel.
type voice struct {
	track, channel int
	notes          []rawNote
}

// tune is what decodeSMF finds in a file.
type tune struct {
	tpq       int
	voices    []voice // non-drum voices with notes, by track then channel
	drumNotes int
	tempos    []tempoChange  // from every track; sorted by tick before seconds is called
	tempoUs   []float64      // microseconds from the start at each of tempos, once seconds has run
	names     map[int]string // track index → the track's name, where it has one
	// grid maps a tick to its 16th step; nil means the file's own grid (tpq/4 ticks a step).
	grid func(tick int64) int64
	// only, if set, picks the voices of the track with that name (a data set's known layout).
	only string
}

// tempoChange is a tempo meta event: from tick on, a quarter note lasts usPerQuarter.
type tempoChange struct {
	tick         int64
	usPerQuarter float64
}

// decodeSMF parses data into notes per track and channel.
func decodeSMF(data []byte) (*tune, error) {
	f, err := scanSMF(data)
	if err != nil {
		return nil, err
	}
	t := &tune{tpq: f.tpq}
	for i, body := range f.tracks {
		events, err := readTrack(body, f.tpq)
		if err != nil {
			return nil, withTrack(err, i+1)
		}
		t.addTrack(i, events)
	}
	return t, nil
}

func withTrack(err error, track int) error {
	var fe *FormatError
	if errors.As(err, &fe) {
		return &FormatError{Kind: fe.Kind, Msg: fmt.Sprintf("track %d: %s", track, fe.Msg)}
	}
	return err
}

// checkTrack walks the events of a track body the way gomidi will and reports a meta or sysex
// event longer than what is left of the track. gomidi allocates whatever length an event
// announces (up to 4 GiB) before it reads, so such a file must not reach it.
func checkTrack(body []byte) error {
	i := 0
	varlen := func() uint32 { // as gomidi reads it: any number of bytes, 32 bits kept
		var v uint32
		for i < len(body) {
			b := body[i]
			i++
			v = v<<7 | uint32(b&0x7f)
			if b&0x80 == 0 {
				break
			}
		}
		return v
	}
	var running byte
	for i < len(body) {
		varlen() // delta time
		if i >= len(body) {
			break
		}
		c := body[i]
		i++
		switch {
		case c == 0xff || c == 0xf0 || c == 0xf7:
			running = 0
			if c == 0xff {
				i++ // meta type
			}
			n := varlen()
			if uint64(n) > uint64(max(len(body)-i, 0)) {
				return formatErr(Truncated, "truncated MIDI file: an event of %d bytes runs past the end of its track", n)
			}
			i += int(n)
		default:
			if c >= 0x80 && c <= 0xef {
				running = c
				i++ // first data byte
			} // else c is the first data byte, under running status
			if running == 0 {
				i++ // gomidi skips an unknown byte and the one after it
				continue
			}
			if t := running & 0xf0; t != 0xc0 && t != 0xd0 {
				i++ // second data byte
			}
		}
	}
	return nil
}

// readTrack parses one track chunk body with gomidi, as a one-track SMF of its own so that a
// broken track cannot spill into the next. gomidi panics on some malformed input; that becomes
// a FormatError.
func readTrack(body []byte, tpq int) (tr smf.Track, err error) {
	if err := checkTrack(body); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	b.Grow(22 + len(body))
	b.WriteString("MThd")
	binary.Write(&b, binary.BigEndian, [5]uint16{0, 6, 0, 1, uint16(tpq)}) // length (2 words), type 0, 1 track, division
	b.WriteString("MTrk")
	binary.Write(&b, binary.BigEndian, uint32(len(body)))
	b.Write(body)
	defer func() {
		if p := recover(); p != nil {
			tr, err = nil, formatErr(Corrupt, "corrupt MIDI file: the MIDI parser failed on its events (%v)", p)
		}
	}()
	s, err := smf.ReadFrom(&b)
	if err != nil {
		msg := err.Error()
		if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) || strings.Contains(msg, "End of File") {
			return nil, formatErr(Truncated, "truncated MIDI file: the track ends inside an event")
		}
		return nil, formatErr(Corrupt, "corrupt MIDI file: %s", msg)
	}
	if len(s.Tracks) != 1 {
		return nil, formatErr(Corrupt, "corrupt MIDI file: a track chunk holds no readable track")
	}
	return s.Tracks[0], nil
}

// addTrack pairs the note-ons and note-offs of one track by channel and key, as pretty_midi
// (Magenta's reader) does: a note-off ends every open note of its key that started before
// it, and a note left open at the end of the track lasts to the end of the track.
func (t *tune) addTrack(track int, events smf.Track) {
	var open map[int][]openNote // channel<<7|key → the open notes
	var byChannel [16][]rawNote
	var tick int64
	for _, ev := range events {
		tick += int64(ev.Delta)
		var ch, key, vel uint8
		var bpm float64
		var name string
		switch {
		case ev.Message.GetMetaTempo(&bpm):
			if bpm > 0 && !math.IsInf(bpm, 0) {
				t.tempos = append(t.tempos, tempoChange{tick: tick, usPerQuarter: 6e7 / bpm})
			}
		case ev.Message.GetMetaTrackName(&name):
			if t.names == nil {
				t.names = map[int]string{}
			}
			t.names[track] = name
		case ev.Message.GetNoteStart(&ch, &key, &vel):
			if ch == drumChannel {
				t.drumNotes++
				continue
			}
			if open == nil {
				open = make(map[int][]openNote)
			}
			k := int(ch)<<7 | int(key)
			open[k] = append(open[k], openNote{tick, vel})
		case ev.Message.GetNoteEnd(&ch, &key):
			k := int(ch)<<7 | int(key)
			starts := open[k]
			if len(starts) == 0 {
				continue
			}
			keep := starts[:0]
			for _, s := range starts {
				if s.tick < tick {
					byChannel[ch] = append(byChannel[ch], rawNote{pitch: int(key), start: s.tick, end: tick, vel: s.vel})
				} else {
					keep = append(keep, s)
				}
			}
			if len(keep) == len(starts) { // all started just now: zero-length notes, dropped
				keep = keep[:0]
			}
			open[k] = keep
		}
	}
	for k, starts := range open {
		for _, s := range starts {
			if s.tick < tick {
				byChannel[k>>7] = append(byChannel[k>>7], rawNote{pitch: k & 127, start: s.tick, end: tick, vel: s.vel})
			}
		}
	}
	for ch, notes := range byChannel {
		if len(notes) > 0 {
			t.voices = append(t.voices, voice{track: track, channel: ch, notes: notes})
		}
	}
}

// step quantizes a tick to the nearest 16th; halves round up.
func (t *tune) step(tick int64) int64 {
	if t.grid != nil {
		return t.grid(tick)
	}
	tpq := int64(t.tpq)
	return (8*tick + tpq) / (2 * tpq)
}

// stepNote is a quantized note; it is converted to Note once its span is known to be sane.
type stepNote struct {
	pitch      int
	start, end int64
}

// quantize puts v's notes on the 16th grid, sorted by onset and then from the highest pitch.
func (t *tune) quantize(v voice) []stepNote {
	q := make([]stepNote, len(v.notes))
	for i, n := range v.notes {
		s, e := t.step(n.start), t.step(n.end)
		if e <= s {
			e = s + 1
		}
		q[i] = stepNote{pitch: n.pitch, start: s, end: e}
	}
	sort.Slice(q, func(i, j int) bool {
		if q[i].start != q[j].start {
			return q[i].start < q[j].start
		}
		return q[i].pitch > q[j].pitch
	})
	return q
}

// polyphony counts the notes of q (sorted) that start while another note of q sounds or starts.
func polyphony(q []stepNote) int {
	n := 0
	var maxEnd int64 = -1
	for i, nt := range q {
		if maxEnd > nt.start || (i > 0 && q[i-1].start == nt.start) || (i+1 < len(q) && q[i+1].start == nt.start) {
			n++
		}
		maxEnd = max(maxEnd, nt.end)
	}
	return n
}

// pick chooses the melody voice (see ReadMIDI) and returns its notes made monophonic. Voices are
// compared by their notes after the skyline, so that in a file with no mostly monophonic voice a
// track of block chords does not win over a melody in double stops. A voice in a track named
// as a melody (melodyName) is preferred to the others.
func (t *tune) pick() ([]stepNote, voice, error) {
	if len(t.voices) == 0 {
		if t.drumNotes > 0 {
			return nil, voice{}, formatErr(DrumsOnly, "MIDI file has only drum notes (channel 10), no melody: choose a file with a melody or bass line")
		}
		return nil, voice{}, formatErr(NoNotes, "MIDI file has no notes")
	}
	best, bestMono, bestNamed := -1, false, false
	var bestLine []stepNote
	chordal := 0
	for i, v := range t.voices {
		name := strings.TrimSpace(t.names[v.track])
		if t.only != "" && !strings.EqualFold(name, t.only) {
			continue
		}
		q := t.quantize(v)
		if n := onsetCount(q); n >= minChordal && chords(q)*5 >= 4*n {
			chordal++
		}
		mono := polyphony(q)*5 <= len(q)
		named := melodyName(name)
		line := skyline(q)
		better := (named && !bestNamed) || (named == bestNamed && ((mono && !bestMono) || (mono == bestMono && len(line) > len(bestLine))))
		if best < 0 || better {
			best, bestMono, bestNamed, bestLine = i, mono, named, line
		}
	}
	if best < 0 {
		return nil, voice{}, formatErr(NoNotes, "MIDI file has no notes in a track named %s", t.only)
	}
	if chordal == len(t.voices) {
		return nil, voice{}, formatErr(ChordsOnly, "MIDI file has only chords (three or more notes at once, nearly everywhere), no single melody line: choose a file with a melody track")
	}
	return bestLine, t.voices[best], nil
}

// minChordal is the fewest onsets of a voice of chords: a file with a chord or two is read for
// its top line.
const minChordal = 4

// melodyNames are words that name a melody track, in a track's name.
var melodyNames = []string{"melody", "vocal", "voice", "lead", "singer", "tune", "melodie", "melodía"}

func melodyName(name string) bool {
	name = strings.ToLower(name)
	for _, w := range melodyNames {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

// onsetCount counts the distinct onsets of q (sorted); chords counts those where three or more
// notes start together.
func onsetCount(q []stepNote) int {
	n := 0
	for i := range q {
		if i == 0 || q[i].start != q[i-1].start {
			n++
		}
	}
	return n
}

func chords(q []stepNote) int {
	n := 0
	for i := 2; i < len(q); i++ {
		if q[i].start == q[i-2].start && (i == 2 || q[i-3].start != q[i].start) {
			n++
		}
	}
	return n
}

// seconds returns the time of tick from the start, by the file's tempo map (120 BPM before the
// first tempo event, as the standard says); t.tempos must be sorted by tick. The first call
// builds the map's running times, so that each call is a binary search.
func (t *tune) seconds(tick int64) float64 {
	if t.tempoUs == nil {
		t.tempoUs = make([]float64, len(t.tempos))
		us, at, per := 0.0, int64(0), 5e5
		for i, c := range t.tempos {
			us += float64(c.tick-at) * per / float64(t.tpq)
			at, per = c.tick, c.usPerQuarter
			t.tempoUs[i] = us
		}
	}
	i := sort.Search(len(t.tempos), func(i int) bool { return t.tempos[i].tick >= tick }) - 1 // the last change before tick
	if i < 0 {
		return float64(tick) * 5e5 / float64(t.tpq) / 1e6
	}
	c := t.tempos[i]
	return (t.tempoUs[i] + float64(tick-c.tick)*c.usPerQuarter/float64(t.tpq)) / 1e6
}

// skyline makes q (sorted by onset, highest first) monophonic; see ReadMIDI.
func skyline(q []stepNote) []stepNote {
	out := make([]stepNote, 0, len(q))
	for _, n := range q {
		if len(out) == 0 {
			out = append(out, n)
			continue
		}
		cur := &out[len(out)-1]
		switch {
		case n.start >= cur.end:
			out = append(out, n)
		case n.start == cur.start: // a chord: cur is the highest
			if n.pitch == cur.pitch {
				cur.end = max(cur.end, n.end)
			}
		case n.pitch >= cur.pitch || n.end > cur.end:
			cur.end = n.start
			out = append(out, n)
		}
		// else: lower and ending first, under a held note: dropped
	}
	return out
}

// segments turns the tune into melody segments (see ReadMIDI).
func (t *tune) segments() ([]Melody, error) {
	segs, _, err := t.segmentsOf()
	return segs, err
}

// segmentsOf is segments, and the voice they come from.
func (t *tune) segmentsOf() ([]Melody, voice, error) {
	q, v, err := t.pick()
	if err != nil {
		return nil, v, err
	}
	for _, n := range q {
		if n.pitch < MinPitch || n.pitch > MaxPitch {
			return nil, v, formatErr(PitchOutOfRange, "the melody (track %d, channel %d) has pitch %d (%s) in bar %d, outside %d..%d (A0..C8): transpose it into that range",
				v.track+1, v.channel+1, n.pitch, pitchName(n.pitch), n.start/StepsPerBar+1, MinPitch, MaxPitch)
		}
	}
	var segs []Melody
	first, steps := 0, int64(0)
	for i := range q {
		if i+1 < len(q) && q[i+1].start-q[i].end < StepsPerBar {
			continue
		}
		origin, n := span(q[first : i+1])
		if steps += n; steps > maxSteps {
			return nil, v, formatErr(TooLarge, "the melody is over %d bars long, the most this reader takes", maxSteps/StepsPerBar)
		}
		m, err := segment(q[first:i+1], origin, n)
		if err != nil {
			return nil, v, err
		}
		segs = append(segs, m)
		first = i + 1
	}
	return segs, v, nil
}

// span returns where the segment of q (monophonic, no whole-bar rest inside) starts, the bar line
// before its first note, and its length in whole bars.
func span(q []stepNote) (origin, n int64) {
	origin = q[0].start - (q[0].start%StepsPerBar+StepsPerBar)%StepsPerBar // the bar line at or before, also before step 0
	n = q[len(q)-1].end - origin
	return origin, n + (StepsPerBar-n%StepsPerBar)%StepsPerBar
}

// segment encodes q from origin on n steps.
func segment(q []stepNote, origin, n int64) (Melody, error) {
	notes := make([]Note, len(q))
	for i, x := range q {
		notes[i] = Note{Pitch: x.pitch, Start: int(x.start - origin), End: int(x.end - origin)}
	}
	m, err := FromNotes(notes, int(n))
	if err != nil { // cannot happen: skyline leaves sorted, disjoint notes, checked for range
		return nil, formatErr(Corrupt, "internal error encoding the melody: %v", err)
	}
	return m, nil
}

var noteNames = [12]string{"C", "C#", "D", "D#", "E", "F", "F#", "G", "G#", "A", "A#", "B"}

// pitchName spells a MIDI pitch with middle C (60) as C4.
func pitchName(p int) string {
	return fmt.Sprintf("%s%d", noteNames[p%12], p/12-1)
}
