package drums

// classPitches is Magenta's drum mapping, DEFAULT_DRUM_TYPE_PITCHES of drums_encoder_decoder.py in
// magenta/note-seq (note_seq/drums_encoder_decoder.py; MusicVAE's REDUCED_DRUM_PITCH_CLASSES is
// the same list): the General MIDI (GM1 and GM2) drum pitches of each of the nine classes, the
// class's own pitch first. Decoding a class gives its first pitch, as Magenta's decode_event does.
//
// It is the mapping that note-seq has had since the Groove MIDI Dataset came out, which added the
// Roland TD-11's hi-hat edge pitches 22 and 26. The older copy in magenta/magenta
// (magenta/music/drums_encoder_decoder.py) differs in three places: it lacks 22 and 26, puts 43
// (high floor tom) under high tom instead of low tom, and 52 (Chinese cymbal) under ride instead
// of crash.
var classPitches = [NumClasses][]uint8{
	Kick:      {36, 35},
	Snare:     {38, 27, 28, 31, 32, 33, 34, 37, 39, 40, 56, 65, 66, 75, 85},
	ClosedHat: {42, 44, 54, 68, 69, 70, 71, 73, 78, 80, 22},
	OpenHat:   {46, 67, 72, 74, 79, 81, 26},
	LowTom:    {45, 29, 41, 43, 61, 64, 84},
	MidTom:    {48, 47, 60, 63, 77, 86, 87},
	HighTom:   {50, 30, 62, 76, 83},
	Crash:     {49, 52, 55, 57, 58},
	Ride:      {51, 53, 59, 82},
}

// pitchClass maps a MIDI pitch to its class + 1 (0: not a drum pitch of the mapping).
var pitchClass = func() (m [128]uint8) {
	for c, ps := range classPitches {
		for _, p := range ps {
			m[p] = uint8(c) + 1
		}
	}
	return m
}()

// ClassOf returns the class of a General MIDI drum pitch, and false for a pitch outside the
// mapping (such hits are ignored, as Magenta ignores unknown drums).
func ClassOf(pitch int) (Class, bool) {
	if pitch < 0 || pitch > 127 || pitchClass[pitch] == 0 {
		return 0, false
	}
	return Class(pitchClass[pitch] - 1), true
}

// Pitch is the General MIDI pitch a decoded hit of class c is played on: the first of its list
// (36 kick, 38 snare, 42 closed hi-hat, 46 open hi-hat, 45 low tom, 48 mid tom, 50 high tom,
// 49 crash, 51 ride).
func (c Class) Pitch() int {
	if c < 0 || c >= NumClasses {
		return 0
	}
	return int(classPitches[c][0])
}
