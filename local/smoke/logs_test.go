package smoke

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// deployedAPI is the address the access log tests call: an execute-api
// name, which the test client routes to a local server.
const deployedAPI = "http://a1b2c3d4e5.execute-api.eu-central-1.amazonaws.com/prod/"

// cloudWatchLogs plays CloudWatch Logs' FilterLogEvents (JSON 1.1) for the
// SDK's client: answer returns the events' messages of the nth search, or
// an error type.
func cloudWatchLogs(t *testing.T, answer func(n int, pattern string) ([]string, string)) *httptest.Server {
	var calls atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		if got := req.Header.Get("X-Amz-Target"); got != "Logs_20140328.FilterLogEvents" {
			t.Errorf("CloudWatch Logs called with %s", got)
		}
		var in struct{ LogGroupName, FilterPattern string }
		body, _ := io.ReadAll(req.Body)
		if err := json.Unmarshal(body, &in); err != nil {
			t.Errorf("request body %s: %v", body, err)
		}
		if in.LogGroupName != "/aws/apigateway/signin-prod-access-1" {
			t.Errorf("searched %q", in.LogGroupName)
		}
		messages, errType := answer(int(calls.Add(1)), in.FilterPattern)
		w.Header().Set("Content-Type", "application/x-amz-json-1.1")
		if errType != "" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprintf(w, `{"__type":%q,"message":"not allowed"}`, errType)
			return
		}
		var events []map[string]any
		for _, m := range messages {
			events = append(events, map[string]any{"message": m, "timestamp": time.Now().UnixMilli(), "logStreamName": "s"})
		}
		_ = json.NewEncoder(w).Encode(map[string]any{"events": events})
	}))
	t.Cleanup(srv.Close)
	return srv
}

// accessLogRun returns a run against deployedAPI, served by api, reading the
// log from logs.
func accessLogRun(t *testing.T, api http.Handler, logs *httptest.Server, out io.Writer) *run {
	apiServer := httptest.NewServer(api)
	t.Cleanup(apiServer.Close)
	client := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return (&net.Dialer{}).DialContext(ctx, network, apiServer.Listener.Addr().String())
		},
	}}
	u, _ := url.Parse(deployedAPI)
	cfg := aws.Config{
		Region:       "eu-central-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint: aws.String(logs.URL),
	}
	return &run{
		ctx: context.Background(), client: client, out: out, api: u,
		accessLogGroup: "/aws/apigateway/signin-prod-access-1", aws: &cfg,
		logWait: 300 * time.Millisecond, logPoll: 20 * time.Millisecond,
	}
}

// unauthorized answers 401 as API Gateway does, with the request's ID.
func unauthorized(id string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		if id != "" {
			w.Header().Set(requestIDHeader, id)
		}
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write([]byte(`{"message":"Unauthorized"}`))
	})
}

// The smoke test finds its own request in the access log, by the request
// ID API Gateway answers with, within the wait, or fails; it skips, saying
// why, when it cannot read the log.
func TestAccessLogCheck(t *testing.T) {
	const id = "c0ffee00-0000-4000-8000-000000000001"
	line := func(status string) string {
		return fmt.Sprintf(`{"requestId":%q,"httpMethod":"GET","resourcePath":"/","status":%q}`, id, status)
	}
	for _, c := range []struct {
		name    string
		id      string
		answer  func(n int, pattern string) ([]string, string)
		want    outcome
		wantDet string
	}{
		{"logged after a while", id, func(n int, pattern string) ([]string, string) {
			if pattern != `{ $.requestId = "`+id+`" }` {
				return nil, "InvalidParameterException"
			}
			if n < 3 {
				return nil, ""
			}
			return []string{line("401")}, ""
		}, pass, "request " + id + " (GET, 401) is in /aws/apigateway/signin-prod-access-1"},
		{"never logged", id, func(int, string) ([]string, string) { return nil, "" }, fail, "is not in /aws/apigateway/signin-prod-access-1 after 300ms"},
		{"logged with another status", id, func(int, string) ([]string, string) { return []string{line("200")}, "" }, fail, "logged as GET 200, want GET 401"},
		{"not allowed to read the log", id, func(int, string) ([]string, string) { return nil, "AccessDeniedException" }, skip, "cannot read /aws/apigateway/signin-prod-access-1"},
		{"an answer without its request ID", "", func(int, string) ([]string, string) { return nil, "" }, fail, "without the x-amzn-RequestId header"},
	} {
		t.Run(c.name, func(t *testing.T) {
			var out strings.Builder
			r := accessLogRun(t, unauthorized(c.id), cloudWatchLogs(t, c.answer), &out)
			r.checkAccessLog()
			if len(r.results) != 1 {
				t.Fatalf("%d results: %s", len(r.results), out.String())
			}
			if got := r.results[0]; got.status != c.want || !strings.Contains(got.detail, c.wantDet) {
				t.Errorf("got %s, want %s with %q", got, c.want, c.wantDet)
			}
		})
	}
}

// Without a log group, or against make dev, the check says why it skips.
func TestAccessLogCheckSkipsWithAReason(t *testing.T) {
	logs := cloudWatchLogs(t, func(int, string) ([]string, string) {
		t.Error("CloudWatch Logs was called")
		return nil, ""
	})
	r := accessLogRun(t, unauthorized("x"), logs, io.Discard)
	r.accessLogGroup = ""
	r.checkAccessLog()
	local := accessLogRun(t, unauthorized("x"), logs, io.Discard)
	local.api, _ = url.Parse("http://localhost:8081/")
	local.checkAccessLog()
	results := append(r.results, local.results...)
	if len(results) != 2 {
		t.Fatalf("got %d results, want 2", len(results))
	}
	for i, want := range []string{"no access log group: the stack output accessLogGroup exists when apiLogging is on", "a local API writes no access log"} {
		if res := results[i]; res.status != skip || !strings.Contains(res.detail, want) {
			t.Errorf("got %s, want SKIP with %q", res, want)
		}
	}
}

// The report names the dashboard, and refuses an address outside the AWS
// console.
func TestDashboardCheck(t *testing.T) {
	for _, c := range []struct {
		url  string
		want outcome
	}{
		{"https://eu-central-1.console.aws.amazon.com/cloudwatch/home?region=eu-central-1#dashboards/dashboard/signin-prod", pass},
		{"", skip},
		{"https://evil.example.com/cloudwatch", fail},
	} {
		r := &run{out: io.Discard, dashboardURL: c.url}
		r.checkDashboard()
		if got := r.results[0]; got.status != c.want {
			t.Errorf("%q: got %s, want %s", c.url, got, c.want)
		}
	}
}

func TestAPIRegion(t *testing.T) {
	for raw, want := range map[string]string{
		deployedAPI:                  "eu-central-1",
		"https://api.example.com/":   "",
		"http://localhost:8081/":     "",
		"https://x.execute-api.com/": "",
	} {
		u, _ := url.Parse(raw)
		if got := apiRegion(u); got != want {
			t.Errorf("apiRegion(%s) = %q, want %q", raw, got, want)
		}
	}
}
