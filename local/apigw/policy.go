package apigw

import (
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"signin/functions/policy"
)

// authorizerPolicy is what a TOKEN authorizer answers: who the caller is, an IAM
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

// evaluate decides whether p lets a caller invoke methodARN: a Deny
// statement covering it wins, then an Allow statement; otherwise it is not
// allowed.
func (p authorizerPolicy) evaluate(methodARN string) decision {
	decision := notAllowed
	for _, s := range p.Statements {
		if !s.covers(methodARN) {
			continue
		}
		if s.Effect == policy.Deny {
			return denied
		}
		decision = allowed
	}
	return decision
}

func (s statement) covers(methodARN string) bool {
	action := false
	for _, a := range s.Actions {
		if matchPattern(strings.ToLower(a), strings.ToLower(policy.Action)) {
			action = true
			break
		}
	}
	if !action {
		return false
	}
	for _, r := range s.Resources {
		if matchPattern(r, methodARN) {
			return true
		}
	}
	return false
}

// matchPattern reports whether s matches the IAM wildcard pattern. As IAM
// documents for a resource's ARN, ? stands for one character and * for any
// run of them within the colon-separated segment they are in; a * that
// ends its segment (followed by a colon or the end of the pattern) may run
// on across colons. The pattern becomes a regular expression saying
// exactly that, which Go matches in linear time.
func matchPattern(pattern, s string) bool {
	var re strings.Builder
	re.WriteString(`(?s)^`)
	for i, c := range pattern {
		switch {
		case c == '?':
			re.WriteString(`[^:]`)
		case c == '*' && (i+1 == len(pattern) || pattern[i+1] == ':'):
			re.WriteString(`.*`)
		case c == '*':
			re.WriteString(`[^:]*`)
		default:
			re.WriteString(regexp.QuoteMeta(string(c)))
		}
	}
	re.WriteString(`$`)
	return regexp.MustCompile(re.String()).MatchString(s)
}
