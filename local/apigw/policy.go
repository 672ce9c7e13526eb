package apigw

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"signin/functions/policy"
)

// authorizerPolicy is what an authorizer answers: who the caller is, an IAM
// policy over execute-api:Invoke, and the context passed to the
// integration.
type authorizerPolicy struct {
	// PrincipalID identifies the caller (the token's sub).
	PrincipalID string
	// Statements are the policy document's statements.
	Statements []statement
	// Context holds the context entries as API Gateway passes them on:
	// every value as a string.
	Context map[string]string
}

// statement is one statement of the policy document.
type statement struct {
	// Effect is policy.Allow or policy.Deny.
	Effect string
	// Actions and Resources are the IAM actions and the method ARN
	// patterns the statement covers.
	Actions   []string
	Resources []string
}

// decision is the outcome of evaluating a policy for a request.
type decision int

// The decisions, as IAM makes them.
const (
	// notAllowed means no statement covers the request: 403.
	notAllowed decision = iota
	// allowed means an Allow statement covers it and no Deny does.
	allowed
	// denied means a Deny statement covers it: 403, whatever else allows it.
	denied
)

// parseAuthorizerPolicy reads an authorizer's answer. An answer API Gateway would not
// accept (no principalId, no policy document, an unknown effect) is an
// error, which the gateway answers with 500 as API Gateway does.
func parseAuthorizerPolicy(answer []byte) (authorizerPolicy, error) {
	var raw struct {
		PrincipalID    *string `json:"principalId"`
		PolicyDocument *struct {
			Version   string `json:"Version"`
			Statement []struct {
				Effect   string      `json:"Effect"`
				Action   stringOrSet `json:"Action"`
				Resource stringOrSet `json:"Resource"`
			} `json:"Statement"`
		} `json:"policyDocument"`
		Context map[string]json.RawMessage `json:"context"`
	}
	if err := json.Unmarshal(answer, &raw); err != nil {
		return authorizerPolicy{}, fmt.Errorf("apigw: the authorizer's answer is not a policy: %w", err)
	}
	if raw.PrincipalID == nil || raw.PolicyDocument == nil || len(raw.PolicyDocument.Statement) == 0 {
		return authorizerPolicy{}, errors.New("apigw: the authorizer's answer lacks a principalId or a policy statement")
	}
	p := authorizerPolicy{PrincipalID: *raw.PrincipalID, Context: map[string]string{}}
	for _, s := range raw.PolicyDocument.Statement {
		if s.Effect != policy.Allow && s.Effect != policy.Deny {
			return authorizerPolicy{}, fmt.Errorf("apigw: policy effect %q is neither %s nor %s", s.Effect, policy.Allow, policy.Deny)
		}
		p.Statements = append(p.Statements, statement{Effect: s.Effect, Actions: s.Action, Resources: s.Resource})
	}
	for k, v := range raw.Context {
		s, err := contextValue(v)
		if err != nil {
			return authorizerPolicy{}, fmt.Errorf("apigw: context %q: %w", k, err)
		}
		p.Context[k] = s
	}
	return p, nil
}

// contextValue turns a context value into the string API Gateway passes on;
// like API Gateway, it accepts only strings, numbers and booleans.
func contextValue(v json.RawMessage) (string, error) {
	var value any
	if err := json.Unmarshal(v, &value); err != nil {
		return "", err
	}
	switch value := value.(type) {
	case string:
		return value, nil
	case bool:
		return strconv.FormatBool(value), nil
	case float64:
		return strconv.FormatFloat(value, 'f', -1, 64), nil
	}
	return "", fmt.Errorf("value %s is not a string, number or boolean", v)
}

// stringOrSet is an IAM policy element that is a string or a list of them.
type stringOrSet []string

// UnmarshalJSON reads a string as a set of one.
func (s *stringOrSet) UnmarshalJSON(b []byte) error {
	var one string
	if err := json.Unmarshal(b, &one); err == nil {
		*s = []string{one}
		return nil
	}
	var many []string
	if err := json.Unmarshal(b, &many); err != nil {
		return fmt.Errorf("not a string or a list of strings: %s", b)
	}
	*s = many
	return nil
}

// evaluate decides whether p lets a caller invoke methodARN of the stage
// stageARN: a Deny statement covering it wins, then an Allow statement;
// otherwise it is not allowed. A statement covers the request when its
// action is execute-api:Invoke (or execute-api:*) and a resource is the
// whole stage (<stage>/*/*) or methodARN itself. The emulation matches no
// other pattern: a resource with another wildcard is an error, so a policy
// the authorizer should never write fails loudly instead of being read one
// way here and another by IAM.
func (p authorizerPolicy) evaluate(methodARN, stageARN string) (decision, error) {
	verdict := notAllowed
	for _, s := range p.Statements {
		action := slices.ContainsFunc(s.Actions, func(a string) bool {
			return strings.EqualFold(a, policy.Action) || strings.EqualFold(a, "execute-api:*")
		})
		covers := false
		for _, r := range s.Resources {
			switch {
			case r == policy.WholeStage(stageARN) || r == methodARN:
				covers = true
			case strings.ContainsAny(r, "*?"):
				return notAllowed, fmt.Errorf("apigw: the policy's resource %q: the emulation evaluates the whole stage (%s) and exact method ARNs only", r, policy.WholeStage(stageARN))
			}
		}
		switch {
		case !action || !covers:
		case s.Effect == policy.Deny:
			return denied, nil
		default:
			verdict = allowed
		}
	}
	return verdict, nil
}
