package golden

import "testing"

// The command a failing check prints runs from the repository's root,
// where `make test` runs: the package's path from there, and this test
// alone.
func TestRewriteCommandRunsFromTheRoot(t *testing.T) {
	const want = "go test ./infra/internal/golden -run '^TestRewriteCommandRunsFromTheRoot$' -update"
	if got := rewriteCommand(t); got != want {
		t.Errorf("rewriteCommand = %s, want %s", got, want)
	}
}
