package main

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/model/sketchrnn"
)

func TestWindowModels(t *testing.T) {
	dir := t.TempDir()
	mel := filepath.Join(dir, "mel.safetensors")
	mw, err := musicvae.NewWeights(musicvae.MelodyVAEConfig{EncoderSize: 8, DecoderSizes: []int{8}, ZSize: 4}, 1)
	if err != nil {
		t.Fatal(err)
	}
	if err := writeFileAtomic(mel, func(w io.Writer) error { return mw.Save(w, nil) }); err != nil {
		t.Fatal(err)
	}
	cfg := sketchrnn.DefaultConfig()
	cfg.EncSize, cfg.DecSize, cfg.ZSize = 8, 8, 4
	sw, err := sketchrnn.NewWeights(cfg, 10, 1)
	if err != nil {
		t.Fatal(err)
	}
	sk := filepath.Join(dir, "sketch.safetensors")
	if err := writeFileAtomic(sk, sw.Save); err != nil {
		t.Fatal(err)
	}
	notes := filepath.Join(dir, "notes.txt")
	os.WriteFile(notes, []byte("not a model"), 0o644)

	tests := []struct {
		name           string
		melody, sketch string
		wantM, wantS   bool
		err            string
	}{
		{"built-in (stand-ins until trained)", "", "", false, false, ""},
		{"both files", mel, sk, true, true, ""},
		{"melody only", mel, "", true, false, ""},
		{"missing file", filepath.Join(dir, "none.safetensors"), "", false, false, "no such file"},
		{"not a checkpoint", "", notes, false, false, "sketch"},
		{"a melody model for sketches", "", mel, false, false, "sketch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if _, ok := builtinMelodyModel(); ok && tt.melody == "" {
				t.Skip("this build has a built-in melody model")
			}
			m, err := windowModels(tt.melody, tt.sketch)
			if tt.err != "" {
				if err == nil || !strings.Contains(err.Error(), tt.err) {
					t.Fatalf("error %v, want one about %q", err, tt.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if (m.Melody != nil) != tt.wantM || (m.Sketch != nil) != tt.wantS {
				t.Errorf("melody %v, sketch %v", m.Melody != nil, m.Sketch != nil)
			}
			if tt.wantM && !strings.Contains(m.MelodyName, "mel.safetensors") {
				t.Errorf("melody named %q", m.MelodyName)
			}
		})
	}
}
