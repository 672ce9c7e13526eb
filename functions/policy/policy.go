// Package policy builds the IAM policy documents a Lambda authorizer hands
// back to API Gateway.
//
// A policy covers every route of the stage the request came to
// (arn:aws:execute-api:<region>:<account>:<api>/<stage>/*/*, WholeStage),
// never only the method that was called: API Gateway caches an authorizer's
// answer and reuses it for every request with the same identity-source
// values, and a cached policy naming a single method would deny the same
// user the next, different method. Access per route is not written as
// resource patterns: a method ARN's path is the request's spelling, not the
// route's (a trailing slash, an encoded slash), so a route restricted to
// groups is decided by a REQUEST authorizer whose cache key names the
// matched route.
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

// WholeStage returns the resource of every method of the stage, the ARN
// Stage returns: <stage>/*/*.
func WholeStage(stage string) string { return stage + "/*/*" }

// maxMethodARNLength is the longest method ARN API Gateway accepts in a
// policy, in bytes (API Gateway quotas: "Length, in bytes, of the method's
// ARN").
const maxMethodARNLength = 1600

// Lengths of a stage ARN's fields that no configuration decides: a region
// name (bounded generously: today's longest, such as ap-southeast-7, have
// 14 characters), the account's 12 digits and API Gateway's 10-character
// API ID; and the longest stage name API Gateway accepts.
const (
	maxRegionLength    = 25
	accountIDLength    = 12
	apiIDLength        = 10
	maxStageNameLength = 128
)

// longestStage is the longest stage ARN a method ARN can start with: the
// longest partition (aws-us-gov), region, account, API ID and stage name.
var longestStage = "arn:aws-us-gov:" + executeAPIService + ":" + strings.Repeat("r", maxRegionLength) + ":" +
	strings.Repeat("0", accountIDLength) + ":" + strings.Repeat("a", apiIDLength) + "/" + strings.Repeat("s", maxStageNameLength)

// CheckMethodARN reports a route, method and resource path (such as GET
// and /api/orders/{id}), whose method ARN could exceed the 1,600 bytes API
// Gateway accepts: the longest stage ARN, the method and the path, each
// path parameter counted as its name's length in braces.
func CheckMethodARN(method, path string) error {
	if n := len(longestStage) + len("/"+method) + len(path); n > maxMethodARNLength {
		return fmt.Errorf("policy: route %s %s: its method ARN could exceed API Gateway's %d bytes (%d): shorten the path", method, path, maxMethodARNLength, n)
	}
	return nil
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
