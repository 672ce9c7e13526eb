package bundle

import (
	"fmt"
	"os"
	"path/filepath"
)

// Commands returns the names of the function commands of the functions
// module at dir: the directories of dir/cmd that hold Go files, what the
// route check (package routecheck) holds the route table against.
func Commands(dir string) ([]string, error) {
	cmd := filepath.Join(dir, "cmd")
	entries, err := os.ReadDir(cmd)
	if err != nil {
		return nil, fmt.Errorf("bundle: listing the function commands: %w", err)
	}
	var names []string
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		sources, err := filepath.Glob(filepath.Join(cmd, e.Name(), "*.go"))
		if err != nil {
			return nil, fmt.Errorf("bundle: listing %s: %w", e.Name(), err)
		}
		if len(sources) > 0 {
			names = append(names, e.Name())
		}
	}
	return names, nil
}
