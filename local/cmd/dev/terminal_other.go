//go:build !(linux || darwin)

package main

// takeTerminal does nothing where the process group calls it needs are not
// known to work; see terminal_unix.go.
func takeTerminal() (release func()) { return func() {} }
