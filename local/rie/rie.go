// Package rie runs a Lambda function's bootstrap binary under the AWS Lambda
// Runtime Interface Emulator (aws-lambda-rie, a Go tool dependency of the
// functions module) and invokes it, so the local stack runs the real
// binaries against the real Runtime API rather than calling the handlers
// in-process.
package rie

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
)

// invocationsPath is the emulator's invoke endpoint.
const invocationsPath = "/2015-03-31/functions/function/invocations"

// Emulator returns the path of the aws-lambda-rie executable that the
// functions module at dir pins, building it into Go's cache if needed.
func Emulator(ctx context.Context, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, "go", "tool", "-n", "aws-lambda-rie")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("rie: building aws-lambda-rie in %s: %w\n%s", dir, err, stderr.Bytes())
	}
	return strings.TrimSpace(string(out)), nil
}

// Options says what to run.
type Options struct {
	// Emulator is the path of aws-lambda-rie (see Emulator).
	Emulator string
	// Bootstrap is the path of the function's executable.
	Bootstrap string
	// Name is the function's name, AWS_LAMBDA_FUNCTION_NAME.
	Name string
	// Env is the function's environment, as KEY=value pairs, added to a
	// minimal one (PATH, HOME, TMPDIR).
	Env []string
	// Output receives the emulator's and the function's logs; nil discards
	// them.
	Output io.Writer
}

// Function is a function running under the emulator. It invokes one event
// at a time, as one Lambda execution environment does.
type Function struct {
	url    string
	cmd    *exec.Cmd
	client *http.Client
	mu     sync.Mutex
	exited chan struct{}
}

// FunctionError is an error the function returned, as the Runtime API
// reports it.
type FunctionError struct {
	// Type is the error's type, such as "errorString".
	Type string `json:"errorType"`
	// Message is the error's message, such as "Unauthorized".
	Message string `json:"errorMessage"`
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("function error %s: %s", e.Type, e.Message)
}

// Start runs the function under the emulator on free loopback ports and
// waits until the emulator accepts invocations. Close stops it.
func Start(ctx context.Context, opts Options) (*Function, error) {
	if opts.Emulator == "" || opts.Bootstrap == "" || opts.Name == "" {
		return nil, errors.New("rie: the emulator, bootstrap and name are required")
	}
	ports, err := freePorts(2)
	if err != nil {
		return nil, err
	}
	invokeAddr, runtimeAddr := ports[0], ports[1]
	cmd := exec.Command(opts.Emulator,
		"--runtime-interface-emulator-address", invokeAddr,
		"--runtime-api-address", runtimeAddr,
		"--log-level", "error",
		opts.Bootstrap)
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"TMPDIR=" + os.TempDir(),
		"AWS_LAMBDA_FUNCTION_NAME=" + opts.Name,
		"AWS_REGION=eu-central-1",
	}, opts.Env...)
	output := opts.Output
	if output == nil {
		output = io.Discard
	}
	cmd.Stdout, cmd.Stderr = output, output
	cmd.SysProcAttr = processAttributes()
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("rie: starting %s: %w", opts.Name, err)
	}
	f := &Function{
		url:    "http://" + invokeAddr + invocationsPath,
		cmd:    cmd,
		client: &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 4}},
		exited: make(chan struct{}),
	}
	go func() {
		_ = cmd.Wait()
		close(f.exited)
	}()
	if err := f.waitReady(ctx, invokeAddr); err != nil {
		f.Close()
		return nil, fmt.Errorf("rie: %s: %w", opts.Name, err)
	}
	return f, nil
}

func (f *Function) waitReady(ctx context.Context, addr string) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	var d net.Dialer
	for {
		conn, err := d.DialContext(ctx, "tcp", addr)
		if err == nil {
			return conn.Close()
		}
		select {
		case <-f.exited:
			return errors.New("the emulator exited at start")
		case <-ctx.Done():
			return fmt.Errorf("the emulator did not listen on %s: %w", addr, ctx.Err())
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// freePorts returns n distinct loopback addresses free at the time of the
// call.
func freePorts(n int) ([]string, error) {
	var addrs []string
	var listeners []net.Listener
	defer func() {
		for _, l := range listeners {
			l.Close()
		}
	}()
	for range n {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			return nil, fmt.Errorf("rie: finding a free port: %w", err)
		}
		listeners = append(listeners, l)
		addrs = append(addrs, l.Addr().String())
	}
	return addrs, nil
}

// Invoke sends event to the function and returns its response payload. An
// error the function returned is a *FunctionError.
func (f *Function) Invoke(ctx context.Context, event []byte) ([]byte, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, f.url, bytes.NewReader(event))
	if err != nil {
		return nil, fmt.Errorf("rie: %w", err)
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("rie: invoking: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 6<<20))
	if err != nil {
		return nil, fmt.Errorf("rie: reading the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("rie: the emulator answered %s: %s", resp.Status, body)
	}
	if ferr := functionError(body); ferr != nil {
		return nil, ferr
	}
	return body, nil
}

// functionError returns the error a payload reports, if it is one: the
// emulator answers a failed invocation with 200 and the error's JSON.
func functionError(body []byte) *FunctionError {
	var fields map[string]json.RawMessage
	if json.Unmarshal(body, &fields) != nil {
		return nil
	}
	if _, ok := fields["errorMessage"]; !ok {
		return nil
	}
	if _, ok := fields["errorType"]; !ok {
		return nil
	}
	var ferr FunctionError
	if json.Unmarshal(body, &ferr) != nil {
		return nil
	}
	return &ferr
}

// Close stops the emulator and the function.
func (f *Function) Close() {
	if f.cmd.Process != nil {
		_ = syscall.Kill(-f.cmd.Process.Pid, syscall.SIGTERM)
		select {
		case <-f.exited:
		case <-time.After(5 * time.Second):
			_ = syscall.Kill(-f.cmd.Process.Pid, syscall.SIGKILL)
			<-f.exited
		}
	}
	f.client.CloseIdleConnections()
}
