package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"signin/functions/gateway"
)

// These tests drive the emulation's own decisions with functions written
// here, because they must answer what the real authorizer never does (a
// policy for another method, a malformed policy, a crash). The stack's
// tests run the same paths against the real function binaries.

const (
	origin = "http://localhost:8080"
	token  = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"
)

// lambdaFunc is a lambda.Handler written as a Go func.
type lambdaFunc func(ctx context.Context, event []byte) ([]byte, error)

func (f lambdaFunc) Invoke(ctx context.Context, event []byte) ([]byte, error) { return f(ctx, event) }

// authorizerAnswering returns an authorizer that answers answer (or fails
// with err) and counts its invocations, checking the TOKEN event.
func authorizerAnswering(t *testing.T, answer string, err error, calls *atomic.Int32) lambda.Handler {
	return lambdaFunc(func(_ context.Context, event []byte) ([]byte, error) {
		calls.Add(1)
		var e map[string]string
		if jerr := json.Unmarshal(event, &e); jerr != nil {
			t.Errorf("authorizer event is not JSON: %v", jerr)
		}
		const arn = "arn:aws:execute-api:eu-central-1:123456789012:local0api/local/GET/api"
		if e["type"] != "TOKEN" || !strings.HasPrefix(e["methodArn"], arn) || !matchesTokenPattern(e["authorizationToken"]) {
			t.Errorf("authorizer event = %v, want a TOKEN event for a GET under %s", e, arn)
		}
		return []byte(answer), err
	})
}

// greeter answers as the greeting function does.
var greeter = lambdaFunc(func(_ context.Context, event []byte) ([]byte, error) {
	var e struct{ Name string }
	if err := json.Unmarshal(event, &e); err != nil {
		return nil, &messages.InvokeResponse_Error{Type: "SyntaxError", Message: err.Error()}
	}
	return json.Marshal(map[string]string{"message": "Hello " + e.Name + "!"})
})

func policyAnswer(effect, resource, name string) string {
	return `{"principalId":"user-1","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"` +
		effect + `","Resource":"` + resource + `"}]},"context":{"name":` + string(mustJSON(name)) + `,"email":"ada@example.com"}}`
}

func mustJSON(v any) []byte {
	b, _ := json.Marshal(v)
	return b
}

// routes is the table these tests serve: the template and proxy kinds, and
// a nested path with a parameter.
var routes = gateway.Table{
	{Method: "GET", Path: "/", Function: "hello", Integration: gateway.Template},
	{Method: "GET", Path: "/me", Function: "me", Integration: gateway.Proxy},
	{Method: "GET", Path: "/orders/{id}", Function: "orders", Integration: gateway.Proxy},
	{Method: "DELETE", Path: "/orders/{id}", Function: "orders", Integration: gateway.Proxy},
}

func newGateway(t *testing.T, authorizer, greeting lambda.Handler) *Gateway {
	t.Helper()
	return newGatewayWith(t, authorizer, map[string]lambda.Handler{"hello": greeting, "me": echo, "orders": echo})
}

func newGatewayWith(t *testing.T, authorizer lambda.Handler, functions map[string]lambda.Handler) *Gateway {
	t.Helper()
	g, err := New(Config{
		Routes: routes, Authorizer: authorizer, Functions: functions, AllowOrigin: origin,
		Region: "eu-central-1", AccountID: "123456789012", APIID: "local0api", Stage: "local",
		logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

func do(g http.Handler, method, path, authorization string) *httptest.ResponseRecorder {
	r := httptest.NewRequest(method, "http://localhost:8081"+gateway.ResourcePath(path), nil)
	r.Header.Set("Origin", origin)
	if authorization != "" {
		r.Header.Set(gateway.AuthorizationHeader, authorization)
	}
	w := httptest.NewRecorder()
	g.ServeHTTP(w, r)
	return w
}

func TestAnswers(t *testing.T) {
	stage := "arn:aws:execute-api:eu-central-1:123456789012:local0api/local/*/*"
	tests := []struct {
		name          string
		authorization string
		answer        string
		err           error
		greeting      lambda.Handler
		wantStatus    int
		wantBody      string
		wantCalls     int32
	}{
		{"attack: no token; API Gateway answers 401 and never invokes the authorizer", "", "", nil, greeter,
			401, `{"message":"Unauthorized"}`, 0},
		{"attack: a token not shaped like a JWT is 401 without invoking the authorizer", "Basic YWRhOnB3", "", nil, greeter,
			401, `{"message":"Unauthorized"}`, 0},
		{"attack: a bad token; the authorizer's Unauthorized error is 401", token, "", &messages.InvokeResponse_Error{Type: "errorString", Message: "Unauthorized"}, greeter,
			401, `{"message":"Unauthorized"}`, 1},
		{"a valid user, allowed for the stage, is greeted", token, policyAnswer("Allow", stage, "Ada Lovelace"), nil, greeter,
			200, `{"message":"Hello Ada Lovelace!"}`, 1},
		{"a Bearer-prefixed token is passed on", "Bearer " + token, policyAnswer("Allow", stage, "Ada"), nil, greeter,
			200, `{"message":"Hello Ada!"}`, 1},
		{"attack: a name that tries to break out of the event stays a name", token, policyAnswer("Allow", stage, `", "name": "admin`), nil, greeter,
			200, `{"message":"Hello \", \"name\": \"admin!"}`, 1},
		{"attack: a user not allowed; the Deny policy is 403", token, policyAnswer("Deny", stage, "Mallory"), nil, greeter,
			403, `{"message":"User is not authorized to access this resource with an explicit deny"}`, 1},
		{"a policy for another method is 403", token, policyAnswer("Allow", "arn:aws:execute-api:eu-central-1:123456789012:local0api/local/POST/", "Ada"), nil, greeter,
			403, `{"message":"User is not authorized to access this resource"}`, 1},
		{"any other authorizer error is 500 with no message", token, "", &messages.InvokeResponse_Error{Type: "errorString", Message: "boom"}, greeter,
			500, AuthorizerFailureBody, 1},
		{"an authorizer that cannot be invoked is 500", token, "", errors.New("connection refused"), greeter,
			500, AuthorizerFailureBody, 1},
		{"a malformed policy is 500", token, `{"principalId":"1"}`, nil, greeter,
			500, AuthorizerFailureBody, 1},
		{"a failing greeting is 500", token, policyAnswer("Allow", stage, "Ada"), nil,
			lambdaFunc(func(context.Context, []byte) ([]byte, error) {
				return nil, &messages.InvokeResponse_Error{Type: "panic", Message: "oops"}
			}),
			500, `{"message":"Internal server error"}`, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			g := newGateway(t, authorizerAnswering(t, tt.answer, tt.err, &calls), tt.greeting)
			w := do(g, http.MethodGet, "/", tt.authorization)
			if w.Code != tt.wantStatus || w.Body.String() != tt.wantBody {
				t.Errorf("GET / = %d %s, want %d %s", w.Code, w.Body, tt.wantStatus, tt.wantBody)
			}
			if got := calls.Load(); got != tt.wantCalls {
				t.Errorf("the authorizer ran %d times, want %d", got, tt.wantCalls)
			}
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != origin {
				t.Errorf("Access-Control-Allow-Origin = %q, want %q on a %d too, or the page cannot read it", got, origin, w.Code)
			}
			if got := w.Header().Get("Content-Type"); got != "application/json" {
				t.Errorf("Content-Type = %q, want application/json", got)
			}
		})
	}
}

func TestPreflightNeedsNoToken(t *testing.T) {
	var calls atomic.Int32
	g := newGateway(t, authorizerAnswering(t, "", nil, &calls), greeter)
	for path, methods := range map[string]string{"/": "GET,OPTIONS", "/me": "GET,OPTIONS", "/orders/42": "GET,DELETE,OPTIONS"} {
		w := do(g, http.MethodOptions, path, "")
		if w.Code != http.StatusOK || calls.Load() != 0 {
			t.Fatalf("OPTIONS %s = %d after %d authorizer calls, want 200 and none", path, w.Code, calls.Load())
		}
		for k, v := range gateway.PreflightHeaders(origin, methods) {
			if got := w.Header().Get(k); got != v {
				t.Errorf("preflight of %s: %s = %q, want %q", path, k, got, v)
			}
		}
	}
}

func TestUndefinedMethodsAndResources(t *testing.T) {
	var calls atomic.Int32
	g := newGateway(t, authorizerAnswering(t, "", nil, &calls), greeter)
	for _, r := range []struct{ method, path string }{
		{"POST", "/"}, {"DELETE", "/"}, {"GET", "/admin"}, {"OPTIONS", "/x"}, {"POST", "/me"},
		{"GET", "/me//"}, {"GET", "/orders"}, {"OPTIONS", "/orders"}, {"GET", "/orders/1/x"}, {"GET", "//me"},
	} {
		w := do(g, r.method, r.path, token)
		if w.Code != http.StatusForbidden || w.Body.String() != `{"message":"Missing Authentication Token"}` {
			t.Errorf("%s %s = %d %s, want API Gateway's 403 Missing Authentication Token", r.method, r.path, w.Code, w.Body)
		}
		if w.Header().Get("Access-Control-Allow-Origin") != origin {
			t.Errorf("%s %s has no CORS headers", r.method, r.path)
		}
	}
	if calls.Load() != 0 {
		t.Errorf("the authorizer ran %d times for undefined routes, want 0", calls.Load())
	}
}

// The routes live under gateway.Prefix only: the route paths themselves,
// and paths that merely start with the prefix's letters, are no resources.
func TestRoutesAnswerUnderThePrefixOnly(t *testing.T) {
	var calls atomic.Int32
	g := newGateway(t, authorizerAnswering(t, "", nil, &calls), greeter)
	for _, path := range []string{"/", "/me", "/apiary", "/api/", "/API", "/api//me"} {
		r := httptest.NewRequest(http.MethodGet, "http://localhost:8081"+path, nil)
		r.Header.Set(gateway.AuthorizationHeader, token)
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		if w.Code != http.StatusForbidden || w.Body.String() != `{"message":"Missing Authentication Token"}` {
			t.Errorf("GET %s = %d %s, want API Gateway's 403 Missing Authentication Token", path, w.Code, w.Body)
		}
	}
	if calls.Load() != 0 {
		t.Errorf("the authorizer ran %d times outside the prefix, want 0", calls.Load())
	}
}

func TestCacheByTokenForTheTTL(t *testing.T) {
	stage := "arn:aws:execute-api:eu-central-1:123456789012:local0api/local/*/*"
	for _, tt := range []struct {
		name   string
		answer string
		err    error
		// uncached turns the cache off, as authorizerCacheTtl 0 does.
		uncached bool
		want     []string
	}{
		{"an Allow policy is cached", policyAnswer("Allow", stage, "Ada"), nil, false, []string{"miss", "hit", "miss"}},
		{"a Deny policy is cached", policyAnswer("Deny", stage, "Ada"), nil, false, []string{"miss", "hit", "miss"}},
		{"an Unauthorized error is not cached", "", &messages.InvokeResponse_Error{Message: "Unauthorized"}, false, []string{"miss", "miss", "miss"}},
		{"with the cache off, an Allow policy is not cached", policyAnswer("Allow", stage, "Ada"), nil, true, []string{"miss", "miss", "miss"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			g := newGateway(t, authorizerAnswering(t, tt.answer, tt.err, &calls), greeter)
			g.cfg.Uncached = tt.uncached
			now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
			g.now = func() time.Time { return now }
			steps := []time.Duration{0, gateway.DefaultAuthorizerTTL*time.Second - time.Second, 2 * time.Second}
			for i, step := range steps {
				now = now.Add(step)
				w := do(g, http.MethodGet, "/", token)
				if got := w.Header().Get(CacheHeader); got != tt.want[i] {
					t.Errorf("call %d: %s = %q, want %q", i+1, CacheHeader, got, tt.want[i])
				}
			}
			misses := int32(0)
			for _, w := range tt.want {
				if w == "miss" {
					misses++
				}
			}
			if calls.Load() != misses {
				t.Errorf("the authorizer ran %d times, want %d", calls.Load(), misses)
			}
		})
	}
}

func TestNewRejectsIncompleteConfig(t *testing.T) {
	full := Config{Routes: routes, Authorizer: greeter, Functions: map[string]lambda.Handler{"hello": greeter, "me": echo, "orders": echo},
		AllowOrigin: origin, Region: "r", AccountID: "a", APIID: "i", Stage: "s"}
	for _, tt := range []struct {
		name   string
		change func(*Config)
	}{
		{"no authorizer", func(c *Config) { c.Authorizer = nil }},
		{"no routes", func(c *Config) { c.Routes = nil }},
		{"a route's function missing", func(c *Config) { c.Functions = map[string]lambda.Handler{"hello": greeter} }},
		{"an unknown integration", func(c *Config) {
			c.Routes = gateway.Table{{Method: "GET", Path: "/", Function: "hello", Integration: "http"}}
		}},
		{"no origin", func(c *Config) { c.AllowOrigin = "" }},
		{"no stage", func(c *Config) { c.Stage = "" }},
		{"TTL beyond API Gateway's maximum", func(c *Config) { c.CacheTTL = 2 * time.Hour }},
	} {
		c := full
		tt.change(&c)
		if _, err := New(c); err == nil {
			t.Errorf("%s: New accepted it", tt.name)
		}
	}
	if _, err := New(full); err != nil {
		t.Errorf("New(full config) = %v", err)
	}
}

// BenchmarkEmulationOverhead measures what the emulation adds per request
// with a cached token, functions that answer at once.
func BenchmarkEmulationOverhead(b *testing.B) {
	stage := "arn:aws:execute-api:eu-central-1:123456789012:local0api/local/*/*"
	answer := []byte(policyAnswer("Allow", stage, "Ada Lovelace"))
	authorizer := lambdaFunc(func(context.Context, []byte) ([]byte, error) { return answer, nil })
	g, err := New(Config{Routes: routes, Authorizer: authorizer, Functions: map[string]lambda.Handler{"hello": greeter, "me": echo, "orders": echo},
		AllowOrigin: origin, Region: "eu-central-1", AccountID: "123456789012", APIID: "local0api", Stage: "local"})
	if err != nil {
		b.Fatal(err)
	}
	r := httptest.NewRequest(http.MethodGet, "http://localhost:8081/api", nil)
	r.Header.Set(gateway.AuthorizationHeader, token)
	for b.Loop() {
		w := httptest.NewRecorder()
		g.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatalf("GET / = %d", w.Code)
		}
	}
}

// A REST API routes a path with a trailing slash to the resource without
// it. The proxy event keeps the request's path; the methodArn keeps the
// slash too (undocumented on AWS; no decision reads the methodArn's path).
func TestATrailingSlashReachesItsRoute(t *testing.T) {
	var methodARN string
	authorizer := lambdaFunc(func(_ context.Context, event []byte) ([]byte, error) {
		var e struct{ MethodArn string }
		if err := json.Unmarshal(event, &e); err != nil {
			return nil, err
		}
		methodARN = e.MethodArn
		return []byte(policyAnswer("Allow", "arn:aws:execute-api:eu-central-1:123456789012:local0api/local/*/*", "Ada")), nil
	})
	g := newGatewayWith(t, authorizer, map[string]lambda.Handler{"hello": greeter, "me": echo, "orders": echo})
	w := do(g, http.MethodGet, "/orders/42/", token)
	var event events.APIGatewayProxyRequest
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &event) != nil {
		t.Fatalf("GET /orders/42/ = %d %s, want 200 from the route /orders/{id}", w.Code, w.Body)
	}
	if event.Resource != "/api/orders/{id}" || event.Path != "/api/orders/42/" || event.PathParameters["id"] != "42" {
		t.Errorf("proxy event resource %q path %q parameters %v, want /api/orders/{id}, /api/orders/42/ and id 42", event.Resource, event.Path, event.PathParameters)
	}
	if want := "arn:aws:execute-api:eu-central-1:123456789012:local0api/local/GET/api/orders/42/"; methodARN != want {
		t.Errorf("methodArn = %q, want %q", methodARN, want)
	}
}
