// Package dashboard declares the stack's CloudWatch dashboard: the API's
// requests, 4XX and 5XX answers and latency percentiles, the authorizer's
// decisions by outcome (from its own JSON log lines, through Logs Insights),
// each function's invocations, errors, throttles, duration and cold starts,
// and, with the access log, each route's answers by status.
//
// The body is generated from the route table and its function list, so a
// route or function added to the table appears without editing anything
// here.
package dashboard

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"signin/functions/authorizer"
	"signin/functions/gateway"
)

// Grid of the dashboard: CloudWatch's is 24 units wide.
const (
	fullWidth   = 24
	halfWidth   = 12
	thirdWidth  = 8
	graphHeight = 6
	textHeight  = 2
	// period of the metric graphs, in seconds.
	period = 300
)

// Function is one deployed function, as the dashboard names it.
type Function struct {
	// Name is the function's name in the route table, such as hello.
	Name string
	// FunctionName is the deployed Lambda function's name.
	FunctionName string
	// LogGroup is the function's log group.
	LogGroup string
}

// Spec is what the dashboard shows, every name resolved.
type Spec struct {
	// Title heads the dashboard, such as signin/dev.
	Title string
	// Region is the stack's region.
	Region string
	// APIName and Stage name the REST API's stage.
	APIName, Stage string
	// Routes is the route table.
	Routes gateway.Table
	// Functions are every function of the route table, the authorizer
	// included.
	Functions []Function
	// AccessLogGroup is the API's access log group, or "" when the access
	// log is off.
	AccessLogGroup string
	// LogLevel is the functions' application log level: above INFO, the
	// authorizer's allow, deny and unauthorized decisions are not logged.
	LogLevel string
	// SystemLogLevel is the functions' system log level: Lambda writes its
	// platform.report, which carries a cold start's init duration, only at
	// INFO or DEBUG.
	SystemLogLevel string
}

// widget is one widget of a dashboard body.
type widget struct {
	Type       string         `json:"type"`
	X          int            `json:"x"`
	Y          int            `json:"y"`
	Width      int            `json:"width"`
	Height     int            `json:"height"`
	Properties map[string]any `json:"properties"`
}

// layout places widgets left to right, in rows.
type layout struct {
	widgets []widget
	x, y    int
	row     int
}

func (l *layout) add(width, height int, typ string, props map[string]any) {
	if l.x+width > fullWidth {
		l.x, l.y = 0, l.y+l.row
		l.row = 0
	}
	l.widgets = append(l.widgets, widget{Type: typ, X: l.x, Y: l.y, Width: width, Height: height, Properties: props})
	l.x += width
	l.row = max(l.row, height)
}

// newline starts a new row.
func (l *layout) newline() {
	if l.x > 0 {
		l.x, l.y, l.row = 0, l.y+l.row, 0
	}
}

func (l *layout) text(markdown string) {
	l.newline()
	l.add(fullWidth, textHeight, "text", map[string]any{"markdown": markdown})
	l.newline()
}

func (l *layout) metrics(width int, title string, s Spec, stat string, metrics ...[]any) {
	l.add(width, graphHeight, "metric", map[string]any{
		"title":   title,
		"region":  s.Region,
		"view":    "timeSeries",
		"stacked": false,
		"period":  period,
		"stat":    stat,
		"metrics": metrics,
	})
}

func (l *layout) logs(width int, title string, s Spec, view string, groups []string, query string) {
	sources := make([]string, len(groups))
	for i, g := range groups {
		sources[i] = "SOURCE '" + g + "'"
	}
	l.add(width, graphHeight, "log", map[string]any{
		"title":  title,
		"region": s.Region,
		"view":   view,
		"query":  strings.Join(sources, " | ") + " | " + query,
	})
}

// Body returns the dashboard's JSON body for s.
func Body(s Spec) (string, error) {
	if len(s.Functions) == 0 {
		return "", fmt.Errorf("dashboard: no functions")
	}
	var l layout
	l.text(fmt.Sprintf("# %s\nThe API's stage %s, %d routes and %d functions. [Alarms](#alarmsV2:) · [Logs Insights](#logsV2:logs-insights)", s.Title, s.Stage, len(s.Routes), len(s.Functions)))
	api := func(metric, label, stat string) []any {
		return []any{"AWS/ApiGateway", metric, "ApiName", s.APIName, "Stage", s.Stage, map[string]string{"label": label, "stat": stat}}
	}
	l.metrics(halfWidth, "API: requests, 4XX and 5XX", s, "Sum",
		api("Count", "requests", "Sum"), api("4XXError", "4XX", "Sum"), api("5XXError", "5XX", "Sum"))
	l.metrics(halfWidth, "API: latency", s, "p50",
		api("Latency", "p50", "p50"), api("Latency", "p90", "p90"), api("Latency", "p99", "p99"))

	auth, ok := s.function(gateway.AuthorizerFunction)
	if !ok {
		return "", fmt.Errorf("dashboard: no %s function", gateway.AuthorizerFunction)
	}
	decisions := "Authorizer: decisions by outcome"
	if s.LogLevel == "WARN" || s.LogLevel == "ERROR" {
		decisions += fmt.Sprintf(" (logLevel %s logs only the errors: allow, deny and unauthorized are not counted)", s.LogLevel)
	}
	outcome := authorizer.LogKeyOutcome
	l.logs(halfWidth, decisions, s, "bar", []string{auth.LogGroup},
		fmt.Sprintf("filter ispresent(%s) | stats count(*) as decisions by %s", outcome, outcome))
	l.logs(halfWidth, "Authorizer: decisions by outcome and reason", s, "table", []string{auth.LogGroup},
		fmt.Sprintf("filter ispresent(%s) | stats count(*) as decisions by %s, reason | sort decisions desc", outcome, outcome))

	l.text("## Routes")
	if s.AccessLogGroup == "" {
		l.text("Each route's answers come from the API's access log, which is off: turn it on with `pulumi config set apiLogging true` (see docs/operations.md).")
	}
	for _, r := range s.Routes {
		if s.AccessLogGroup != "" {
			// The access log records the route's resource path in API
			// Gateway, under gateway.Prefix (a test of the program checks
			// it is where the API declares the route).
			filter := fmt.Sprintf("filter httpMethod = %q and resourcePath = %q", r.Method, r.ResourcePath())
			l.logs(halfWidth, label(r)+" ("+r.Function+"): answers by status", s, "bar", []string{s.AccessLogGroup},
				filter+" | stats count(*) as requests by status")
			l.logs(halfWidth, label(r)+": latency (ms)", s, "timeSeries", []string{s.AccessLogGroup},
				filter+" | stats avg(integrationLatency) as integration, avg(authorizerLatency) as authorizer by bin(5m)")
		}
	}

	l.text("## Functions")
	for _, fn := range s.Functions {
		title := fn.Name
		if served := s.served(fn.Name); served != "" {
			title += " (" + served + ")"
		}
		lambda := func(metric, label, stat string) []any {
			return []any{"AWS/Lambda", metric, "FunctionName", fn.FunctionName, map[string]string{"label": label, "stat": stat}}
		}
		l.newline()
		l.metrics(thirdWidth, title+": invocations, errors, throttles", s, "Sum",
			lambda("Invocations", "invocations", "Sum"), lambda("Errors", "errors", "Sum"), lambda("Throttles", "throttles", "Sum"))
		l.metrics(thirdWidth, title+": duration (ms)", s, "p50",
			lambda("Duration", "p50", "p50"), lambda("Duration", "p99", "p99"), lambda("Duration", "max", "Maximum"))
		if s.SystemLogLevel != "INFO" && s.SystemLogLevel != "DEBUG" {
			l.add(thirdWidth, graphHeight, "text", map[string]any{"markdown": fmt.Sprintf(
				"**%s: cold starts cannot be counted.** Lambda logs its platform.report, with a cold start's init duration, only at system log level INFO or DEBUG; this function's is %s.", title, s.SystemLogLevel)})
			continue
		}
		l.logs(thirdWidth, title+": cold starts and init duration (ms)", s, "timeSeries", []string{fn.LogGroup},
			`filter type = "platform.report" and ispresent(record.metrics.initDurationMs) | stats count(*) as coldStarts, avg(record.metrics.initDurationMs) as avgInit, max(record.metrics.initDurationMs) as maxInit by bin(1h)`)
	}
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(map[string]any{"widgets": l.widgets}); err != nil {
		return "", fmt.Errorf("dashboard: %w", err)
	}
	return strings.TrimSuffix(b.String(), "\n"), nil
}

// function returns the function named name.
func (s Spec) function(name string) (Function, bool) {
	i := slices.IndexFunc(s.Functions, func(f Function) bool { return f.Name == name })
	if i < 0 {
		return Function{}, false
	}
	return s.Functions[i], true
}

// served lists the routes the function name serves, such as "GET /me".
func (s Spec) served(name string) string {
	var routes []string
	for _, r := range s.Routes {
		if r.Function == name {
			routes = append(routes, label(r))
		}
	}
	return strings.Join(routes, ", ")
}

// label names a route by method and path, such as GET /me.
func label(r gateway.Route) string { return r.Method + " " + r.Path }
