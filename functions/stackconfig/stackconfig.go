// Package stackconfig is the one definition of the stack settings that both
// the Pulumi program (infra) and the offline stack (`make dev`, local) read
// from a stack's configuration, Pulumi.<stack>.yaml (package stackfile):
// whom the authorizer admits (allowedEmails, allowedDomains, groups,
// workloads, trustEmailsWithoutHd) and how long API Gateway caches its answer
// (authorizerCacheTtl). It parses and validates those settings, and checks the route table's groups against them, each
// error naming the setting and the `pulumi config set` command that fixes
// it.
package stackconfig

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"signin/functions/authorizer"
	"signin/functions/gateway"
	"signin/functions/stackfile"
)

// Keys of the settings this package reads, below stackfile.Namespace.
const (
	KeyAllowedEmails      = "allowedEmails"
	KeyAllowedDomains     = "allowedDomains"
	KeyGroups             = "groups"
	KeyWorkloads          = "workloads"
	KeyTrustEmails        = "trustEmailsWithoutHd"
	KeyAuthorizerCacheTTL = "authorizerCacheTtl"
)

// Authorizer is the stack's configuration of the authorizer: whom it
// admits, and how long API Gateway reuses its answer for a token.
type Authorizer struct {
	// AllowedEmails, if not empty, are the only email addresses allowed to
	// call the API.
	AllowedEmails []string
	// AllowedDomains, if not empty, are the only Google Workspace domains
	// (the token's hd) whose users may call the API.
	AllowedDomains []string
	// Groups are the groups routes may be restricted to
	// (gateway.Route.Groups), with their members.
	Groups authorizer.Groups
	// Workloads are the non-human callers admitted with their own
	// issuers' tokens (authorizer.Workloads).
	Workloads authorizer.Workloads
	// TrustEmailsWithoutHostedDomain lets a verified email Google is not
	// authoritative for count; see authorizer.Config.
	TrustEmailsWithoutHostedDomain bool
	// AuthorizerCacheTTL is how many seconds API Gateway caches the
	// authorizer's answer for a token; 0 turns the cache off.
	AuthorizerCacheTTL int
}

// Default returns the settings of a stack that sets none of them.
func Default() Authorizer {
	return Authorizer{AuthorizerCacheTTL: gateway.DefaultAuthorizerTTL}
}

// setting is one key of the stack's configuration and how its value, as
// Pulumi hands it to a program (text; lists and objects as JSON), sets and
// is checked in Authorizer.
type setting struct {
	key   string
	parse func(raw string, a *Authorizer) error
}

// settings are the keys Parse reads: adding a setting is one entry here
// and a field of Authorizer.
var settings = []setting{
	{KeyAllowedEmails, func(raw string, a *Authorizer) (err error) {
		a.AllowedEmails, err = parseList(KeyAllowedEmails, raw, authorizer.CheckEmail, "is not an email address: list addresses such as ada@example.com")
		return err
	}},
	{KeyAllowedDomains, func(raw string, a *Authorizer) (err error) {
		a.AllowedDomains, err = parseList(KeyAllowedDomains, raw, authorizer.CheckDomain, "is not a domain name: list domains such as example.com, without @")
		return err
	}},
	{KeyGroups, func(raw string, a *Authorizer) (err error) {
		if a.Groups, err = authorizer.ParseGroups(raw); err != nil {
			return fmt.Errorf("%s: %w (set members with %s)", KeyGroups, err, GroupCommand("admins"))
		}
		if err := a.Groups.Check(nil); err != nil {
			return fmt.Errorf("%s: %w (%s)", KeyGroups, err, GroupCommand("<name>"))
		}
		return nil
	}},
	{KeyWorkloads, func(raw string, a *Authorizer) (err error) {
		if a.Workloads, err = authorizer.ParseWorkloads(raw); err != nil {
			return fmt.Errorf("%s: %w", KeyWorkloads, err)
		}
		if err := a.Workloads.Check(); err != nil {
			return fmt.Errorf("%s: %w", KeyWorkloads, err)
		}
		return nil
	}},
	{KeyTrustEmails, func(raw string, a *Authorizer) (err error) {
		if a.TrustEmailsWithoutHostedDomain, err = strconv.ParseBool(raw); err != nil {
			return fmt.Errorf("%s: not true or false: %w", KeyTrustEmails, err)
		}
		return nil
	}},
	{KeyAuthorizerCacheTTL, func(raw string, a *Authorizer) (err error) {
		if a.AuthorizerCacheTTL, err = strconv.Atoi(raw); err != nil {
			return fmt.Errorf("%s: not a whole number: %w", KeyAuthorizerCacheTTL, err)
		}
		if a.AuthorizerCacheTTL < 0 || a.AuthorizerCacheTTL > gateway.MaxAuthorizerTTL {
			return fmt.Errorf("%s is %d: give seconds from 0 (no cache) to %d", KeyAuthorizerCacheTTL, a.AuthorizerCacheTTL, gateway.MaxAuthorizerTTL)
		}
		return nil
	}},
}

// Keys returns the keys Parse reads, below stackfile.Namespace.
func Keys() []string {
	keys := make([]string, len(settings))
	for i, s := range settings {
		keys[i] = s.key
	}
	return keys
}

// GroupCommand returns the command that adds a member to the group name.
func GroupCommand(name string) string {
	return fmt.Sprintf("`pulumi config set --path '%s.%s.emails[0]' ada@example.com`", KeyGroups, name)
}

// Parse reads the settings from lookup, which returns a key's value (below
// stackfile.Namespace) as Pulumi hands it to a program, and whether it is set; an
// unset key keeps its default. The error names every wrong setting and how
// to fix it.
func Parse(lookup func(key string) (string, bool)) (Authorizer, error) {
	a := Default()
	var errs []error
	for _, s := range settings {
		if raw, ok := lookup(s.key); ok {
			if err := s.parse(raw, &a); err != nil {
				errs = append(errs, err)
			}
		}
	}
	// With the groups and the workloads read, whether every workload a
	// group lists is defined.
	if len(errs) == 0 {
		if err := a.Groups.CheckWorkloads(a.Workloads); err != nil {
			errs = append(errs, fmt.Errorf("%s and %s: %w", KeyGroups, KeyWorkloads, err))
		}
	}
	if err := errors.Join(errs...); err != nil {
		return Authorizer{}, err
	}
	return a, nil
}

// parseList reads a list of strings, each of which check must accept
// (problem says what an entry check refuses is not).
func parseList(key, raw string, check func(string) error, problem string) ([]string, error) {
	var list []string
	if err := json.Unmarshal([]byte(raw), &list); err != nil {
		return nil, fmt.Errorf("%s: not a list of strings (set its entries with `pulumi config set --path '%s[0]' <value>`): %w", key, key, err)
	}
	var errs []error
	for _, v := range list {
		if check(v) != nil {
			errs = append(errs, fmt.Errorf("%s: %q %s", key, v, problem))
		}
	}
	return list, errors.Join(errs...)
}

// CheckRoutes checks the route table's groups against the settings, as the
// authorizer does when it starts: a route naming a group the stack does not
// define is one message per group, with the command that defines it.
func (a Authorizer) CheckRoutes(routes gateway.Table) error {
	undefined := map[string][]string{}
	for _, r := range routes {
		for _, name := range r.Groups {
			if _, ok := a.Groups[name]; !ok {
				undefined[name] = append(undefined[name], r.Method+" "+r.ResourcePath())
			}
		}
	}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(undefined)) {
		named := "the route " + undefined[name][0] + " names"
		if len(undefined[name]) > 1 {
			named = "the routes " + strings.Join(undefined[name], " and ") + " name"
		}
		errs = append(errs, fmt.Errorf("the group %s, which %s, is not defined in the stack's configuration: define it with %s (or groups.%s.domains[0] example.com), or remove it from the route table",
			name, named, GroupCommand(name), name))
	}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	return authorizer.CheckAccess(a.Groups, routes)
}

// Config returns the authorizer's configuration a stack with these
// settings deploys: the client ID, whom it admits (allow-lists, groups,
// workloads) and the access rules of routes. The OIDC issuer and key set keep the authorizer's Google
// defaults.
func (a Authorizer) Config(clientID string, routes gateway.Table) authorizer.Config {
	return authorizer.Config{
		ClientID: clientID, AllowedEmails: a.AllowedEmails, AllowedDomains: a.AllowedDomains,
		TrustEmailsWithoutHostedDomain: a.TrustEmailsWithoutHostedDomain,
		Groups:                         a.Groups,
		Workloads:                      a.Workloads,
		Routes:                         routes,
	}
}

// Load reads the settings of the stack file at path.
func Load(path string) (Authorizer, error) {
	values, err := stackfile.Read(path)
	if err != nil {
		return Authorizer{}, err
	}
	a, err := Parse(func(key string) (string, bool) {
		v, ok := values[stackfile.Namespace+":"+key]
		return v, ok
	})
	if err != nil {
		return Authorizer{}, fmt.Errorf("stackconfig: %s: %w", filepath.Base(path), err)
	}
	return a, nil
}
