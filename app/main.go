// Command palette is Latent Palette: a 2D latent-space palette for melodies and sketches.
//
// With no arguments it opens the window; subcommands run the models from the command line.
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/latentpalette/palette/internal/atomicfile"
	"github.com/latentpalette/palette/internal/regfile"
	"github.com/latentpalette/palette/model/nn"
)

// version is set at build time with -ldflags "-X main.version=..."; FyneApp.toml holds the same number.
var version = "0.1.0"

// command is one subcommand of palette. Files in this package add theirs with register in init.
// A name may have two words ("melody eval"): the first names a group, the second the command.
type command struct {
	name    string
	summary string
	run     func(args []string, stdout, stderr io.Writer) error
}

var commands = map[string]command{}

func register(c command) { commands[c.name] = c }

// usageError marks errors caused by what the user typed or gave us; they exit with status 2
// (see exitStatus).
type usageError struct{ err error }

func (e usageError) Error() string { return e.err.Error() }
func (e usageError) Unwrap() error { return e.err }

// usagef returns a usageError with a formatted message.
func usagef(format string, a ...any) error { return usageError{fmt.Errorf(format, a...)} }

func init() {
	register(command{name: "version", summary: "print the version", run: func(args []string, stdout, _ io.Writer) error {
		fmt.Fprintf(stdout, "palette %s (%s, %s)\n", version, runtime.Version(), nn.BLAS())
		return nil
	}})
}

func main() {
	useFasterBLAS()
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

// run dispatches args and returns the process exit status: 0 ok, 1 internal failure, 2 bad input.
func run(args []string, stdout, stderr io.Writer) (status int) {
	defer func() {
		if r := recover(); r != nil {
			fmt.Fprintf(stderr, "palette: internal error: %v\n", r)
			status = 1
		}
	}()
	if len(args) == 0 {
		if err := runWindow(); err != nil {
			fmt.Fprintf(stderr, "palette: %v\n", err)
			return 1
		}
		return 0
	}
	switch args[0] {
	case "help", "-h", "--help", "-help":
		printUsage(stdout)
		return 0
	case "--version", "-version":
		args[0] = "version"
	}
	c, rest, ok := lookup(args)
	if !ok {
		fmt.Fprintf(stderr, "palette: unknown command %s (palette help lists the commands)\n", quoteArg(strings.Join(args[:min(2, len(args))], " ")))
		return 2
	}
	err := c.run(rest, stdout, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0 // the flag set has printed the usage
	}
	if err != nil {
		fmt.Fprintf(stderr, "palette %s: %s\n", c.name, errorLine(err))
	}
	return exitStatus(err)
}

// exitStatus is the one exit-code policy of every command: 0 for no error; 2 for what is wrong
// with the user's input, arguments or output path (a usageError, a file that is a directory,
// device or pipe, an output folder that does not exist); 1 for everything else, a failed
// write (a full disk) included.
func exitStatus(err error) int {
	var (
		ue usageError
		nr *regfile.NotRegularError
		te *atomicfile.TargetError
	)
	switch {
	case err == nil:
		return 0
	case errors.As(err, &ue), errors.As(err, &nr), errors.As(err, &te):
		return 2
	}
	return 1
}

// maxErrorLine bounds the line an error prints: messages quote what they read, and a hostile
// file may hold megabytes where a name or a config should be.
const maxErrorLine = 400

// errorLine is err as one line: the first line of a message of several, with a count of the
// rest, and an overlong line cut in the middle (its beginning and end say the most).
func errorLine(err error) string {
	msg, rest, more := strings.Cut(strings.TrimSpace(err.Error()), "\n")
	if more {
		msg += fmt.Sprintf(" (and %d more)", strings.Count(rest, "\n")+1)
	}
	return shorten(msg, maxErrorLine)
}

// shorten cuts s to about n bytes, keeping its beginning and end, at rune boundaries.
func shorten(s string, n int) string {
	if len(s) <= n {
		return s
	}
	head, tail := n*2/3, n/3
	for head > 0 && !utf8.RuneStart(s[head]) {
		head--
	}
	t := len(s) - tail
	for t < len(s) && !utf8.RuneStart(s[t]) {
		t++
	}
	return fmt.Sprintf("%s … (%d bytes left out) … %s", s[:head], t-head, s[t:])
}

// quoteArg quotes a value the user gave for an error message, cut to a readable length.
func quoteArg(s string) string { return strconv.Quote(shorten(s, 80)) }

// lookup finds the command that args name, preferring a two-word name, and returns the rest.
func lookup(args []string) (command, []string, bool) {
	if len(args) >= 2 {
		if c, ok := commands[args[0]+" "+args[1]]; ok {
			return c, args[2:], true
		}
	}
	c, ok := commands[args[0]]
	return c, args[1:], ok
}

func printUsage(w io.Writer) {
	fmt.Fprint(w, `Latent Palette: blend melodies and sketches in a model's latent space.

Usage:
  palette                 open the window
  palette COMMAND [ARGS]  run a command (palette COMMAND --help for its flags)

Commands:
`)
	names := make([]string, 0, len(commands)+1)
	for n := range commands {
		names = append(names, n)
	}
	names = append(names, "help")
	sort.Strings(names)
	for _, n := range names {
		s := "show this help"
		if c, ok := commands[n]; ok {
			s = c.summary
		}
		fmt.Fprintf(w, "  %-24s  %s\n", n, s)
	}
	fmt.Fprintln(w, "\n"+strings.TrimSpace(`
Exit status: 0 on success, 2 when the input or the arguments are wrong, 1 otherwise.`))
}
