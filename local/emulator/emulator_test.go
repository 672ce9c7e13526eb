//go:build unix

package emulator_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda/messages"
	"github.com/coreos/go-oidc/v3/oidc"
	"github.com/coreos/go-oidc/v3/oidc/oidctest"

	"signin/functions/authorizer"
	"signin/functions/bundle"
	"signin/functions/hello"
	"signin/local/emulator"
)

const (
	clientID  = "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com"
	methodARN = "arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/GET/"
)

// The executables every test runs: the emulator and the real bootstraps,
// built once for the host by TestMain.
var rie, authorizerBin, helloBin string

func TestMain(m *testing.M) {
	os.Exit(run(m))
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "emulator-test-")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx := context.Background()
	if rie, err = emulator.Path(ctx, ".."); err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	authorizerBin = filepath.Join(dir, "authorizer")
	helloBin = filepath.Join(dir, "hello")
	host := bundle.Target{GOOS: runtime.GOOS, GOARCH: runtime.GOARCH}
	for _, build := range []func() error{
		func() error {
			return bundle.Binary(ctx, bundle.Options{Dir: "../../functions", Function: "authorizer", Target: host}, authorizerBin)
		},
		func() error {
			return bundle.Binary(ctx, bundle.Options{Dir: "../../functions", Function: "hello", Target: host}, helloBin)
		},
	} {
		if err := build(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	return m.Run()
}

// issuer is a loopback OpenID provider (go-oidc's test server) with one
// RSA-2048 key.
type issuer struct {
	url string
	key *rsa.PrivateKey
}

func newIssuer(t testing.TB) *issuer {
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	s := &oidctest.Server{PublicKeys: []oidctest.PublicKey{{PublicKey: key.Public(), KeyID: "k1", Algorithm: oidc.RS256}}}
	srv := httptest.NewServer(s)
	t.Cleanup(srv.Close)
	s.SetIssuer(srv.URL)
	return &issuer{url: srv.URL, key: key}
}

// env is the authorizer's environment for this issuer as deployed
// (authorizer.Config.Environ), with changes applied (an empty value removes
// the variable).
func (iss *issuer) env(changes map[string]string) []string {
	vars := authorizer.Config{ClientID: clientID, Issuer: iss.url, JWKSURL: iss.url + "/keys"}.Environ()
	maps.Copy(vars, changes)
	var env []string
	for _, k := range slices.Sorted(maps.Keys(vars)) {
		if vars[k] != "" {
			env = append(env, k+"="+vars[k])
		}
	}
	return env
}

func (iss *issuer) token(t testing.TB, key *rsa.PrivateKey, email string) string {
	now := time.Now()
	claims, err := json.Marshal(map[string]any{
		"iss": iss.url, "aud": clientID, "azp": clientID, "sub": "110169484474386276334",
		"email": email, "email_verified": true, "name": "Ada Lovelace",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
		// A Workspace account's: Google is authoritative for its email.
		"hd": email[strings.LastIndexByte(email, '@')+1:],
	})
	if err != nil {
		t.Fatal(err)
	}
	return oidctest.SignIDToken(key, "k1", oidc.RS256, string(claims))
}

func start(t testing.TB, bin string, env []string) *emulator.Function {
	t.Helper()
	fn, err := emulator.Start(t.Context(), emulator.Options{RIE: rie, Bootstrap: bin, Env: env})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := fn.Close(); err != nil {
			t.Error(err)
		}
	})
	return fn
}

func authorizerEvent(t testing.TB, token string) []byte {
	event, err := json.Marshal(events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: token, MethodArn: methodARN})
	if err != nil {
		t.Fatal(err)
	}
	return event
}

// TestAuthorizerUnderTheEmulator invokes the real bootstrap through the
// Lambda runtime API: API Gateway answers 200 for the Allow policy, 403 for
// the Deny policy and 401 for the error "Unauthorized".
func TestAuthorizerUnderTheEmulator(t *testing.T) {
	iss := newIssuer(t)
	foreign, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	fn := start(t, authorizerBin, iss.env(map[string]string{"ALLOWED_DOMAINS": "example.com", "ALLOWED_EMAILS": "ada@example.com"}))
	tests := []struct {
		name      string
		token     string
		wantError string
		wantAllow string
	}{
		{"valid token is allowed (200)", iss.token(t, iss.key, "ada@example.com"), "", "Allow"},
		{"Bearer-prefixed valid token is allowed (200)", "Bearer " + iss.token(t, iss.key, "ada@example.com"), "", "Allow"},
		{"unlisted user is denied (403)", iss.token(t, iss.key, "mallory@example.org"), "", "Deny"},
		{"foreign signature is Unauthorized (401)", iss.token(t, foreign, "ada@example.com"), "Unauthorized", ""},
		{"garbage is Unauthorized (401)", "not.a.token", "Unauthorized", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			answer, err := fn.Invoke(t.Context(), authorizerEvent(t, tt.token))
			var ferr *messages.InvokeResponse_Error
			if tt.wantError != "" {
				if !errors.As(err, &ferr) || ferr.Message != tt.wantError {
					t.Fatalf("answer %s, %v; want the function error %q", answer, err, tt.wantError)
				}
				return
			}
			if err != nil {
				t.Fatalf("%v; output: %s", err, fn.Output())
			}
			var resp events.APIGatewayCustomAuthorizerResponse
			if err := json.Unmarshal(answer, &resp); err != nil {
				t.Fatal(err)
			}
			if got := resp.PolicyDocument.Statement[0].Effect; got != tt.wantAllow {
				t.Errorf("effect %s, want %s: %s", got, tt.wantAllow, answer)
			}
		})
	}
}

// TestAuthorizerWithKeysDownIsAServerError: when the keys cannot be
// fetched, the real bootstrap fails with an error other than
// "Unauthorized", which API Gateway answers 500: not the user's fault, and
// never an Allow.
func TestAuthorizerWithKeysDownIsAServerError(t *testing.T) {
	iss := newIssuer(t)
	down := httptest.NewServer(http.NotFoundHandler())
	down.Close()
	fn := start(t, authorizerBin, iss.env(map[string]string{"OIDC_JWKS_URL": down.URL + "/keys"}))
	answer, err := fn.Invoke(t.Context(), authorizerEvent(t, iss.token(t, iss.key, "ada@example.com")))
	var ferr *messages.InvokeResponse_Error
	if !errors.As(err, &ferr) || ferr.Message == "Unauthorized" {
		t.Fatalf("answer %s, %v; want a function error other than Unauthorized", answer, err)
	}
}

// TestAuthorizerWithoutClientIDStopsAtStart: a missing setting fails the
// function's init with a message naming it, so API Gateway answers 500.
func TestAuthorizerWithoutClientIDStopsAtStart(t *testing.T) {
	iss := newIssuer(t)
	fn := start(t, authorizerBin, iss.env(map[string]string{"GOOGLE_CLIENT_ID": ""}))
	if answer, err := fn.Invoke(t.Context(), authorizerEvent(t, iss.token(t, iss.key, "ada@example.com"))); err == nil {
		t.Fatalf("answer %s, want a failure", answer)
	}
	// The emulator's output reaches Output through a pipe, after the
	// failed invocation has been answered: wait for it, a while.
	for deadline := time.Now().Add(10 * time.Second); !strings.Contains(fn.Output(), "GOOGLE_CLIENT_ID"); time.Sleep(10 * time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("output does not name GOOGLE_CLIENT_ID: %s", fn.Output())
		}
	}
}

func TestHelloUnderTheEmulator(t *testing.T) {
	fn := start(t, helloBin, nil)
	tests := []struct{ event, want string }{
		{`{"name": "Ada Lovelace"}`, `{"message":"Hello Ada Lovelace!"}`},
		{`{"name": "O'Brien \"<b>\""}`, `{"message":"Hello O'Brien \"<b>\"!"}`},
		{`{}`, `{"message":"Hello there!"}`},
	}
	for _, tt := range tests {
		answer, err := fn.Invoke(t.Context(), []byte(tt.event))
		if err != nil {
			t.Fatal(err)
		}
		if string(answer) != tt.want {
			t.Errorf("%s: answer %s, want %s", tt.event, answer, tt.want)
		}
		var resp hello.Response
		if err := json.Unmarshal(answer, &resp); err != nil {
			t.Errorf("%s: answer is not the greeting's JSON: %v", tt.event, err)
		}
	}
}

// TestConcurrentInvocationsWaitForOneAnother: the emulator refuses a
// second invocation while one runs; Invoke queues them instead.
func TestConcurrentInvocationsWaitForOneAnother(t *testing.T) {
	fn := start(t, helloBin, nil)
	errs := make(chan error, 8)
	for i := range 8 {
		go func() {
			answer, err := fn.Invoke(t.Context(), fmt.Appendf(nil, `{"name":"caller %d"}`, i))
			if err == nil && string(answer) != fmt.Sprintf(`{"message":"Hello caller %d!"}`, i) {
				err = fmt.Errorf("answer %s to caller %d", answer, i)
			}
			errs <- err
		}()
	}
	for range 8 {
		if err := <-errs; err != nil {
			t.Error(err)
		}
	}
}

// TestCloseStopsTheFunction: after Close, neither the emulator nor the
// function it started is left running.
func TestCloseStopsTheFunction(t *testing.T) {
	fn, err := emulator.Start(t.Context(), emulator.Options{RIE: rie, Bootstrap: helloBin})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fn.Invoke(t.Context(), []byte(`{"name":"Ada"}`)); err != nil {
		t.Fatal(err)
	}
	pgid := fn.PID()
	if err := fn.Close(); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Kill(-pgid, 0); err != syscall.ESRCH {
		t.Errorf("process group %d after Close: %v, want ESRCH", pgid, err)
	}
	if _, err := fn.Invoke(t.Context(), []byte(`{}`)); err == nil {
		t.Error("invoking after Close succeeded")
	}
}
