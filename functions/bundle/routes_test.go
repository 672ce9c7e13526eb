package bundle

import (
	"os"
	"path/filepath"
	"slices"
	"testing"

	"signin/functions/gateway"
)

// The route table in this repository is valid for the function commands it
// has: every route's function exists, every command is routed. `make test`
// runs this check first, as `make build -check`; the build, `make dev` and
// the Pulumi program run the same before they build or declare anything.
func TestTheRouteTableMatchesTheFunctionCommands(t *testing.T) {
	if err := CheckRoutes("..", gateway.Routes); err != nil {
		t.Fatal(err)
	}
	commands, err := functionCommands("..")
	if err != nil {
		t.Fatal(err)
	}
	got, want := slices.Sorted(slices.Values(gateway.Routes.Functions())), slices.Sorted(slices.Values(commands))
	if !slices.Equal(got, want) {
		t.Errorf("Functions() = %v, want every command %v", got, want)
	}
}

func TestCheckRoutesNamesTheBadRoute(t *testing.T) {
	dir := t.TempDir()
	for _, fn := range []string{"authorizer", "hello"} {
		writeFile(t, filepath.Join(dir, "cmd", fn, "main.go"), "package main")
	}
	table := gateway.Table{
		{Method: "GET", Path: "/", Function: "hello", Integration: gateway.Template},
		{Method: "GET", Path: "/", Function: "hello", Integration: gateway.Template},
	}
	const want = "gateway: route GET / -> hello (template): GET / is already routed"
	if err := CheckRoutes(dir, table); err == nil || err.Error() != want {
		t.Errorf("CheckRoutes = %v, want %s", err, want)
	}
	if err := CheckRoutes(dir, table[:1]); err != nil {
		t.Errorf("CheckRoutes of a good table = %v", err)
	}
	if err := CheckRoutes(filepath.Join(dir, "missing"), table[:1]); err == nil {
		t.Error("CheckRoutes of a folder without cmd/ succeeded")
	}
}

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
	got, err := functionCommands(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got, []string{"hello", "orders"}) {
		t.Errorf("functionCommands = %v, want [hello orders]", got)
	}
	if _, err := functionCommands(filepath.Join(dir, "missing")); err == nil {
		t.Error("functionCommands of a folder without cmd/ succeeded")
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
