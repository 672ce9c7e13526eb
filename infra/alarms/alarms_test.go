package alarms_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"signin/functions/authorizer"
	"signin/infra/alarms"
)

// jsonEquality is the one form of CloudWatch Logs JSON filter pattern the
// alarms use: { $.<field> = "<value>" }.
var jsonEquality = regexp.MustCompile(`^\{ \$\.([A-Za-z0-9_]+) = "([^"*]*)" \}$`)

// matches reports whether CloudWatch Logs would count the log event line
// under pattern, which must be of the form jsonEquality: the event is a
// JSON object whose field holds exactly the string value.
func matches(t *testing.T, pattern, line string) bool {
	t.Helper()
	m := jsonEquality.FindStringSubmatch(pattern)
	if m == nil {
		t.Fatalf("pattern %q is not of the form { $.field = \"value\" }", pattern)
	}
	var event map[string]any
	if err := json.Unmarshal([]byte(line), &event); err != nil {
		return false
	}
	v, ok := event[m[1]].(string)
	return ok && v == m[2]
}

const (
	clientID = "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com"
	issuer   = "https://accounts.google.com"
	arn      = "arn:aws:execute-api:eu-central-1:123456789012:a1b2c3d4e5/dev/GET/"
)

// unsignedToken returns a JWT with valid claims for clientID and a
// signature no key made: the authorizer must fetch the keys to reject it.
func unsignedToken() string {
	enc := func(v any) string {
		b, _ := json.Marshal(v)
		return base64.RawURLEncoding.EncodeToString(b)
	}
	now := time.Now()
	return enc(map[string]string{"alg": "RS256", "kid": "unknown", "typ": "JWT"}) + "." +
		enc(map[string]any{"iss": issuer, "aud": clientID, "sub": "1", "iat": now.Unix(), "exp": now.Add(time.Hour).Unix()}) + "." +
		base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{1}, 256))
}

// keySet is a JWKS with one RSA key, which signed no token of the test.
func keySet(t *testing.T) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "alg": "RS256", "use": "sig", "kid": "other",
		"n": base64.RawURLEncoding.EncodeToString(key.N.Bytes()),
		"e": base64.RawURLEncoding.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
	}}})
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// decisionLines runs the authorizer as cmd/authorizer does (log/slog's JSON
// handler) on token for methodARN, against an issuer whose key set answers
// with status and keys, and returns the lines it logged.
func decisionLines(t *testing.T, status int, keys, token, methodARN string) []string {
	t.Helper()
	jwks := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprint(w, keys)
	}))
	t.Cleanup(jwks.Close)
	var log bytes.Buffer
	a := authorizer.New(authorizer.Config{ClientID: clientID, Issuer: issuer, JWKSURL: jwks.URL},
		authorizer.NewKeySet(jwks.URL, slog.New(slog.DiscardHandler)), slog.New(slog.NewJSONHandler(&log, nil)))
	_, _ = a.Handle(context.Background(), events.APIGatewayCustomAuthorizerRequest{
		Type: "TOKEN", AuthorizationToken: token, MethodArn: methodARN,
	})
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) == 0 || lines[0] == "" {
		t.Fatal("the authorizer logged nothing")
	}
	return lines
}

// The authorizer failure alarm counts the decision lines the authorizer
// really writes when it cannot decide (its issuer's keys unavailable, an
// event that is not API Gateway's: users get 500), and none of those of an
// invalid token (401), which are an attacker's or a stale page's, not an
// outage.
func TestAuthorizerFailurePatternMatchesOnlyErrorDecisions(t *testing.T) {
	keys := keySet(t)
	for _, c := range []struct {
		name        string
		status      int
		token, arn  string
		wantOutcome string
		wantCounted bool
	}{
		{"signing keys unavailable", http.StatusServiceUnavailable, unsignedToken(), arn, authorizer.OutcomeError, true},
		{"event without a method ARN", http.StatusOK, unsignedToken(), "not-an-arn", authorizer.OutcomeError, true},
		{"no token", http.StatusOK, "", arn, authorizer.OutcomeUnauthorized, false},
		{"malformed token", http.StatusOK, "a.b.c", arn, authorizer.OutcomeUnauthorized, false},
		{"token signed by an unknown key", http.StatusOK, unsignedToken(), arn, authorizer.OutcomeUnauthorized, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			lines := decisionLines(t, c.status, keys, c.token, c.arn)
			var counted int
			for _, line := range lines {
				var d map[string]any
				if err := json.Unmarshal([]byte(line), &d); err != nil {
					t.Fatalf("log line %q is not JSON: Lambda's JSON log format and the filter need it", line)
				}
				if got := d[authorizer.LogKeyOutcome]; got != c.wantOutcome {
					t.Errorf("outcome %v, want %s in %s", got, c.wantOutcome, line)
				}
				if matches(t, alarms.AuthorizerFailurePattern, line) {
					counted++
				}
			}
			if got := counted == 1; got != c.wantCounted || len(lines) != 1 {
				t.Errorf("the pattern %s counts %d of the %d lines %q; want it to count the one decision: %v", alarms.AuthorizerFailurePattern, counted, len(lines), lines, c.wantCounted)
			}
		})
	}
}
