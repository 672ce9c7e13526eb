// Command smoke checks a running deployment from outside, behind
// `make smoke`: the page, its security headers and configuration, and the
// API's answers, one line per check (PASS, FAIL or SKIP, the check's name and
// what was seen). It exits 1 when a check fails, 2 when it cannot start.
//
// Usage:
//
//	go run ./local/cmd/smoke [-stack dev] [-site-url URL] [-api-url URL] [-idp-url URL] [-dashboard-url URL] [-access-log-group NAME]
//	go run ./local/cmd/smoke [-stack dev] -github-audience
//
// Each flag's default comes from the environment variable named in its help
// (STACK, SITE_URL, API_URL, IDP_URL, DASHBOARD_URL, ACCESS_LOG_GROUP).
// Without SITE_URL or API_URL, the addresses come from the stack's outputs
// (`pulumi stack output --json`), with the dashboard's and the access log
// group unless set. The access log is read with the environment's AWS
// credentials. SMOKE_TOKEN, an ID
// token, is read from the environment only, so it stays out of the process
// list. The stack's workloads and groups (Pulumi.<stack>.yaml) say whether
// SMOKE_TOKEN is a workload's, which is then checked as that workload.
//
// With -github-audience, it checks nothing: it prints audience=<aud>, for
// $GITHUB_OUTPUT, when the stack declares a GitHub Actions workload of the
// repository GITHUB_REPOSITORY names, so that deploy.yml requests a token
// for it; otherwise nothing, and on stderr how to declare one.
package main

import (
	"cmp"
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"signin/local/smoke"
	"signin/site"
)

func main() {
	ok, err := run()
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	if !ok {
		os.Exit(1)
	}
}

func run() (bool, error) {
	var cfg smoke.Config
	stack := flag.String("stack", cmp.Or(os.Getenv("STACK"), "dev"), "the Pulumi stack whose outputs name the site and the API (STACK)")
	flag.StringVar(&cfg.SiteURL, "site-url", os.Getenv("SITE_URL"), "the page's address; empty reads the stack output "+site.OutputSiteURL+" (SITE_URL)")
	flag.StringVar(&cfg.APIURL, "api-url", os.Getenv("API_URL"), "the API's address; empty reads the stack output "+site.OutputAPIURL+" (API_URL)")
	flag.StringVar(&cfg.IDPURL, "idp-url", os.Getenv("IDP_URL"), "a development identity provider to mint the token from; empty means the one a localhost page names (IDP_URL)")
	flag.StringVar(&cfg.DashboardURL, "dashboard-url", os.Getenv("DASHBOARD_URL"), "the CloudWatch dashboard to report; empty reads the stack output "+site.OutputDashboardURL+" with the addresses (DASHBOARD_URL)")
	flag.StringVar(&cfg.AccessLogGroup, "access-log-group", os.Getenv("ACCESS_LOG_GROUP"), "the API's access log group to find a request in; empty reads the stack output "+site.OutputAccessLogGroup+" with the addresses (ACCESS_LOG_GROUP)")
	githubAudience := flag.Bool("github-audience", false, "print audience=<aud> of the stack's GitHub Actions workload for GITHUB_REPOSITORY, and check nothing")
	flag.Parse()
	cfg.Token = os.Getenv("SMOKE_TOKEN")
	cfg.Repository = os.Getenv("GITHUB_REPOSITORY")
	var err error
	if cfg.Workloads, cfg.Groups, err = smoke.StackAccess("", *stack); err != nil {
		return false, err
	}
	if *githubAudience {
		if aud, ok := smoke.GitHubAudience(cfg.Workloads, cfg.Repository); ok {
			fmt.Printf("audience=%s\n", aud)
		} else {
			fmt.Fprintf(os.Stderr, "stack %s declares no GitHub Actions workload of the repository %q: the smoke test runs without a token (docs/ci.md)\n", *stack, cfg.Repository)
		}
		return true, nil
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if cfg.SiteURL == "" || cfg.APIURL == "" {
		outputs, err := smoke.StackOutputs(ctx, "", *stack)
		if err != nil {
			return false, err
		}
		cfg.SiteURL = cmp.Or(cfg.SiteURL, outputs.SiteURL)
		cfg.APIURL = cmp.Or(cfg.APIURL, outputs.APIURL)
		cfg.DashboardURL = cmp.Or(cfg.DashboardURL, outputs.DashboardURL)
		cfg.AccessLogGroup = cmp.Or(cfg.AccessLogGroup, outputs.AccessLogGroup)
	}
	fmt.Printf("Checking the site %s and the API %s\n", cfg.SiteURL, cfg.APIURL)
	results, err := smoke.Run(ctx, cfg, os.Stdout)
	if err != nil {
		return false, err
	}
	if failed := smoke.Failed(results); len(failed) > 0 {
		fmt.Fprintf(os.Stderr, "smoke: %d of %d checks failed\n", len(failed), len(results))
		return false, nil
	}
	return true, nil
}
