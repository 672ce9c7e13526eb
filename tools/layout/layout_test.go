// Package layout tests the rule the repository's modules are built on:
// dependencies run one way. The functions and the page know nothing of the
// rest; the Pulumi program (infra) and the offline stack (local) both use
// them, and never each other.
//
// The package holds only tests; run them with go test ./tools/....
package layout

import (
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// rules maps each module to the modules of this repository none of its
// packages, tests included, may import.
var rules = map[string][]string{
	"signin/functions": {"signin/infra", "signin/local", "signin/site", "signin/tools"},
	"signin/site":      {"signin/functions", "signin/infra", "signin/local", "signin/tools"},
	"signin/infra":     {"signin/local", "signin/tools"},
	"signin/local":     {"signin/infra", "signin/tools"},
}

func TestDependenciesRunOneWay(t *testing.T) {
	for module, forbidden := range rules {
		t.Run(filepath.Base(module), func(t *testing.T) {
			t.Parallel()
			// Every package of the module with its tests, and everything
			// each imports, as the workspace resolves it.
			cmd := exec.Command("go", "list", "-deps", "-test", "-f", `{{.ImportPath}}{{range .Imports}}|{{.}}{{end}}`, "./"+filepath.Base(module)+"/...")
			cmd.Dir = "../.."
			out, err := cmd.Output()
			if err != nil {
				t.Fatalf("go list: %v", err)
			}
			for line := range strings.Lines(string(out)) {
				fields := strings.Split(strings.TrimSpace(line), "|")
				if !inModule(fields[0], module) {
					continue
				}
				for _, imported := range fields[1:] {
					for _, f := range forbidden {
						if inModule(imported, f) {
							t.Errorf("%s imports %s: %s must not depend on %s", fields[0], imported, module, f)
						}
					}
				}
			}
		})
	}
}

// inModule reports whether the package path (perhaps a test variant, such
// as "p [p.test]" or "p_test") belongs to module.
func inModule(path, module string) bool {
	path, _, _ = strings.Cut(path, " ")
	return path == module || strings.HasPrefix(path, module+"/")
}
