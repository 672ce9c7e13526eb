package workflows

import (
	"bytes"
	"fmt"
	"os"
	"path"
	"slices"
	"strings"
	"testing"

	"go.yaml.in/yaml/v4"
	"golang.org/x/mod/modfile"
)

// The workspace and Dependabot's configuration, seen from this package's
// directory.
const (
	goWork         = "../../go.work"
	dependabotFile = "../../.github/dependabot.yml"
)

// dependabot is the part of .github/dependabot.yml the checks read.
type dependabot struct {
	Version int
	Updates []struct {
		Ecosystem   string   `yaml:"package-ecosystem"`
		Directory   string   `yaml:"directory"`
		Directories []string `yaml:"directories"`
		Schedule    struct {
			Interval string `yaml:"interval"`
		} `yaml:"schedule"`
		Groups map[string]struct {
			Patterns []string `yaml:"patterns"`
		} `yaml:"groups"`
	} `yaml:"updates"`
}

// parseDependabot parses a dependabot.yml, refusing keys the checks do not
// know (a misspelt key would go unchecked).
func parseDependabot(t *testing.T, text string) dependabot {
	t.Helper()
	dec := yaml.NewDecoder(bytes.NewReader([]byte(text)))
	dec.KnownFields(true)
	var d dependabot
	if err := dec.Decode(&d); err != nil {
		t.Fatalf("dependabot.yml: %v", err)
	}
	return d
}

// workspaceModules returns the directories of go.work's modules as
// Dependabot names them: /functions, /infra, ...
func workspaceModules(t *testing.T) []string {
	t.Helper()
	b, err := os.ReadFile(goWork)
	if err != nil {
		t.Fatal(err)
	}
	work, err := modfile.ParseWork(goWork, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	var dirs []string
	for _, u := range work.Use {
		dirs = append(dirs, path.Clean("/"+u.Path))
	}
	if len(dirs) == 0 {
		t.Fatal("go.work uses no module")
	}
	return dirs
}

// checkDependabot wants one weekly update of the Go modules covering exactly
// the modules of the workspace, and one of the GitHub Actions, each grouped
// into a single pull request.
func checkDependabot(d dependabot, modules []string) []string {
	var problems []string
	if d.Version != 2 {
		problems = append(problems, fmt.Sprintf("version %d, want 2", d.Version))
	}
	seen := map[string]int{}
	for _, u := range d.Updates {
		seen[u.Ecosystem]++
		if u.Schedule.Interval != "weekly" {
			problems = append(problems, fmt.Sprintf("%s: interval %q, want weekly", u.Ecosystem, u.Schedule.Interval))
		}
		everything := false
		for _, g := range u.Groups {
			everything = everything || slices.Contains(g.Patterns, "*")
		}
		if !everything {
			problems = append(problems, u.Ecosystem+": no group of every dependency (patterns: [\"*\"]): one pull request per dependency")
		}
		dirs := u.Directories
		if u.Directory != "" {
			dirs = append(dirs, u.Directory)
		}
		slices.Sort(dirs)
		switch u.Ecosystem {
		case "gomod":
			want := slices.Sorted(slices.Values(modules))
			if !slices.Equal(dirs, want) {
				problems = append(problems, fmt.Sprintf("gomod: directories %s, want the modules of go.work: %s", strings.Join(dirs, " "), strings.Join(want, " ")))
			}
		case "github-actions":
			if !slices.Equal(dirs, []string{"/"}) {
				problems = append(problems, fmt.Sprintf("github-actions: directories %s, want /", strings.Join(dirs, " ")))
			}
		default:
			problems = append(problems, fmt.Sprintf("%s: an ecosystem this repository does not use", u.Ecosystem))
		}
	}
	for _, e := range []string{"gomod", "github-actions"} {
		if seen[e] != 1 {
			problems = append(problems, fmt.Sprintf("%s: %d updates, want 1", e, seen[e]))
		}
	}
	return problems
}

// TestDependabotCoversTheWorkspace checks .github/dependabot.yml against
// go.work: a module added to the workspace without Dependabot fails here.
func TestDependabotCoversTheWorkspace(t *testing.T) {
	b, err := os.ReadFile(dependabotFile)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range checkDependabot(parseDependabot(t, string(b)), workspaceModules(t)) {
		t.Error(p)
	}
}

// TestCheckDependabotRefusesGaps shows checkDependabot refusing a
// configuration that misses a module, names one that is gone, or opens a
// pull request per dependency.
func TestCheckDependabotRefusesGaps(t *testing.T) {
	got := checkDependabot(parseDependabot(t, `
version: 2
updates:
  - package-ecosystem: gomod
    directories: [/functions, /old]
    schedule:
      interval: daily
    groups:
      go:
        patterns: ["*"]
  - package-ecosystem: github-actions
    directory: /
    schedule:
      interval: weekly
`), []string{"/functions", "/infra"})
	want := []string{
		`gomod: interval "daily", want weekly`,
		"gomod: directories /functions /old, want the modules of go.work: /functions /infra",
		`github-actions: no group of every dependency (patterns: ["*"]): one pull request per dependency`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
