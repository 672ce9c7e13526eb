package apigw

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"

	"signin/functions/gateway"
)

// restricted is a table with routes restricted to groups next to open
// ones, some under the same parameter.
var restricted = gateway.Table{
	{Method: "GET", Path: "/", Function: "hello", Integration: gateway.Template},
	{Method: "GET", Path: "/orders", Function: "orders", Integration: gateway.Proxy, Groups: []string{"admins"}},
	{Method: "GET", Path: "/orders/{id}", Function: "orders", Integration: gateway.Proxy},
	{Method: "GET", Path: "/orders/{id}/secret", Function: "orders", Integration: gateway.Proxy, Groups: []string{"admins"}},
	{Method: "DELETE", Path: "/orders/{id}", Function: "orders", Integration: gateway.Proxy, Groups: []string{"admins"}},
}

// recorder is an authorizer that keeps the events it gets and answers
// Allow of the whole stage to TOKEN events and Deny to REQUEST events, the
// answers of a caller in no group.
type recorder struct {
	mu     sync.Mutex
	events []events.APIGatewayCustomAuthorizerRequestTypeRequest
}

func (a *recorder) Invoke(_ context.Context, payload []byte) ([]byte, error) {
	var e events.APIGatewayCustomAuthorizerRequestTypeRequest
	if err := json.Unmarshal(payload, &e); err != nil {
		return nil, err
	}
	a.mu.Lock()
	a.events = append(a.events, e)
	a.mu.Unlock()
	if e.Type == "REQUEST" {
		return []byte(policyAnswer("Deny", stageARN, "Eve")), nil
	}
	return []byte(policyAnswer("Allow", stageARN, "Eve")), nil
}

func (a *recorder) last() events.APIGatewayCustomAuthorizerRequestTypeRequest {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.events[len(a.events)-1]
}

func (a *recorder) count() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.events)
}

func newRestricted(t *testing.T, auth lambda.Handler) *Gateway {
	t.Helper()
	g, err := New(Config{
		Routes: restricted, Authorizer: auth, Functions: map[string]lambda.Handler{"hello": greeter, "orders": echo}, AllowOrigin: origin,
		Region: "eu-central-1", AccountID: "123456789012", APIID: "local0api", Stage: "local",
		logger: slog.New(slog.NewTextHandler(io.Discard, nil)),
	})
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// A restricted route is decided by the REQUEST authorizer, whose event is
// API Gateway's: the matched route's resource and method, the request's
// path, headers and parameters, and the request context naming the route.
// The variants of a request that route to a restricted route reach it with
// the same resource, whatever the methodArn spells.
func TestRestrictedRoutesSendAPIGatewaysRequestEvent(t *testing.T) {
	for _, tt := range []struct {
		method, path, resource, param string
	}{
		{"GET", "/api/orders", "/api/orders", ""},
		{"GET", "/api/orders/", "/api/orders", ""},
		{"GET", "/api/orders/7/secret", "/api/orders/{id}/secret", "7"},
		{"GET", "/api/orders/x:y/secret/", "/api/orders/{id}/secret", "x:y"},
		{"GET", "/api/orders/2026-01-02T03:04:05Z/secret", "/api/orders/{id}/secret", "2026-01-02T03:04:05Z"},
		{"GET", "/api/orders/a%2Fb/secret", "/api/orders/{id}/secret", "a/b"},
		{"DELETE", "/api/orders/7", "/api/orders/{id}", "7"},
	} {
		t.Run(tt.method+" "+tt.path, func(t *testing.T) {
			auth := &recorder{}
			g := newRestricted(t, auth)
			r := httptest.NewRequest(tt.method, "http://localhost:8081"+tt.path+"?q=1", nil)
			r.Header.Set(gateway.AuthorizationHeader, token)
			w := httptest.NewRecorder()
			g.ServeHTTP(w, r)
			if w.Code != http.StatusForbidden || w.Header().Get(CacheHeader) != "miss" {
				t.Fatalf("answer %d (%s), want the REQUEST authorizer's Deny, 403", w.Code, w.Header().Get(CacheHeader))
			}
			e := auth.last()
			c := e.RequestContext
			if e.Type != "REQUEST" || e.Resource != tt.resource || e.HTTPMethod != tt.method || e.Path != r.URL.Path ||
				e.Headers[gateway.AuthorizationHeader] != token || e.QueryStringParameters["q"] != "1" ||
				c.ResourcePath != tt.resource || c.HTTPMethod != tt.method || c.ResourceID == "" || c.Stage != "local" || c.APIID != "local0api" {
				t.Errorf("event %+v, want a REQUEST event for %s %s", e, tt.method, tt.resource)
			}
			if tt.param != "" && e.PathParameters["id"] != tt.param {
				t.Errorf("path parameters %v, want id %q", e.PathParameters, tt.param)
			}
			if want := "arn:aws:execute-api:eu-central-1:123456789012:local0api/local/" + tt.method + "/"; len(e.MethodArn) < len(want) || e.MethodArn[:len(want)] != want {
				t.Errorf("methodArn %q, want it under %s", e.MethodArn, want)
			}
		})
	}
}

// Each authorizer has its own cache keyed by its identity-source values:
// an open route's TOKEN answer (Allow of the whole stage) is never reused
// for a restricted route, and a REQUEST answer only for the same token,
// method and resource, whatever the request's spelling of the path.
func TestEachAuthorizerCachesByItsIdentitySources(t *testing.T) {
	auth := &recorder{}
	g := newRestricted(t, auth)
	for i, c := range []struct {
		method, path string
		code         int
		cache        string
	}{
		{"GET", "/orders/7", 200, "miss"},
		{"GET", "/orders/8", 200, "hit"},
		{"GET", "/orders", 403, "miss"},
		{"GET", "/orders/", 403, "hit"},
		{"GET", "/orders/7/secret", 403, "miss"},
		{"GET", "/orders/8/secret", 403, "hit"},
		{"DELETE", "/orders/7", 403, "miss"},
		{"GET", "/", 200, "hit"},
	} {
		w := do(g, c.method, c.path, token)
		if w.Code != c.code || w.Header().Get(CacheHeader) != c.cache {
			t.Errorf("call %d, %s %s = %d (%s), want %d (%s)", i+1, c.method, c.path, w.Code, w.Header().Get(CacheHeader), c.code, c.cache)
		}
	}
	if auth.count() != 4 {
		t.Errorf("the authorizer ran %d times, want 4: once for the TOKEN answer, once per restricted route", auth.count())
	}
	w := do(g, "GET", "/orders", "Bearer "+token)
	if w.Code != 403 || w.Header().Get(CacheHeader) != "miss" {
		t.Errorf("another Authorization value: %d (%s), want a new REQUEST answer", w.Code, w.Header().Get(CacheHeader))
	}
}

// A request for a restricted route without the REQUEST authorizer's
// identity source, the Authorization header, gets API Gateway's 401 and
// the authorizer does not run. A header that is present reaches it even
// when it is not shaped like a JWT: a REQUEST authorizer has no validation
// expression, and the function answers it.
func TestARestrictedRouteWithoutTheHeaderIs401WithoutTheAuthorizer(t *testing.T) {
	auth := &recorder{}
	g := newRestricted(t, auth)
	w := do(g, "GET", "/orders", "")
	if w.Code != http.StatusUnauthorized || w.Body.String() != string(gateway.ErrorBody(gateway.MessageUnauthorized)) || w.Header().Get(CacheHeader) != "" {
		t.Errorf("no header: %d %s (%s), want 401 Unauthorized without the authorizer", w.Code, w.Body, w.Header().Get(CacheHeader))
	}
	if auth.count() != 0 {
		t.Errorf("the authorizer ran %d times, want 0", auth.count())
	}
	if w := do(g, "GET", "/orders", "not-a-jwt"); w.Code != http.StatusForbidden || auth.count() != 1 {
		t.Errorf("a header that is no JWT: %d, authorizer ran %d times; want this recorder's 403 after one run", w.Code, auth.count())
	}
}
