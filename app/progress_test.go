package main

import (
	"bytes"
	"fmt"
	"testing"
)

func TestProgressBar(t *testing.T) {
	for _, tt := range []struct {
		done, total int
		want        string
	}{
		{0, 100, "[>         ]   0%"},
		{40, 100, "[====>     ]  40%"},
		{99, 100, "[=========>]  99%"},
		{100, 100, "[==========] 100%"},
		{150, 100, "[==========] 100%"},
		{0, 0, "[==========] 100%"},
	} {
		if got := progressBar(tt.done, tt.total, 10); got != tt.want {
			t.Errorf("progressBar(%d, %d) = %q, want %q", tt.done, tt.total, got, tt.want)
		}
	}
}

func TestProgressLines(t *testing.T) {
	var log, term bytes.Buffer
	pl := &progress{w: &log, every: 2}
	pt := &progress{w: &term, term: true, every: 2}
	for _, p := range []*progress{pl, pt} {
		for s := 1; s <= 4; s++ {
			p.step(s, 4, fmt.Sprintf("step %d", s))
		}
		p.printf("valid %d\n", 4)
	}
	if want := "step 2\nstep 4\nvalid 4\n"; log.String() != want {
		t.Errorf("log:\n%q\nwant\n%q", log.String(), want)
	}
	want := "\r[======>                 ]  25% step 1\x1b[K" +
		"\r[============>           ]  50% step 2\x1b[K" +
		"\r[==================>     ]  75% step 3\x1b[K" +
		"\r[========================] 100% step 4\x1b[K\nvalid 4\n"
	if term.String() != want {
		t.Errorf("terminal:\n%q\nwant\n%q", term.String(), want)
	}
}
