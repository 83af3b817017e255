// Package locale gives Fyne a locale it can parse before Fyne reads it at start-up.
// Import it for its side effect, from package main only.
package locale

import (
	"os"
	"strings"
)

// Fyne reads the locale in its package initialisation and logs an error for the "C.UTF-8" that
// many Linux machines and containers use. This init runs before Fyne's: Go initialises ready
// packages in import-path order, and Fyne's locale package waits for golang.org/x/text, which
// sorts after this one.
func init() { os.Setenv(Fix(os.Getenv)) }

// Fix returns the variable that Fyne's locale lookup reads (the first set of LC_ALL, LC_MESSAGES
// and LANG) and the value it should have: "en_US.UTF-8" where the value is C.* or POSIX.*, which
// Fyne cannot parse; otherwise the variable is returned unchanged.
func Fix(getenv func(string) string) (key, value string) {
	for _, k := range []string{"LC_ALL", "LC_MESSAGES", "LANG"} {
		v := getenv(k)
		if v == "" {
			continue
		}
		if strings.HasPrefix(v, "C.") || strings.HasPrefix(v, "POSIX.") {
			return k, "en_US.UTF-8"
		}
		return k, v
	}
	return "LANG", ""
}
