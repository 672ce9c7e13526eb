package emulator

import "syscall"

// processAttributes puts the emulator in a process group of its own, so
// Close stops the function with it, and has the kernel stop it when the
// caller dies without closing it.
func processAttributes() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true, Pdeathsig: syscall.SIGTERM}
}
