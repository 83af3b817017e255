// Package magenta reads and writes Magenta.js MusicVAE checkpoint directories (config.json,
// weights_manifest.json and binary shards), so melody and drum models move between Magenta and
// Latent Palette.
package magenta

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/latentpalette/palette/model/melody"
)

// The files of a checkpoint directory.
const (
	ConfigFile   = "config.json"
	ManifestFile = "weights_manifest.json"
)

// Config is the part of config.json that says what kind of model the checkpoint holds.
type Config struct {
	Type          string        `json:"type"`
	DataConverter DataConverter `json:"dataConverter"`
	ChordEncoder  string        `json:"chordEncoder,omitempty"`

	// Conditioning and decoders that the melody VAE does not have; Read rejects them.
	ConditionOnKey    bool              `json:"conditionOnKey,omitempty"`
	ExtraControls     []json.RawMessage `json:"extraControls,omitempty"`
	UseBooleanDecoder bool              `json:"useBooleanDecoder,omitempty"`
}

// DataConverter names the converter between note sequences and tensors, and its arguments.
type DataConverter struct {
	Type string        `json:"type"`
	Args ConverterArgs `json:"args"`
}

// ConverterArgs are the converter arguments that matter for a melody model.
type ConverterArgs struct {
	NumSteps    int `json:"numSteps"`
	NumSegments int `json:"numSegments,omitempty"`
	MinPitch    int `json:"minPitch,omitempty"`
	MaxPitch    int `json:"maxPitch,omitempty"`
}

// MelodyConfig is the config of a 2-bar melody model in the 90-class encoding, as written by Write.
var MelodyConfig = Config{
	Type: "MusicVAE",
	DataConverter: DataConverter{Type: "MelodyConverter", Args: ConverterArgs{
		NumSteps: melody.WindowSteps, MinPitch: melody.MinPitch, MaxPitch: melody.MaxPitch}},
}

// DrumsConfig is the config of a 2-bar drum model (drums_2bar: 9 drum classes, 512 tokens), as
// written by Write.
var DrumsConfig = Config{
	Type:          "MusicVAE",
	DataConverter: DataConverter{Type: "DrumsConverter", Args: ConverterArgs{NumSteps: melody.WindowSteps}},
}

// IsDrums reports whether c is a drum model's config.
func (c Config) IsDrums() bool { return c.DataConverter.Type == DrumsConfig.DataConverter.Type }

// ErrorKind says what is wrong with a checkpoint directory that Read rejects.
type ErrorKind int

const (
	NoConfig     ErrorKind = iota + 1 // the directory has no config.json
	BadConfig                         // config.json is not the JSON of a MusicVAE model
	NotMelody                         // a model of another kind: drums, trios, hierarchical, conditioned
	NoManifest                        // the directory has no weights_manifest.json
	BadManifest                       // the manifest is malformed: JSON, shapes, dtypes, quantization
	SizeMismatch                      // the shards' bytes and the manifest's weights do not add up
	MissingShard                      // a shard the manifest names is not there
	BadValue                          // a weight holds NaN or Inf
	TooLarge                          // beyond the reader's limits
)

var kindNames = [...]string{"", "no config.json", "bad config", "not a melody model", "no manifest",
	"bad manifest", "size mismatch", "missing shard", "bad value", "too large"}

func (k ErrorKind) String() string {
	if k > 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("ErrorKind(%d)", int(k))
}

// FormatError reports a checkpoint directory that Read cannot load, naming the file concerned.
type FormatError struct {
	Kind ErrorKind
	File string // the file within the directory, or "" for the directory as a whole
	Msg  string
}

func (e *FormatError) Error() string {
	if e.File == "" {
		return "magenta checkpoint: " + e.Msg
	}
	return "magenta checkpoint: " + e.File + ": " + e.Msg
}

func formatErr(k ErrorKind, file, format string, a ...any) *FormatError {
	return &FormatError{Kind: k, File: file, Msg: fmt.Sprintf(format, a...)}
}

// ParseConfig parses config.json and checks that it describes a flat 2-bar melody model in the
// 90-class encoding (MelodyConverter, 32 steps, pitches 21..108, no chords, no segments) or a
// flat 2-bar drum model (DrumsConverter, 32 steps).
func ParseConfig(data []byte) (Config, error) {
	var c Config
	if err := json.Unmarshal(data, &c); err != nil {
		return c, formatErr(BadConfig, ConfigFile, "not valid JSON of a model config: %v", err)
	}
	if c.Type != "MusicVAE" {
		return c, formatErr(NotMelody, ConfigFile, "type %q is not MusicVAE", c.Type)
	}
	dc := c.DataConverter
	want := MelodyConfig.DataConverter
	if c.IsDrums() {
		want = DrumsConfig.DataConverter
	}
	switch {
	case dc.Type != want.Type:
		return c, formatErr(NotMelody, ConfigFile, "data converter %q is neither a melody nor a drums converter: trio and multitrack models are not supported",
			dc.Type)
	case dc.Args.NumSegments > 1:
		return c, formatErr(NotMelody, ConfigFile, "a hierarchical model of %d segments: only flat 2-bar melody models are supported", dc.Args.NumSegments)
	case dc.Args.NumSteps != want.Args.NumSteps:
		return c, formatErr(NotMelody, ConfigFile, "numSteps %d: only 2-bar models (numSteps %d) are supported", dc.Args.NumSteps, want.Args.NumSteps)
	case !c.IsDrums() && (dc.Args.MinPitch != want.Args.MinPitch || dc.Args.MaxPitch != want.Args.MaxPitch):
		return c, formatErr(NotMelody, ConfigFile, "pitch range %d..%d: only %d..%d (the 90-class encoding) is supported",
			dc.Args.MinPitch, dc.Args.MaxPitch, want.Args.MinPitch, want.Args.MaxPitch)
	case c.ChordEncoder != "":
		return c, formatErr(NotMelody, ConfigFile, "a chord-conditioned model (%s): not supported", c.ChordEncoder)
	case c.ConditionOnKey || len(c.ExtraControls) > 0:
		return c, formatErr(NotMelody, ConfigFile, "a model conditioned on a key or extra controls: not supported")
	case c.UseBooleanDecoder:
		return c, formatErr(NotMelody, ConfigFile, "a model with a boolean (multi-hot) decoder: not supported")
	}
	return c, nil
}

// unsupportedParts are pieces of variable names that only other kinds of MusicVAE have.
var unsupportedParts = []struct{ part, what string }{
	{"conductor", "a hierarchical model (conductor)"},
	{"hierarchical_level", "a hierarchical model"},
	{"core_decoder", "a hierarchical or multi-track model"},
	{"control_preprocessing", "a conditioned model (control inputs)"},
	{"nade/", "a NADE-decoder (drums) model"},
}

// checkNames rejects variable names of models other than the flat melody VAE.
func checkNames(names []string) error {
	for _, n := range names {
		for _, u := range unsupportedParts {
			if strings.Contains(n, u.part) {
				return formatErr(NotMelody, ManifestFile, "weight %q belongs to %s: only flat 2-bar melody models are supported", n, u.what)
			}
		}
	}
	return nil
}
