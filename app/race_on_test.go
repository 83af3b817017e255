//go:build race

package main

// raceEnabled: the race detector's shadow memory and slowdown would blur what the hostile corpus
// measures of the real binary.
const raceEnabled = true
