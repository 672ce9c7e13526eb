package smoke

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestStackAccessReadsTheStacksWorkloads: deploy.yml finds the audience
// of the stack's workload for its repository in Pulumi.<stack>.yaml, as
// the Pulumi program reads it.
func TestStackAccessReadsTheStacksWorkloads(t *testing.T) {
	dir := t.TempDir()
	write := func(stack, text string) {
		if err := os.WriteFile(filepath.Join(dir, "Pulumi."+stack+".yaml"), []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("prod", `config:
  signin:googleClientId: 123-abc.apps.googleusercontent.com
  signin:groups:
    deployers:
      workloads: [smoke]
  signin:workloads:
    nightly:
      issuer: https://accounts.google.com
      claims:
        email: nightly@acme.iam.gserviceaccount.com
    smoke:
      issuer: https://token.actions.githubusercontent.com
      audience: https://api.example.com
      claims:
        repository: acme/app
        environment: production
`)
	write("numbers", `config:
  signin:workloads:
    smoke:
      issuer: https://token.actions.githubusercontent.com
      audience: a
      claims:
        repository_id: 690234871
`)
	w, g, err := StackAccess(dir, "prod")
	if err != nil {
		t.Fatal(err)
	}
	if aud, ok := GitHubAudience(w, "acme/app"); !ok || aud != "https://api.example.com" {
		t.Errorf("GitHubAudience(acme/app) = %q, %v; want https://api.example.com", aud, ok)
	}
	for _, repo := range []string{"acme/app-evil", "acme/other", ""} {
		if aud, ok := GitHubAudience(w, repo); ok {
			t.Errorf("GitHubAudience(%q) = %q, want none", repo, aud)
		}
	}
	if len(g["deployers"].Workloads) != 1 {
		t.Errorf("groups %v, want deployers listing smoke", g)
	}
	if w, g, err := StackAccess(dir, "missing"); w != nil || g != nil || err != nil {
		t.Errorf("a stack without a file: %v %v %v, want nothing", w, g, err)
	}
	if _, _, err := StackAccess(dir, "numbers"); err == nil || !strings.Contains(err.Error(), "workloads.smoke.claims.repository_id is 690234871, not a string") {
		t.Errorf("a claim as a number: %v, want it named", err)
	}
	if w, _, err := StackAccess("../..", "dev"); err != nil || len(w) != 0 {
		t.Errorf("the committed dev stack: %v %v, want no workloads", w, err)
	}
}
