// Package gateway defines how the REST API in front of the functions behaves:
// its route table (Routes: which method and path runs which function, and
// how), the identity source and validation pattern of the TOKEN authorizer,
// the mapping template that passes the signed-in user's name to a Template
// route, the CORS headers and the bodies of API Gateway's own error answers.
//
// It is the one definition of those settings, and the rules about them
// (Table.Validate), as data: it reads no disk and matches no request, so a
// function binary that links it for ContextName or CORSHeaders links
// nothing else. The Pulumi program declares the deployed API from it, the
// build (package bundle) checks the table against functions/cmd, and the
// local stack's emulation of API Gateway (local/apigw, which matches
// requests to routes) behaves by it, so the two cannot drift apart.
package gateway

import (
	"encoding/json"
	"strconv"
)

// AuthorizationHeader is the request header that carries the ID token.
const AuthorizationHeader = "Authorization"

// IdentitySource is the TOKEN authorizer's identity source: where API Gateway
// reads the token from.
const IdentitySource = "method.request.header." + AuthorizationHeader

// RequestIdentitySources are the identity sources of the REQUEST
// authorizer of the routes restricted to groups: the token and the route
// API Gateway matched, its method and resource path (such as
// /api/orders/{id}, the path template, never the request's spelling). API
// Gateway caches the authorizer's answer per token and route, and answers
// 401 without invoking it when one of them is missing or empty.
var RequestIdentitySources = []string{IdentitySource, "context.httpMethod", "context.resourcePath"}

// TokenPattern is the TOKEN authorizer's identity validation expression: a
// JWT in compact form (three base64url segments, none empty), optionally
// prefixed by the Bearer scheme, whose name is case-insensitive (RFC 9110
// section 11.1), and one space. API Gateway answers 401 without invoking
// the authorizer when the header is missing or does not match. The classes
// spell out both cases rather than use (?i), which would also make the
// segments' classes case-insensitive in some regular expression dialects.
const TokenPattern = `^([Bb][Ee][Aa][Rr][Ee][Rr] )?[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$`

// DefaultAuthorizerTTL is the default number of seconds API Gateway caches an
// authorizer's answer for a token.
const DefaultAuthorizerTTL = 300

// MaxAuthorizerTTL is the longest authorizer result cache API Gateway allows,
// in seconds.
const MaxAuthorizerTTL = 3600

// ContextName is the key of the authorizer context entry that holds the
// signed-in user's display name.
const ContextName = "name"

// ContextEmail is the key of the authorizer context entry that holds the
// signed-in user's email address.
const ContextEmail = "email"

// ContextGroups is the key of the authorizer context entry that holds the
// signed-in user's groups, comma-separated (a context value is a string,
// number or boolean, never a list; a group's name holds no comma), empty
// for none.
const ContextGroups = "groups"

// RequestTemplate is the application/json mapping template of a Template
// route's (non-proxy) integration. It passes the authorizer context's
// ContextName entry as the event {"name": "..."}.
//
// The name is chosen by the user, so it is escaped: $util.escapeJavaScript
// escapes quotes, backslashes and control characters, but also turns ' into
// \', which is not valid JSON; the replaceAll undoes that one escape, as AWS
// documents. The local emulation (local/apigw) reproduces the result.
const RequestTemplate = `{"name": "$util.escapeJavaScript($context.authorizer.` + ContextName + `).replaceAll("\\'","'")"}`

// allowedHeaders is the Access-Control-Allow-Headers value of the preflight.
const allowedHeaders = AuthorizationHeader

// preflightMaxAge is how many seconds a browser may cache the preflight.
const preflightMaxAge = 600

// CORSHeaders returns the headers every answer of the API carries, success or
// error, so the page at origin can read it. origin is the site's exact origin,
// such as https://d111111abcdef8.cloudfront.net, never "*".
func CORSHeaders(origin string) map[string]string {
	return map[string]string{
		"Access-Control-Allow-Origin": origin,
		"Vary":                        "Origin",
	}
}

// PreflightHeaders returns the headers of the answer to a CORS preflight
// (OPTIONS) request, which needs no token. methods is the resource's
// Access-Control-Allow-Methods value (see Table.AllowedMethods).
func PreflightHeaders(origin, methods string) map[string]string {
	h := CORSHeaders(origin)
	h["Access-Control-Allow-Methods"] = methods
	h["Access-Control-Allow-Headers"] = allowedHeaders
	h["Access-Control-Max-Age"] = strconv.Itoa(preflightMaxAge)
	return h
}

// ErrorResponseTypes are the gateway response types that carry the CORS
// headers and ErrorTemplate: every 4XX and 5XX answer API Gateway produces
// itself (401 Unauthorized, 403 denied, 500 authorizer failure, 429
// throttled, ...).
var ErrorResponseTypes = []string{"DEFAULT_4XX", "DEFAULT_5XX"}

// ErrorTemplate is the application/json body template of the gateway
// responses: API Gateway's own default.
const ErrorTemplate = `{"message":$context.error.messageString}`

// Messages API Gateway puts in ErrorTemplate for the answers it gives itself.
const (
	// MessageUnauthorized answers a missing or malformed token, or an
	// authorizer that returned the error "Unauthorized" (401).
	MessageUnauthorized = "Unauthorized"
	// MessageExplicitDeny answers a request the authorizer's policy denies
	// (403).
	MessageExplicitDeny = "User is not authorized to access this resource with an explicit deny"
	// MessageAccessDenied answers a request the authorizer's policy does not
	// cover (403).
	MessageAccessDenied = "User is not authorized to access this resource"
	// MessageMissingAuthenticationToken answers a request for a method or
	// resource the API does not define (403).
	MessageMissingAuthenticationToken = "Missing Authentication Token"
	// MessageInternalError answers a failed integration: 500 for a
	// Template route's function error or a function that cannot be
	// invoked, 502 for a Proxy route's function error or malformed answer.
	MessageInternalError = "Internal server error"
)

// ErrorBody returns what ErrorTemplate renders for message, as API Gateway
// does: message as a JSON string.
func ErrorBody(message string) []byte {
	quoted, _ := json.Marshal(message) // a string always marshals
	return []byte(`{"message":` + string(quoted) + `}`)
}
