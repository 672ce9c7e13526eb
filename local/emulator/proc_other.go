//go:build unix && !linux

package emulator

import "syscall"

// processAttributes puts the emulator in a process group of its own, so
// Close stops the function with it.
func processAttributes() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}
