package rie

import "syscall"

// processAttributes puts the emulator in its own process group, so Close
// stops it with the function it started and a Ctrl-C in a terminal reaches
// only the caller, and has the kernel stop it if the caller dies without
// closing it.
func processAttributes() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
