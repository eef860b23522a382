//go:build !unix

package main

import "syscall"

// errnoName has no table of names on this system.
func errnoName(syscall.Errno) string { return "" }
