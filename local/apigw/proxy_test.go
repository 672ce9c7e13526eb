package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"maps"
	"net/http"
	"net/http/httptest"
	"reflect"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"signin/functions/gateway"
)

// echo is a proxy function that answers 200 with its own CORS headers and
// the event it got as the body.
var echo = lambdaFunc(func(_ context.Context, event []byte) ([]byte, error) {
	return json.Marshal(events.APIGatewayProxyResponse{
		StatusCode: 200,
		Headers:    map[string]string{"Access-Control-Allow-Origin": origin, "Vary": "Origin", "Content-Type": "application/json"},
		Body:       string(event),
	})
})

// answering is a proxy function that answers answer, or fails with err.
func answering(answer string, err error) lambda.Handler {
	return lambdaFunc(func(context.Context, []byte) ([]byte, error) { return []byte(answer), err })
}

const stageARN = "arn:aws:execute-api:eu-central-1:123456789012:local0api/local/*/*"

// The proxy event is the one API Gateway builds: the route, the request,
// the path parameters, and the request context with the authorizer's
// principalId and context, every value a string.
func TestProxyEventIsAPIGateways(t *testing.T) {
	var calls atomic.Int32
	answer := `{"principalId":"sub-42","policyDocument":{"Version":"2012-10-17","Statement":[{"Action":"execute-api:Invoke","Effect":"Allow","Resource":"` +
		stageARN + `"}]},"context":{"name":"Ada","email":"ada@example.com","admin":false,"level":3}}`
	g := newGateway(t, authorizerAnswering(t, answer, nil, &calls), greeter)
	r := httptest.NewRequest(http.MethodGet, "http://localhost:8081/api/orders/a%20b?x=1&x=2&y=3", nil)
	r.Header.Set(gateway.AuthorizationHeader, token)
	r.Header.Add("X-Trace", "one")
	r.Header.Add("X-Trace", "two")
	w := httptest.NewRecorder()
	g.ServeHTTP(w, r)
	if w.Code != 200 {
		t.Fatalf("GET /orders/a%%20b = %d %s", w.Code, w.Body)
	}
	var e events.APIGatewayProxyRequest
	if err := json.Unmarshal(w.Body.Bytes(), &e); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ field, got, want string }{
		{"resource", e.Resource, "/api/orders/{id}"},
		{"path", e.Path, "/api/orders/a b"},
		{"httpMethod", e.HTTPMethod, "GET"},
		{"headers.X-Trace", e.Headers["X-Trace"], "two"},
		{"headers.Authorization", e.Headers["Authorization"], token},
		{"queryStringParameters.x", e.QueryStringParameters["x"], "2"},
		{"pathParameters.id", e.PathParameters["id"], "a b"},
		{"requestContext.stage", e.RequestContext.Stage, "local"},
		{"requestContext.resourcePath", e.RequestContext.ResourcePath, "/api/orders/{id}"},
		{"requestContext.httpMethod", e.RequestContext.HTTPMethod, "GET"},
		{"requestContext.accountId", e.RequestContext.AccountID, "123456789012"},
		{"requestContext.apiId", e.RequestContext.APIID, "local0api"},
		{"requestContext.path", e.RequestContext.Path, "/local/api/orders/a b"},
	} {
		if c.got != c.want {
			t.Errorf("%s = %q, want %q", c.field, c.got, c.want)
		}
	}
	if !slices.Equal(e.MultiValueHeaders["X-Trace"], []string{"one", "two"}) || !slices.Equal(e.MultiValueQueryStringParameters["x"], []string{"1", "2"}) {
		t.Errorf("multi-value headers %v and query %v, want every value", e.MultiValueHeaders["X-Trace"], e.MultiValueQueryStringParameters["x"])
	}
	if len(e.RequestContext.RequestID) != 36 {
		t.Errorf("requestId = %q, want a UUID", e.RequestContext.RequestID)
	}
	want := map[string]any{"principalId": "sub-42", "name": "Ada", "email": "ada@example.com", "admin": "false", "level": "3"}
	if !maps.Equal(e.RequestContext.Authorizer, want) {
		t.Errorf("requestContext.authorizer = %v, want %v (every value a string)", e.RequestContext.Authorizer, want)
	}
}

// A proxy function answers status, headers and body itself; the emulation
// adds no CORS headers to it, as API Gateway adds none (pitfall 13).
func TestProxyAnswerIsTheFunctions(t *testing.T) {
	var calls atomic.Int32
	tests := []struct {
		name       string
		answer     string
		wantStatus int
		wantBody   string
		wantHeader http.Header
	}{
		{"status, headers and body", `{"statusCode":201,"headers":{"Content-Type":"text/plain","X-One":"1"},"body":"made"}`,
			201, "made", http.Header{"Content-Type": {"text/plain"}, "X-One": {"1"}}},
		{"multi-value headers win over the same single-value header", `{"statusCode":200,"headers":{"X-A":"single","X-B":"b"},"multiValueHeaders":{"X-A":["1","2"]},"body":""}`,
			200, "", http.Header{"X-A": {"1", "2"}, "X-B": {"b"}}},
		{"a base64 body is decoded", `{"statusCode":200,"isBase64Encoded":true,"body":"aGk="}`,
			200, "hi", http.Header{}},
		{"no CORS headers are added to the function's answer", `{"statusCode":200,"body":"{}"}`,
			200, "{}", http.Header{"Access-Control-Allow-Origin": nil}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := newGatewayWith(t, authorizerAnswering(t, policyAnswer("Allow", stageARN, "Ada"), nil, &calls),
				map[string]lambda.Handler{"hello": greeter, "me": answering(tt.answer, nil), "orders": echo})
			w := do(g, http.MethodGet, "/me", token)
			if w.Code != tt.wantStatus || w.Body.String() != tt.wantBody {
				t.Errorf("GET /me = %d %q, want %d %q", w.Code, w.Body, tt.wantStatus, tt.wantBody)
			}
			for k, want := range tt.wantHeader {
				if got := w.Header().Values(k); !slices.Equal(got, want) {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
		})
	}
}

// Pitfall 13: a proxy function's error, panic or malformed answer is API
// Gateway's 502 {"message": "Internal server error"}, with the CORS headers
// of its gateway responses; a function that cannot be invoked, 500.
func TestProxyFailuresAre502WithCORS(t *testing.T) {
	tests := []struct {
		name       string
		fn         lambda.Handler
		wantStatus int
	}{
		{"the function returns an error", answering(`{"errorMessage":"boom","errorType":"errorString"}`,
			&messages.InvokeResponse_Error{Type: "errorString", Message: "boom"}), 502},
		{"the function panics", answering("", &messages.InvokeResponse_Error{Type: "Runtime.ExitError", Message: "exit status 2"}), 502},
		{"the answer is not JSON", answering("Hello", nil), 502},
		{"the answer is null", answering("null", nil), 502},
		{"the answer has no statusCode", answering(`{"body":"x"}`, nil), 502},
		{"the statusCode is a string", answering(`{"statusCode":"200","body":"x"}`, nil), 502},
		{"the body is not a string", answering(`{"statusCode":200,"body":{"a":1}}`, nil), 502},
		{"the base64 body is not base64", answering(`{"statusCode":200,"isBase64Encoded":true,"body":"%%%"}`, nil), 502},
		{"the function cannot be invoked", answering("", errors.New("connection refused")), 500},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var calls atomic.Int32
			g := newGatewayWith(t, authorizerAnswering(t, policyAnswer("Allow", stageARN, "Ada"), nil, &calls),
				map[string]lambda.Handler{"hello": greeter, "me": tt.fn, "orders": echo})
			w := do(g, http.MethodGet, "/me", token)
			if w.Code != tt.wantStatus || w.Body.String() != `{"message":"Internal server error"}` {
				t.Errorf("GET /me = %d %s, want %d {\"message\":\"Internal server error\"}", w.Code, w.Body, tt.wantStatus)
			}
			if got := w.Header().Get("Access-Control-Allow-Origin"); got != origin {
				t.Errorf("Access-Control-Allow-Origin = %q on the %d, want %q", got, w.Code, origin)
			}
		})
	}
}

// Pitfall 2: the authorizer's policy covers the stage, so the answer it
// gave for GET / serves GET /me from the cache too.
func TestOneTokenServesEveryRouteFromTheCache(t *testing.T) {
	var calls atomic.Int32
	g := newGateway(t, authorizerAnswering(t, policyAnswer("Allow", stageARN, "Ada"), nil, &calls), greeter)
	for i, c := range []struct{ path, cache string }{{"/", "miss"}, {"/me", "hit"}, {"/orders/7", "hit"}} {
		w := do(g, http.MethodGet, c.path, token)
		if w.Code != 200 || w.Header().Get(CacheHeader) != c.cache {
			t.Errorf("call %d, GET %s = %d with %s %q, want 200 and %q", i+1, c.path, w.Code, CacheHeader, w.Header().Get(CacheHeader), c.cache)
		}
	}
	if calls.Load() != 1 {
		t.Errorf("the authorizer ran %d times, want 1", calls.Load())
	}
}

// A policy for one method only (what pitfall 2 warns of) denies the next
// route from the cache, as API Gateway does.
func TestAMethodScopedPolicyDeniesTheNextRoute(t *testing.T) {
	var calls atomic.Int32
	onlyRoot := "arn:aws:execute-api:eu-central-1:123456789012:local0api/local/GET/api"
	g := newGateway(t, authorizerAnswering(t, policyAnswer("Allow", onlyRoot, "Ada"), nil, &calls), greeter)
	if w := do(g, http.MethodGet, "/", token); w.Code != 200 {
		t.Fatalf("GET / = %d %s", w.Code, w.Body)
	}
	w := do(g, http.MethodGet, "/me", token)
	if w.Code != 403 || w.Header().Get(CacheHeader) != "hit" {
		t.Errorf("GET /me = %d (%s), want 403 from the cached policy", w.Code, w.Header().Get(CacheHeader))
	}
}

// served probes g for every method on every path of table (a path
// parameter given the value "p1") and returns the routes it serves: the
// method and path that reached a function, the function that ran and the
// integration its event shows.
func served(t *testing.T, table gateway.Table, functions []string, build func(map[string]lambda.Handler) http.Handler) gateway.Table {
	t.Helper()
	ran := ""
	handlers := map[string]lambda.Handler{}
	for _, name := range functions {
		handlers[name] = lambdaFunc(func(ctx context.Context, event []byte) ([]byte, error) {
			ran = name
			return echo.Invoke(ctx, event)
		})
	}
	h := build(handlers)
	var got gateway.Table
	for _, path := range table.Paths() {
		concrete := strings.ReplaceAll(strings.ReplaceAll(path, "{", ""), "}", "")
		for _, method := range gateway.Methods {
			ran = ""
			w := do(h, method, concrete, token)
			if w.Code == http.StatusForbidden && w.Body.String() == string(gateway.ErrorBody(gateway.MessageMissingAuthenticationToken)) {
				continue
			}
			kind := gateway.Template
			if strings.Contains(w.Body.String(), `"requestContext"`) {
				kind = gateway.Proxy
			}
			got = append(got, gateway.Route{Method: method, Path: path, Function: ran, Integration: kind})
		}
	}
	return got
}

// What the emulation serves is the route table, route for route: probing
// every method on every routed path finds exactly the table's (method,
// path, function, kind). infra's TestDeclaredRoutesAreTheRouteTable checks
// the same of what the Pulumi program declares.
func TestServedRoutesAreTheRouteTable(t *testing.T) {
	for _, table := range []gateway.Table{gateway.Routes, routes} {
		got := served(t, table, table.Functions()[1:], func(fns map[string]lambda.Handler) http.Handler {
			g, err := New(Config{Routes: table, Authorizer: answering(policyAnswer("Allow", stageARN, "Ada"), nil), Functions: fns,
				AllowOrigin: origin, Region: "eu-central-1", AccountID: "123456789012", APIID: "local0api", Stage: "local"})
			if err != nil {
				t.Fatal(err)
			}
			if !slices.EqualFunc(g.Routes(), table, sameRoute) {
				t.Errorf("Routes() = %v, want the table %v", g.Routes(), table)
			}
			return g
		})
		// A probe sees a route's method, path, function and kind, not its
		// groups (Routes() above holds them): it is held to the table's
		// routes without them.
		want := slices.SortedFunc(slices.Values(withoutGroups(table)), compareRoutes)
		if got = slices.SortedFunc(slices.Values(got), compareRoutes); !slices.EqualFunc(got, want, sameRoute) {
			t.Errorf("the emulation serves\n%v\nthe route table is\n%v", got, want)
		}
	}
}

// withoutGroups returns the routes of table with no groups.
func withoutGroups(table gateway.Table) gateway.Table {
	out := slices.Clone(table)
	for i := range out {
		out[i].Groups = nil
	}
	return out
}

// sameRoute reports whether two routes are the same, groups included.
func sameRoute(a, b gateway.Route) bool { return reflect.DeepEqual(a, b) }

func compareRoutes(a, b gateway.Route) int {
	return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method)
}
