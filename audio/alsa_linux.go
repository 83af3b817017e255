//go:build linux && !android

package audio

// #cgo pkg-config: alsa
// #include <alsa/asoundlib.h>
// static void quiet(const char *file, int line, const char *function, int err, const char *fmt, ...) {}
// static void silenceALSA(void) { snd_lib_error_set_handler(quiet); }
import "C"

// quietALSA stops libasound from printing its own errors on stderr: where there is no sound card
// the player says "audio unavailable" once instead of six lines of configuration errors.
func quietALSA() { C.silenceALSA() }
