// Package workflows tests the repository's GitHub Actions workflows
// (.github/workflows) and their helper script for what actionlint, run by
// make lint, does not check: least-privilege token permissions, credentials
// from GitHub's OIDC token rather than long-lived AWS keys, actions pinned to
// their current major versions with inputs those versions declare, a deploy
// behind an environment and a concurrency group, a preview that skips with a
// reason, rather than failing, where AWS is out of reach, govulncheck over
// every module of go.work, and a Dependabot configuration (.github/
// dependabot.yml) covering exactly those modules.
//
// The package holds only tests; run them with go test ./tools/....
package workflows
