package workflows

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"
	"golang.org/x/mod/modfile"
)

// govulncheck is the tool the test workflow runs, pinned in tools/go.mod.
const (
	govulncheck    = "golang.org/x/vuln/cmd/govulncheck"
	govulncheckRun = "go tool govulncheck ./..."
	toolsModule    = "../go.mod"
)

// checkVulncheck wants test.yml, which deploy.yml also runs, to run
// govulncheck in every module the workspace lists (go list -m), after
// checking out the code and setting up Go.
func checkVulncheck(ws workflows) []string {
	for _, j := range ws.jobs() {
		if !strings.HasPrefix(j.name, "test.yml/") {
			continue
		}
		var used []string
		for _, s := range j.job.Steps {
			if a := action(s); a != nil {
				used = append(used, repo(a.Uses.Value))
			}
			run, ok := s.Exec.(*actionlint.ExecRun)
			if !ok || run.Run == nil || !strings.Contains(run.Run.Value, govulncheckRun) {
				continue
			}
			var problems []string
			if !strings.Contains(run.Run.Value, "go list -m") {
				problems = append(problems, j.name+": govulncheck does not run in every module of go.work (go list -m)")
			}
			for _, need := range []string{"actions/checkout", "actions/setup-go"} {
				if !slices.Contains(used, need) {
					problems = append(problems, j.name+": govulncheck runs before "+need)
				}
			}
			return problems
		}
	}
	return []string{"test.yml: no step runs " + govulncheckRun}
}

// TestWorkflowsRunGovulncheck checks the test workflow's govulncheck step,
// and that the tools module pins the govulncheck it runs.
func TestWorkflowsRunGovulncheck(t *testing.T) {
	for _, p := range checkVulncheck(load(t, workflowsDir)) {
		t.Error(p)
	}
	b, err := os.ReadFile(toolsModule)
	if err != nil {
		t.Fatal(err)
	}
	mod, err := modfile.Parse(toolsModule, b, nil)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(mod.Tool, func(tool *modfile.Tool) bool { return tool.Path == govulncheck }) {
		t.Errorf("tools/go.mod declares no tool %s: go get -tool %s", govulncheck, govulncheck)
	}
}

// TestCheckVulncheckRefusesGaps shows checkVulncheck refusing a test
// workflow without govulncheck, and one that checks only the module at the
// root, before setting up Go.
func TestCheckVulncheckRefusesGaps(t *testing.T) {
	for _, c := range []struct {
		name string
		text string
		want []string
	}{
		{
			name: "no govulncheck",
			text: "on: push\n" + testJob,
			want: []string{"test.yml: no step runs go tool govulncheck ./..."},
		},
		{
			name: "one module, no Go",
			text: `
on: push
jobs:
  vulncheck:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v7
      - run: go tool govulncheck ./...
`,
			want: []string{
				"test.yml/vulncheck: govulncheck does not run in every module of go.work (go list -m)",
				"test.yml/vulncheck: govulncheck runs before actions/setup-go",
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := checkVulncheck(parse(t, map[string]string{"test.yml": c.text}))
			if !slices.Equal(got, c.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}
