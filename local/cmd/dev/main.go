// Command dev runs the offline stack behind `make dev`: the sign-in page, the
// API Gateway emulation in front of the real function binaries, and the
// development identity provider. Ctrl-C stops everything, and the command
// exits 0: under `make dev` too, with no "make: *** ... Interrupt" line (see
// takeTerminal).
//
// Usage:
//
//	go run ./local/cmd/dev [-stack dev] [-site-port 8080] [-api-port 8081] [-idp-port 8082]
//	    [-allowed-emails a@example.com,...] [-allowed-domains example.com,...]
//	    [-groups '{"admins":{"emails":["ada@example.com"]}}']
//	    [-workloads '{"ci":{"issuer":"https://token.actions.githubusercontent.com",...}}'] [-quiet]
//
// The authorizer gets the stack's configuration, Pulumi.<stack>.yaml, as
// the Pulumi program reads it: allowedEmails, allowedDomains, groups,
// workloads, trustEmailsWithoutHd and authorizerCacheTtl; the flags replace
// its allow-list, its groups or its workloads. A port flag's or an
// allow-list flag's default comes from the environment variable named in
// its help (SITE_PORT, API_PORT, IDP_PORT, ALLOWED_EMAILS,
// ALLOWED_DOMAINS); the groups come from no variable, since bash reserves
// GROUPS. The workloads' issuers, Google's and GitHub Actions', are mapped
// to the identity provider's stand-ins, and the mapping is printed at
// start.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"maps"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"

	"signin/local/idp"
	"signin/local/stack"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "dev:", err)
		os.Exit(1)
	}
}

func run() error {
	var opts stack.Options
	for _, p := range []struct {
		port      *int
		flag, env string
		def       int
		usage     string
	}{
		{&opts.SitePort, "site-port", "SITE_PORT", stack.DefaultSitePort, "port of the sign-in page"},
		{&opts.APIPort, "api-port", "API_PORT", stack.DefaultAPIPort, "port of the API"},
		{&opts.IDPPort, "idp-port", "IDP_PORT", stack.DefaultIDPPort, "port of the development identity provider"},
	} {
		def := p.def
		if v := os.Getenv(p.env); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 || n > 65535 {
				return fmt.Errorf("%s=%q is not a port number", p.env, v)
			}
			def = n
		}
		flag.IntVar(p.port, p.flag, def, p.usage+" ("+p.env+")")
	}
	flag.StringVar(&opts.Stack, "stack", stack.DefaultStack, "the stack whose configuration (Pulumi.<stack>.yaml) the authorizer gets")
	flag.StringVar(&opts.AllowedEmails, "allowed-emails", os.Getenv("ALLOWED_EMAILS"), "comma-separated emails the API allows, instead of the stack's allow-list (ALLOWED_EMAILS)")
	flag.StringVar(&opts.AllowedDomains, "allowed-domains", os.Getenv("ALLOWED_DOMAINS"), "comma-separated hosted domains the API allows, instead of the stack's allow-list (ALLOWED_DOMAINS)")
	flag.StringVar(&opts.Groups, "groups", "", `the groups routes name, instead of the stack's, JSON as in its configuration: {"admins":{"emails":["ada@example.com"],"domains":["example.com"]}}`)
	flag.StringVar(&opts.Workloads, "workloads", "", `the workloads, instead of the stack's, JSON as in its configuration: {"ci":{"issuer":"https://token.actions.githubusercontent.com","audience":"https://github.com/acme","claims":{"repository":"acme/app"}}}`)
	quiet := flag.Bool("quiet", false, "hide the functions' logs")
	flag.Parse()

	defer takeTerminal()()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	opts.Logs = os.Stderr
	if *quiet {
		opts.Logs = io.Discard
	}
	fmt.Println("Building the functions and starting the stack…")
	st, err := stack.Start(ctx, opts)
	if err != nil && ctx.Err() != nil {
		// Ctrl-C while building or starting: the user stopped it.
		fmt.Println("\nStopped.")
		return nil
	}
	var inUse *stack.PortInUseError
	if errors.As(err, &inUse) {
		return fmt.Errorf("port %d (the %s) is in use by another program. Stop it, or choose another port: -%s-port N or %s_PORT=N",
			inUse.Port, inUse.Part, inUse.Part, map[string]string{"site": "SITE", "api": "API", "idp": "IDP"}[inUse.Part])
	}
	if err != nil {
		return err
	}
	defer st.Close()
	fmt.Printf(`
  Sign-in page      %s   <- open this, sign in as anyone
  API               %s
  Identity provider %s

  A token for curl:  curl -s -d name=Ada -d email=ada@example.com %s/token
  Workloads' issuers, mapped to the identity provider's stand-ins:
%s
  A service account: curl -s -d email=nightly@acme.iam.gserviceaccount.com %s/token
  GitHub Actions:    curl -s -d repository=acme/app -d aud=https://github.com/acme %s/token
  Press Ctrl-C to stop.

`, st.SiteURL, st.APIURL, st.IssuerURL, st.IssuerURL, issuers(st.Issuers), st.IssuerURL, st.Issuers[idp.GitHubIssuer])
	<-ctx.Done()
	fmt.Println("\nStopping…")
	return nil
}

// issuers lists the mapping of the workloads' issuers, one line each.
func issuers(mapping map[string]string) string {
	var lines []string
	for _, from := range slices.Sorted(maps.Keys(mapping)) {
		lines = append(lines, fmt.Sprintf("    %-44s -> %s", from, mapping[from]))
	}
	return strings.Join(lines, "\n")
}
