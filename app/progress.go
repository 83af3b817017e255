package main

import (
	"fmt"
	"io"
	"strings"
)

// progress prints a training run's step lines: on a terminal one line that rewrites itself,
// led by a bar; elsewhere (a log file) every so many steps, one line each.
type progress struct {
	w     io.Writer
	term  bool
	every int  // steps between lines when not on a terminal
	open  bool // a rewritten line is on the terminal and the next message needs its own line
}

func newProgress(w io.Writer, every int) *progress {
	return &progress{w: w, term: isTerminal(w), every: every}
}

// step shows line for step of total.
func (p *progress) step(step, total int, line string) {
	switch {
	case p.term:
		fmt.Fprintf(p.w, "\r%s %s\x1b[K", progressBar(step, total, 24), line)
		p.open = true
	case step%p.every == 0:
		fmt.Fprintln(p.w, line)
	}
}

// printf prints a message on a line of its own, below the progress line.
func (p *progress) printf(format string, args ...any) {
	if p.open {
		fmt.Fprintln(p.w)
		p.open = false
	}
	fmt.Fprintf(p.w, format, args...)
}

// progressBar draws done of total as a bar width characters wide and a percentage:
// "[=========>              ]  40%".
func progressBar(done, total, width int) string {
	frac := 1.0
	if total > 0 {
		frac = min(max(float64(done)/float64(total), 0), 1)
	}
	full := int(frac * float64(width))
	var b strings.Builder
	b.WriteByte('[')
	b.WriteString(strings.Repeat("=", full))
	if full < width {
		b.WriteByte('>')
		b.WriteString(strings.Repeat(" ", width-full-1))
	}
	fmt.Fprintf(&b, "] %3.0f%%", 100*frac)
	return b.String()
}
