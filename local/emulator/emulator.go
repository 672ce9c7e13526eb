//go:build unix

// Package emulator runs a Lambda function's bootstrap executable locally
// under the AWS Lambda Runtime Interface Emulator (RIE), the same runtime
// API the provided.al2023 runtime offers, and invokes it.
//
// Each Function gets its own free loopback ports, so several can run side
// by side (tests in parallel, the local stack's two functions). The
// emulator's environment is exactly Options.Env: it passes it on to the
// function, and nothing of the caller's environment leaks in.
//
//	rie, err := emulator.Path(ctx, localDir)
//	if err != nil { ... }
//	fn, err := emulator.Start(ctx, emulator.Options{RIE: rie, Bootstrap: bin, Env: []string{"GOOGLE_CLIENT_ID=..."}})
//	if err != nil { ... }
//	defer fn.Close()
//	answer, err := fn.Invoke(ctx, []byte(`{"name":"Ada"}`))
package emulator

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda/messages"
)

// riePackage is the Go package of the emulator's command, a tool
// dependency of the local module.
const riePackage = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"

// invocationsPath is where the emulator accepts invocations, as Lambda's
// Invoke API does.
const invocationsPath = "/2015-03-31/functions/function/invocations"

// startAttempts is how often Start tries fresh ports when the emulator
// exits at once (another process took a port between choosing and binding).
const startAttempts = 3

// startTimeout bounds how long Start waits for the emulator to listen.
const startTimeout = 10 * time.Second

// stopGrace is how long Close waits after SIGTERM before SIGKILL.
const stopGrace = 2 * time.Second

// Path returns the path of the emulator's executable, as pinned by the
// local module at moduleDir (the directory holding its go.mod), building
// it into Go's build cache when it is not there yet.
func Path(ctx context.Context, moduleDir string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", riePackage)
	cmd.Dir = moduleDir
	cmd.Env = append(os.Environ(), "GOWORK=off", "CGO_ENABLED=0")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("emulator: building %s: %w\n%s", riePackage, err, stderr.Bytes())
	}
	return strings.TrimSpace(string(out)), nil
}

// Options says what to run.
type Options struct {
	// RIE is the path of the aws-lambda-rie executable (see Path).
	RIE string
	// Bootstrap is the path of the function's executable, built for the
	// host.
	Bootstrap string
	// Env is the function's environment, as KEY=value entries.
	Env []string
	// Output receives the emulator's and the function's logs; nil discards
	// them.
	Output io.Writer
}

// Function is a function running under the emulator. The emulator starts
// the bootstrap (the function's init) on the first invocation, as Lambda
// does on a cold start.
type Function struct {
	cmd    *exec.Cmd
	url    string
	client *http.Client
	exited chan struct{}
	output *tail

	// invoking serializes invocations: one execution environment runs one
	// at a time, and the emulator refuses a second.
	invoking sync.Mutex

	closeOnce sync.Once
	closeErr  error
}

// Start runs opts.Bootstrap under the emulator on free loopback ports and
// returns once the emulator accepts invocations and its runtime API is up.
func Start(ctx context.Context, opts Options) (*Function, error) {
	if opts.RIE == "" || opts.Bootstrap == "" {
		return nil, errors.New("emulator: Options.RIE and Options.Bootstrap are required")
	}
	var err error
	for range startAttempts {
		var f *Function
		if f, err = start(ctx, opts); err == nil {
			return f, nil
		}
		if !errors.Is(err, errExited) {
			break
		}
	}
	return nil, err
}

// errExited reports an emulator that stopped before it listened.
var errExited = errors.New("the emulator exited")

func start(ctx context.Context, opts Options) (*Function, error) {
	addrs, err := freeAddrs(2)
	if err != nil {
		return nil, err
	}
	invokeAddr, runtimeAddr := addrs[0], addrs[1]
	out := &tail{w: opts.Output}
	cmd := exec.Command(opts.RIE,
		"--runtime-interface-emulator-address", invokeAddr,
		"--runtime-api-address", runtimeAddr,
		"--log-level", "error",
		opts.Bootstrap)
	// Never nil: a nil Env would hand the caller's environment on.
	cmd.Env = append([]string{}, opts.Env...)
	cmd.Stdout = out
	cmd.Stderr = out
	cmd.SysProcAttr = processAttributes()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("emulator: starting %s: %w", opts.RIE, err)
	}
	f := &Function{
		cmd:    cmd,
		url:    "http://" + invokeAddr + invocationsPath,
		client: &http.Client{},
		exited: make(chan struct{}),
		output: out,
	}
	go func() {
		_ = cmd.Wait()
		close(f.exited)
	}()
	// The emulator opens the two ports concurrently; the function's runtime
	// API must be up before the first invocation starts the bootstrap.
	deadline := time.Now().Add(startTimeout)
	for _, addr := range []string{invokeAddr, runtimeAddr} {
		if err := f.awaitListening(ctx, addr, deadline); err != nil {
			_ = f.Close()
			return nil, err
		}
	}
	return f, nil
}

// freeAddrs returns n distinct loopback addresses whose ports are free at
// the time of the call.
func freeAddrs(n int) ([]string, error) {
	addrs := make([]string, 0, n)
	for range n {
		// Held open until all are chosen, so the ports differ.
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("emulator: finding a free port: %w", err)
		}
		defer l.Close()
		addrs = append(addrs, l.Addr().String())
	}
	return addrs, nil
}

func (f *Function) awaitListening(ctx context.Context, addr string, deadline time.Time) error {
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return conn.Close()
		}
		select {
		case <-f.exited:
			return fmt.Errorf("emulator: %w before listening on %s: %s", errExited, addr, f.output.String())
		case <-ctx.Done():
			return fmt.Errorf("emulator: waiting for %s: %w", addr, ctx.Err())
		case <-time.After(2 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("emulator: not listening on %s in time: %s", addr, f.output.String())
		}
	}
}

// Invoke sends event to the function and returns its answer; concurrent
// calls wait for one another. When the
// function returns an error, Invoke returns the error document as the
// answer and the error as aws-lambda-go's runtime reports it, a
// *messages.InvokeResponse_Error; any other error means the function could
// not be invoked.
//
// The emulator answers a function's error like a result, so Invoke
// recognizes one by its shape: a JSON object holding errorMessage and
// errorType, and at most the stack trace besides.
func (f *Function) Invoke(ctx context.Context, event []byte) ([]byte, error) {
	f.invoking.Lock()
	defer f.invoking.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(event))
	if err != nil {
		return nil, fmt.Errorf("emulator: %w", err)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("emulator: invoking: %w; output: %s", err, f.output.String())
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("emulator: reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("emulator: invoking: %s: %s; output: %s", resp.Status, body, f.output.String())
	}
	if ferr := functionError(body); ferr != nil {
		return body, ferr
	}
	return body, nil
}

func functionError(body []byte) *messages.InvokeResponse_Error {
	var doc map[string]json.RawMessage
	if json.Unmarshal(body, &doc) != nil || doc["errorMessage"] == nil || doc["errorType"] == nil {
		return nil
	}
	for k := range doc {
		if k != "errorMessage" && k != "errorType" && k != "stackTrace" {
			return nil
		}
	}
	// The stack trace's shape varies with the runtime; only the type and
	// the message are kept.
	var e messages.InvokeResponse_Error
	if json.Unmarshal(doc["errorMessage"], &e.Message) != nil || json.Unmarshal(doc["errorType"], &e.Type) != nil {
		return nil
	}
	return &e
}

// Output returns the last part of the emulator's and function's logs.
func (f *Function) Output() string { return f.output.String() }

// Close stops the emulator and the function: SIGTERM, then SIGKILL when
// they have not exited within a grace period.
func (f *Function) Close() error {
	f.closeOnce.Do(func() {
		pgid := f.cmd.Process.Pid
		select {
		case <-f.exited:
		default:
			if err := syscall.Kill(-pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
				f.closeErr = fmt.Errorf("emulator: stopping: %w", err)
			}
			select {
			case <-f.exited:
			case <-time.After(stopGrace):
			}
		}
		// The function may outlive the emulator in their group.
		if err := syscall.Kill(-pgid, syscall.SIGKILL); err != nil && !errors.Is(err, syscall.ESRCH) && f.closeErr == nil {
			f.closeErr = fmt.Errorf("emulator: stopping: %w", err)
		}
		<-f.exited
	})
	return f.closeErr
}

// tailSize is how much of the logs a Function keeps for error messages.
const tailSize = 4 << 10

// tail keeps the last tailSize bytes written to it, and copies everything
// to w when w is set.
type tail struct {
	w   io.Writer
	mu  sync.Mutex
	buf []byte
}

// Write keeps the last tailSize bytes of the output and passes p on to w,
// when set.
func (t *tail) Write(p []byte) (int, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.buf = append(t.buf, p...)
	if len(t.buf) > tailSize {
		t.buf = append(t.buf[:0], t.buf[len(t.buf)-tailSize:]...)
	}
	if t.w != nil {
		return t.w.Write(p)
	}
	return len(p), nil
}

// String returns the output kept, trimmed.
func (t *tail) String() string {
	t.mu.Lock()
	defer t.mu.Unlock()
	return strings.TrimSpace(string(t.buf))
}

// PID is the process ID of the emulator, which is also the ID of the
// process group it shares with the function.
func (f *Function) PID() int { return f.cmd.Process.Pid }
