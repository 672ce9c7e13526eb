package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"signin/functions/bundle"
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
