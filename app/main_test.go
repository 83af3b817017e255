package main

import (
	"sort"
	"strings"
	"testing"
)

// Every command answers --help with its usage on standard error and exit status 0, without an
// error line.
func TestHelpFlag(t *testing.T) {
	names := make([]string, 0, len(commands))
	for n := range commands {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		args := append(strings.Fields(n), "--help")
		status, stdout, stderr := runCmd(t, args...)
		if status != 0 {
			t.Errorf("palette %s --help: exit status %d, want 0\n%s", n, status, stderr)
		}
		if strings.Contains(stderr, "help requested") || strings.Contains(stderr, "palette "+n+":") {
			t.Errorf("palette %s --help printed an error line:\n%s", n, stderr)
		}
		if n != "version" && !strings.Contains(strings.ToLower(stdout+stderr), "usage") {
			t.Errorf("palette %s --help printed no usage", n)
		}
	}
}
