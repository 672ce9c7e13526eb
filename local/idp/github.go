package idp

import (
	"cmp"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"
)

// GitHubIssuer is the issuer of GitHub Actions' OIDC tokens, which the
// provider's GitHub stand-in (GitHubIssuerURL) replaces offline.
const GitHubIssuer = "https://token.actions.githubusercontent.com"

// Paths of the GitHub Actions stand-in: its issuer URL is the provider's
// followed by githubPath; below it, discovery, its key set (where GitHub
// publishes its own) and TokenPath, where a workflow run gets a token.
const (
	githubPath     = "/github"
	githubKeysPath = "/.well-known/jwks"
)

// githubLifetime is how long the stand-in's tokens are valid unless the
// request says otherwise.
const githubLifetime = 5 * time.Minute

// GitHubIssuerURL returns the issuer URL of the provider's GitHub Actions
// stand-in, such as http://localhost:8082/github: its tokens' iss, and
// where its discovery document is found.
func (p *Provider) GitHubIssuerURL() string { return p.issuer + githubPath }

// Run is the GitHub Actions workflow run a token is for.
type Run struct {
	// Repository is owner/name, such as acme/app; required.
	Repository string
	// Ref is the branch or tag, such as refs/heads/main; empty means
	// refs/heads/main.
	Ref string
	// Environment is the deployment environment of the job, if any.
	Environment string
	// EventName is the event that started the run; empty means push.
	EventName string
	// Audience is the aud; empty means GitHub's default, the URL of the
	// repository's owner (https://github.com/<owner>).
	Audience string
	// Lifetime is how long from now the token is valid; zero means five
	// minutes, and a negative one gives an expired token.
	Lifetime time.Duration
	// Claims are added to the token's, replacing any of the same name, a
	// nil value removing it: GitHub's other claims (actor, workflow, sha,
	// run_id, ...), or anything a test wants the API to see.
	Claims map[string]any
}

// githubClaims are GitHub's custom claims POST /github/token takes as form
// fields, besides repository, ref, environment, event_name, aud and
// expires_in.
var githubClaims = []string{
	"actor", "actor_id", "base_ref", "head_ref", "job_workflow_ref", "job_workflow_sha",
	"repository_id", "repository_owner_id", "repository_visibility", "run_attempt", "run_id",
	"run_number", "runner_environment", "sha", "workflow", "workflow_ref", "workflow_sha",
}

// GitHubToken returns a token of the GitHub Actions stand-in for run, with
// GitHub's claims: sub as GitHub builds it by default
// (repo:<repository>:environment:<environment> for a job with an
// environment, repo:<repository>:pull_request for a pull request, else
// repo:<repository>:ref:<ref>), repository, repository_owner, ref,
// ref_type, environment when there is one, event_name, workflow and
// job_workflow_ref, jti, iat, nbf and exp, with run.Claims applied.
func (p *Provider) GitHubToken(run Run) (string, error) {
	owner, name, ok := strings.Cut(run.Repository, "/")
	if !ok || owner == "" || name == "" || strings.ContainsAny(name, "/ ") {
		return "", fmt.Errorf("idp: repository %q is not owner/name", run.Repository)
	}
	if run.Lifetime > maxLifetime || run.Lifetime < -maxLifetime {
		return "", fmt.Errorf("idp: lifetime %s is beyond ±%s", run.Lifetime, maxLifetime)
	}
	ref := cmp.Or(run.Ref, "refs/heads/main")
	var refType string
	switch {
	case strings.HasPrefix(ref, "refs/heads/"):
		refType = "branch"
	case strings.HasPrefix(ref, "refs/tags/"):
		refType = "tag"
	case strings.HasPrefix(ref, "refs/pull/"):
	default:
		return "", fmt.Errorf("idp: ref %q is not refs/heads/<branch>, refs/tags/<tag> or refs/pull/<n>/merge", ref)
	}
	event := cmp.Or(run.EventName, "push")
	sub := "repo:" + run.Repository + ":ref:" + ref
	switch {
	case run.Environment != "":
		sub = "repo:" + run.Repository + ":environment:" + run.Environment
	case event == "pull_request":
		sub = "repo:" + run.Repository + ":pull_request"
	}
	now := p.now()
	serial := p.issued.Load() + 1
	workflowRef := run.Repository + "/.github/workflows/deploy.yml@" + ref
	claims := map[string]any{
		"iss":                 p.GitHubIssuerURL(),
		"aud":                 cmp.Or(run.Audience, "https://github.com/"+owner),
		"sub":                 sub,
		"repository":          run.Repository,
		"repository_owner":    owner,
		"ref":                 ref,
		"ref_type":            refType,
		"event_name":          event,
		"workflow":            "deploy",
		"workflow_ref":        workflowRef,
		"job_workflow_ref":    workflowRef,
		"runner_environment":  "github-hosted",
		"run_id":              fmt.Sprint(1000 + serial),
		"run_number":          fmt.Sprint(serial),
		"run_attempt":         "1",
		"jti":                 fmt.Sprintf("%s-%d", p.ghKeyID, serial),
		"iat":                 now.Unix(),
		"nbf":                 now.Add(-5 * time.Second).Unix(),
		"exp":                 now.Add(cmp.Or(run.Lifetime, githubLifetime)).Unix(),
		"repository_owner_id": "1",
	}
	if refType == "" {
		delete(claims, "ref_type")
	}
	if run.Environment != "" {
		claims["environment"] = run.Environment
	}
	change(claims, run.Claims)
	return p.sign(p.github, p.ghKeyID, claims)
}

func (p *Provider) githubDiscovery(w http.ResponseWriter, _ *http.Request) {
	issuer := p.GitHubIssuerURL()
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                issuer,
		"jwks_uri":                              issuer + githubKeysPath,
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public", "pairwise"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"scopes_supported":                      []string{"openid"},
		"claims_supported": append([]string{"sub", "aud", "exp", "iat", "iss", "jti", "nbf", "ref", "ref_type", "repository",
			"repository_owner", "environment", "event_name"}, githubClaims...),
	})
}

func (p *Provider) githubKeys(w http.ResponseWriter, _ *http.Request) {
	writeKeySet(w, p.ghKeyID, &p.github.PublicKey)
}

// githubToken serves POST /github/token: the form fields repository
// (required), ref, environment, event_name, aud, expires_in and
// githubClaims, answered {"value": "<token>"} as GitHub's token request
// URL answers a workflow.
func (p *Provider) githubToken(w http.ResponseWriter, r *http.Request) {
	run, err := githubRun(r)
	var token string
	if err == nil {
		token, err = p.GitHubToken(run)
	}
	if err != nil {
		writeJSON(w, http.StatusBadRequest, map[string]string{
			"error":             "invalid_request",
			"error_description": strings.TrimPrefix(err.Error(), "idp: "),
		})
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"value": token})
}

// githubFields are the form fields of POST /github/token besides
// githubClaims.
var githubFields = []string{"repository", "ref", "environment", "event_name", "aud", "expires_in"}

// githubRun reads the run of POST /github/token's form.
func githubRun(r *http.Request) (Run, error) {
	r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return Run{}, fmt.Errorf("idp: reading the form: %w", err)
	}
	form := r.PostForm
	run := Run{
		Repository:  strings.TrimSpace(form.Get("repository")),
		Ref:         strings.TrimSpace(form.Get("ref")),
		Environment: strings.TrimSpace(form.Get("environment")),
		EventName:   strings.TrimSpace(form.Get("event_name")),
		Audience:    strings.TrimSpace(form.Get("aud")),
		Claims:      map[string]any{},
	}
	if run.Repository == "" {
		return Run{}, errors.New("idp: repository is required: the workflow's owner/name, such as acme/app")
	}
	var err error
	if run.Lifetime, err = lifetime(r); err != nil {
		return Run{}, err
	}
	for _, name := range slices.Sorted(maps.Keys(form)) {
		switch {
		case slices.Contains(githubClaims, name):
			run.Claims[name] = form.Get(name)
		case !slices.Contains(githubFields, name):
			return Run{}, fmt.Errorf("idp: %q is not a field of a GitHub token request: give %s", name, strings.Join(append(slices.Clone(githubFields), githubClaims...), ", "))
		}
	}
	return run, nil
}
