// Package repo finds the root of this repository from anywhere inside it, so
// the Pulumi program (run with its working directory in infra/) and the
// deploy command find the build folder and the stack files wherever they
// are started. (The functions module is found by bundle.ModuleDir.)
package repo

import (
	"fmt"
	"os"
	"path/filepath"
)

// markers are the files whose presence together marks the repository's
// root.
var markers = []string{"Pulumi.yaml", "go.work"}

// rootOf returns the nearest directory at or above dir that holds every
// marker file: Pulumi.yaml and go.work.
func rootOf(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", fmt.Errorf("repo: %w", err)
	}
	for d := abs; ; d = filepath.Dir(d) {
		if hasMarkers(d) {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("repo: no directory at or above %s holds %v", abs, markers)
		}
	}
}

func hasMarkers(dir string) bool {
	for _, m := range markers {
		if _, err := os.Stat(filepath.Join(dir, m)); err != nil {
			return false
		}
	}
	return true
}

// BuildDir returns the folder below root that `make build` writes the
// function archives to.
func BuildDir(root string) string { return filepath.Join(root, "build") }

// Find returns the root of the repository holding the working directory.
func Find() (string, error) {
	wd, err := os.Getwd()
	if err != nil {
		return "", fmt.Errorf("repo: %w", err)
	}
	return rootOf(wd)
}
