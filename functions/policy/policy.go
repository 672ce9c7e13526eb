// Package policy builds the IAM policy documents a Lambda TOKEN authorizer
// hands back to API Gateway.
//
// A policy covers the whole stage the request came to
// (arn:aws:execute-api:<region>:<account>:<api>/<stage>/*/*), never only the
// method that was called: API Gateway caches an authorizer's answer per
// token, and a cached policy naming a single method would deny the same user
// the next, different method.
package policy

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-lambda-go/events"
)

// Version is the IAM policy language version of every document.
const Version = "2012-10-17"

// Action is the IAM action that invokes an API Gateway method.
const Action = "execute-api:Invoke"

// Effects of a policy statement.
const (
	Allow = "Allow"
	Deny  = "Deny"
)

// arnPrefix starts every API Gateway method ARN.
const arnPrefix = "arn:"

// executeAPIService is the service part of an API Gateway method ARN.
const executeAPIService = ":execute-api:"

// ErrMethodARN reports a method ARN that is not an API Gateway method ARN.
var ErrMethodARN = errors.New("policy: malformed method ARN")

// StageResource returns the ARN covering every method and path of the stage
// methodARN belongs to. methodARN has the form
// arn:<partition>:execute-api:<region>:<account>:<api>/<stage>/<verb>/<path>,
// as API Gateway sends it in the authorizer's event.
func StageResource(methodARN string) (string, error) {
	arnFields, rest, ok := strings.Cut(methodARN, "/")
	if !ok || !strings.HasPrefix(arnFields, arnPrefix) || !strings.Contains(arnFields, executeAPIService) ||
		strings.Count(arnFields, ":") != 5 || strings.HasSuffix(arnFields, ":") {
		return "", fmt.Errorf("%w: %q", ErrMethodARN, methodARN)
	}
	stage, _, ok := strings.Cut(rest, "/")
	if !ok || stage == "" {
		return "", fmt.Errorf("%w: %q has no stage and method", ErrMethodARN, methodARN)
	}
	return arnFields + "/" + stage + "/*/*", nil
}

// Document returns a policy document with one statement: effect ("Allow" or
// "Deny") on invoking resource.
func Document(effect, resource string) events.APIGatewayCustomAuthorizerPolicy {
	return events.APIGatewayCustomAuthorizerPolicy{
		Version: Version,
		Statement: []events.IAMPolicyStatement{{
			Action:   []string{Action},
			Effect:   effect,
			Resource: []string{resource},
		}},
	}
}
