//go:build unix && !linux

package rie

import "syscall"

// processAttributes puts the emulator in its own process group, so Close
// stops it with the function it started and a Ctrl-C in a terminal reaches
// only the caller.
func processAttributes() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
