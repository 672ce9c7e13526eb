// Package golden compares test output with golden files under testdata/,
// and rewrites them when the test runs with -update. A failing check prints
// the command that rewrites the file, to run from the repository's root
// (where `make test` runs), for example
//
//	go test ./infra -run '^TestResourcesMatchTheGoldenSnapshot$' -update
//
// so every change to what the files record shows up as a diff in review.
package golden

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
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
// got when the test runs with -update. A difference is reported by its
// first differing line.
func Check(t testing.TB, path string, got []byte) {
	t.Helper()
	CheckDiff(t, path, got, firstDifference)
}

// CheckDiff is Check with diff describing how got differs from the golden
// file's want, for a reviewer to read in the failure.
func CheckDiff(t testing.TB, path string, got []byte, diff func(want, got []byte) string) {
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
		t.Fatalf("reading the golden file (to create it, run from the repository's root: %s): %v", rewriteCommand(t), err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output:\n%s\nIf the change is intended, rewrite it from the repository's root and review the diff:\n\t%s",
			path, diff(want, got), rewriteCommand(t))
	}
}

// rewriteCommand returns the go test command that reruns the test t with
// -update, from the repository's root (the directory holding go.work): the
// working directory of a test is its package's.
func rewriteCommand(t testing.TB) string {
	name, _, _ := strings.Cut(t.Name(), "/")
	pkg := "."
	if wd, err := os.Getwd(); err == nil {
		if root, err := workspaceRoot(wd); err == nil {
			if rel, err := filepath.Rel(root, wd); err == nil {
				pkg = "./" + filepath.ToSlash(rel)
			}
		}
	}
	return fmt.Sprintf("go test %s -run '^%s$' -update", pkg, name)
}

// workspaceRoot returns the nearest directory at or above dir that holds a
// go.work.
func workspaceRoot(dir string) (string, error) {
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.work")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", errors.New("golden: no go.work at or above " + dir)
		}
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
