package bundle

import (
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

var host = Target{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}

// The cache key changes with every input of a build, and only with them: a
// stale executable would run old code, a key that changes with the tests
// would build for nothing.
func TestCacheKeyFollowsWhatTheBuildReads(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) {
		t.Helper()
		path := filepath.Join(dir, name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	key := func(target Target) string {
		t.Helper()
		k, err := cacheKey(t.Context(), dir, target)
		if err != nil {
			t.Fatal(err)
		}
		return k
	}
	write("go.mod", "module example.com/fn\n\ngo 1.26\n")
	write("cmd/fn/main.go", "package main\n\nfunc main() {}\n")
	base := key(host)
	if key(host) != base {
		t.Fatal("the same inputs give two keys")
	}
	for _, c := range []struct {
		name    string
		change  func()
		changes bool
	}{
		{"a test file", func() { write("cmd/fn/main_test.go", "package main\n") }, false},
		{"a source file", func() { write("cmd/fn/main.go", "package main\n\nfunc main() { println() }\n") }, true},
		{"a new package", func() { write("lib/lib.go", "package lib\n") }, true},
		{"an embeddable file", func() { write("lib/data.txt", "x") }, true},
		{"go.sum", func() { write("go.sum", "example.com/dep v1.0.0 h1:x=\n") }, true},
	} {
		before := key(host)
		c.change()
		if changed := key(host) != before; changed != c.changes {
			t.Errorf("%s: key changed = %v, want %v", c.name, changed, c.changes)
		}
	}
	if key(Target{GOOS: "linux", GOARCH: "arm64"}) == key(Target{GOOS: "linux", GOARCH: "amd64"}) {
		t.Error("two targets share a key")
	}
}

// A second build of the same function copies the cached executable instead
// of building it again.
func TestBinaryReusesTheCachedExecutable(t *testing.T) {
	// A cache of its own; Go's build cache, which defaults to the same base
	// directory, stays where it is.
	gocache, err := exec.Command("go", "env", "GOCACHE").Output()
	if err != nil {
		t.Fatal(err)
	}
	t.Setenv("GOCACHE", strings.TrimSpace(string(gocache)))
	t.Setenv("XDG_CACHE_HOME", t.TempDir())
	opts := Options{Dir: "..", Function: "hello", Target: host}
	first := filepath.Join(t.TempDir(), "first")
	if err := Binary(t.Context(), opts, first); err != nil {
		t.Fatal(err)
	}
	c, err := openCache()
	if err != nil {
		t.Fatal(err)
	}
	key, err := cacheKey(t.Context(), "..", host)
	if err != nil {
		t.Fatal(err)
	}
	entry := c.entry("hello", host, key)
	// Marked, so that the copy shows where the second executable came from.
	if err := os.WriteFile(entry, []byte("cached"), 0o755); err != nil {
		t.Fatal(err)
	}
	second := filepath.Join(t.TempDir(), "second")
	if err := Binary(t.Context(), opts, second); err != nil {
		t.Fatal(err)
	}
	if got, _ := os.ReadFile(second); string(got) != "cached" {
		t.Errorf("the second build is %d bytes, not the cached executable", len(got))
	}
	if info, err := os.Stat(second); err != nil || info.Mode().Perm()&0o100 == 0 {
		t.Errorf("the copy is not executable: %v %v", info, err)
	}
}

// Storing an executable removes the entries of the same function and
// target unused for longer than cacheKeep, and nothing else.
func TestStoreRemovesOldEntriesOfTheSameFunction(t *testing.T) {
	c := cache(t.TempDir())
	bin := filepath.Join(t.TempDir(), "bin")
	if err := os.WriteFile(bin, []byte("new"), 0o755); err != nil {
		t.Fatal(err)
	}
	long := time.Now().Add(-2 * cacheKeep)
	entries := map[string]bool{ // entry -> kept
		c.entry("hello", host, "old"):                                   false,
		c.entry("hello", host, "recent"):                                true,
		c.entry("hello-world", host, "old"):                             true,
		c.entry("hello", Target{GOOS: "linux", GOARCH: "arm64"}, "old"): true,
	}
	for e := range entries {
		if err := os.WriteFile(e, nil, 0o755); err != nil {
			t.Fatal(err)
		}
		if filepath.Base(e) != filepath.Base(c.entry("hello", host, "recent")) {
			if err := os.Chtimes(e, long, long); err != nil {
				t.Fatal(err)
			}
		}
	}
	c.store("hello", host, "new", bin)
	for e, kept := range entries {
		if _, err := os.Stat(e); (err == nil) != kept {
			t.Errorf("%s: kept = %v, want %v", filepath.Base(e), err == nil, kept)
		}
	}
	if got, err := os.ReadFile(c.entry("hello", host, "new")); err != nil || string(got) != "new" {
		t.Errorf("stored entry = %q, %v", got, err)
	}
}
