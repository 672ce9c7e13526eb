package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"signin/functions/gateway"
)

// teamStack is what `pulumi config set` leaves in Pulumi.dev.yaml after the
// README's steps: a client ID, an allowed domain and the group admins.
var teamStack = map[string]string{
	"  signin:googleClientId: YOUR-CLIENT-ID.apps.googleusercontent.com\n": "  signin:googleClientId: 123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com\n",
	"  signin:allowedDomains: []\n":                                        "  signin:allowedDomains:\n    - example.com\n",
	"  signin:groups: {}\n":                                                "  signin:groups:\n    admins:\n      emails:\n        - ada@example.com\n",
}

// teamRoutes are the README's endpoints, added after the table's GET /me.
const teamRoutes = `	{Method: "GET", Path: "/orders/{id}", Function: "orders", Integration: Proxy},
	{Method: "DELETE", Path: "/orders/{id}", Function: "orders", Integration: Proxy, Groups: []string{"admins"}},
	{Method: "POST", Path: "/orders", Function: "orders", Integration: Proxy},
`

// teamFiles are the files the README has a team write for the function
// orders.
var teamFiles = map[string]string{
	"functions/orders/orders.go": `// Package orders is the function behind /orders.
package orders

import (
	"context"
	"net/http"

	"github.com/aws/aws-lambda-go/events"

	"signin/functions/proxy"
)

// Handler answers /orders for the page at Origin.
type Handler struct {
	// Origin is the site's origin, which the CORS headers allow.
	Origin string
}

// Handle is the Lambda handler.
func (h Handler) Handle(_ context.Context, req events.APIGatewayProxyRequest) (events.APIGatewayProxyResponse, error) {
	id, _ := proxy.PathParameter(req, "id")
	return proxy.JSON(h.Origin, http.StatusOK, map[string]string{"id": id, "method": req.HTTPMethod})
}
`,
	"functions/cmd/orders/main.go": `// Command orders is the function behind /orders (package orders).
package main

import (
	"os"

	"github.com/aws/aws-lambda-go/lambda"

	"signin/functions/orders"
	"signin/functions/proxy"
)

func main() {
	origin, err := proxy.SiteOrigin(os.Getenv)
	if err != nil {
		os.Exit(1)
	}
	lambda.Start(orders.Handler{Origin: origin}.Handle)
}
`,
}

// A team's repository is not the template: a scratch copy of
// the repository's tracked files, its stack configured and the README's
// endpoints added (GET /orders/{id}, DELETE /orders/{id} for the group
// admins, a POST), passes the route check and the infrastructure's and the
// local stack's tests once the printed -update command has rewritten the
// snapshots, with no other file edited.
func TestATeamsConfiguredProjectStaysGreen(t *testing.T) {
	if _, err := exec.LookPath("make"); err != nil {
		t.Skip("make is not installed")
	}
	if testing.Short() {
		t.Skip("copies the repository and runs its tests: not with -short")
	}
	// It plays a team on the template: a configured stack is a team's
	// already, and its own tests hold.
	template(t, devStack(t))
	for _, r := range gateway.Routes {
		if strings.HasPrefix(r.Path, "/orders") {
			t.Skipf("the route table has %s already: a team's, not the template's", r)
		}
	}
	root, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	tracked, err := exec.Command("git", "-C", root, "ls-files", "-z").Output()
	if err != nil {
		t.Skipf("the repository's tracked files are unknown without git: %v", err)
	}
	dir := t.TempDir()
	for _, name := range strings.Split(strings.TrimRight(string(tracked), "\x00"), "\x00") {
		b, err := os.ReadFile(filepath.Join(root, name))
		if os.IsNotExist(err) {
			continue // deleted in the working tree
		}
		if err != nil {
			t.Fatal(err)
		}
		writeFile(t, filepath.Join(dir, name), string(b))
	}
	edit := func(name string, replacements map[string]string) {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		s := string(b)
		for old, replacement := range replacements {
			if !strings.Contains(s, old) {
				t.Fatalf("%s has no %q to change as the README says", name, old)
			}
			s = strings.Replace(s, old, replacement, 1)
		}
		writeFile(t, filepath.Join(dir, name), s)
	}
	edit("Pulumi.dev.yaml", teamStack)
	me := "\t{Method: \"GET\", Path: \"/me\", Function: \"me\", Integration: Proxy},\n"
	edit("functions/gateway/routes.go", map[string]string{me: me + teamRoutes})
	for name, content := range teamFiles {
		writeFile(t, filepath.Join(dir, name), content)
	}
	// make test's first step, the README's -update command, then the
	// tests of every package whose tests read the route table or the
	// stack (go test -short).
	run := func(args ...string) []byte {
		t.Helper()
		cmd := exec.Command(args[0], args[1:]...)
		cmd.Dir = dir
		// Neither this test's go command nor a make running it hands its
		// settings on: the copy is a workspace of its own.
		for _, kv := range os.Environ() {
			if name, _, _ := strings.Cut(kv, "="); !slices.Contains([]string{"GOWORK", "GOFLAGS", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}, name) {
				cmd.Env = append(cmd.Env, kv)
			}
		}
		out, err := cmd.Output()
		if err != nil {
			var stderr []byte
			if exit, ok := err.(*exec.ExitError); ok {
				stderr = exit.Stderr
			}
			t.Fatalf("%s in the team's copy: %v\n%s%s", strings.Join(args, " "), err, out, stderr)
		}
		return out
	}
	run("make", "--no-print-directory", "routes")
	run("go", "test", "./infra", "-run", "^TestResourcesMatchTheGoldenSnapshot$", "-update")
	run(append([]string{"go", "test", "-short"}, readersOfTheTable(run)...)...)
}

// tableReaders are the packages whose tests, importing one of them, read
// the route table or the stack's configuration.
var tableReaders = []string{
	"signin/functions/gateway",
	"signin/functions/routecheck",
	"signin/functions/stackconfig",
	"signin/functions/stackfile",
	"signin/infra/internal/stacktest",
}

// readersOfTheTable lists, as ./<dir> patterns, the workspace's packages
// whose tests import one of tableReaders, using run to call go list.
func readersOfTheTable(run func(args ...string) []byte) []string {
	out := run("go", "list", "-f", `{{.ImportPath}} {{join .TestImports " "}} {{join .XTestImports " "}}`,
		"./functions/...", "./infra/...", "./local/...", "./site/...", "./tools/...")
	var pkgs []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if slices.ContainsFunc(fields[1:], func(p string) bool { return slices.Contains(tableReaders, p) }) {
			pkgs = append(pkgs, "./"+strings.TrimPrefix(fields[0], "signin/"))
		}
	}
	return pkgs
}

// writeFile writes content to path, creating its folder.
func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}
