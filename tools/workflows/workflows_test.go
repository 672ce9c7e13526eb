package workflows

import (
	"fmt"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/rhysd/actionlint"

	"signin/site"
)

// The repository's workflows and the script they share, seen from this
// package's directory.
const (
	workflowsDir = "../../.github/workflows"
	readyScript  = "../../.github/scripts/pulumi-ready.sh"
)

// workflows maps a workflow's file name to the workflow.
type workflows map[string]*actionlint.Workflow

// load parses every workflow in dir.
func load(t *testing.T, dir string) workflows {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(dir, "*.yml"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no workflows in %s: %v", dir, err)
	}
	texts := map[string]string{}
	for _, path := range paths {
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		texts[filepath.Base(path)] = string(b)
	}
	return parse(t, texts)
}

// parse parses workflows given as text by file name.
func parse(t *testing.T, texts map[string]string) workflows {
	t.Helper()
	ws := workflows{}
	for name, text := range texts {
		w, errs := actionlint.Parse([]byte(text))
		if len(errs) > 0 {
			t.Fatalf("%s: %v", name, errs[0])
		}
		ws[name] = w
	}
	return ws
}

// job is one job of a workflow, named "file/job" in problems.
type job struct {
	name     string
	workflow *actionlint.Workflow
	job      *actionlint.Job
}

// jobs lists every job of ws in a stable order.
func (ws workflows) jobs() []job {
	var all []job
	for _, file := range slices.Sorted(maps.Keys(ws)) {
		w := ws[file]
		for _, id := range slices.Sorted(maps.Keys(w.Jobs)) {
			all = append(all, job{file + "/" + id, w, w.Jobs[id]})
		}
	}
	return all
}

// action is the action a step uses, or nil for a run: step.
func action(s *actionlint.Step) *actionlint.ExecAction {
	a, _ := s.Exec.(*actionlint.ExecAction)
	return a
}

// repo is the action a uses: value names, without its version: owner/repo or
// owner/repo/path.
func repo(uses string) string {
	name, _, _ := strings.Cut(uses, "@")
	return name
}

// pulumiStep is the job's pulumi/actions step, or nil.
func (j job) pulumiStep() *actionlint.ExecAction {
	for _, s := range j.job.Steps {
		if a := action(s); a != nil && repo(a.Uses.Value) == "pulumi/actions" {
			return a
		}
	}
	return nil
}

// input is the value of an action's input, or "" when not set.
func input(a *actionlint.ExecAction, name string) string {
	if in, ok := a.Inputs[name]; ok && in.Value != nil {
		return in.Value.Value
	}
	return ""
}

// check runs one policy over the workflows and returns what breaks it.
type check func(workflows) []string

// wantPermissions is every permissions block the workflows may declare, by
// "file" for a workflow's and "file/job" for a job's, and exactly what each
// grants.
var wantPermissions = map[string]map[string]string{
	"test.yml":          {"contents": "read"},
	"preview.yml":       {"contents": "read", "id-token": "write", "pull-requests": "write"},
	"deploy.yml":        {"contents": "read"},
	"deploy.yml/deploy": {"contents": "read", "id-token": "write"},
}

// checkPermissions wants a permissions block on every workflow and each
// declared block to grant exactly what wantPermissions lists.
func checkPermissions(ws workflows) []string {
	var problems []string
	declared := func(where string, p *actionlint.Permissions) {
		if p.All != nil {
			problems = append(problems, fmt.Sprintf("%s: permissions: %s", where, p.All.Value))
			return
		}
		got := map[string]string{}
		for name, scope := range p.Scopes {
			got[name] = scope.Value.Value
		}
		if want, ok := wantPermissions[where]; !ok || !maps.Equal(got, want) {
			problems = append(problems, fmt.Sprintf("%s: permissions %v, want %v", where, got, want))
		}
	}
	for _, file := range slices.Sorted(maps.Keys(ws)) {
		if p := ws[file].Permissions; p != nil {
			declared(file, p)
		} else {
			problems = append(problems, file+": no permissions: the token gets the repository's defaults")
		}
	}
	for _, j := range ws.jobs() {
		if j.job.Permissions != nil {
			declared(j.name, j.job.Permissions)
		}
	}
	return problems
}

// Long-lived AWS keys, as action inputs and as environment variables.
var (
	keyInputs = []string{"aws-access-key-id", "aws-secret-access-key", "aws-session-token"}
	keyEnv    = []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"}
)

// checkNoAWSKeys wants AWS credentials only from a role assumed with GitHub's
// OIDC token: no key inputs, no key environment variables, and a role on
// every configure-aws-credentials step.
func checkNoAWSKeys(ws workflows) []string {
	var problems []string
	env := func(where string, e *actionlint.Env) {
		if e == nil {
			return
		}
		for _, name := range slices.Sorted(maps.Keys(e.Vars)) {
			if v := e.Vars[name].Name.Value; slices.Contains(keyEnv, v) {
				problems = append(problems, fmt.Sprintf("%s: env %s", where, v))
			}
		}
	}
	for _, file := range slices.Sorted(maps.Keys(ws)) {
		env(file, ws[file].Env)
	}
	for _, j := range ws.jobs() {
		env(j.name, j.job.Env)
		for _, s := range j.job.Steps {
			env(j.name, s.Env)
			a := action(s)
			if a == nil {
				continue
			}
			for _, name := range keyInputs {
				if _, ok := a.Inputs[name]; ok {
					problems = append(problems, fmt.Sprintf("%s: %s with %s", j.name, a.Uses.Value, name))
				}
			}
			if repo(a.Uses.Value) == "aws-actions/configure-aws-credentials" && input(a, "role-to-assume") == "" {
				problems = append(problems, fmt.Sprintf("%s: %s without role-to-assume", j.name, a.Uses.Value))
			}
		}
	}
	return problems
}

// majorRef is a version reference to a major version: v6.
var majorRef = regexp.MustCompile(`^v([0-9]+)$`)

// newestKnown is the newest major version of an action (owner/repo[/path])
// that actionlint knows, with its metadata, or 0 when it knows none.
func newestKnown(name string) (int, *actionlint.ActionMetadata) {
	newest, meta := 0, (*actionlint.ActionMetadata)(nil)
	for spec, m := range actionlint.PopularActions {
		n, ref, _ := strings.Cut(spec, "@")
		if n != name {
			continue
		}
		if v := majorRef.FindStringSubmatch(ref); v != nil {
			if major, _ := strconv.Atoi(v[1]); major > newest {
				newest, meta = major, m
			}
		}
	}
	return newest, meta
}

// checkPinned wants every action pinned to a major version (v6: its fixes
// arrive, its breaking changes do not), no older than the newest one
// actionlint knows. actionlint checks the inputs of the versions it knows; for
// a newer one, this checks them against the newest known version's.
func checkPinned(ws workflows) []string {
	var problems []string
	for _, j := range ws.jobs() {
		for _, s := range j.job.Steps {
			a := action(s)
			if a == nil || strings.HasPrefix(a.Uses.Value, "./") {
				continue
			}
			name, ref, _ := strings.Cut(a.Uses.Value, "@")
			v := majorRef.FindStringSubmatch(ref)
			if v == nil {
				problems = append(problems, fmt.Sprintf("%s: %s is not pinned to a major version", j.name, a.Uses.Value))
				continue
			}
			major, _ := strconv.Atoi(v[1])
			newest, meta := newestKnown(name)
			switch {
			case major < newest:
				problems = append(problems, fmt.Sprintf("%s: %s is older than v%d", j.name, a.Uses.Value, newest))
			case major > newest && meta != nil && !meta.SkipInputs:
				for _, in := range slices.Sorted(maps.Keys(a.Inputs)) {
					if _, ok := meta.Inputs[in]; !ok {
						problems = append(problems, fmt.Sprintf("%s: %s has no input %s", j.name, a.Uses.Value, in))
					}
				}
			}
		}
	}
	return problems
}

// isPushToMain tells whether an event is a push to main and nothing else.
func isPushToMain(e actionlint.Event) bool {
	w, ok := e.(*actionlint.WebhookEvent)
	if !ok || w.Hook.Value != "push" || w.Branches == nil || len(w.Branches.Values) != 1 {
		return false
	}
	return w.Branches.Values[0].Value == "main"
}

// checkDeploy wants every job that runs pulumi up triggered only by a push to
// main (or by hand), after the tests, in an environment that can require
// approval, and in a concurrency group that never cancels a running deploy;
// and after it, make smoke against the stack's outputs (checkSmoke).
func checkDeploy(ws workflows) []string {
	var problems []string
	for _, j := range ws.jobs() {
		p := j.pulumiStep()
		if p == nil || input(p, "command") != "up" {
			continue
		}
		for _, e := range j.workflow.On {
			if !isPushToMain(e) && e.EventName() != "workflow_dispatch" {
				problems = append(problems, fmt.Sprintf("%s: runs pulumi up on %s", j.name, e.EventName()))
			}
		}
		if len(j.job.Needs) == 0 {
			problems = append(problems, j.name+": runs pulumi up without waiting for the tests")
		}
		if j.job.Environment == nil || j.job.Environment.Name == nil || j.job.Environment.Name.Value == "" {
			problems = append(problems, j.name+": runs pulumi up outside an environment")
		}
		c := j.job.Concurrency
		if c == nil {
			c = j.workflow.Concurrency
		}
		switch {
		case c == nil || c.Group == nil:
			problems = append(problems, j.name+": runs pulumi up outside a concurrency group")
		case c.CancelInProgress != nil && (c.CancelInProgress.Value || c.CancelInProgress.Expression != nil):
			problems = append(problems, j.name+": a newer deploy may cancel a running pulumi up")
		}
		problems = append(problems, checkSmoke(j)...)
	}
	return problems
}

// smokeRun is how a deploy runs the smoke checks, and smokeOutputs the
// environment variables it reads and the stack outputs that must fill them
// (an output the stack does not have, such as accessLogGroup without
// apiLogging, is empty and its check says it is skipped).
const smokeRun = "make smoke"

var smokeOutputs = map[string]string{
	"SITE_URL":         site.OutputSiteURL,
	"API_URL":          site.OutputAPIURL,
	"DASHBOARD_URL":    site.OutputDashboardURL,
	"ACCESS_LOG_GROUP": site.OutputAccessLogGroup,
}

// checkSmoke wants a job that runs pulumi up to run make smoke after it,
// under the same condition, against the site, API, dashboard and access log
// of the up step's outputs, and to fail when it fails.
func checkSmoke(j job) []string {
	up := slices.IndexFunc(j.job.Steps, func(s *actionlint.Step) bool {
		a := action(s)
		return a != nil && repo(a.Uses.Value) == "pulumi/actions" && input(a, "command") == "up"
	})
	smoke := slices.IndexFunc(j.job.Steps, runsSmoke)
	switch {
	case smoke < 0:
		return []string{j.name + ": runs no " + smokeRun + " after pulumi up"}
	case smoke < up:
		return []string{j.name + ": runs " + smokeRun + " before pulumi up"}
	}
	var problems []string
	upStep, smokeStep := j.job.Steps[up], j.job.Steps[smoke]
	if c := smokeStep.ContinueOnError; c != nil && (c.Value || c.Expression != nil) {
		problems = append(problems, j.name+": "+smokeRun+" may fail without failing the deploy")
	}
	if upStep.If != nil && (smokeStep.If == nil || smokeStep.If.Value != upStep.If.Value) {
		problems = append(problems, j.name+": "+smokeRun+" does not run when pulumi up does")
	}
	id := ""
	if upStep.ID != nil {
		id = upStep.ID.Value
	}
	for _, name := range slices.Sorted(maps.Keys(smokeOutputs)) {
		want := fmt.Sprintf("${{ steps.%s.outputs.%s }}", id, smokeOutputs[name])
		if got := env(smokeStep, name); id == "" || got != want {
			problems = append(problems, fmt.Sprintf("%s: %s reads %s from %q, want the up step's output %s", j.name, smokeRun, name, got, smokeOutputs[name]))
		}
	}
	return problems
}

// runsSmoke reports whether the step is a run: script whose last command
// is make smoke.
func runsSmoke(s *actionlint.Step) bool {
	lines := strings.Split(strings.TrimSpace(runScript(s)), "\n")
	return strings.TrimSpace(lines[len(lines)-1]) == smokeRun
}

// runScript is a run: step's script, or "" for another step.
func runScript(s *actionlint.Step) string {
	if run, ok := s.Exec.(*actionlint.ExecRun); ok && run.Run != nil {
		return run.Run.Value
	}
	return ""
}

// The runner's variables that request a GitHub OIDC token from a run:
// step, and how the deploy finds the audience of the stack's workload for
// the repository.
const (
	tokenRequestURL   = "ACTIONS_ID_TOKEN_REQUEST_URL"
	tokenRequestToken = "ACTIONS_ID_TOKEN_REQUEST_TOKEN"
	workloadRun       = `go run ./local/cmd/smoke -github-audience >> "$GITHUB_OUTPUT"`
	deployJob         = "deploy.yml/deploy"
)

// checkTokenRequests wants a GitHub OIDC token requested by a run: step
// only on the deploy job, and there only by the smoke step, for the
// audience the step running workloadRun finds: masked in the log and
// handed to make smoke as SMOKE_TOKEN. (The AWS role's token is the
// configure-aws-credentials action's, which checkNoAWSKeys covers.)
func checkTokenRequests(ws workflows) []string {
	var problems []string
	requested := false
	for _, j := range ws.jobs() {
		audience := ""
		for _, s := range j.job.Steps {
			script := runScript(s)
			if strings.TrimSpace(script) == workloadRun && s.ID != nil {
				audience = fmt.Sprintf("${{ steps.%s.outputs.audience }}", s.ID.Value)
			}
			if !strings.Contains(script, tokenRequestURL) && !strings.Contains(script, tokenRequestToken) {
				continue
			}
			switch {
			case j.name != deployJob:
				problems = append(problems, fmt.Sprintf("%s: requests a GitHub OIDC token: only %s may, for the smoke test", j.name, deployJob))
				continue
			case !runsSmoke(s):
				problems = append(problems, fmt.Sprintf("%s: a step other than %s requests a GitHub OIDC token", j.name, smokeRun))
				continue
			}
			requested = true
			if audience == "" || env(s, "AUDIENCE") != audience {
				problems = append(problems, fmt.Sprintf("%s: the token's audience is %q, want the stack's workload's, from a step running %s", j.name, env(s, "AUDIENCE"), workloadRun))
			}
			for _, want := range []string{`--data-urlencode "audience=$AUDIENCE"`, `echo "::add-mask::$SMOKE_TOKEN"`, "export SMOKE_TOKEN"} {
				if !strings.Contains(script, want) {
					problems = append(problems, fmt.Sprintf("%s: the token request lacks %s", j.name, want))
				}
			}
		}
	}
	if _, ok := ws["deploy.yml"]; ok && !requested {
		problems = append(problems, deployJob+": "+smokeRun+" runs without a workload's token: request one for the audience the stack's workload names")
	}
	return problems
}

// env is the value of a step's environment variable, or "" when not set.
func env(s *actionlint.Step, name string) string {
	if s.Env == nil {
		return ""
	}
	for _, v := range s.Env.Vars {
		if v.Name != nil && v.Name.Value == name && v.Value != nil {
			return v.Value.Value
		}
	}
	return ""
}

// readyScriptRun is how the workflows run pulumi-ready.sh.
const readyScriptRun = ".github/scripts/pulumi-ready.sh"

// checkPulumiGuarded wants no workflow started by pull_request_target or
// workflow_run, and every job that runs Pulumi to ask pulumi-ready.sh first
// and to run each action after checkout only when it answered ready.
func checkPulumiGuarded(ws workflows) []string {
	var problems []string
	for _, file := range slices.Sorted(maps.Keys(ws)) {
		for _, e := range ws[file].On {
			if name := e.EventName(); name == "pull_request_target" || name == "workflow_run" {
				problems = append(problems, fmt.Sprintf("%s: runs on %s", file, name))
			}
		}
	}
	for _, j := range ws.jobs() {
		if j.pulumiStep() == nil {
			continue
		}
		ready := ""
		for _, s := range j.job.Steps {
			a := action(s)
			if run, ok := s.Exec.(*actionlint.ExecRun); ok && run.Run != nil && strings.TrimSpace(run.Run.Value) == readyScriptRun && s.ID != nil {
				ready = fmt.Sprintf("steps.%s.outputs.ready == 'true'", s.ID.Value)
				continue
			}
			if a == nil || repo(a.Uses.Value) == "actions/checkout" {
				continue
			}
			if ready == "" {
				problems = append(problems, fmt.Sprintf("%s: %s before asking %s", j.name, a.Uses.Value, readyScriptRun))
			} else if s.If == nil || s.If.Value != ready {
				problems = append(problems, fmt.Sprintf("%s: %s runs without if: %s", j.name, a.Uses.Value, ready))
			}
		}
	}
	return problems
}

// checkPreview wants a pulumi preview on pull requests that comments on them.
func checkPreview(ws workflows) []string {
	var problems []string
	previews := 0
	for _, j := range ws.jobs() {
		p := j.pulumiStep()
		if p == nil || input(p, "command") != "preview" {
			continue
		}
		previews++
		if !slices.ContainsFunc(j.workflow.On, func(e actionlint.Event) bool { return e.EventName() == "pull_request" }) {
			problems = append(problems, j.name+": pulumi preview does not run on pull requests")
		}
		if input(p, "comment-on-pr") != "true" {
			problems = append(problems, j.name+": pulumi preview does not comment on the pull request")
		}
	}
	if previews == 0 {
		problems = append(problems, "no job runs pulumi preview")
	}
	return problems
}

// TestWorkflowsFollowPolicy runs every check over the repository's workflows.
func TestWorkflowsFollowPolicy(t *testing.T) {
	ws := load(t, workflowsDir)
	for _, c := range []struct {
		name  string
		check check
	}{
		{"permissions", checkPermissions},
		{"no AWS keys", checkNoAWSKeys},
		{"pinned", checkPinned},
		{"deploy", checkDeploy},
		{"pulumi guarded", checkPulumiGuarded},
		{"preview", checkPreview},
		{"token requests", checkTokenRequests},
	} {
		t.Run(c.name, func(t *testing.T) {
			for _, p := range c.check(ws) {
				t.Error(p)
			}
		})
	}
}

// testJob is a job with nothing to object to, for the workflows below whose
// problems lie elsewhere.
const testJob = `
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: make test
`

// TestChecksRefuseBrokenWorkflows shows each check refusing a workflow that
// breaks its policy, with the exact problems it reports.
func TestChecksRefuseBrokenWorkflows(t *testing.T) {
	checkout, _ := newestKnown("actions/checkout")
	for _, c := range []struct {
		name  string
		check check
		text  map[string]string
		want  []string
	}{
		{
			// Attack: a compromised step (a dependency's test, an action)
			// pushes to the repository with the job's token.
			name:  "a token that can write the repository is refused",
			check: checkPermissions,
			text: map[string]string{"test.yml": `
on: push
permissions:
  contents: write
` + testJob},
			want: []string{"test.yml: permissions map[contents:write], want map[contents:read]"},
		},
		{
			name:  "write-all and a job without a reviewed block are refused",
			check: checkPermissions,
			text: map[string]string{"preview.yml": `
on: pull_request
permissions: write-all
jobs:
  preview:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - run: make test
`},
			want: []string{
				"preview.yml: permissions: write-all",
				"preview.yml/preview: permissions map[id-token:write], want map[]",
			},
		},
		{
			name:  "a workflow without permissions is refused",
			check: checkPermissions,
			text: map[string]string{"test.yml": `
on: push
` + testJob},
			want: []string{"test.yml: no permissions: the token gets the repository's defaults"},
		},
		{
			// Attack: a leaked access key works from anywhere until someone
			// rotates it; a role assumed with the OIDC token expires within
			// the hour and only this repository's workflows can assume it.
			name:  "long-lived AWS keys are refused",
			check: checkNoAWSKeys,
			text: map[string]string{"deploy.yml": `
on: push
jobs:
  deploy:
    runs-on: ubuntu-latest
    env:
      AWS_SECRET_ACCESS_KEY: ${{ secrets.KEY }}
    steps:
      - uses: aws-actions/configure-aws-credentials@v6
        with:
          aws-access-key-id: ${{ secrets.ID }}
          aws-secret-access-key: ${{ secrets.KEY }}
          aws-region: eu-central-1
`},
			want: []string{
				"deploy.yml/deploy: env AWS_SECRET_ACCESS_KEY",
				"deploy.yml/deploy: aws-actions/configure-aws-credentials@v6 with aws-access-key-id",
				"deploy.yml/deploy: aws-actions/configure-aws-credentials@v6 with aws-secret-access-key",
				"deploy.yml/deploy: aws-actions/configure-aws-credentials@v6 without role-to-assume",
			},
		},
		{
			name:  "a branch, an old major and an unknown input are refused",
			check: checkPinned,
			text: map[string]string{"preview.yml": `
on: pull_request
jobs:
  preview:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@main
      - uses: actions/checkout@v1
      - uses: ./.github/actions/local
      - uses: pulumi/actions@v99
        with:
          command: preview
          comment_on_pr: true
`},
			want: []string{
				"preview.yml/preview: actions/checkout@main is not pinned to a major version",
				fmt.Sprintf("preview.yml/preview: actions/checkout@v1 is older than v%d", checkout),
				"preview.yml/preview: pulumi/actions@v99 has no input comment_on_pr",
			},
		},
		{
			// Attack: a pull request's code deploys itself, or two deploys
			// race on the stack, or a cancelled pulumi up leaves it half done.
			name:  "a deploy on pull requests, untested, unapproved and cancellable is refused",
			check: checkDeploy,
			text: map[string]string{"deploy.yml": `
on: [push, pull_request]
concurrency:
  group: deploy
  cancel-in-progress: true
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - uses: pulumi/actions@v7
        with:
          command: up
`},
			want: []string{
				"deploy.yml/deploy: runs pulumi up on push",
				"deploy.yml/deploy: runs pulumi up on pull_request",
				"deploy.yml/deploy: runs pulumi up without waiting for the tests",
				"deploy.yml/deploy: runs pulumi up outside an environment",
				"deploy.yml/deploy: a newer deploy may cancel a running pulumi up",
				"deploy.yml/deploy: runs no make smoke after pulumi up",
			},
		},
		{
			// A deploy that goes wrong must fail: a smoke test that may fail
			// quietly, or checks another deployment than the one just made,
			// or none when pulumi up ran, proves nothing.
			name:  "a smoke test that cannot fail the deploy, or checks something else, is refused",
			check: checkDeploy,
			text: map[string]string{"deploy.yml": `
on:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: make test
  deploy:
    needs: test
    environment: production
    concurrency:
      group: deploy
    runs-on: ubuntu-latest
    steps:
      - id: settings
        run: .github/scripts/pulumi-ready.sh
      - uses: pulumi/actions@v7
        id: up
        if: steps.settings.outputs.ready == 'true'
        with:
          command: up
      - continue-on-error: true
        env:
          SITE_URL: https://example.com/
        run: make smoke
`},
			want: []string{
				"deploy.yml/deploy: make smoke may fail without failing the deploy",
				"deploy.yml/deploy: make smoke does not run when pulumi up does",
				`deploy.yml/deploy: make smoke reads ACCESS_LOG_GROUP from "", want the up step's output accessLogGroup`,
				`deploy.yml/deploy: make smoke reads API_URL from "", want the up step's output apiUrl`,
				`deploy.yml/deploy: make smoke reads DASHBOARD_URL from "", want the up step's output dashboardUrl`,
				`deploy.yml/deploy: make smoke reads SITE_URL from "https://example.com/", want the up step's output siteUrl`,
			},
		},
		{
			// Attack: a job that runs on pull requests (or any job but the
			// deploy) requests a token for the workload's audience: anyone
			// who can open a pull request could call the API as the
			// workload. And the deploy must ask for the audience the stack
			// names, keep the token out of the log and hand it to make smoke.
			name:  "a GitHub OIDC token requested outside the deploy's smoke step, or carelessly, is refused",
			check: checkTokenRequests,
			text: map[string]string{
				"preview.yml": `
on: pull_request
jobs:
  preview:
    runs-on: ubuntu-latest
    steps:
      - run: |
          curl -H "Authorization: bearer $ACTIONS_ID_TOKEN_REQUEST_TOKEN" "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=x"
`,
				"deploy.yml": `
on: workflow_dispatch
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: echo "$ACTIONS_ID_TOKEN_REQUEST_URL"
      - env:
          AUDIENCE: https://api.example.com
        run: |
          SMOKE_TOKEN=$(curl -sSf "$ACTIONS_ID_TOKEN_REQUEST_URL&audience=$AUDIENCE" | jq -er .value)
          make smoke
`},
			want: []string{
				"deploy.yml/deploy: a step other than make smoke requests a GitHub OIDC token",
				`deploy.yml/deploy: the token's audience is "https://api.example.com", want the stack's workload's, from a step running go run ./local/cmd/smoke -github-audience >> "$GITHUB_OUTPUT"`,
				`deploy.yml/deploy: the token request lacks --data-urlencode "audience=$AUDIENCE"`,
				`deploy.yml/deploy: the token request lacks echo "::add-mask::$SMOKE_TOKEN"`,
				"deploy.yml/deploy: the token request lacks export SMOKE_TOKEN",
				"preview.yml/preview: requests a GitHub OIDC token: only deploy.yml/deploy may, for the smoke test",
			},
		},
		{
			name:  "a deploy whose smoke test never gets a workload's token is refused",
			check: checkTokenRequests,
			text: map[string]string{"deploy.yml": `
on: workflow_dispatch
jobs:
  deploy:
    runs-on: ubuntu-latest
    steps:
      - run: make smoke
`},
			want: []string{"deploy.yml/deploy: make smoke runs without a workload's token: request one for the audience the stack's workload names"},
		},
		{
			name:  "a smoke test before pulumi up is refused",
			check: checkDeploy,
			text: map[string]string{"deploy.yml": `
on: workflow_dispatch
jobs:
  deploy:
    needs: test
    environment: production
    concurrency:
      group: deploy
    runs-on: ubuntu-latest
    steps:
      - run: make smoke
      - uses: pulumi/actions@v7
        with:
          command: up
`},
			want: []string{"deploy.yml/deploy: runs make smoke before pulumi up"},
		},
		{
			// Attack: pull_request_target runs with the repository's secrets
			// and a write token while the workflow checks out a fork's code.
			// And a fork's pull request, which gets no OIDC token, must skip
			// the AWS steps rather than fail.
			name:  "pull_request_target and unguarded AWS steps are refused",
			check: checkPulumiGuarded,
			text: map[string]string{"preview.yml": `
on: pull_request_target
jobs:
  preview:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v7
      - uses: actions/setup-go@v7
      - id: settings
        run: .github/scripts/pulumi-ready.sh
      - uses: pulumi/actions@v7
        with:
          command: preview
`},
			want: []string{
				"preview.yml: runs on pull_request_target",
				"preview.yml/preview: actions/setup-go@v7 before asking .github/scripts/pulumi-ready.sh",
				"preview.yml/preview: pulumi/actions@v7 runs without if: steps.settings.outputs.ready == 'true'",
			},
		},
		{
			name:  "a preview that does not comment on the pull request is refused",
			check: checkPreview,
			text: map[string]string{"preview.yml": `
on: push
jobs:
  preview:
    runs-on: ubuntu-latest
    steps:
      - uses: pulumi/actions@v7
        with:
          command: preview
`},
			want: []string{
				"preview.yml/preview: pulumi preview does not run on pull requests",
				"preview.yml/preview: pulumi preview does not comment on the pull request",
			},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			got := c.check(parse(t, c.text))
			if !slices.Equal(got, c.want) {
				t.Errorf("problems:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(c.want, "\n"))
			}
		})
	}
}

// stackConfigs are the stacks' configuration files pulumi-ready.sh reads.
var stackConfigs = map[string]string{
	"Pulumi.dev.yaml": "config:\n  aws:region: eu-central-1\n" +
		"  signin:googleClientId: 123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com\n",
	"Pulumi.quoted.yaml": "config:\n" +
		"  signin:googleClientId: \"123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com\"\n",
	"Pulumi.placeholder.yaml": "config:\n  signin:googleClientId: YOUR-CLIENT-ID.apps.googleusercontent.com\n",
	"Pulumi.salted.yaml": "encryptionsalt: v1:c2FsdA==:v1:aXY=:Y2lwaGVy\nconfig:\n" +
		"  signin:googleClientId: 123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com\n",
}

// TestPulumiReadySkipsWithReason runs pulumi-ready.sh as the workflows do and
// checks its answer (ready=true or ready=false) and the reasons it gives in
// the job summary.
func TestPulumiReadySkipsWithReason(t *testing.T) {
	script, err := filepath.Abs(readyScript)
	if err != nil {
		t.Fatal(err)
	}
	// The workflows run it as a program: it must stay executable.
	if info, err := os.Stat(script); err != nil || info.Mode().Perm()&0o111 == 0 {
		t.Fatalf("%s is not executable: %v", readyScript, err)
	}
	const role = "arn:aws:iam::123456789012:role/signin-preview"
	const (
		fork    = "- This pull request comes from a fork: GitHub gives it no OIDC token and no secrets, so it cannot reach AWS or the Pulumi backend."
		noRole  = "- The variable `AWS_ROLE_ARN` is not set: there is no AWS role to assume."
		noState = "- Neither the variable `PULUMI_BACKEND_URL` nor the secret `PULUMI_ACCESS_TOKEN` is set: there is no Pulumi backend to hold the stack's state."
	)
	for _, c := range []struct {
		name    string
		env     map[string]string
		reasons []string
	}{
		{
			name: "an S3 backend and a role make it ready",
			env:  map[string]string{"AWS_ROLE_ARN": role, "PULUMI_BACKEND_URL": "s3://signin-state", "FORK": "false"},
		},
		{
			name: "a Pulumi Cloud token and a role make it ready",
			env:  map[string]string{"AWS_ROLE_ARN": role, "PULUMI_ACCESS_TOKEN": "pul-0000"},
		},
		{
			name: "a fully qualified stack reads Pulumi.<name>.yaml",
			env:  map[string]string{"AWS_ROLE_ARN": role, "PULUMI_ACCESS_TOKEN": "pul-0000", "PULUMI_STACK": "acme/signin/dev"},
		},
		{
			// A fork's pull request gets no OIDC token and no secrets, and
			// variables may be readable: it must skip, not fail.
			name:    "a fork's pull request skips",
			env:     map[string]string{"AWS_ROLE_ARN": role, "PULUMI_BACKEND_URL": "s3://signin-state", "FORK": "true"},
			reasons: []string{fork},
		},
		{
			// GitHub runs Dependabot's pull requests as if from a fork.
			name:    "Dependabot's pull request skips",
			env:     map[string]string{"AWS_ROLE_ARN": role, "PULUMI_BACKEND_URL": "s3://signin-state", "DEPENDABOT": "true"},
			reasons: []string{"- Dependabot started this run: GitHub treats it like a fork's pull request, with no OIDC token and no secrets."},
		},
		{
			name:    "a repository not wired to AWS skips",
			env:     map[string]string{},
			reasons: []string{noRole, noState},
		},
		{
			name:    "a stack without its configuration skips",
			env:     map[string]string{"AWS_ROLE_ARN": role, "PULUMI_BACKEND_URL": "s3://signin-state", "PULUMI_STACK": "prod"},
			reasons: []string{"- `Pulumi.prod.yaml` is not in the repository: the stack `prod` has no configuration."},
		},
		{
			name:    "a stack still on the placeholder client ID skips",
			env:     map[string]string{"AWS_ROLE_ARN": role, "PULUMI_BACKEND_URL": "s3://signin-state", "PULUMI_STACK": "placeholder"},
			reasons: []string{"- `Pulumi.placeholder.yaml` sets no Google client ID: run `pulumi config set googleClientId <digits>-<id>.apps.googleusercontent.com` and commit the file."},
		},
		{
			name: "a passphrase-encrypted stack with its passphrase is ready",
			env:  map[string]string{"AWS_ROLE_ARN": role, "PULUMI_BACKEND_URL": "s3://signin-state", "PULUMI_STACK": "salted", "PULUMI_CONFIG_PASSPHRASE": "correct horse"},
		},
		{
			name:    "a passphrase-encrypted stack without its passphrase skips",
			env:     map[string]string{"AWS_ROLE_ARN": role, "PULUMI_BACKEND_URL": "s3://signin-state", "PULUMI_STACK": "salted"},
			reasons: []string{"- `Pulumi.salted.yaml` encrypts its secrets with a passphrase, and the secret `PULUMI_CONFIG_PASSPHRASE` is not set."},
		},
		{
			name: "a quoted client ID counts",
			env:  map[string]string{"AWS_ROLE_ARN": role, "PULUMI_BACKEND_URL": "s3://signin-state", "PULUMI_STACK": "quoted"},
		},
	} {
		t.Run(c.name, func(t *testing.T) {
			dir := t.TempDir()
			for name, text := range stackConfigs {
				if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			output, summary := filepath.Join(dir, "output"), filepath.Join(dir, "summary")
			cmd := exec.Command("bash", script)
			cmd.Dir = dir
			cmd.Env = []string{
				"PATH=" + os.Getenv("PATH"),
				"PULUMI_COMMAND=preview",
				"PULUMI_STACK=dev",
				"GITHUB_OUTPUT=" + output,
				"GITHUB_STEP_SUMMARY=" + summary,
			}
			for k, v := range c.env {
				cmd.Env = append(cmd.Env, k+"="+v)
			}
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Fatalf("%v: %s", err, out)
			}

			wantOutput := "ready=true\n"
			if len(c.reasons) > 0 {
				wantOutput = "ready=false\n"
			}
			if got := read(t, output); got != wantOutput {
				t.Errorf("output %q, want %q", got, wantOutput)
			}
			wantSummary := ""
			if len(c.reasons) > 0 {
				wantSummary = "### pulumi preview skipped\n\n" + strings.Join(c.reasons, "\n") +
					"\n\ndocs/ci.md says what to set up.\n"
			}
			if got := read(t, summary); got != wantSummary {
				t.Errorf("summary:\n%s\nwant:\n%s", got, wantSummary)
			}
		})
	}
}

// read returns a file's content, or "" when it does not exist.
func read(t *testing.T, path string) string {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil && !os.IsNotExist(err) {
		t.Fatal(err)
	}
	return string(b)
}
