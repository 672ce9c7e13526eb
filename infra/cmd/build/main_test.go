package main

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"signin/functions/bundle"
	"signin/functions/gateway"
	"signin/functions/stackfile"
)

// TestRunWritesEveryArchive: what `make build` runs leaves
// <out>/authorizer.zip, <out>/hello.zip and <out>/me.zip.
func TestRunWritesEveryArchive(t *testing.T) {
	out := filepath.Join(t.TempDir(), "build")
	if err := run(t.Context(), "", stackfile.DefaultStack, out, nil); err != nil {
		t.Fatal(err)
	}
	for _, fn := range []string{"authorizer", "hello", "me"} {
		info, err := os.Stat(filepath.Join(out, fn+".zip"))
		if err != nil {
			t.Fatal(err)
		}
		if info.Size() == 0 || info.Size() > bundle.MaxArchiveSize {
			t.Errorf("%s.zip is %d bytes", fn, info.Size())
		}
	}
}

// TestRunRefusesAFunctionNotInTheTable: a name outside the route table is
// refused before anything is built.
func TestRunRefusesAFunctionNotInTheTable(t *testing.T) {
	out := filepath.Join(t.TempDir(), "build")
	err := run(t.Context(), "", stackfile.DefaultStack, out, []string{"bundle"})
	if err == nil || !strings.Contains(err.Error(), "no function bundle") {
		t.Fatalf("run(bundle) = %v, want an error naming the function", err)
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s was created: %v", out, err)
	}
}

// The build command must not link the Pulumi program or its SDK: `make
// build` stays quick and usable without them.
func TestBuildLinksNoPulumi(t *testing.T) {
	deps, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, pkg := range strings.Fields(string(deps)) {
		if strings.Contains(pkg, "pulumi") || strings.HasPrefix(pkg, "signin/infra/") && pkg != "signin/infra/cmd/build" {
			t.Errorf("the build command links %s", pkg)
		}
	}
}

// `make build` and `make routes` run the whole route check against the
// stack's file, as the Pulumi program does: a stack whose allow-list would
// not fit the authorizer's 4 KB environment is refused before anything is
// built, with the size and the setting to shorten.
func TestCheckRunsTheRouteCheckAgainstTheStack(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, "functions")
	for _, name := range gateway.Routes.Functions() {
		path := filepath.Join(dir, "cmd", name, "main.go")
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte("package main"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	emails := make([]string, 300)
	for i := range emails {
		emails[i] = fmt.Sprintf("user%03d@example.com", i)
	}
	groups := map[string]any{}
	for _, r := range gateway.Routes {
		for _, g := range r.Groups {
			groups[g] = map[string]any{"domains": []string{"example.com"}}
		}
	}
	stack, err := json.Marshal(map[string]any{"config": map[string]any{"signin:allowedEmails": emails, "signin:groups": groups}})
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(root, stackfile.FileName("big")), stack, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = checked(t.Context(), dir, "big")
	if err == nil || !strings.Contains(err.Error(), "the authorizer's environment holds them all, and would not fit") {
		t.Errorf("checked = %v, want the authorizer's environment refused", err)
	}
}
