package main

import (
	"os/exec"
	"strings"
	"testing"
)

// TestLinksNoPulumiProgram wants the command behind make preview, up and
// destroy to link none of the Pulumi program it drives: it only runs the
// pulumi CLI, which builds the program itself. Linking it would build the
// Pulumi SDK and the AWS provider (about 800 packages) before every
// command.
func TestLinksNoPulumiProgram(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	if err != nil {
		t.Fatalf("go list -deps: %v", err)
	}
	deps := strings.Fields(string(out))
	if len(deps) == 0 {
		t.Fatal("go list -deps listed nothing")
	}
	for _, forbidden := range []struct{ prefix, what string }{
		{"github.com/pulumi/", "the Pulumi SDK or a provider"},
		{"github.com/aws/", "an AWS library"},
		{"signin/infra/stack", "the Pulumi program's resources"},
		{"signin/infra/config", "the Pulumi program's configuration, read with the SDK"},
	} {
		for _, dep := range deps {
			if dep == forbidden.prefix || strings.HasPrefix(dep, forbidden.prefix) {
				t.Errorf("links %s (%s): import what the program and this command share from signin/infra/project", dep, forbidden.what)
				break
			}
		}
	}
}
