package bundle

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
)

func TestCommandsAreTheDirectoriesWithGoFiles(t *testing.T) {
	dir := t.TempDir()
	for path, content := range map[string]string{
		"cmd/hello/main.go":  "package main",
		"cmd/orders/main.go": "package main",
		"cmd/notes.txt":      "not a command",
		"cmd/empty/.keep":    "",
	} {
		writeFile(t, filepath.Join(dir, path), content)
	}
	got, err := Commands(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"hello", "orders"}) {
		t.Errorf("Commands = %v, want [hello orders]", got)
	}
	if _, err := Commands(filepath.Join(dir, "missing")); err == nil {
		t.Error("Commands of a folder without cmd/ succeeded")
	}
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestModuleDirIsThisModule(t *testing.T) {
	dir, err := ModuleDir(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	want, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	if dir != want {
		t.Errorf("ModuleDir = %s, want %s", dir, want)
	}
}
