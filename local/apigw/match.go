package apigw

import (
	"regexp"
	"slices"
	"strings"

	"signin/functions/gateway"
)

// tokenPattern is the TOKEN authorizer's identity validation expression,
// compiled: API Gateway answers 401 without invoking the authorizer when
// the header does not match it.
var tokenPattern = regexp.MustCompile(gateway.TokenPattern)

// matchesTokenPattern reports whether an Authorization header value passes
// the identity validation expression.
func matchesTokenPattern(header string) bool {
	return tokenPattern.MatchString(header)
}

// AuthorizerFailureBody is the body of API Gateway's 500 answer when the
// authorizer fails with any error other than "Unauthorized" or returns no
// valid policy: the error has no message.
const AuthorizerFailureBody = `{"message":null}`

// match finds the route path of routes that serves the request path, as
// API Gateway matches resources: segment by segment, a literal before a
// path parameter, one trailing slash ignored (a REST API routes /me/ to
// the resource /me). It returns the route path and the path parameters'
// values (nil when it has none), or false when no route's path matches.
func match(routes gateway.Table, requestPath string) (string, map[string]string, bool) {
	if p, ok := strings.CutSuffix(requestPath, "/"); ok && p != "" && !strings.HasSuffix(p, "/") {
		requestPath = p
	}
	if requestPath == "/" {
		return "/", nil, slices.ContainsFunc(routes, func(r gateway.Route) bool { return r.Path == "/" })
	}
	if !strings.HasPrefix(requestPath, "/") {
		return "", nil, false
	}
	segments := strings.Split(requestPath[1:], "/")
	best, bestRank := "", ""
	for _, path := range routes.Paths() {
		pattern := gateway.Segments(path)
		if len(pattern) != len(segments) {
			continue
		}
		rank, ok := matchRank(pattern, segments)
		// The lowest rank prefers a literal at the first segment where two
		// paths differ.
		if ok && (best == "" || rank < bestRank) {
			best, bestRank = path, rank
		}
	}
	if best == "" {
		return "", nil, false
	}
	var params map[string]string
	for i, seg := range gateway.Segments(best) {
		if name, ok := gateway.IsParameter(seg); ok {
			if params == nil {
				params = map[string]string{}
			}
			params[name] = segments[i]
		}
	}
	return best, params, true
}

// matchRank reports whether segments match pattern, and a rank with one
// character per segment: 'a' for a literal, 'b' for a parameter.
func matchRank(pattern, segments []string) (string, bool) {
	rank := make([]byte, len(pattern))
	for i, p := range pattern {
		_, isParam := gateway.IsParameter(p)
		switch {
		case segments[i] == "":
			return "", false
		case p == segments[i]:
			rank[i] = 'a'
		case isParam:
			rank[i] = 'b'
		default:
			return "", false
		}
	}
	return string(rank), true
}
