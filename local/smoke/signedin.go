package smoke

import (
	"cmp"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"

	"signin/functions/gateway"
	"signin/functions/hello"
	"signin/functions/proxy"
)

// mePath is the path below the API's address of GET /me, which answers the
// caller's sub, email, name and groups.
const mePath = "me"

// checkGreeting calls the API at api with the token, as the page does (on
// the site's origin) and other clients do (at the API's own address).
func (r *run) checkGreeting(name string, api *url.URL, token string, c claims) {
	resp, err := r.do(http.MethodGet, api, map[string]string{
		"Origin": r.origin, gateway.AuthorizationHeader: token,
	})
	if err != nil {
		r.fail(name, "%v", err)
		return
	}
	var answer hello.Response
	if resp.status != http.StatusOK || json.Unmarshal(resp.body, &answer) != nil {
		r.fail(name, "GET %s = %s, want 200 {\"message\":\"Hello ...!\"}", api, resp)
		return
	}
	if c.Name != "" && answer.Message != hello.Greet(c.Name) {
		r.fail(name, "message %q, want %q", answer.Message, hello.Greet(c.Name))
		return
	}
	if !strings.HasPrefix(answer.Message, "Hello ") {
		r.fail(name, "message %q is no greeting", answer.Message)
		return
	}
	// On the site's origin the page needs no CORS headers.
	if api != r.siteAPI && allowOrigin(resp) != r.origin {
		r.fail(name, "GET %s = 200 with Access-Control-Allow-Origin %q, want %s", api, allowOrigin(resp), r.origin)
		return
	}
	r.pass(name, "GET %s = 200 %s", api, answer.Message)
}

// checkMe calls GET /me with the token: the caller's sub, email, name and
// groups (exactly groups, when not nil), with the CORS headers the proxy
// function sets itself.
func (r *run) checkMe(token string, c claims, groups []string) {
	const name = "api GET /me"
	target := route(r.api, "/"+mePath)
	resp, err := r.do(http.MethodGet, target, map[string]string{
		"Origin": r.origin, gateway.AuthorizationHeader: token,
	})
	if err != nil {
		r.fail(name, "%v", err)
		return
	}
	var me proxy.Caller
	if resp.status != http.StatusOK || json.Unmarshal(resp.body, &me) != nil {
		r.fail(name, "GET %s = %s, want 200 {\"sub\": ..., \"email\": ..., \"name\": ...}", target, resp)
		return
	}
	if me.Sub != c.Sub || me.Email != c.Email || (c.Name != "" && me.Name != c.Name) {
		r.fail(name, "GET %s = sub %q email %q name %q, want the token's %q %q %q", target, me.Sub, me.Email, me.Name, c.Sub, c.Email, c.Name)
		return
	}
	if me.Groups == nil {
		r.fail(name, "GET %s = 200 without the caller's \"groups\", want a list ([] for none)", target)
		return
	}
	if groups != nil && !slices.Equal(me.Groups, groups) {
		r.fail(name, "GET %s = groups %q, want %q", target, me.Groups, groups)
		return
	}
	if allowOrigin(resp) != r.origin {
		r.fail(name, "GET %s = 200 with Access-Control-Allow-Origin %q, want %s", target, allowOrigin(resp), r.origin)
		return
	}
	r.pass(name, "GET %s = 200 for %s in groups %v", target, cmp.Or(me.Email, me.Name), me.Groups)
}
