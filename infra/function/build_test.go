package function

import (
	"archive/zip"
	"bytes"
	"context"
	"os"
	"testing"

	"signin/functions/bundle"
	"signin/functions/gateway"
)

// Pitfall 12: a build that is not byte-for-byte reproducible makes every
// `pulumi up` replace the functions' code. Two builds of the same source
// give the same archive file, with a bootstrap at its root. (The build
// definition is package bundle's, whose own test builds every function of
// the route table twice; this one checks what the program writes and
// hashes.)
func TestArchivesAreReproducible(t *testing.T) {
	dir, err := bundle.ModuleDir(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	name := gateway.AuthorizerFunction
	first, err := Build(context.Background(), dir, t.TempDir(), name)
	if err != nil {
		t.Fatal(err)
	}
	second, err := Build(context.Background(), dir, t.TempDir(), name)
	if err != nil {
		t.Fatal(err)
	}
	if first.SHA256 != second.SHA256 {
		t.Errorf("two builds hash %s and %s", first.SHA256, second.SHA256)
	}
	b, err := os.ReadFile(first.Path)
	if err != nil {
		t.Fatal(err)
	}
	z, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	if len(z.File) != 1 || z.File[0].Name != Handler || z.File[0].Mode()&0o111 == 0 {
		t.Errorf("archive holds %v, want one executable %s", z.File, Handler)
	}
}
