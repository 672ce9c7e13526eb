package dashboard

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"signin/functions/gateway"
)

// spec returns a dashboard of the route table routes, its functions'
// names and log groups derived from theirs.
func spec(routes gateway.Table, accessLog string) Spec {
	s := Spec{
		Title: "signin/dev", Region: "eu-central-1", APIName: "api-0a1b2c3", Stage: "dev",
		Routes: routes, AccessLogGroup: accessLog, LogLevel: "INFO", SystemLogLevel: "INFO",
	}
	for _, name := range routes.Functions() {
		s.Functions = append(s.Functions, Function{Name: name, FunctionName: name + "-0a1b2c3", LogGroup: "/aws/lambda/" + name + "-0a1b2c3"})
	}
	return s
}

// widgets parses a body into its widgets.
func widgets(t *testing.T, s Spec) []widget {
	t.Helper()
	body, err := Body(s)
	if err != nil {
		t.Fatal(err)
	}
	var parsed struct{ Widgets []widget }
	if err := json.Unmarshal([]byte(body), &parsed); err != nil {
		t.Fatalf("the body is not JSON: %v", err)
	}
	return parsed.Widgets
}

// find returns the widgets whose title, query or text contain every part.
func find(ws []widget, parts ...string) []widget {
	var out []widget
	for _, w := range ws {
		text := fmt.Sprint(w.Properties["title"], w.Properties["query"], w.Properties["markdown"], w.Properties["metrics"])
		if all(text, parts) {
			out = append(out, w)
		}
	}
	return out
}

func all(text string, parts []string) bool {
	for _, p := range parts {
		if !strings.Contains(text, p) {
			return false
		}
	}
	return true
}

// A route or function added to the route table appears on the dashboard
// with no edit of it: every function gets its invocations, errors,
// throttles, duration and cold starts, titled with the routes it serves,
// and, with the access log, every route its answers and latency.
func TestDashboardFollowsTheRouteTable(t *testing.T) {
	// A function the route table does not have yet, with two routes.
	const added = "added-by-the-test"
	routes := append(gateway.Table{}, gateway.Routes...)
	routes = append(routes,
		gateway.Route{Method: "POST", Path: "/added/{id}", Function: added, Integration: gateway.Proxy},
		gateway.Route{Method: "DELETE", Path: "/added/{id}", Function: added, Integration: gateway.Proxy},
	)
	ws := widgets(t, spec(routes, "/aws/apigateway/signin-dev-access-0a1b2c3"))
	for _, name := range routes.Functions() {
		for _, metric := range []string{"Invocations", "Errors", "Throttles", "Duration"} {
			if len(find(ws, "AWS/Lambda", metric, name+"-0a1b2c3")) != 1 {
				t.Errorf("function %s: no %s graph", name, metric)
			}
		}
		if len(find(ws, "SOURCE '/aws/lambda/"+name+"-0a1b2c3'", `type = "platform.report"`, "record.metrics.initDurationMs")) != 1 {
			t.Errorf("function %s: no cold start query", name)
		}
	}
	if len(find(ws, added+" (POST /added/{id}, DELETE /added/{id}): invocations")) != 1 {
		t.Errorf("the %s function's title does not name its routes", added)
	}
	for _, r := range routes {
		filter := fmt.Sprintf("filter httpMethod = %q and resourcePath = %q", r.Method, r.ResourcePath())
		if got := len(find(ws, "SOURCE '/aws/apigateway/signin-dev-access-0a1b2c3'", filter)); got != 2 {
			t.Errorf("route %s: %d access log widgets, want its answers by status and its latency", r, got)
		}
	}
	// Widgets never overlap.
	for i, a := range ws {
		for _, b := range ws[i+1:] {
			if a.X < b.X+b.Width && b.X < a.X+a.Width && a.Y < b.Y+b.Height && b.Y < a.Y+a.Height {
				t.Errorf("widgets %v and %v overlap", a.Properties["title"], b.Properties["title"])
			}
		}
	}
}

// The API's requests, 4XX, 5XX and latency percentiles, and the
// authorizer's decisions by outcome from its own log lines.
func TestDashboardShowsTheAPIAndTheAuthorizersDecisions(t *testing.T) {
	ws := widgets(t, spec(gateway.Routes, ""))
	for _, m := range [][]string{{"Count"}, {"4XXError"}, {"5XXError"}, {"Latency", "p50"}, {"Latency", "p90"}, {"Latency", "p99"}} {
		if len(find(ws, append([]string{"AWS/ApiGateway", "ApiName api-0a1b2c3 Stage dev"}, m...)...)) == 0 {
			t.Errorf("no API graph of %v", m)
		}
	}
	if len(find(ws, "SOURCE '/aws/lambda/authorizer-0a1b2c3'", "stats count(*) as decisions by outcome")) == 0 {
		t.Error("no query of the authorizer's decisions by outcome")
	}
	if len(find(ws, "apiLogging")) != 1 {
		t.Error("without the access log, the dashboard does not say how to see each route's answers")
	}
}

// Where the logs cannot show something, the dashboard says so instead of
// showing an empty graph: cold starts below system log level INFO, the
// authorizer's non-error decisions above application log level INFO.
func TestDashboardSaysWhatItCannotCount(t *testing.T) {
	s := spec(gateway.Routes, "")
	s.SystemLogLevel = "WARN"
	s.LogLevel = "ERROR"
	ws := widgets(t, s)
	for _, name := range gateway.Routes.Functions() {
		if len(find(ws, name, "cold starts cannot be counted", "INFO or DEBUG")) != 1 {
			t.Errorf("function %s: the dashboard does not say its cold starts cannot be counted", name)
		}
	}
	if len(find(ws, `type = "platform.report"`)) != 0 {
		t.Error("a cold start query remains although Lambda does not log platform.report")
	}
	if len(find(ws, "logLevel ERROR logs only the errors")) == 0 {
		t.Error("the decisions graph does not say that allow, deny and unauthorized go unlogged")
	}
}
