package bundle

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// cacheDirName is the directory below os.UserCacheDir that holds the cache.
const cacheDirName = "signin-bundle"

// cacheKeep is how long an entry for a function and target outlives a newer
// one: long enough for the test packages of one `make test` and a `make dev`
// beside it, short enough that editing the functions all day keeps a handful
// of executables, not one per edit.
const cacheKeep = time.Hour

// goSettings are the go command's settings, besides the target and the
// environment buildEnv fixes, that change what it builds.
var goSettings = []string{"GOVERSION", "GOFLAGS", "GOEXPERIMENT", "GOAMD64", "GOARM64", "GOTOOLCHAIN"}

// cacheKey returns the hex SHA-256 of everything a build of the functions
// module at dir for target depends on: the go command's version and
// settings, the build's flags, and the path and content of every file of the
// module but its tests (go.mod and go.sum pin the dependencies).
func cacheKey(ctx context.Context, dir string, target Target) (string, error) {
	h := sha256.New()
	fmt.Fprintf(h, "%s/%s\n%q\n", target.GOOS, target.GOARCH, buildFlags)
	cmd := exec.CommandContext(ctx, "go", append([]string{"env"}, goSettings...)...)
	cmd.Dir = dir
	cmd.Env = buildEnv(target)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	settings, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("bundle: reading the go command's settings: %w\n%s", err, stderr.Bytes())
	}
	h.Write(settings)
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() || strings.HasSuffix(path, "_test.go"):
			return nil
		case !d.Type().IsRegular():
			return fmt.Errorf("%s is not a regular file", path)
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		content, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		fmt.Fprintf(h, "%q %d\n", filepath.ToSlash(rel), len(content))
		h.Write(content)
		return nil
	})
	if err != nil {
		return "", fmt.Errorf("bundle: reading the functions module: %w", err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// cache is the directory of built executables.
type cache string

// openCache returns the cache, creating its directory.
func openCache() (cache, error) {
	base, err := os.UserCacheDir()
	if err != nil {
		return "", err
	}
	dir := filepath.Join(base, cacheDirName)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", err
	}
	return cache(dir), nil
}

// entry returns the path of the executable of function fn for target whose
// inputs have the given key.
func (c cache) entry(fn string, target Target, key string) string {
	return filepath.Join(string(c), c.prefix(fn, target)+key)
}

// prefix is the start of the names of every entry of fn for target.
func (cache) prefix(fn string, target Target) string {
	return fn + "-" + target.GOOS + "-" + target.GOARCH + "-"
}

// copyTo copies the entry name to the executable out, and marks the entry as
// used. It fails when there is no such entry.
func (c cache) copyTo(name, out string) error {
	src, err := os.Open(name)
	if err != nil {
		return err
	}
	defer src.Close()
	if err := writeExecutable(out, src); err != nil {
		return err
	}
	now := time.Now()
	return os.Chtimes(name, now, now)
}

// store copies the executable of fn for target built at bin into the cache
// under key, then removes the entries of the same function and target that
// have not been used for cacheKeep. A failure leaves the cache as it was:
// the build itself has succeeded.
func (c cache) store(fn string, target Target, key, bin string) {
	name := c.entry(fn, target, key)
	src, err := os.Open(bin)
	if err != nil {
		return
	}
	defer src.Close()
	// Written aside and renamed, so that a concurrent build of the same
	// function never copies half an executable.
	tmp := fmt.Sprintf("%s.%d.tmp", name, os.Getpid())
	if err := writeExecutable(tmp, src); err != nil {
		os.Remove(tmp)
		return
	}
	if err := os.Rename(tmp, name); err != nil {
		os.Remove(tmp)
		return
	}
	old, _ := filepath.Glob(filepath.Join(string(c), c.prefix(fn, target)+"*"))
	for _, o := range old {
		if info, err := os.Stat(o); err == nil && o != name && time.Since(info.ModTime()) > cacheKeep {
			os.Remove(o)
		}
	}
}

// writeExecutable writes the content of r to the executable file path.
func writeExecutable(path string, r io.Reader) error {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o755)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, r); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
