//go:build !linux

package main

// useFasterBLAS does nothing here: the kernel choice problem it solves was seen on Linux only.
func useFasterBLAS() {}
