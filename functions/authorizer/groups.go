package authorizer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"

	"signin/functions/gateway"
	"signin/functions/policy"
)

// Members are who belongs to a group.
type Members struct {
	// Emails are the members' addresses, lower-cased. An address counts
	// only when the token says it is verified and Google is authoritative
	// for it (see Config.TrustEmailsWithoutHostedDomain).
	Emails []string `json:"emails,omitempty"`
	// Domains are Google Workspace domains, lower-cased: every user whose
	// token's hd claim names one is a member.
	Domains []string `json:"domains,omitempty"`
	// Workloads are the names of workloads (Workloads) that are members.
	Workloads []string `json:"workloads,omitempty"`
}

// Groups are the stack's groups by name, as configured:
// {"admins":{"emails":["ada@example.com"],"domains":["example.com"],"workloads":["ci"]}},
// the shape of the Pulumi configuration groups.<name>.emails[],
// groups.<name>.domains[] and groups.<name>.workloads[], which `make dev`
// reads from the stack file too.
type Groups map[string]Members

// ParseGroups reads groups from their JSON, strictly: unknown members such
// as "email" are errors, not ignored. The addresses and domains are
// lower-cased (ASCII letters only) and checked, with Check.
func ParseGroups(raw string) (Groups, error) {
	var g Groups
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&g); err != nil {
		return nil, fmt.Errorf(`groups are not {"<name>":{"emails":["<address>",...],"domains":["<domain>",...],"workloads":["<workload>",...]},...}: %w`, err)
	}
	if dec.More() {
		return nil, errors.New("groups: unexpected data after the JSON object")
	}
	for name, m := range g {
		for i := range m.Emails {
			m.Emails[i] = lowerASCII(m.Emails[i])
		}
		for i := range m.Domains {
			m.Domains[i] = lowerASCII(m.Domains[i])
		}
		g[name] = m
	}
	return g, nil
}

// Check reports every problem of the groups for the routes, each naming
// the group or route and how to fix it: a group name that is not a plain
// identifier, a group without members, an address or domain that is not
// one, and a route naming a group that is not defined. Whether the
// workloads it lists are defined is CheckWorkloads'.
func (g Groups) Check(routes gateway.Table) error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(g)) {
		m := g[name]
		if err := gateway.CheckGroupName(name); err != nil {
			errs = append(errs, fmt.Errorf("group %q: %w: rename it", name, err))
		}
		if len(m.Emails) == 0 && len(m.Domains) == 0 && len(m.Workloads) == 0 {
			errs = append(errs, fmt.Errorf("group %s has no members: list addresses in groups.%s.emails, Workspace domains in groups.%s.domains or workloads in groups.%s.workloads, or remove it", name, name, name, name))
		}
		for _, e := range m.Emails {
			if CheckEmail(e) != nil {
				errs = append(errs, fmt.Errorf("group %s: groups.%s.emails: %q is not an email address: list addresses such as ada@example.com", name, name, e))
			}
		}
		for _, d := range m.Domains {
			if CheckDomain(d) != nil {
				errs = append(errs, fmt.Errorf("group %s: groups.%s.domains: %q is not a domain name: list Google Workspace domains such as example.com, without @", name, name, d))
			}
		}
	}
	for _, r := range routes {
		for _, name := range r.Groups {
			if _, ok := g[name]; !ok {
				errs = append(errs, fmt.Errorf("route %s %s names the group %s, which is not defined: define it (groups.%s.emails or groups.%s.domains), or remove it from the route", r.Method, r.ResourcePath(), name, name, name))
			}
		}
	}
	return errors.Join(errs...)
}

// CheckAccess checks the groups and the route table's access rules
// together, as the authorizer does when it starts: what `make test`, `make
// dev` and the Pulumi program run before anything is built or declared.
// Besides Groups.Check, every route's method ARN must fit API Gateway's
// bound (policy.CheckMethodARN).
func CheckAccess(g Groups, t gateway.Table) error {
	errs := []error{g.Check(t)}
	for _, r := range t {
		errs = append(errs, policy.CheckMethodARN(r.Method, r.ResourcePath()))
	}
	return errors.Join(errs...)
}
