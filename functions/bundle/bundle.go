// Package bundle builds the functions of this module into the deployment
// archives AWS Lambda expects for its provided.al2023 runtime: a zip holding
// one executable named bootstrap at its root.
//
// The same definition serves `make build` (through infra/cmd/build), the Pulumi
// program and the local stack, so a function is always built one way. Builds
// are byte-for-byte reproducible: the same source and Go toolchain give the
// same archive, so an unchanged function never makes `pulumi up` replace its
// code.
package bundle

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// MaxArchiveSize is the largest archive Build accepts. AWS allows 50 MB for a
// direct upload; staying far below keeps cold starts fast.
const MaxArchiveSize = 5 << 20

// EntryName is the name of the executable at the root of the archive, as the
// provided.al2023 runtime requires.
const EntryName = "bootstrap"

// modTime is the fixed modification time of the archive entry: the earliest
// time a zip's MS-DOS timestamp can hold.
var modTime = time.Date(1980, time.January, 1, 0, 0, 0, 0, time.UTC)

// Target is the platform a function is built for.
type Target struct {
	// GOOS and GOARCH are Go's names of the operating system and the
	// architecture, as in the environment variables of the same names.
	GOOS   string
	GOARCH string
}

// Lambda is the platform of the deployed functions: Linux on Graviton.
var Lambda = Target{GOOS: "linux", GOARCH: "arm64"}

// Options says what to build.
type Options struct {
	// Dir is the root of the functions module: the directory holding its
	// go.mod.
	Dir string
	// Function names the command under cmd/ to build, for example
	// "authorizer".
	Function string
	// Target is the platform to build for; the zero value means Lambda.
	Target Target
}

// Binary compiles the function named by opts into the executable file out.
//
// It builds with CGO_ENABLED=0, the lambda.norpc tag, -trimpath, no VCS
// stamping, a stripped symbol table and an empty build ID, and outside any
// go.work, so the result depends only on the source, the functions module's
// go.mod and the Go toolchain.
//
// Because it depends on nothing else, Binary keeps what it builds in a cache
// (the directory "signin-bundle" of os.UserCacheDir) under a key of exactly
// those inputs: the go command's version and settings, the target, and
// every file of the functions module but its tests. Building the same
// function again, from another test package, `make dev` or `make build`,
// copies the executable instead of linking it anew. Without a usable cache
// directory it always builds.
func Binary(ctx context.Context, opts Options, out string) error {
	target, err := opts.check()
	if err != nil {
		return err
	}
	key, err := cacheKey(ctx, opts.Dir, target)
	if err != nil {
		return err
	}
	cache, err := openCache()
	if err != nil {
		return compile(ctx, opts.Dir, opts.Function, target, out)
	}
	if cache.copyTo(cache.entry(opts.Function, target, key), out) == nil {
		return nil
	}
	if err := compile(ctx, opts.Dir, opts.Function, target, out); err != nil {
		return err
	}
	cache.store(opts.Function, target, key, out)
	return nil
}

// check validates opts and returns the target it builds for.
func (opts Options) check() (Target, error) {
	if opts.Function == "" || strings.ContainsAny(opts.Function, `/\.`) {
		return Target{}, fmt.Errorf("bundle: invalid function name %q", opts.Function)
	}
	if opts.Dir == "" {
		return Target{}, errors.New("bundle: the functions module directory is not set")
	}
	if opts.Target == (Target{}) {
		return Lambda, nil
	}
	return opts.Target, nil
}

// buildFlags are the go build flags of every function.
var buildFlags = []string{"-tags", "lambda.norpc", "-trimpath", "-buildvcs=false", "-ldflags", "-s -w -buildid="}

// buildEnv returns the environment of the go command building for target.
func buildEnv(target Target) []string {
	return append(os.Environ(),
		"CGO_ENABLED=0",
		"GOOS="+target.GOOS,
		"GOARCH="+target.GOARCH,
		"GOWORK=off",
		"GOFLAGS=-mod=readonly",
	)
}

// compile runs go build for the function fn of the module at dir.
func compile(ctx context.Context, dir, fn string, target Target, out string) error {
	absOut, err := filepath.Abs(out)
	if err != nil {
		return fmt.Errorf("bundle: output path %q: %w", out, err)
	}
	args := append(append([]string{"build"}, buildFlags...), "-o", absOut, "./cmd/"+fn)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = dir
	cmd.Env = buildEnv(target)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("bundle: building %s for %s/%s: %w\n%s",
			fn, target.GOOS, target.GOARCH, err, stderr.Bytes())
	}
	return nil
}

// Build compiles the function named by opts and returns its deployment
// archive.
func Build(ctx context.Context, opts Options) ([]byte, error) {
	return build(ctx, opts, Binary)
}

// build returns the deployment archive of the executable that binary
// builds.
func build(ctx context.Context, opts Options, binary func(context.Context, Options, string) error) ([]byte, error) {
	tmp, err := os.MkdirTemp("", "bundle-")
	if err != nil {
		return nil, fmt.Errorf("bundle: %w", err)
	}
	defer os.RemoveAll(tmp)
	bin := filepath.Join(tmp, EntryName)
	if err := binary(ctx, opts, bin); err != nil {
		return nil, err
	}
	exe, err := os.ReadFile(bin)
	if err != nil {
		return nil, fmt.Errorf("bundle: reading the built %s: %w", opts.Function, err)
	}
	archive, err := zipArchive(exe)
	if err != nil {
		return nil, fmt.Errorf("bundle: archiving %s: %w", opts.Function, err)
	}
	if len(archive) > MaxArchiveSize {
		return nil, fmt.Errorf("bundle: the %s archive is %d bytes, over the %d byte limit",
			opts.Function, len(archive), MaxArchiveSize)
	}
	return archive, nil
}

// zipArchive returns a zip archive holding exe as an executable named bootstrap.
// The entry's timestamp and mode are fixed, so the same exe always gives the
// same bytes.
func zipArchive(exe []byte) ([]byte, error) {
	var buf bytes.Buffer
	w := zip.NewWriter(&buf)
	h := &zip.FileHeader{Name: EntryName, Method: zip.Deflate, Modified: modTime}
	h.SetMode(0o755)
	f, err := w.CreateHeader(h)
	if err != nil {
		return nil, fmt.Errorf("adding %s: %w", EntryName, err)
	}
	if _, err := f.Write(exe); err != nil {
		return nil, fmt.Errorf("writing %s: %w", EntryName, err)
	}
	if err := w.Close(); err != nil {
		return nil, fmt.Errorf("closing the archive: %w", err)
	}
	return buf.Bytes(), nil
}
