package layout

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
)

// notLinked are the packages of this repository no function binary may
// link: the offline stack and its API Gateway emulation, the Pulumi
// program, the page, and the build, which checks the route table against
// the commands on disk.
var notLinked = []string{"signin/local", "signin/infra", "signin/site", "signin/tools", "signin/functions/bundle"}

// diskPackages are the standard packages that walk a file tree or run
// commands: a package of this repository that a function binary links,
// which serves requests, has no use for them.
var diskPackages = []string{"path/filepath", "io/fs", "os/exec"}

// TestFunctionBinariesLinkNeitherTheBuildNorTheEmulation lists what each
// function command links, as `make build` builds it (linux/arm64, the
// lambda.norpc tag), and wants none of notLinked and no package of this
// repository that imports one of diskPackages: the route table
// (functions/gateway) is data, and reading functions/cmd to check it is the
// build's job.
func TestFunctionBinariesLinkNeitherTheBuildNorTheEmulation(t *testing.T) {
	cmd := exec.Command("go", "list", "-tags", "lambda.norpc", "-deps", "-f", `{{.ImportPath}}{{range .Imports}}|{{.}}{{end}}`, "./functions/cmd/...")
	cmd.Dir = "../.."
	cmd.Env = append(os.Environ(), "GOOS=linux", "GOARCH=arm64", "CGO_ENABLED=0")
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	commands := 0
	for line := range strings.Lines(string(out)) {
		fields := strings.Split(strings.TrimSpace(line), "|")
		pkg := fields[0]
		if strings.HasPrefix(pkg, "signin/functions/cmd/") {
			commands++
		}
		for _, f := range notLinked {
			if inModule(pkg, f) {
				t.Errorf("a function binary links %s: none may link %s", pkg, f)
			}
		}
		if !strings.HasPrefix(pkg, "signin/") {
			continue
		}
		for _, imported := range fields[1:] {
			if slices.Contains(diskPackages, imported) {
				t.Errorf("%s, which a function binary links, imports %s: move what reads the disk to the build (functions/bundle)", pkg, imported)
			}
		}
	}
	if commands < 3 {
		t.Errorf("go list found %d function commands, want at least authorizer, hello and me", commands)
	}
}
