package smoke

import (
	"maps"
	"net/http"
	"slices"
	"strings"

	"signin/functions/gateway"
)

// foreignOrigin is the origin of the cross-origin requests the API must not
// allow: a reserved name (RFC 2606) no one can serve a page from.
const foreignOrigin = "https://foreign.invalid"

// unknownPath is the path below the API's address that no route serves.
const unknownPath = "smoke/no-such-route"

// checkAPI checks the API's answers that need no token.
func (r *run) checkAPI() {
	r.checkHTTPS("api https", r.api, false)

	resp, err := r.do(http.MethodGet, r.api, map[string]string{"Origin": r.origin})
	switch {
	case err != nil:
		r.fail("api 401 without a token", "%v", err)
	case resp.status != http.StatusUnauthorized || resp.message() != gateway.MessageUnauthorized:
		r.fail("api 401 without a token", "GET %s = %s, want 401 %s", r.api, resp, gateway.ErrorBody(gateway.MessageUnauthorized))
	default:
		r.pass("api 401 without a token", "GET %s = 401 %s", r.api, resp.message())
	}
	r.checkCORS("api CORS for the site", resp)

	foreign, err := r.do(http.MethodGet, r.api, map[string]string{"Origin": foreignOrigin})
	const name = "api no CORS for a foreign origin"
	switch allowed := allowOrigin(foreign); {
	case err != nil:
		r.fail(name, "%v", err)
	case allowed == foreignOrigin || allowed == "*":
		r.fail(name, "Origin %s is answered with Access-Control-Allow-Origin: %s", foreignOrigin, allowed)
	default:
		r.pass(name, "Origin %s is answered with Access-Control-Allow-Origin: %q", foreignOrigin, allowed)
	}

	r.checkPreflight()

	unknown := route(r.api, "/"+unknownPath)
	resp, err = r.do(http.MethodGet, unknown, map[string]string{"Origin": r.origin})
	switch {
	case err != nil:
		r.fail("api 403 for an unknown path", "%v", err)
	case resp.status != http.StatusForbidden || resp.message() != gateway.MessageMissingAuthenticationToken:
		r.fail("api 403 for an unknown path", "GET %s = %s, want 403 %s", unknown, resp, gateway.ErrorBody(gateway.MessageMissingAuthenticationToken))
	case allowOrigin(resp) != r.origin:
		r.fail("api 403 for an unknown path", "GET %s = 403 with Access-Control-Allow-Origin %q, want %s", unknown, allowOrigin(resp), r.origin)
	default:
		r.pass("api 403 for an unknown path", "GET %s = 403 %s", unknown, resp.message())
	}
}

// checkAPIOnTheSite checks the API on the site's origin, where the page
// calls it: without a token, the API's own 401, body for body (so the
// request reached the API, which a Host header not its own would have made
// a 403); for an unknown path, the API's own 403, not the page (a
// distribution-wide custom error response would turn it into index.html).
func (r *run) checkAPIOnTheSite() {
	const unauthorized = "site /api 401 without a token"
	resp, err := r.do(http.MethodGet, r.siteAPI, nil)
	switch want := gateway.ErrorBody(gateway.MessageUnauthorized); {
	case err != nil:
		r.fail(unauthorized, "%v", err)
	case resp.status != http.StatusUnauthorized || string(resp.body) != string(want):
		r.fail(unauthorized, "GET %s = %s, want the API's own 401 %s", r.siteAPI, resp, want)
	default:
		r.pass(unauthorized, "GET %s = 401 %s", r.siteAPI, resp.body)
	}
	const unknown = "site /api 403 for an unknown path"
	target := route(r.siteAPI, "/"+unknownPath)
	resp, err = r.do(http.MethodGet, target, nil)
	switch {
	case err != nil:
		r.fail(unknown, "%v", err)
	case resp.status != http.StatusForbidden || resp.message() != gateway.MessageMissingAuthenticationToken:
		r.fail(unknown, "GET %s = %s, want the API's 403 %s", target, resp, gateway.ErrorBody(gateway.MessageMissingAuthenticationToken))
	default:
		r.pass(unknown, "GET %s = 403 %s", target, resp.message())
	}
}

// allowOrigin returns the Access-Control-Allow-Origin of resp, "" for none.
func allowOrigin(resp *response) string {
	if resp == nil {
		return ""
	}
	return strings.Join(resp.header.Values("Access-Control-Allow-Origin"), ", ")
}

// checkCORS checks that resp carries gateway.CORSHeaders for the site's
// origin.
func (r *run) checkCORS(name string, resp *response) {
	if resp == nil {
		r.fail(name, "no answer")
		return
	}
	for h, v := range gateway.CORSHeaders(r.origin) {
		if !hasHeader(resp.header, h, v) {
			r.fail(name, "%s: %q, want %s", h, resp.header.Values(h), v)
			return
		}
	}
	r.pass(name, "Access-Control-Allow-Origin: %s", allowOrigin(resp))
}

// hasHeader reports whether header has the header h with the value want.
// Vary is a list to which proxies may add: it need only hold want.
func hasHeader(header http.Header, h, want string) bool {
	if h != "Vary" {
		return header.Get(h) == want && len(header.Values(h)) == 1
	}
	for _, v := range header.Values(h) {
		for t := range strings.SplitSeq(v, ",") {
			if strings.TrimSpace(t) == want {
				return true
			}
		}
	}
	return false
}

// checkPreflight sends the page's CORS preflight, which carries no token,
// and checks the answer's headers against gateway.PreflightHeaders.
func (r *run) checkPreflight() {
	const name = "api preflight"
	resp, err := r.do(http.MethodOptions, r.api, map[string]string{
		"Origin":                         r.origin,
		"Access-Control-Request-Method":  http.MethodGet,
		"Access-Control-Request-Headers": strings.ToLower(gateway.AuthorizationHeader),
	})
	if err != nil {
		r.fail(name, "%v", err)
		return
	}
	if resp.status != http.StatusOK && resp.status != http.StatusNoContent {
		r.fail(name, "OPTIONS %s = %s, want 200", r.api, resp)
		return
	}
	want := gateway.PreflightHeaders(r.origin, gateway.Routes.AllowedMethods("/"))
	for _, h := range slices.Sorted(maps.Keys(want)) {
		if !hasHeader(resp.header, h, want[h]) {
			r.fail(name, "OPTIONS %s: %s: %q, want %s", r.api, h, resp.header.Values(h), want[h])
			return
		}
	}
	r.pass(name, "OPTIONS %s = %d, methods %s, headers %s", r.api, resp.status,
		resp.header.Get("Access-Control-Allow-Methods"), resp.header.Get("Access-Control-Allow-Headers"))
}
