package smoke

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"

	"signin/site"
)

// How long the access log check waits for its request's line, and how often
// it looks: API Gateway delivers access logs within seconds to a minute.
const (
	accessLogWait = time.Minute
	accessLogPoll = 5 * time.Second
)

// credentialsTimeout bounds the search for AWS credentials, which ends
// asking an instance metadata service that may not answer.
const credentialsTimeout = 10 * time.Second

// requestIDHeader is the header of API Gateway's answers that carries the
// request's ID, the access log's requestId.
const requestIDHeader = "x-amzn-RequestId"

// checkDashboard reports the deployment's CloudWatch dashboard.
func (r *run) checkDashboard() {
	const name = "dashboard"
	u, err := url.Parse(r.dashboardURL)
	switch {
	case r.dashboardURL == "":
		r.skip(name, "no dashboard address: the stack output %s, or DASHBOARD_URL (make dev has none)", site.OutputDashboardURL)
	case err != nil || u.Scheme != "https" || !strings.HasSuffix(u.Host, ".console.aws.amazon.com"):
		r.fail(name, "%q is not an address in the AWS console", r.dashboardURL)
	default:
		r.pass(name, "%s", r.dashboardURL)
	}
}

// accessLogLine is what the check reads of an access log line.
type accessLogLine struct {
	RequestID  string `json:"requestId"`
	HTTPMethod string `json:"httpMethod"`
	Status     string `json:"status"`
}

// checkAccessLog makes a request without a token and waits up to
// accessLogWait for its line in the API's access log, when the log group is
// known and CloudWatch Logs can be reached; otherwise it says why it skips.
func (r *run) checkAccessLog() {
	const name = "api access log"
	if r.accessLogGroup == "" {
		r.skip(name, "no access log group: the stack output %s exists when apiLogging is on, or set ACCESS_LOG_GROUP", site.OutputAccessLogGroup)
		return
	}
	if isLocal(r.api) {
		r.skip(name, "a local API writes no access log")
		return
	}
	cfg, err := r.awsConfig()
	if err != nil {
		r.skip(name, "cannot reach CloudWatch Logs: %v", err)
		return
	}
	resp, err := r.do(http.MethodGet, r.api, nil)
	if err != nil {
		r.fail(name, "%v", err)
		return
	}
	id := resp.header.Get(requestIDHeader)
	if id == "" {
		r.fail(name, "GET %s = %d without the %s header to find it by", r.api, resp.status, requestIDHeader)
		return
	}
	logs := cloudwatchlogs.NewFromConfig(cfg)
	sent := time.Now()
	input := &cloudwatchlogs.FilterLogEventsInput{
		LogGroupName:  aws.String(r.accessLogGroup),
		FilterPattern: aws.String(fmt.Sprintf(`{ $.requestId = %q }`, id)),
		StartTime:     aws.Int64(sent.Add(-accessLogWait).UnixMilli()),
	}
	for {
		line, found, err := findLine(r, logs, input)
		switch {
		case err != nil:
			r.skip(name, "cannot read %s: %v", r.accessLogGroup, err)
			return
		case found && (line.HTTPMethod != http.MethodGet || line.Status != strconv.Itoa(resp.status)):
			r.fail(name, "request %s is logged as %s %s, want GET %d", id, line.HTTPMethod, line.Status, resp.status)
			return
		case found:
			r.pass(name, "request %s (GET, %d) is in %s after %s", id, resp.status, r.accessLogGroup, time.Since(sent).Round(time.Second))
			return
		case time.Since(sent) >= r.logWait:
			r.fail(name, "request %s is not in %s after %s", id, r.accessLogGroup, r.logWait)
			return
		}
		select {
		case <-r.ctx.Done():
			r.fail(name, "request %s: %v", id, r.ctx.Err())
			return
		case <-time.After(r.logPoll):
		}
	}
}

// findLine returns the first line input matches, read as an access log line.
func findLine(r *run, logs *cloudwatchlogs.Client, input *cloudwatchlogs.FilterLogEventsInput) (accessLogLine, bool, error) {
	pages := cloudwatchlogs.NewFilterLogEventsPaginator(logs, input)
	for pages.HasMorePages() {
		page, err := pages.NextPage(r.ctx)
		if err != nil {
			return accessLogLine{}, false, err
		}
		for _, e := range page.Events {
			var line accessLogLine
			if err := json.Unmarshal([]byte(aws.ToString(e.Message)), &line); err != nil {
				return accessLogLine{}, false, fmt.Errorf("a line that is not JSON: %w", err)
			}
			return line, true, nil
		}
	}
	return accessLogLine{}, false, nil
}

// awsConfig returns the AWS configuration to read the log with: the run's,
// or the default one (environment, shared files, ...) in the API's region
// when its address names one, with credentials at hand.
func (r *run) awsConfig() (aws.Config, error) {
	if r.aws != nil {
		return *r.aws, nil
	}
	var opts []func(*awsconfig.LoadOptions) error
	if region := apiRegion(r.api); region != "" {
		opts = append(opts, awsconfig.WithRegion(region))
	}
	cfg, err := awsconfig.LoadDefaultConfig(r.ctx, opts...)
	if err != nil {
		return aws.Config{}, err
	}
	if cfg.Region == "" {
		return aws.Config{}, errors.New("no AWS region: set AWS_REGION")
	}
	ctx, cancel := context.WithTimeout(r.ctx, credentialsTimeout)
	defer cancel()
	if _, err := cfg.Credentials.Retrieve(ctx); err != nil {
		return aws.Config{}, fmt.Errorf("no AWS credentials: %w", err)
	}
	return cfg, nil
}

// apiRegion returns the region of an execute-api address
// (<id>.execute-api.<region>.amazonaws.com), or "" for another.
func apiRegion(api *url.URL) string {
	parts := strings.Split(api.Hostname(), ".")
	if len(parts) == 5 && parts[1] == "execute-api" && parts[3] == "amazonaws" && parts[4] == "com" {
		return parts[2]
	}
	return ""
}
