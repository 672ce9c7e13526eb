// Package smoke checks a running deployment of the sign-in page and its API
// from outside, over HTTP, as a browser and the page use them: the page,
// the configuration in it and its security headers; the API at its own
// address (without a token, for a foreign origin, to a preflight, for an
// unknown path) and on the site's origin under gateway.Prefix, where
// CloudFront must forward it (the API's own 401, the API's own 403 rather
// than the page); with an ID token, the greeting through both and GET /me;
// and, for a deployed stack, its dashboard's address and that a request
// appears in the API's access log (read with the AWS SDK when credentials
// are at hand).
//
// Every expectation comes from the definitions the deployment is built
// from: the page's headers from signin/site, the API's messages, CORS
// headers and token header from signin/functions/gateway, the greeting
// from signin/functions/hello. So a check fails only when the running
// deployment differs from the code that declares it.
//
// The deployed site is served over HTTPS and must send
// Strict-Transport-Security. Plain HTTP is allowed on localhost only (the
// offline stack of `make dev`), where the site must not send that header:
// browsers ignore it there (RFC 6797, section 8.1).
package smoke

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"

	"signin/functions/authorizer"
	"signin/functions/gateway"
	"signin/site"
)

// Config says which deployment to check and how.
type Config struct {
	// SiteURL is the page's address, such as
	// https://d111111abcdef8.cloudfront.net/.
	SiteURL string
	// APIURL is the API's own address, its stage's gateway.Prefix, such as
	// https://abc123.execute-api.eu-central-1.amazonaws.com/dev/api.
	APIURL string
	// Token is an ID token to call the API with. Empty means one minted by
	// the development identity provider (IDPURL), or none.
	Token string
	// Workloads and Groups are the stack's configuration's: a Token that is
	// a workload's (its audience and claims match) is checked as that
	// workload, its name, its groups and a route restricted to them.
	Workloads authorizer.Workloads
	Groups    authorizer.Groups
	// Repository is the GitHub repository that deploys the stack
	// (owner/name, GITHUB_REPOSITORY), which the skip without a token names
	// in the commands that declare it a workload.
	Repository string
	// IDPURL is the development identity provider to mint a token from.
	// Empty means the one the page names as its sign-in script, when the
	// site runs on localhost; a deployed site signs in
	// with Google, so without Token the checks that need one are skipped.
	IDPURL string
	// DashboardURL, if set, is the deployment's CloudWatch dashboard, which
	// the report names.
	DashboardURL string
	// AccessLogGroup, if set, is the API's access log group: a request the
	// checks make must appear in it within a minute, when CloudWatch Logs
	// can be reached with the environment's AWS credentials.
	AccessLogGroup string
	// aws, if set, is the AWS configuration the access log is read with;
	// nil means the environment's.
	aws *aws.Config
	// client sends the requests. Nil means one that follows no redirect
	// and gives up on a request after requestTimeout.
	client *http.Client
	// routes is the route table the deployment serves; nil means
	// gateway.Routes.
	routes gateway.Table
}

// requestTimeout bounds each request of the default client.
const requestTimeout = 20 * time.Second

// Run checks the deployment cfg names, writes each result's line to out as
// it comes (nil discards them) and returns the results. The error reports a
// Config that names no deployment; a deployment that fails a check is a
// fail result, never an error.
func Run(ctx context.Context, cfg Config, out io.Writer) ([]Result, error) {
	siteURL, err := absolute("SITE_URL", cfg.SiteURL)
	if err != nil {
		return nil, err
	}
	apiURL, err := absolute("API_URL", cfg.APIURL)
	if err != nil {
		return nil, err
	}
	var idpURL *url.URL
	if cfg.IDPURL != "" {
		if idpURL, err = absolute("IDP_URL", cfg.IDPURL); err != nil {
			return nil, err
		}
	}
	if out == nil {
		out = io.Discard
	}
	client := cfg.client
	if client == nil {
		client = &http.Client{
			Timeout: requestTimeout,
			CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			},
		}
	}
	r := &run{
		ctx: ctx, client: client, out: out,
		site: siteURL, api: base(apiURL), idp: idpURL, token: cfg.Token,
		workloads: cfg.Workloads, groups: cfg.Groups, repository: cfg.Repository, routes: cfg.routes,
		origin:       siteURL.Scheme + "://" + siteURL.Host,
		dashboardURL: cfg.DashboardURL, accessLogGroup: cfg.AccessLogGroup, aws: cfg.aws,
		logWait: accessLogWait, logPoll: accessLogPoll,
	}
	if r.routes == nil {
		r.routes = gateway.Routes
	}
	r.siteAPI = &url.URL{Scheme: siteURL.Scheme, Host: siteURL.Host, Path: gateway.Prefix}
	r.checkSite()
	r.checkAPI()
	r.checkAPIOnTheSite()
	r.checkWithToken()
	r.checkDashboard()
	r.checkAccessLog()
	return r.results, nil
}

// run is one smoke run: what it checks and what it found.
type run struct {
	ctx       context.Context
	client    *http.Client
	out       io.Writer
	site, api *url.URL
	// siteAPI is the API on the site's origin: <site>/api.
	siteAPI *url.URL
	idp     *url.URL
	token   string
	// workloads, groups, repository and routes are Config's.
	workloads  authorizer.Workloads
	groups     authorizer.Groups
	repository string
	routes     gateway.Table
	// origin is the site's origin, the one the API allows.
	origin string
	// config is the page's configuration, once read from it.
	config *site.Config
	// page is the answer for the page, once read.
	page *response
	// dashboardURL and accessLogGroup are Config's.
	dashboardURL, accessLogGroup string
	// aws is Config's AWS configuration.
	aws *aws.Config
	// logWait is how long a request's access log line may take to appear,
	// logPoll how often the log is searched meanwhile.
	logWait, logPoll time.Duration
	results          []Result
}

func (r *run) report(status outcome, name, format string, args ...any) {
	res := Result{status: status, name: name, detail: fmt.Sprintf(format, args...)}
	r.results = append(r.results, res)
	fmt.Fprintln(r.out, res)
}

func (r *run) pass(name, format string, args ...any) { r.report(pass, name, format, args...) }
func (r *run) fail(name, format string, args ...any) { r.report(fail, name, format, args...) }
func (r *run) skip(name, format string, args ...any) { r.report(skip, name, format, args...) }
