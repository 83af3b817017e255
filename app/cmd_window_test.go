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
	mw, err := musicvae.NewWeights(musicvae.Config{EncoderSize: 8, DecoderSizes: []int{8}, ZSize: 4}, 1)
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
		builtins       bool // the binary has built-in weights
		melody, sketch string
		wantM, wantS   bool
		err            string
	}{
		{"no built-in weights: stand-ins", false, "", "", false, false, ""},
		{"built-in weights", true, "", "", true, true, ""},
		{"both files", true, mel, sk, true, true, ""},
		{"melody only, no built-in weights", false, mel, "", true, false, ""},
		{"melody only, built-in sketch model", true, mel, "", true, true, ""},
		{"missing file", true, filepath.Join(dir, "none.safetensors"), "", false, false, "no such file"},
		{"not a checkpoint", true, "", notes, false, false, "sketch"},
		{"a melody model for sketches", true, "", mel, false, false, "sketch"},
		{"the ten animals", true, "", "builtin:animals", true, true, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			has := shipped{}
			if tt.builtins {
				if has = shippedModels(); !has.sketch {
					t.Skip("this build has no built-in sketch model")
				}
			}
			m, err := windowModels(tt.melody, tt.sketch, has)
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
			wantName := "built-in"
			if tt.melody != "" {
				wantName = "mel.safetensors"
			}
			if tt.wantM && !strings.Contains(m.MelodyName, wantName) {
				t.Errorf("melody named %q, want %q in it", m.MelodyName, wantName)
			}
			if tt.sketch == "builtin:animals" && (len(m.SketchClasses.Names) != 10 || len(m.MoreSketches) != 1 || m.MoreSketches[0].Label != "Sheep") {
				t.Errorf("the animals model knows %v and offers %d others, want ten classes and the sheep", m.SketchClasses.Names, len(m.MoreSketches))
			}
			if tt.builtins && tt.sketch == "" && (m.SketchLabel != "Sheep" || len(m.MoreSketches) != 1 || m.MoreSketches[0].Label != "Ten animals" || len(m.MoreSketches[0].Classes.Names) != 10) {
				t.Errorf("the default window's sketch models: %q and %d more", m.SketchLabel, len(m.MoreSketches))
			}
			if tt.wantS && tt.sketch == "" && !strings.Contains(m.SketchName, "built-in") {
				t.Errorf("sketch named %q, want the built-in model", m.SketchName)
			}
		})
	}
}
