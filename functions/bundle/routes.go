package bundle

import (
	"fmt"
	"os"
	"path/filepath"

	"signin/functions/gateway"
)

// CheckRoutes validates the route table routes against the function
// commands of the functions module at dir (the directories of dir/cmd that
// hold Go files), as gateway.Table.Validate does: what the build, `make
// dev` and the Pulumi program check before anything is built or declared.
func CheckRoutes(dir string, routes gateway.Table) error {
	commands, err := functionCommands(dir)
	if err != nil {
		return err
	}
	return routes.Validate(commands)
}

// functionCommands returns the names of the function commands under the
// functions module at dir: the directories of dir/cmd that hold Go files.
func functionCommands(dir string) ([]string, error) {
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
