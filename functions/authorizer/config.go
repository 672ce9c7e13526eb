package authorizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"signin/functions/gateway"
)

// Names of the environment variables the authorizer reads.
const (
	envClientID       = "GOOGLE_CLIENT_ID"
	envIssuer         = "OIDC_ISSUER"
	envJWKSURL        = "OIDC_JWKS_URL"
	envAllowedEmails  = "ALLOWED_EMAILS"
	envAllowedDomains = "ALLOWED_DOMAINS"
	envGroups         = "ACCESS_GROUPS"
	envRouteGroups    = "ROUTE_GROUPS"
	envTrustEmails    = "TRUST_EMAILS_WITHOUT_HD"
	envWorkloads      = "WORKLOADS"
)

// certDirVariable and certDirNone keep crypto/x509 from reading the
// certificate directories when it builds the system's roots for the key
// fetch, so it parses the bundle alone. Go reads SSL_CERT_FILE or the first
// bundle of its list (on Amazon Linux 2023, /etc/pki/tls/certs/ca-bundle.crt),
// then every file of each directory in SSL_CERT_DIR, or by default of
// /etc/ssl/certs and /etc/pki/tls/certs, which on Amazon Linux 2023 hold
// that bundle again (and its OpenSSL "TRUSTED CERTIFICATE" form, which Go
// skips): the same roots parsed three times.
// /dev/null is no directory, so Go skips it and trusts exactly the bundle's
// roots; with no bundle either, the pool fails to load and every handshake
// is refused.
const (
	certDirVariable = "SSL_CERT_DIR"
	certDirNone     = "/dev/null"
)

// Defaults of the optional settings: Google's issuer and key set.
const (
	defaultIssuer  = "https://accounts.google.com"
	defaultJWKSURL = "https://www.googleapis.com/oauth2/v3/certs"
)

// Config is the authorizer's validated configuration.
type Config struct {
	// ClientID is the OAuth client ID the tokens must be issued to: their
	// audience, and their authorized party when they name one.
	ClientID string
	// Issuer is the exact iss the tokens must carry. For Google's
	// https://accounts.google.com, go-oidc also accepts accounts.google.com.
	Issuer string
	// JWKSURL is where the issuer publishes its signing keys.
	JWKSURL string
	// AllowedEmails, lower-cased, are the addresses let in. With
	// AllowedDomains, they form the allow-list; when both are empty every
	// valid token is let in.
	AllowedEmails []string
	// AllowedDomains, lower-cased, are the Google Workspace domains (the hd
	// claim) whose users are let in.
	AllowedDomains []string
	// TrustEmailsWithoutHostedDomain makes a verified address count for
	// AllowedEmails and the groups' emails even when Google is not
	// authoritative for it: not a gmail.com address, and no hd claim (an
	// account created with another provider's address, which may have
	// changed hands since Google verified it). It is false by default:
	// such an address counts for nothing, and only hd lets its owner in.
	TrustEmailsWithoutHostedDomain bool
	// Groups are the groups the routes name, with their members.
	Groups Groups
	// Workloads are the non-human callers admitted with their own issuers'
	// tokens. A workload of Issuer is a Google service account of it.
	Workloads Workloads
	// Routes are the routes restricted to groups, which the REQUEST
	// authorizer decides: each route's Method, Path and Groups (its
	// function and integration are not the authorizer's concern). A route
	// without groups here is ignored: the TOKEN authorizer admits to it
	// every caller let in.
	Routes gateway.Table
}

// restricted reports whether the configuration has an allow-list.
func (c Config) restricted() bool {
	return len(c.AllowedEmails) > 0 || len(c.AllowedDomains) > 0
}

// ConfigFromEnv reads and validates the configuration from the environment
// variables named by the env constants, looked up with getenv (os.Getenv in
// production). The error names every missing or malformed variable.
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	var errs []error
	c := Config{
		ClientID: strings.TrimSpace(getenv(envClientID)),
		Issuer:   withDefault(getenv(envIssuer), defaultIssuer),
		JWKSURL:  withDefault(getenv(envJWKSURL), defaultJWKSURL),
	}
	switch {
	case c.ClientID == "":
		errs = append(errs, fmt.Errorf("%s is required: the OAuth client ID of the sign-in page", envClientID))
	case strings.ContainsFunc(c.ClientID, isSpaceOrComma):
		errs = append(errs, fmt.Errorf("%s %q: one client ID, without spaces or commas", envClientID, c.ClientID))
	}
	if err := checkURL(c.Issuer); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", envIssuer, err))
	}
	if err := checkURL(c.JWKSURL); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", envJWKSURL, err))
	}
	var err error
	if c.AllowedEmails, err = list(getenv(envAllowedEmails), CheckEmail); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", envAllowedEmails, err))
	}
	if c.AllowedDomains, err = list(getenv(envAllowedDomains), CheckDomain); err != nil {
		errs = append(errs, fmt.Errorf("%s: %w", envAllowedDomains, err))
	}
	if v := strings.TrimSpace(getenv(envTrustEmails)); v != "" {
		if c.TrustEmailsWithoutHostedDomain, err = strconv.ParseBool(v); err != nil {
			errs = append(errs, fmt.Errorf("%s %q: give true or false", envTrustEmails, v))
		}
	}
	if raw := getenv(envGroups); strings.TrimSpace(raw) != "" {
		if c.Groups, err = ParseGroups(raw); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", envGroups, err))
		}
	}
	if raw := getenv(envWorkloads); strings.TrimSpace(raw) != "" {
		if c.Workloads, err = ParseWorkloads(raw); err == nil {
			// make dev maps the issuers to its stand-ins on localhost.
			err = c.Workloads.check(true)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", envWorkloads, err))
		}
	}
	if err := c.Groups.CheckWorkloads(c.Workloads); err != nil {
		errs = append(errs, fmt.Errorf("%s and %s: %w", envGroups, envWorkloads, err))
	}
	if raw := getenv(envRouteGroups); strings.TrimSpace(raw) != "" {
		if c.Routes, err = parseRoutes(raw); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", envRouteGroups, err))
		}
	}
	if err := CheckAccess(c.Groups, c.Routes); err != nil {
		errs = append(errs, fmt.Errorf("%s and %s: %w", envGroups, envRouteGroups, err))
	}
	if len(errs) > 0 {
		return Config{}, fmt.Errorf("authorizer configuration: %w", errors.Join(errs...))
	}
	return c, nil
}

// parseRoutes reads the restricted routes of ROUTE_GROUPS: a JSON object
// from a route's groups, comma-separated, to the routes, each "<method> <path>" (the path in the route table, below
// gateway.Prefix), in the order of the groups and of each list.
func parseRoutes(raw string) (gateway.Table, error) {
	var rules map[string][]string
	if err := json.Unmarshal([]byte(raw), &rules); err != nil {
		return nil, fmt.Errorf(`not {"<group>,...":["<method> <path>",...],...}: %w`, err)
	}
	routes := gateway.Table{}
	for _, groups := range slices.Sorted(maps.Keys(rules)) {
		var names []string
		if groups != "" {
			names = strings.Split(groups, ",")
		}
		for _, name := range names {
			if err := gateway.CheckGroupName(name); err != nil {
				return nil, err
			}
		}
		for _, route := range rules[groups] {
			method, path, ok := strings.Cut(route, " ")
			if !ok {
				return nil, fmt.Errorf("%q is not <method> <path>", route)
			}
			// A REQUEST event names the method as API Gateway does: a
			// route "get /admin" would never be found.
			if !slices.Contains(gateway.Methods, method) {
				return nil, fmt.Errorf("%q: method %q is not one of %s", route, method, strings.Join(gateway.Methods, ", "))
			}
			if err := gateway.CheckPath(path); err != nil {
				return nil, fmt.Errorf("%q: %w", route, err)
			}
			routes = append(routes, gateway.Route{Method: method, Path: path, Groups: names})
		}
	}
	return routes, nil
}

func withDefault(value, def string) string {
	if value = strings.TrimSpace(value); value == "" {
		return def
	}
	return value
}

func isSpaceOrComma(r rune) bool {
	return r == ',' || r == ' ' || r == '\t' || r == '\n' || r == '\r'
}

// checkURL accepts an absolute http or https URL with a host and without
// query, fragment or user information. Plain http serves the offline
// development provider on localhost.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return fmt.Errorf("%q is not a URL: %w", raw, err)
	}
	if u.Scheme != "https" && u.Scheme != "http" || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http or https URL", raw)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return fmt.Errorf("%q must not carry a query, fragment or user", raw)
	}
	return nil
}

// lowerASCII lower-cases the ASCII letters of s and leaves every other
// character as it is. Email addresses and domain names are compared with it,
// never with Unicode case mapping: strings.ToLower turns the Kelvin sign
// U+212A into "k", so an address spelled with it would match a listed
// "k..." address that is another mailbox.
func lowerASCII(s string) string {
	return strings.Map(func(r rune) rune {
		if 'A' <= r && r <= 'Z' {
			return r + ('a' - 'A')
		}
		return r
	}, s)
}

// list splits a comma-separated value into its trimmed entries, their ASCII
// letters lower-cased, skipping empty ones, and checks each.
func list(raw string, check func(string) error) ([]string, error) {
	var out []string
	for entry := range strings.SplitSeq(raw, ",") {
		entry = lowerASCII(strings.TrimSpace(entry))
		if entry == "" {
			continue
		}
		if err := check(entry); err != nil {
			return nil, err
		}
		out = append(out, entry)
	}
	return out, nil
}

// CheckEmail reports whether s is an email address an allow-list can
// hold: a local part without spaces or commas, an @, and a domain name that
// CheckDomain accepts. It is the one definition the authorizer and the
// Pulumi program's configuration share.
func CheckEmail(s string) error {
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || strings.ContainsAny(local, " \t\r\n,") || CheckDomain(domain) != nil {
		return fmt.Errorf("%q is not an email address", s)
	}
	return nil
}

// CheckDomain reports whether s is a DNS domain name: two or more labels of
// ASCII letters, digits and inner hyphens, at most 63 characters each, the
// last one letters only.
func CheckDomain(s string) error {
	labels := strings.Split(s, ".")
	ok := len(labels) >= 2 && len(s) <= 253
	for i, l := range labels {
		if !ok {
			break
		}
		ok = l != "" && len(l) <= 63 && l[0] != '-' && l[len(l)-1] != '-'
		for _, r := range l {
			letter := 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z'
			if !letter && (i == len(labels)-1 || !('0' <= r && r <= '9' || r == '-')) {
				ok = false
			}
		}
	}
	if !ok || len(labels[len(labels)-1]) < 2 {
		return fmt.Errorf("%q is not a domain name", s)
	}
	return nil
}

// Environ returns the environment that configures the authorizer as c:
// the variables named by the env constants, the issuer and key set only
// when they are not Google's defaults, the allow-lists comma-separated and
// only when not empty, the groups, the workloads and the restricted
// routes as JSON;
// and SSL_CERT_DIR, which keeps crypto/x509 to the certificate bundle
// (certDirVariable). ConfigFromEnv reads it back as c.
func (c Config) Environ() map[string]string {
	env := map[string]string{envClientID: c.ClientID, certDirVariable: certDirNone}
	if c.Issuer != "" && c.Issuer != defaultIssuer {
		env[envIssuer] = c.Issuer
	}
	if c.JWKSURL != "" && c.JWKSURL != defaultJWKSURL {
		env[envJWKSURL] = c.JWKSURL
	}
	if len(c.AllowedEmails) > 0 {
		env[envAllowedEmails] = strings.Join(c.AllowedEmails, ",")
	}
	if len(c.AllowedDomains) > 0 {
		env[envAllowedDomains] = strings.Join(c.AllowedDomains, ",")
	}
	if c.TrustEmailsWithoutHostedDomain {
		env[envTrustEmails] = "true"
	}
	// Maps marshal with sorted keys, and lists of strings always marshal.
	if len(c.Groups) > 0 {
		b, _ := json.Marshal(c.Groups)
		env[envGroups] = string(b)
	}
	if len(c.Workloads) > 0 {
		b, _ := json.Marshal(c.Workloads)
		env[envWorkloads] = string(b)
	}
	if restricted := c.Routes.Restricted(); len(restricted) > 0 {
		// Routes listed under their groups: the variable counts against
		// Lambda's 4 KB of environment, and a route's own key and list
		// would take about twice the bytes.
		rules := map[string][]string{}
		for _, r := range restricted {
			groups := strings.Join(r.Groups, ",")
			rules[groups] = append(rules[groups], r.Method+" "+r.Path)
		}
		b, _ := json.Marshal(rules)
		env[envRouteGroups] = string(b)
	}
	return env
}
