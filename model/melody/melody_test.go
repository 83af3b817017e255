package melody

import "testing"

func TestTranspose(t *testing.T) {
	m := Melody{NoteOn(60), 0, NoteOff, NoteOn(MaxPitch - 3), 0}
	tests := []struct {
		k    int
		want Melody
		ok   bool
	}{
		{0, m, true},
		{3, Melody{NoteOn(63), 0, NoteOff, NoteOn(MaxPitch), 0}, true},
		{4, nil, false},
		{-39, Melody{NoteOn(MinPitch), 0, NoteOff, NoteOn(MaxPitch - 42), 0}, true},
		{-40, nil, false},
	}
	for _, tt := range tests {
		got, ok := m.Transpose(tt.k)
		if ok != tt.ok || !equal(got, tt.want) {
			t.Errorf("Transpose(%d) = %v, %v; want %v, %v", tt.k, got, ok, tt.want, tt.ok)
		}
	}
	got, _ := m.Transpose(0)
	got[0] = NoteOff
	if m[0] != NoteOn(60) {
		t.Error("Transpose(0) returned m itself")
	}
}

func TestConcat(t *testing.T) {
	c, d := NoteOn(60), NoteOn(62)
	tests := []struct {
		name  string
		parts []Melody
		want  Melody
	}{
		{"a held note is ended at the join", []Melody{{c, 0}, {0, d}}, Melody{c, 0, NoteOff, d}},
		{"a next note-on ends it anyway", []Melody{{c, 0}, {d, 0}}, Melody{c, 0, d, 0}},
		{"an ended note needs nothing", []Melody{{c, NoteOff}, {0, d}}, Melody{c, NoteOff, 0, d}},
		{"empty parts are skipped", []Melody{{c}, {}, nil, {0, d}}, Melody{c, NoteOff, d}},
		{"rests only", []Melody{{0, 0}, {0}}, Melody{0, 0, 0}},
		{"nothing", nil, Melody{}},
	}
	for _, tt := range tests {
		if got := Concat(tt.parts...); !equal(got, tt.want) {
			t.Errorf("%s: got %v, want %v", tt.name, got, tt.want)
		}
	}
	// Each part sounds the same inside the whole as alone.
	a, b := Melody{0, c, 0, 0}, Melody{0, 0, d, 0}
	notes := Concat(a, b, a).Notes()
	want := []Note{{60, 1, 4}, {62, 6, 8}, {60, 9, 12}}
	if len(notes) != len(want) {
		t.Fatalf("notes %v, want %v", notes, want)
	}
	for i := range want {
		if notes[i] != want[i] {
			t.Errorf("notes %v, want %v", notes, want)
		}
	}
}

func TestNotesFromNotesRoundTrip(t *testing.T) {
	m := Melody{0, NoteOn(60), 0, NoteOff, NoteOn(61), NoteOn(62), 0, 0}
	back, err := FromNotes(m.Notes(), len(m))
	if err != nil || !equal(back, m) {
		t.Errorf("FromNotes(Notes()) = %v, %v; want %v", back, err, m)
	}
	if (Melody{0, NoteOff}).HasNote() || !(Melody{0, NoteOn(60)}).HasNote() {
		t.Error("HasNote is wrong")
	}
}
