package main

import (
	"os"
	"path/filepath"
	"testing"

	"signin/functions/bundle"
)

// TestRunWritesEveryArchive: what `make build` runs leaves
// <out>/authorizer.zip and <out>/hello.zip.
func TestRunWritesEveryArchive(t *testing.T) {
	out := filepath.Join(t.TempDir(), "build")
	if err := run(t.Context(), "../..", out, bundle.Functions); err != nil {
		t.Fatal(err)
	}
	for _, fn := range []string{"authorizer", "hello"} {
		info, err := os.Stat(filepath.Join(out, fn+".zip"))
		if err != nil {
			t.Fatal(err)
		}
		if info.Size() == 0 || info.Size() > bundle.MaxArchiveSize {
			t.Errorf("%s.zip is %d bytes", fn, info.Size())
		}
	}
}
