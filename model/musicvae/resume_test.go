package musicvae

import (
	"os"
	"testing"

	"github.com/latentpalette/palette/model/checkpoint"
)

// TestResumesEarlierStateFiles reads the committed resume state, written by the graph before
// this one (its Adam moments are held as row and column blocks of the tensors): every tensor's
// moments are found, joined, at the tensor's size.
func TestResumesEarlierStateFiles(t *testing.T) {
	f, err := os.Open("../../training/melody-resume.safetensors")
	if err != nil {
		t.Skipf("no committed state file: %v", err)
	}
	defer f.Close()
	c, err := checkpoint.Load(f)
	if err != nil {
		t.Fatal(err)
	}
	w, err := FromFile(c)
	if err != nil {
		t.Fatal(err)
	}
	for name, tn := range w.Tensors() {
		for _, prefix := range []string{adamM, adamV} {
			v, ok := moments(c, prefix, name, w.Config)
			if !ok || len(v) != len(tn.Data) {
				t.Errorf("%s%s: found %v, %d values for %d", prefix, name, ok, len(v), len(tn.Data))
			}
		}
	}
}
