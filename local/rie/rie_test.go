package rie

import (
	"context"
	"errors"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"

	"signin/functions/bundle"
)

// startHello builds the real greeting function for the host and runs it
// under the emulator.
func startHello(t *testing.T) *Function {
	t.Helper()
	ctx := context.Background()
	dir, err := filepath.Abs("../../functions")
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(t.TempDir(), "bootstrap")
	host := bundle.Target{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}
	if err := bundle.Binary(ctx, bundle.Options{Dir: dir, Function: "hello", Target: host}, bin); err != nil {
		t.Fatal(err)
	}
	emulator, err := Emulator(ctx, dir)
	if err != nil {
		t.Fatal(err)
	}
	f, err := Start(ctx, Options{Emulator: emulator, Bootstrap: bin, Name: "hello"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(f.Close)
	return f
}

func TestInvokeTheRealGreeting(t *testing.T) {
	f := startHello(t)
	tests := []struct {
		name      string
		event     string
		want      string
		wantError string
	}{
		{"a name", `{"name":"Ada Lovelace"}`, `{"message":"Hello Ada Lovelace!"}`, ""},
		{"a second invocation of the same environment", `{"name":"Grace"}`, `{"message":"Hello Grace!"}`, ""},
		{"an event that is not JSON is the function's error", `not json`, "", "SyntaxError"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := f.Invoke(context.Background(), []byte(tt.event))
			var ferr *FunctionError
			switch {
			case tt.wantError != "":
				if !errors.As(err, &ferr) || ferr.Type != tt.wantError {
					t.Errorf("Invoke(%s) = %s, %v; want a %s FunctionError", tt.event, got, err, tt.wantError)
				}
			case err != nil || string(got) != tt.want:
				t.Errorf("Invoke(%s) = %s, %v; want %s", tt.event, got, err, tt.want)
			}
		})
	}
}

func TestCloseStopsTheEmulator(t *testing.T) {
	f := startHello(t)
	pid := f.cmd.Process.Pid
	f.Close()
	if err := syscall.Kill(pid, 0); !errors.Is(err, syscall.ESRCH) {
		t.Errorf("after Close, the emulator (pid %d) still runs: %v", pid, err)
	}
	if _, err := f.Invoke(context.Background(), []byte(`{"name":"Ada"}`)); err == nil {
		t.Error("Invoke after Close succeeded, want an error")
	}
}

func TestFunctionErrorOnlyForErrorPayloads(t *testing.T) {
	tests := []struct {
		payload string
		want    bool
	}{
		{`{"errorMessage":"Unauthorized","errorType":"errorString"}`, true},
		{`{"errorMessage":"boom","errorType":"Runtime.ExitError","stackTrace":[]}`, true},
		{`{"message":"Hello Ada!"}`, false},
		{`{"errorMessage":"only a message"}`, false},
		{`"errorMessage"`, false},
		{`not json`, false},
	}
	for _, tt := range tests {
		if got := functionError([]byte(tt.payload)) != nil; got != tt.want {
			t.Errorf("functionError(%s) = %v, want %v", tt.payload, got, tt.want)
		}
	}
}
