// Package policy builds the IAM policy documents a Lambda TOKEN authorizer
// hands back to API Gateway.
//
// A policy covers every route of the stage the request came to
// (arn:aws:execute-api:<region>:<account>:<api>/<stage>), never only the
// method that was called: API Gateway caches an authorizer's answer per
// token, and a cached policy naming a single method would deny the same user
// the next, different method. With access per route (Access), it names the
// routes the caller may call, all of them at once.
package policy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// version is the IAM policy language version of every document.
const version = "2012-10-17"

// Action is the IAM action that invokes an API Gateway method.
const Action = "execute-api:Invoke"

// Effects of a policy statement.
const (
	Allow = "Allow"
	Deny  = "Deny"
)

// executeAPIService is the service field of an API Gateway method ARN.
const executeAPIService = "execute-api"

// wildcards are the characters IAM reads as patterns in a policy's
// resource.
const wildcards = "*?"

// errMethodARN reports a method ARN that is not an API Gateway method ARN.
var errMethodARN = errors.New("policy: malformed method ARN")

// Stage returns the ARN of the stage methodARN belongs to,
// arn:<partition>:execute-api:<region>:<account>:<api>/<stage>, which a
// policy's resources start with. methodARN has the form
// arn:<partition>:execute-api:<region>:<account>:<api>/<stage>/<verb>/<path>,
// as API Gateway sends it in the authorizer's event.
func Stage(methodARN string) (string, error) {
	arnFields, rest, ok := strings.Cut(methodARN, "/")
	fields := strings.Split(arnFields, ":")
	if !ok || len(fields) != 6 || fields[0] != "arn" || fields[2] != executeAPIService {
		return "", fmt.Errorf("%w: %q", errMethodARN, methodARN)
	}
	stage, _, ok := strings.Cut(rest, "/")
	if !ok || stage == "" {
		return "", fmt.Errorf("%w: %q has no stage and method", errMethodARN, methodARN)
	}
	// Every field is copied into the policy: an empty one or a wildcard
	// would make it cover other partitions, regions, accounts, APIs or
	// stages.
	for _, field := range append(fields, stage) {
		if field == "" || strings.ContainsAny(field, wildcards) {
			return "", fmt.Errorf("%w: %q has an empty or wildcard field", errMethodARN, methodARN)
		}
	}
	return arnFields + "/" + stage, nil
}

// Document returns a policy document with one statement: effect ("Allow" or
// "Deny") on invoking resource.
func Document(effect, resource string) events.APIGatewayCustomAuthorizerPolicy {
	return events.APIGatewayCustomAuthorizerPolicy{
		Version: version,
		Statement: []events.IAMPolicyStatement{{
			Action:   []string{Action},
			Effect:   effect,
			Resource: []string{resource},
		}},
	}
}
