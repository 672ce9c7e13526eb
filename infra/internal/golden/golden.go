// Package golden compares test output with golden files under testdata/,
// and rewrites them when the tests run with -update:
//
//	go test ./... -update
//
// so every change to what the files record shows up as a diff in review.
package golden

import (
	"bytes"
	"flag"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// update is set by the -update flag of every test binary that imports this
// package.
var update = flag.Bool("update", false, "rewrite the golden files under testdata/ with the current output")

// Check compares got with the golden file at path, or rewrites the file with
// got when the tests run with -update.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("reading the golden file (run `go test ./... -update` to create it): %v", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output; if the change is intended, run `go test ./... -update` and review the diff.\n%s", path, firstDifference(want, got))
	}
}

// firstDifference describes the first line where want and got differ.
func firstDifference(want, got []byte) string {
	w, g := strings.Split(string(want), "\n"), strings.Split(string(got), "\n")
	for i := 0; i < len(w) || i < len(g); i++ {
		var wl, gl string
		if i < len(w) {
			wl = w[i]
		}
		if i < len(g) {
			gl = g[i]
		}
		if wl != gl {
			return "line " + strconv.Itoa(i+1) + ":\n  golden: " + wl + "\n  got:    " + gl
		}
	}
	return "the files differ"
}
