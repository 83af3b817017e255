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
	"strings"

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

// usageError marks errors caused by what the user typed or gave us; they exit with status 2.
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
		fmt.Fprintf(stderr, "palette: unknown command %q\n\n", strings.Join(args[:min(2, len(args))], " "))
		printUsage(stderr)
		return 2
	}
	if err := c.run(rest, stdout, stderr); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0 // the flag set has printed the usage
		}
		fmt.Fprintf(stderr, "palette %s: %v\n", c.name, err)
		var ue usageError
		if errors.As(err, &ue) {
			return 2
		}
		return 1
	}
	return 0
}

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
