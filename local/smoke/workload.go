package smoke

import (
	"cmp"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"

	"signin/functions/authorizer"
	"signin/functions/gateway"
	"signin/local/idp"
)

// workload is the stack's workload a token is for, as far as a smoke run
// can tell without verifying it: its audience and every claim match.
type workload struct {
	name string
	// groups are the groups that list it, in the order of their names.
	groups []string
}

// workloadOf returns the workload of ws whose audience and claims the
// token's payload carries, the first by name, and false when none does.
// The issuer is left to the API, which maps none offline.
func workloadOf(token string, ws authorizer.Workloads, groups authorizer.Groups, clientID string) (workload, bool) {
	if len(ws) == 0 {
		return workload{}, false
	}
	parts := strings.Split(strings.TrimPrefix(token, "Bearer "), ".")
	if len(parts) != 3 {
		return workload{}, false
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return workload{}, false
	}
	var claims map[string]any
	if json.Unmarshal(payload, &claims) != nil {
		return workload{}, false
	}
	for _, name := range slices.Sorted(maps.Keys(ws)) {
		wl := ws[name]
		aud := cmp.Or(wl.Audience, clientID)
		if !hasAudience(claims["aud"], aud) {
			continue
		}
		matches := true
		for claim, want := range wl.Claims {
			if got, ok := claims[claim].(string); !ok || got != want {
				matches = false
			}
		}
		if !matches {
			continue
		}
		w := workload{name: name}
		for _, g := range slices.Sorted(maps.Keys(groups)) {
			if slices.Contains(groups[g].Workloads, name) {
				w.groups = append(w.groups, g)
			}
		}
		return w, true
	}
	return workload{}, false
}

// hasAudience reports whether the aud claim, a string or a list, names aud.
func hasAudience(claim any, aud string) bool {
	switch v := claim.(type) {
	case string:
		return v == aud
	case []any:
		return slices.Contains(v, any(aud))
	}
	return false
}

// checkRestricted calls, as the workload w, the first GET route of routes
// restricted to one of its groups, which must let it through, and the
// first restricted to none of them, which must answer 403; each is skipped
// when the route table has no such route without path parameters.
func (r *run) checkRestricted(token string, w workload, routes gateway.Table) {
	var member, other *gateway.Route
	for i, rt := range routes {
		if rt.Method != http.MethodGet || len(rt.Groups) == 0 || strings.Contains(rt.Path, "{") {
			continue
		}
		in := slices.ContainsFunc(rt.Groups, func(g string) bool { return slices.Contains(w.groups, g) })
		switch {
		case in && member == nil:
			member = &routes[i]
		case !in && other == nil:
			other = &routes[i]
		}
	}
	const allowed, denied = "api restricted route as the workload", "api another group's route as the workload"
	if member == nil {
		r.skip(allowed, "no GET route without path parameters is restricted to the groups of %s (%v)", w.name, w.groups)
	} else {
		target := route(r.api, member.Path)
		resp, err := r.do(http.MethodGet, target, map[string]string{"Origin": r.origin, gateway.AuthorizationHeader: token})
		switch {
		case err != nil:
			r.fail(allowed, "%v", err)
		case resp.status == http.StatusUnauthorized || resp.status == http.StatusForbidden:
			r.fail(allowed, "GET %s = %s, want %s let through: its groups %v list %s", target, resp, w.name, member.Groups, w.name)
		default:
			r.pass(allowed, "GET %s = %d for %s", target, resp.status, w.name)
		}
	}
	if other == nil {
		r.skip(denied, "no GET route without path parameters is restricted to groups %s is not in", w.name)
		return
	}
	target := route(r.api, other.Path)
	resp, err := r.do(http.MethodGet, target, map[string]string{"Origin": r.origin, gateway.AuthorizationHeader: token})
	switch {
	case err != nil:
		r.fail(denied, "%v", err)
	case resp.status != http.StatusForbidden:
		r.fail(denied, "GET %s = %s, want 403: its groups %v do not list %s", target, resp, other.Groups, w.name)
	default:
		r.pass(denied, "GET %s = 403 for %s", target, w.name)
	}
}

// smokeWorkload is the name the skip message suggests for the workload
// deploy.yml smoke-tests as.
const smokeWorkload = "smoke"

// enableWorkload returns the commands that declare the deploying
// repository's deploy job as a workload, so that deploy.yml requests a
// token for it: repository is owner/name ("<owner>/<repo>" when unknown),
// audience the API's address.
func enableWorkload(repository, audience string) string {
	repository = cmp.Or(repository, "<owner>/<repo>")
	set := func(key, value string) string {
		return fmt.Sprintf("pulumi config set --path 'workloads.%s.%s' %s", smokeWorkload, key, value)
	}
	return strings.Join([]string{
		set("issuer", idp.GitHubIssuer),
		set("audience", audience),
		set("claims.repository", repository),
		set("claims.environment", "production"),
	}, "; ")
}

// GitHubAudience returns the audience of the first workload of ws, by
// name, that a GitHub Actions job of repository is: GitHub's issuer and
// the claim repository equal to it; false when there is none.
func GitHubAudience(ws authorizer.Workloads, repository string) (string, bool) {
	for _, name := range slices.Sorted(maps.Keys(ws)) {
		if wl := ws[name]; wl.Issuer == idp.GitHubIssuer && wl.Claims["repository"] == repository && repository != "" {
			return wl.Audience, true
		}
	}
	return "", false
}
