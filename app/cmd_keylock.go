package main

import (
	"flag"
	"fmt"
	"io"

	"github.com/latentpalette/palette/model/melody"
	"github.com/latentpalette/palette/model/musicvae"
	"github.com/latentpalette/palette/model/vae"
)

// keyFlags are a melody command's key lock: --key, --scale and --fit.
type keyFlags struct {
	key, scale string
	fit        bool
	lock       melody.KeyLock // set by parseKey
}

// addKeyFlags adds --key, --scale and --fit to a melody command; call parseKey after parsing.
func (f *melodyFlags) addKeyFlags(fs *flag.FlagSet) {
	fs.StringVar(&f.key.key, "key", "", "key lock: the key's tonic, such as C, F# or Bb (with --scale; major if --scale is not given)")
	fs.StringVar(&f.key.scale, "scale", "", "key lock: off, major, minor, dorian, mixolydian, major-pentatonic, minor-pentatonic or blues")
	fs.BoolVar(&f.key.fit, "fit", false, "move the input melodies into the key (transposed, then the notes still outside it to the nearest scale note) before encoding")
}

// parseKey reads --key and --scale into f.key.lock (a usage error when they are wrong).
func (f *melodyFlags) parseKey() error {
	l, err := melody.ParseKeyLock(f.key.key, f.key.scale)
	if err != nil {
		return usagef("%v", err)
	}
	if f.key.fit && l.Off() {
		return usagef("--fit needs a key lock: --key and --scale")
	}
	f.key.lock = l
	return nil
}

// keyed returns m decoding under the key lock (m itself decodes alike when the lock is off).
func (f *melodyFlags) keyed(m *musicvae.Model) vae.Model[melody.Melody] {
	k := musicvae.NewKeyLocked(m)
	k.SetLock(f.key.lock)
	return k
}

// decode decodes zs under the key lock.
func (f *melodyFlags) decode(m *musicvae.Model, zs [][]float32, opts vae.DecodeOptions) ([]melody.Melody, error) {
	return m.DecodeMasked(zs, opts, f.key.lock.Allowed())
}

// fitted returns w moved into the key when --fit is given (saying so on stderr), else w.
func (f *melodyFlags) fitted(w melody.Melody, name string, stderr io.Writer) melody.Melody {
	if !f.key.fit {
		return w
	}
	out, k := f.key.lock.Fit(w)
	moved := 0
	for i := range w {
		if p, ok := melody.Pitch(w[i]); ok {
			if q, _ := melody.Pitch(out[i]); q != p+k {
				moved++
			}
		}
	}
	fmt.Fprintf(stderr, "%s: moved into %v: transposed %+d semitones, %d notes then moved to the scale\n", name, f.key.lock, k, moved)
	return out
}
