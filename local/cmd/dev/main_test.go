//go:build linux

package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestMakeDevStopsCleanly runs `make dev`, interrupts it once the stack is
// up, and wants no "make: ***" line: neither an Error from a go command that
// exits 1 whenever it is interrupted, nor make's Interrupt.
func TestMakeDevStopsCleanly(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	root, err := filepath.Abs("../../..")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		// terminal runs make on a terminal and presses Ctrl-C; otherwise
		// make runs without one and its process group gets SIGINT.
		terminal bool
		// exit0 wants make to exit 0. Interrupted itself, make always
		// dies of the signal, after its command stops.
		exit0 bool
	}{
		{"Ctrl-C on a terminal exits 0", true, true},
		{"SIGINT to the process group prints no make error", false, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cmd := exec.Command("make", "--no-print-directory", "-C", root, "dev", "SITE_PORT=0", "API_PORT=0", "IDP_PORT=0")
			// A make running this test must not hand its own flags on.
			for _, kv := range os.Environ() {
				if name, _, _ := strings.Cut(kv, "="); name != "MAKEFLAGS" && name != "MFLAGS" && name != "MAKELEVEL" {
					cmd.Env = append(cmd.Env, kv)
				}
			}
			var mu sync.Mutex
			var output bytes.Buffer
			printed := func() string {
				mu.Lock()
				defer mu.Unlock()
				return output.String()
			}
			var terminal *os.File
			if c.terminal {
				var tty *os.File
				terminal, tty = openPTY(t)
				cmd.Stdin, cmd.Stdout, cmd.Stderr = tty, tty, tty
				// A session of its own with the terminal as its controlling
				// terminal, whose Ctrl-C reaches its foreground process group.
				cmd.SysProcAttr = &syscall.SysProcAttr{Setsid: true, Setctty: true, Ctty: 0}
				defer tty.Close()
				go func() {
					b := make([]byte, 4096)
					for {
						n, err := terminal.Read(b)
						mu.Lock()
						output.Write(b[:n])
						mu.Unlock()
						if err != nil {
							return
						}
					}
				}()
			} else {
				cmd.Stdout = writerFunc(func(b []byte) (int, error) {
					mu.Lock()
					defer mu.Unlock()
					return output.Write(b)
				})
				cmd.Stderr = cmd.Stdout
				cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
			}
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			t.Cleanup(func() {
				if cmd.ProcessState == nil {
					_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
					<-exited
				}
			})

			deadline := time.After(5 * time.Minute)
			for !strings.Contains(printed(), "Press Ctrl-C to stop.") {
				select {
				case err := <-exited:
					t.Fatalf("make dev ended before the stack was up: %v\n%s", err, printed())
				case <-deadline:
					t.Fatalf("the stack was not up after 5 minutes:\n%s", printed())
				case <-time.After(50 * time.Millisecond):
				}
			}
			if c.terminal {
				_, err = terminal.Write([]byte{3}) // Ctrl-C
			} else {
				err = syscall.Kill(-cmd.Process.Pid, syscall.SIGINT)
			}
			if err != nil {
				t.Fatal(err)
			}
			select {
			case <-exited:
			case <-time.After(time.Minute):
				t.Fatalf("make dev still runs a minute after the interrupt:\n%s", printed())
			}
			// Let the reader drain what the terminal still holds.
			time.Sleep(100 * time.Millisecond)
			out := printed()
			if status := cmd.ProcessState.Sys().(syscall.WaitStatus); c.exit0 && (!status.Exited() || status.ExitStatus() != 0) {
				t.Errorf("make dev ended with %v, want exit status 0", cmd.ProcessState)
			}
			if strings.Contains(out, "make: ***") || !strings.Contains(out, "Stopping…") {
				t.Errorf("make dev printed, want Stopping… and no make: *** line:\n%s", out)
			}
		})
	}
}

// writerFunc is an io.Writer made of a function.
type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(b []byte) (int, error) { return f(b) }

// openPTY opens a pseudo-terminal: the terminal side a test reads and types
// on, and the tty a command runs on.
func openPTY(t *testing.T) (terminal, tty *os.File) {
	t.Helper()
	fd, err := unix.Open("/dev/ptmx", unix.O_RDWR|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("opening a pseudo-terminal: %v", err)
	}
	terminal = os.NewFile(uintptr(fd), "/dev/ptmx")
	t.Cleanup(func() { terminal.Close() })
	if err := unix.IoctlSetPointerInt(fd, unix.TIOCSPTLCK, 0); err != nil {
		t.Fatalf("unlocking the pseudo-terminal: %v", err)
	}
	n, err := unix.IoctlGetInt(fd, unix.TIOCGPTN)
	if err != nil {
		t.Fatalf("naming the pseudo-terminal: %v", err)
	}
	tty, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|unix.O_NOCTTY, 0)
	if err != nil {
		t.Fatalf("opening the pseudo-terminal's tty: %v", err)
	}
	return terminal, tty
}
