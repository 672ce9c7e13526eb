// Package proxy is what a function behind a Lambda proxy route
// (gateway.Proxy) needs: the caller's identity from the authorizer's
// context, and JSON answers carrying the CORS headers for the site's
// origin, which API Gateway adds only to its own error answers.
package proxy

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"signin/functions/gateway"
)

// SiteOrigin returns the site's origin from the environment variable
// gateway.SiteOriginVariable, which the Pulumi program and the local stack
// set on every proxy function. A function reads it at start and stops
// when it is missing.
func SiteOrigin(getenv func(string) string) (string, error) {
	origin := getenv(gateway.SiteOriginVariable)
	if origin == "" {
		return "", fmt.Errorf("proxy: %s is not set: the site's origin, such as https://d111111abcdef8.cloudfront.net", gateway.SiteOriginVariable)
	}
	return origin, nil
}

// Caller is the signed-in user or the workload a request comes from, as
// the authorizer verified it.
type Caller struct {
	// Sub is the token's subject: the user's stable ID at the identity
	// provider (the authorizer's principalId).
	Sub string `json:"sub"`
	// Email is the user's verified email address, or the workload's email
	// claim; empty for a workload whose token has none.
	Email string `json:"email"`
	// Name is the user's display name, which may be empty, or the
	// workload's name in the stack's configuration.
	Name string `json:"name"`
	// Groups are the groups of the stack's configuration the user is in,
	// in the order of their names; empty, never null, for none.
	Groups []string `json:"groups"`
}

// errNoCaller reports a request that carries no authorizer context: the
// route is not behind the authorizer, a deployment mistake.
var errNoCaller = errors.New("proxy: the request carries no principalId, and no email or name, from the authorizer")

// CallerOf returns the caller of req from requestContext.authorizer: the
// principalId and the context entries gateway.ContextEmail,
// gateway.ContextName and gateway.ContextGroups (comma-separated), which
// API Gateway delivers as strings. A person has an email, a workload a
// name: a caller with neither is no caller the authorizer admitted.
func CallerOf(req events.APIGatewayProxyRequest) (Caller, error) {
	a := req.RequestContext.Authorizer
	text := func(key string) string {
		s, _ := a[key].(string)
		return s
	}
	c := Caller{Sub: text("principalId"), Email: text(gateway.ContextEmail), Name: text(gateway.ContextName), Groups: []string{}}
	if c.Sub == "" || c.Email == "" && c.Name == "" {
		return Caller{}, errNoCaller
	}
	if groups := text(gateway.ContextGroups); groups != "" {
		c.Groups = strings.Split(groups, ",")
	}
	return c, nil
}

// PathParameter returns the value of the path parameter name of the
// request's route, such as id for GET /orders/{id}, as API Gateway delivers
// it: already decoded ("a%20b" arrives as "a b"), so it is returned as it is,
// never decoded again, and never empty. The error says the route's
// path has no such parameter: the route table and the function disagree.
func PathParameter(req events.APIGatewayProxyRequest, name string) (string, error) {
	v, ok := req.PathParameters[name]
	if !ok || v == "" {
		return "", fmt.Errorf("proxy: the route %s has no path parameter {%s}", req.RequestContext.ResourcePath, name)
	}
	return v, nil
}

// JSON returns an answer with status and v as its JSON body, and the CORS
// headers that let the page at origin read it.
func JSON(origin string, status int, v any) (events.APIGatewayProxyResponse, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return events.APIGatewayProxyResponse{}, fmt.Errorf("proxy: encoding the %d answer: %w", status, err)
	}
	headers := gateway.CORSHeaders(origin)
	headers["Content-Type"] = "application/json"
	return events.APIGatewayProxyResponse{StatusCode: status, Headers: headers, Body: string(body)}, nil
}

// InternalError returns the 500 answer of a function that cannot serve a
// request, with the body API Gateway gives its own: the page reads it like
// any other failure.
func InternalError(origin string) events.APIGatewayProxyResponse {
	headers := gateway.CORSHeaders(origin)
	headers["Content-Type"] = "application/json"
	return events.APIGatewayProxyResponse{
		StatusCode: http.StatusInternalServerError,
		Headers:    headers,
		Body:       string(gateway.ErrorBody(gateway.MessageInternalError)),
	}
}
