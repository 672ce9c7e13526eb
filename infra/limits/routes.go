package limits

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"

	"signin/functions/gateway"
)

// MaxResources is API Gateway's default quota of resources per REST API.
const MaxResources = 300

// AuthorizerResultBudget is the most, in bytes, an authorizer's answer may
// take: the policy, the principal and the context, as JSON.
const AuthorizerResultBudget = 8192

// The longest values of what a method ARN and an authorizer's answer hold
// that the configuration does not know: the partition and the region
// (aws-us-gov, ap-southeast-7), the account and the API's ID, the token's
// subject (at most 255 characters in OpenID Connect), the email address (at
// most 254 characters) and a display name.
const (
	longestARNPrefix = "arn:aws-us-gov:execute-api:ap-southeast-7:123456789012:a1b2c3d4e5"
	longestSubject   = 255
	longestEmail     = 254
	longestName      = 256
)

// CheckRoutes reports a route table that API Gateway's quotas cannot hold
// for the stage named stage: more resources than MaxResources, or an
// authorizer's answer allowing every route by name that would not fit
// AuthorizerResultBudget. (policy.NewAccess checks each method ARN.)
func CheckRoutes(stage string, routes gateway.Table) error {
	resources := map[string]bool{}
	var arns []string
	for _, r := range routes {
		segments := gateway.Segments(r.Path)
		for i := range segments {
			resources["/"+strings.Join(segments[:i+1], "/")] = true
		}
		arns = append(arns, methodARN(stage, r.Method, segments))
	}
	if n := len(resources); n > MaxResources {
		return fmt.Errorf("the route table makes %d API Gateway resources (one per path segment), more than the %d API Gateway allows an API by default: remove %d, or raise the quota (Service Quotas, \"Resources per API\") first", n, MaxResources, n-MaxResources)
	}
	answer := events.APIGatewayCustomAuthorizerResponse{
		PrincipalID: strings.Repeat("s", longestSubject),
		PolicyDocument: events.APIGatewayCustomAuthorizerPolicy{
			Version: "2012-10-17",
			Statement: []events.IAMPolicyStatement{{
				Action:   []string{"execute-api:Invoke"},
				Effect:   "Allow",
				Resource: arns,
			}},
		},
		Context: map[string]any{
			gateway.ContextName:  strings.Repeat("n", longestName),
			gateway.ContextEmail: strings.Repeat("e", longestEmail),
		},
	}
	b, err := json.Marshal(answer)
	if err != nil {
		return fmt.Errorf("measuring the authorizer's answer: %w", err)
	}
	if len(b) > AuthorizerResultBudget {
		return fmt.Errorf("an authorizer's answer naming each of the %d routes takes up to %d bytes, more than the %d budget of an authorizer's result: use fewer or shorter routes", len(routes), len(b), AuthorizerResultBudget)
	}
	return nil
}

// methodARN returns the longest method ARN of a route of method and path
// segments on stage, a path parameter's value counted as "*".
func methodARN(stage, method string, segments []string) string {
	parts := make([]string, len(segments))
	for i, s := range segments {
		if _, ok := gateway.IsParameter(s); ok {
			s = "*"
		}
		parts[i] = s
	}
	return longestARNPrefix + "/" + stage + "/" + method + "/" + strings.Join(parts, "/")
}
