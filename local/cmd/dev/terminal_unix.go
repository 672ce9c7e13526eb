//go:build linux || darwin

package main

import (
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/sys/unix"
)

// takeTerminal makes this process the only one Ctrl-C interrupts when it
// runs under other commands in the terminal's foreground, as under `make
// dev`. The terminal sends Ctrl-C's SIGINT to its whole foreground process
// group: to make and go as well, and make, however its command ends, answers
// an interrupt with "make: *** ... Interrupt" and dies of the signal (exit
// status 130). So the process moves into a process group of its own and
// makes it the terminal's foreground; make then sees its command stop
// cleanly and exits 0. Ctrl-Z is ignored meanwhile: stopped, this group would
// hold the terminal while no shell waits for it.
//
// Outside a terminal's foreground, or already a group leader (run straight
// from a shell), it changes nothing. The returned function gives the
// terminal back to the original group.
func takeTerminal() (release func()) {
	nothing := func() {}
	tty := int(os.Stdin.Fd())
	foreground, err := unix.IoctlGetInt(tty, unix.TIOCGPGRP)
	if err != nil || foreground != unix.Getpgrp() || foreground == unix.Getpid() {
		return nothing
	}
	// A background process group that sets the terminal's foreground
	// gets SIGTTOU, which stops it, unless it ignores the signal.
	signal.Ignore(syscall.SIGTTOU)
	if err := unix.Setpgid(0, 0); err != nil {
		return nothing
	}
	if err := unix.IoctlSetPointerInt(tty, unix.TIOCSPGRP, unix.Getpid()); err != nil {
		_ = unix.Setpgid(0, foreground)
		return nothing
	}
	signal.Ignore(syscall.SIGTSTP)
	return func() {
		_ = unix.IoctlSetPointerInt(tty, unix.TIOCSPGRP, foreground)
	}
}
