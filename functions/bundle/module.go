package bundle

import (
	"bytes"
	"context"
	"fmt"
	"os/exec"
	"strings"
	"sync"
)

// Module is the import path of the functions module.
const Module = "signin/functions"

// moduleDir caches the functions module's directory: finding it takes a go
// command, and a process (a test binary, the Pulumi program) asks often.
var moduleDir struct {
	sync.Mutex
	dir string
}

// ModuleDir returns the directory of the functions module (the one holding
// its go.mod), as the go command resolves it from the working directory:
// through the workspace (go.work) from anywhere in this repository. It is
// the one way the build, `make dev`, the Pulumi program and the tests find
// the functions to build and check the route table against.
func ModuleDir(ctx context.Context) (string, error) {
	moduleDir.Lock()
	defer moduleDir.Unlock()
	if moduleDir.dir != "" {
		return moduleDir.dir, nil
	}
	cmd := exec.CommandContext(ctx, "go", "list", "-m", "-f", "{{.Dir}}", Module)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("bundle: finding the %s module (run from the repository): %w\n%s", Module, err, bytes.TrimSpace(stderr.Bytes()))
	}
	dir := strings.TrimSpace(string(out))
	if dir == "" {
		return "", fmt.Errorf("bundle: the go command knows no directory of %s: run from the repository, whose go.work uses it", Module)
	}
	moduleDir.dir = dir
	return dir, nil
}
