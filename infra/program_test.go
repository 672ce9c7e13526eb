package main

import (
	"cmp"
	"encoding/json"
	"maps"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"

	"signin/functions/authorizer"
	"signin/functions/gateway"
	"signin/infra/internal/stacktest"
	"signin/site"
)

// The authorizer is told the client ID, the allow-lists, the groups and
// the routes restricted to groups (the open ones are the TOKEN
// authorizer's, which needs no list), the stack's and a test's, and
// nothing that would replace Google as the issuer.
func TestAuthorizerEnvironment(t *testing.T) {
	cfg := stacktest.Config()
	cfg["signin:allowedEmails"] = `["ada@example.com","grace@example.org"]`
	cfg = stacktest.WithGroups(t, cfg, authorizer.Groups{"auditors": {Emails: []string{"Ada@Example.com"}}})
	m := &stacktest.Mocks{}
	routes := append(slices.Clone(gateway.Routes), gateway.Route{Method: "DELETE", Path: "/me", Function: "me", Integration: gateway.Proxy, Groups: []string{"auditors"}})
	if err := runRoutes(m, cfg, routes); err != nil {
		t.Fatal(err)
	}
	got := stacktest.StringMap(m.One(t, "aws:lambda/function:Function", "authorizer").Inputs, "environment", "variables")
	// The restricted routes, as "METHOD /path" under their groups.
	wantRoutes := map[string][]string{}
	for _, r := range routes.Restricted() {
		groups := strings.Join(r.Groups, ",")
		wantRoutes[groups] = append(wantRoutes[groups], r.Method+" "+r.Path)
	}
	var gotRoutes map[string][]string
	if err := json.Unmarshal([]byte(got["ROUTE_GROUPS"]), &gotRoutes); err != nil || !reflect.DeepEqual(gotRoutes, wantRoutes) {
		t.Errorf("ROUTE_GROUPS = %s, want the routes %v", got["ROUTE_GROUPS"], wantRoutes)
	}
	delete(got, "ROUTE_GROUPS")
	// The stack's groups and the test's, the addresses lower-cased.
	groups, err := json.Marshal(mustGroups(t, cfg[stacktest.GroupsKey]))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"GOOGLE_CLIENT_ID": cfg[stacktest.ClientIDKey],
		"ALLOWED_EMAILS":   "ada@example.com,grace@example.org",
		"ACCESS_GROUPS":    string(groups),
		"SSL_CERT_DIR":     "/dev/null",
	}
	var domains []string
	if err := json.Unmarshal([]byte(cmp.Or(cfg["signin:allowedDomains"], "[]")), &domains); err != nil {
		t.Fatal(err)
	}
	if len(domains) > 0 {
		want["ALLOWED_DOMAINS"] = strings.Join(domains, ",")
	}
	if cfg["signin:trustEmailsWithoutHd"] == "true" {
		want["TRUST_EMAILS_WITHOUT_HD"] = "true"
	}
	if !maps.Equal(got, want) {
		t.Errorf("authorizer environment = %v, want %v and ROUTE_GROUPS", got, want)
	}
	if env := stacktest.Value(m.One(t, "aws:lambda/function:Function", "hello").Inputs, "environment"); env.HasValue() {
		t.Errorf("hello has an environment %v, want none", env)
	}
}

// A proxy function answers with its own CORS headers, so it is told the
// site's exact origin; a template function needs nothing.
func TestProxyFunctionsAreToldTheSiteOrigin(t *testing.T) {
	m := deploy(t, nil, stacktest.Config())
	for _, name := range gateway.Routes.Functions() {
		kind, _ := gateway.Routes.Integration(name)
		if kind != gateway.Proxy {
			continue
		}
		got := stacktest.StringMap(m.One(t, "aws:lambda/function:Function", name).Inputs, "environment", "variables")
		if want := map[string]string{gateway.SiteOriginVariable: stacktest.SiteOrigin}; !maps.Equal(got, want) {
			t.Errorf("%s environment = %v, want %v", name, got, want)
		}
	}
}

// outputsOf runs the program with cfg and returns its stack outputs.
func outputsOf(t *testing.T, cfg map[string]string) map[string]string {
	t.Helper()
	got := map[string]string{}
	var mu sync.Mutex
	// RunErr waits for the resources' outputs, not for applies on an output
	// known from the start, such as a custom domain's address: each apply
	// says when it has run.
	var applied sync.WaitGroup
	err := pulumi.RunErr(func(ctx *pulumi.Context) error {
		outputs, err := program(ctx, gateway.Routes, stacktest.Build)
		for name, value := range outputs {
			applied.Add(1)
			value.ApplyT(func(v string) string {
				defer applied.Done()
				mu.Lock()
				defer mu.Unlock()
				got[name] = v
				return v
			})
		}
		return err
	}, pulumi.WithMocks(stacktest.Project, stacktest.Stack, &stacktest.Mocks{}), stacktest.WithConfig(cfg))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	go func() { applied.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		t.Fatal("some stack outputs never resolved")
	}
	mu.Lock()
	defer mu.Unlock()
	return maps.Clone(got)
}

// The stack outputs tell the user what to register at Google and open, and
// name what was created: every function of the route table among them,
// under the names the deploy command and users already know for the first
// two, and the dashboard's address. With custom domains, the site's and the
// API's addresses are on them; with the API's logs, the access log group.
func TestStackOutputs(t *testing.T) {
	for _, c := range []struct {
		name            string
		cfg             map[string]string
		siteURL, apiURL string
		accessLog       string
	}{
		{"default", stacktest.Config(), stacktest.SiteOrigin + "/", stacktest.APIURL, ""},
		{"every option", stacktest.OptionsConfig(), "https://app." + stacktest.ZoneName + "/", "https://api." + stacktest.ZoneName + "/api", "/aws/apigateway/signin-dev-access-0a1b2c3"},
	} {
		t.Run(c.name, func(t *testing.T) {
			want := map[string]string{
				site.OutputSiteURL:        c.siteURL,
				site.OutputAPIURL:         c.apiURL,
				site.OutputBucketName:     "signin-site-0a1b2c3",
				site.OutputDistributionID: stacktest.DistributionID,
				"authorizerFunctionName":  "authorizer-0a1b2c3",
				"helloFunctionName":       "hello-0a1b2c3",
				site.OutputAlarmTopicARN:  "arn:aws:sns:" + stacktest.Region + ":" + stacktest.Account + ":alarms-0a1b2c3",
				site.OutputDashboardURL:   "https://" + stacktest.Region + ".console.aws.amazon.com/cloudwatch/home?region=" + stacktest.Region + "#dashboards/dashboard/signin-dev-" + stacktest.Region,
			}
			if c.accessLog != "" {
				want[site.OutputAccessLogGroup] = c.accessLog
			}
			for _, fn := range gateway.Routes.Functions() {
				want[site.FunctionNameOutput(fn)] = fn + "-0a1b2c3"
			}
			if got := outputsOf(t, c.cfg); !maps.Equal(got, want) {
				t.Errorf("outputs = %v, want %v", got, want)
			}
		})
	}
}
