package stack

import (
	"cmp"
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"signin/functions/gateway"
	"signin/local/idp"
)

// workloadRoutes are the route table's open routes and routes restricted
// to groups that list workloads, each served by the real me function.
var workloadRoutes = append(slices.DeleteFunc(slices.Clone(gateway.Routes), func(r gateway.Route) bool { return len(r.Groups) > 0 }),
	gateway.Route{Method: "GET", Path: "/deploy", Function: "me", Integration: gateway.Proxy, Groups: []string{"deployers"}},
	gateway.Route{Method: "GET", Path: "/reports", Function: "me", Integration: gateway.Proxy, Groups: []string{"reporters"}},
)

// The workloads as a team configures them: the issuers are the real ones,
// which the stack maps to its stand-ins.
const (
	workloadsJSON = `{
		"deploy": {"issuer": "https://token.actions.githubusercontent.com", "audience": "https://github.com/acme", "claims": {"repository": "acme/app", "ref": "refs/heads/main"}},
		"release": {"issuer": "https://token.actions.githubusercontent.com", "audience": "https://github.com/acme", "claims": {"repository": "acme/app", "environment": "production"}},
		"nightly": {"issuer": "https://accounts.google.com", "claims": {"email": "nightly@acme-prod.iam.gserviceaccount.com"}}
	}`
	workloadGroupsJSON = `{"deployers": {"workloads": ["deploy", "release"]}, "reporters": {"emails": ["ada@example.com"], "workloads": ["nightly"]}}`
	nightlySA          = "nightly@acme-prod.iam.gserviceaccount.com"
)

// TestWorkloadsEndToEnd runs `make dev`'s stack with workloads and routes
// restricted to groups listing them, the real authorizer and functions
// under the emulator, and tokens from the identity provider's stand-ins
// for Google and GitHub Actions. Each case states its attack and the exact
// answer.
func TestWorkloadsEndToEnd(t *testing.T) {
	st, err := Start(context.Background(), Options{Groups: workloadGroupsJSON, Workloads: workloadsJSON, routes: workloadRoutes, withoutStack: true})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	client := &http.Client{}
	github := func(run idp.Run) string {
		run.Repository = cmp.Or(run.Repository, "acme/app")
		run.Audience = cmp.Or(run.Audience, "https://github.com/acme")
		tok, err := st.Provider.GitHubToken(run)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	google := func(id idp.Identity) string {
		tok, err := st.Provider.Token(id)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	sa := idp.Identity{Email: nightlySA, EmailVerified: true}
	tests := []struct {
		name  string
		token string
		path  string
		want  int
	}{
		{"the deploy workflow on main calls an open route", github(idp.Run{}), "/", 200},
		{"the deploy workflow on main calls its group's route", github(idp.Run{}), "/deploy", 200},
		{"the deploy workflow on main calls another group's route", github(idp.Run{}), "/reports", 403},
		{"a job in the production environment calls its group's route", github(idp.Run{Ref: "refs/heads/release", Environment: "production"}), "/deploy", 200},
		{"another repository", github(idp.Run{Repository: "acme/other"}), "/", 403},
		{"a look-alike repository", github(idp.Run{Repository: "acme/app-evil"}), "/", 403},
		{"another ref", github(idp.Run{Ref: "refs/heads/feature"}), "/", 403},
		{"another environment", github(idp.Run{Ref: "refs/heads/release", Environment: "staging"}), "/", 403},
		{"a missing claim", github(idp.Run{Claims: map[string]any{"ref": nil}}), "/", 403},
		{"a claim as an array", github(idp.Run{Claims: map[string]any{"repository": []string{"acme/app"}}}), "/", 403},
		{"another audience", github(idp.Run{Audience: "https://github.com/evil"}), "/", 401},
		{"an expired token", github(idp.Run{Lifetime: -time.Minute}), "/", 401},
		{"a token of the GitHub stand-in for an undeclared workload", github(idp.Run{Repository: "octo/unknown", Audience: "https://github.com/acme"}), "/", 403},

		{"a declared service account calls its group's route", google(sa), "/reports", 200},
		{"an undeclared service account", google(idp.Identity{Email: "intruder@acme-prod.iam.gserviceaccount.com", EmailVerified: true}), "/", 401},
		{"a service account whose email_verified is false", google(idp.Identity{Email: nightlySA}), "/", 403},
		{"a person whose email is a workload's service account's", google(idp.Identity{Email: nightlySA, EmailVerified: true, Claims: map[string]any{"hd": nil, "azp": DevClientID, "name": "Mallory"}}), "/reports", 403},
		{"a workload's claims copied into a Google person's token", google(idp.Identity{Email: "bob@example.com", EmailVerified: true, Claims: map[string]any{"repository": "acme/app", "ref": "refs/heads/main"}}), "/deploy", 403},
		{"a person in a group with a workload calls the group's route", google(idp.Identity{Email: "ada@example.com", EmailVerified: true}), "/reports", 200},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp, body := callPath(t, client, http.MethodGet, routeURL(st, tt.path), tt.token)
			if resp.StatusCode != tt.want {
				t.Errorf("GET %s = %d %s, want %d", tt.path, resp.StatusCode, body, tt.want)
			}
		})
	}

	// GET /me answers who the workload is.
	for _, c := range []struct {
		name, token, want string
	}{
		{"GitHub Actions", github(idp.Run{}), `{"sub":"repo:acme/app:ref:refs/heads/main","email":"","name":"deploy","groups":["deployers"]}`},
		{"a Google service account", google(sa), `","email":"` + nightlySA + `","name":"nightly","groups":["reporters"]}`},
	} {
		_, body := callPath(t, client, http.MethodGet, st.APIURL+"/me", c.token)
		if !strings.HasSuffix(body, c.want) || !json.Valid([]byte(body)) {
			t.Errorf("GET /me for %s = %s, want it to end %s", c.name, body, c.want)
		}
	}
}

// TestWrongWorkloadsStopTheStackBeforeBuilding: each mistake in the
// workloads stops `make dev` with a message saying how to fix it, before a
// function is built or a port is taken.
func TestWrongWorkloadsStopTheStackBeforeBuilding(t *testing.T) {
	tests := []struct {
		name, workloads, groups string
		want                    string
	}{
		{"an issuer that is not https", `{"ci":{"issuer":"http://token.actions.githubusercontent.com","audience":"a","claims":{"repository":"acme/app"}}}`, "",
			`workloads.ci.issuer: "http://token.actions.githubusercontent.com" is not an https URL`},
		{"no claims", `{"ci":{"issuer":"https://token.actions.githubusercontent.com","audience":"a"}}`, "", "workloads.ci.claims is empty"},
		{"a claim that is not a string", `{"ci":{"issuer":"https://token.actions.githubusercontent.com","audience":"a","claims":{"run_id":42}}}`, "", "workloads.ci.claims.run_id is 42, not a string"},
		{"a group listing an unknown workload", "", `{"deployers":{"workloads":["ci"]}}`, "group deployers lists the workload ci, which is not defined"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			built := false
			st, err := Start(context.Background(), Options{Workloads: tt.workloads, Groups: tt.groups, withoutStack: true,
				wrap: func(_ string, fn lambda.Handler) lambda.Handler { built = true; return fn }})
			if err == nil {
				st.Close()
			}
			if err == nil || !strings.Contains(err.Error(), tt.want) || built {
				t.Errorf("Start = %v (functions built: %v), want an error containing %q before building", err, built, tt.want)
			}
		})
	}
}
