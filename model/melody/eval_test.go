package melody_test

import (
	"bytes"
	"os"
	"testing"

	"github.com/latentpalette/palette/assets"
	"github.com/latentpalette/palette/internal/shared"
	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/musicvae"
)

// TestEvalWithoutBeats measures the shipped melody model on POP909's test split read with its
// beats files (as `palette melody eval` reads it) and without them (each file as a user's file,
// on the grid found in its notes), to see what the grid finder costs the model. It takes a
// while, so it runs only with MELODY_EVAL=1.
func TestEvalWithoutBeats(t *testing.T) {
	if os.Getenv("MELODY_EVAL") == "" {
		t.Skip("set MELODY_EVAL=1 to evaluate the shipped model on POP909 test with and without its beats files")
	}
	dir := shared.Data(t, "pop909/test")
	w, _, err := musicvae.Load(bytes.NewReader(assets.MelodyModel))
	if err != nil {
		t.Fatal(err)
	}
	m := musicvae.NewModel(w)
	for _, ignore := range []bool{false, true} {
		d, err := melody.LoadDatasetWith(dir, melody.DatasetOptions{IgnoreBeats: ignore})
		if err != nil {
			t.Fatal(err)
		}
		met, err := musicvae.Evaluate(m, d.Windows, musicvae.EvalOptions{Pairs: 100, Seed: 1}) // as palette melody eval
		if err != nil {
			t.Fatal(err)
		}
		how := "with beats files"
		if ignore {
			how = "without beats files"
		}
		t.Logf("%s: %s; teacher-forced accuracy %.4f, reconstruction accuracy %.4f, KL %.2f",
			how, d, met.TeacherForcedAccuracy, met.ReconstructionAccuracy, met.KL)
	}
}
