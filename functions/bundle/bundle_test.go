package bundle

import (
	"archive/zip"
	"bytes"
	"context"
	"debug/elf"
	"io"
	"testing"

	"signin/functions/gateway"
)

// uncached builds as Binary does, never from the cache: what a check of the
// build itself must see.
func uncached(ctx context.Context, opts Options, out string) error {
	target, err := opts.check()
	if err != nil {
		return err
	}
	return compile(ctx, opts.Dir, opts.Function, target, out)
}

// TestBuildIsReproducibleLambdaArchive builds every function anew and
// checks that the archive is byte-identical to Build's, itself built anew or
// by an earlier build of the same source (an archive that changes makes
// every `pulumi up` replace the function's code), and what Lambda's
// provided.al2023 runtime needs: one executable named bootstrap at the root,
// a Linux arm64 binary, within the size limit.
func TestBuildIsReproducibleLambdaArchive(t *testing.T) {
	for _, fn := range gateway.Routes.Functions() {
		t.Run(fn, func(t *testing.T) {
			t.Parallel()
			opts := Options{Dir: "..", Function: fn}
			first, err := build(t.Context(), opts, uncached)
			if err != nil {
				t.Fatal(err)
			}
			second, err := Build(t.Context(), opts)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(first, second) {
				t.Errorf("two builds differ: %d and %d bytes", len(first), len(second))
			}
			if len(first) > MaxArchiveSize {
				t.Errorf("archive of %d bytes, over %d", len(first), MaxArchiveSize)
			}
			checkArchive(t, first)
		})
	}
}

func checkArchive(t *testing.T, archive []byte) {
	t.Helper()
	r, err := zip.NewReader(bytes.NewReader(archive), int64(len(archive)))
	if err != nil {
		t.Fatal(err)
	}
	if len(r.File) != 1 || r.File[0].Name != EntryName {
		t.Fatalf("archive holds %d entries, want only %s", len(r.File), EntryName)
	}
	f := r.File[0]
	if f.Mode() != 0o755 {
		t.Errorf("mode %v, want -rwxr-xr-x", f.Mode())
	}
	if !f.Modified.Equal(modTime) {
		t.Errorf("modified %v, want %v", f.Modified, modTime)
	}
	rc, err := f.Open()
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	exe, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	bin, err := elf.NewFile(bytes.NewReader(exe))
	if err != nil {
		t.Fatalf("bootstrap is not an ELF executable: %v", err)
	}
	if bin.Machine != elf.EM_AARCH64 || bin.Type != elf.ET_EXEC {
		t.Errorf("bootstrap is %v %v, want an arm64 executable", bin.Machine, bin.Type)
	}
	if bin.Section(".symtab") != nil {
		t.Error("bootstrap keeps its symbol table, want it stripped")
	}
}

func TestBinaryRefusesBadOptions(t *testing.T) {
	for _, opts := range []Options{
		{Dir: "..", Function: ""},
		{Dir: "..", Function: "../authorizer"},
		{Dir: "..", Function: "authorizer.go"},
		{Dir: "", Function: "authorizer"},
	} {
		if err := Binary(t.Context(), opts, t.TempDir()+"/out"); err == nil {
			t.Errorf("Binary(%+v) succeeded, want an error", opts)
		}
	}
}
