package examples

import "strings"

// classCornerOrder is which classes a multi-class model's example corners prefer, in corner
// order: the ones the shipped animals draw best first (samples clearly the class, by eye:
// rabbit and sheep 18 of 20, bear and tiger 15; birds and parrots are often scribbles), the sheep
// last, where the sheep model's corners were.
var classCornerOrder = []string{"rabbit", "bear", "tiger", "sheep", "dolphin", "monkey", "dog", "hedgehog", "parrot", "bird"}

// ClassCorners returns four of known (a model's classes) for its example corners, in corner
// order: the index of each in known; false when fewer than four of them are in the order. The
// drawings are the model's own (the window decodes an anchor of each class), so that no one
// else's drawings ship.
func ClassCorners(known []string) ([4]int, bool) {
	var out [4]int
	n := 0
	for _, c := range classCornerOrder {
		for i, k := range known {
			if n < 4 && strings.EqualFold(k, c) {
				out[n] = i
				n++
			}
		}
	}
	return out, n == 4
}
