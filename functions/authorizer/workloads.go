package authorizer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/url"
	"slices"
	"strings"

	"signin/functions/gateway"
)

// GoogleIssuer is the issuer of Google's ID tokens, people's and service
// accounts': a workload of this issuer is a Google service account, and its
// audience defaults to the Google client ID.
const GoogleIssuer = defaultIssuer

// MaxWorkloadIssuers is how many distinct issuers the workloads may name:
// each one is a verifier, its discovery document and its key set, fetched
// on its first token and kept in the authorizer's memory.
const MaxWorkloadIssuers = 5

// Workload is a non-human caller: a GitHub Actions workflow, a Google
// service account, or any program an OpenID Connect issuer gives ID tokens
// to. A token is the workload's when its issuer and audience are the
// workload's and each of its Claims is, exactly, a string equal to the
// workload's value.
type Workload struct {
	// Issuer is the exact iss of the workload's tokens, an https URL such as
	// https://token.actions.githubusercontent.com. Its signing keys are
	// found by OpenID Connect discovery.
	Issuer string `json:"issuer"`
	// Audience is the aud the tokens must be issued for. Empty means the
	// Google client ID, and only for GoogleIssuer.
	Audience string `json:"audience,omitempty"`
	// Claims are the claims the token must carry, by name, each a JSON
	// string equal to the value: repository for GitHub Actions
	// ("acme/app"), email for a Google service account.
	Claims map[string]string `json:"claims"`
}

// Workloads are the stack's workloads by name, as configured:
// {"ci":{"issuer":"https://token.actions.githubusercontent.com",
// "audience":"https://github.com/acme","claims":{"repository":"acme/app"}}},
// the shape of the Pulumi configuration workloads.<name>.
type Workloads map[string]Workload

// reservedClaims are the claims a workload cannot name in its Claims: the
// issuer and audience have settings of their own, the times are numbers
// checked for every token, email_verified is a boolean a service account's
// token must have true, and the others are not the caller's.
var reservedClaims = []string{"iss", "aud", "exp", "nbf", "iat", "email_verified", "nonce", "at_hash", "_claim_names", "_claim_sources"}

// workloadsShape is how the configuration of the workloads looks, for
// error messages.
const workloadsShape = `{"<name>":{"issuer":"https://...","audience":"...","claims":{"<claim>":"<exact string>",...}},...}`

// ParseWorkloads reads workloads from their JSON, strictly: unknown
// settings are errors, and so is a claim whose value is not a string (a
// number or a list would never equal a token's string claim). It does not
// check the values; Check does.
func ParseWorkloads(raw string) (Workloads, error) {
	var parsed map[string]struct {
		Issuer   string                     `json:"issuer"`
		Audience string                     `json:"audience"`
		Claims   map[string]json.RawMessage `json:"claims"`
	}
	dec := json.NewDecoder(bytes.NewReader([]byte(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&parsed); err != nil {
		return nil, fmt.Errorf("workloads are not %s (declare one with `pulumi config set --path 'workloads.<name>.issuer' https://token.actions.githubusercontent.com`, .audience and .claims.<claim>): %w", workloadsShape, err)
	}
	if dec.More() {
		return nil, errors.New("workloads: unexpected data after the JSON object")
	}
	w := Workloads{}
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(parsed)) {
		p := parsed[name]
		claims := make(map[string]string, len(p.Claims))
		for _, claim := range slices.Sorted(maps.Keys(p.Claims)) {
			var s string
			if err := json.Unmarshal(p.Claims[claim], &s); err != nil {
				errs = append(errs, fmt.Errorf("workloads.%s.claims.%s is %s, not a string: a token's claim matches only a string equal to it; quote the value (\"%s\")",
					name, claim, p.Claims[claim], strings.Trim(string(p.Claims[claim]), `"`)))
				continue
			}
			claims[claim] = s
		}
		w[name] = Workload{Issuer: p.Issuer, Audience: p.Audience, Claims: claims}
	}
	if err := errors.Join(errs...); err != nil {
		return nil, err
	}
	return w, nil
}

// Check reports every problem of the workloads, each naming the setting
// and how to fix it: a name that is not a plain identifier, an issuer that
// is not an https URL, a missing audience (required but for GoogleIssuer),
// no claims, a claim the issuer and audience settings or the token's times
// already decide, and more than MaxWorkloadIssuers issuers.
func (w Workloads) Check() error {
	return w.check(false)
}

// check is Check; local allows http issuers on localhost, which `make dev`
// maps the issuers to.
func (w Workloads) check(local bool) error {
	var errs []error
	issuers := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(w)) {
		wl := w[name]
		if err := gateway.CheckGroupName(name); err != nil {
			errs = append(errs, fmt.Errorf("workload %q: %s: rename it", name, strings.Replace(err.Error(), "group name", "name", 1)))
		}
		if err := checkIssuer(wl.Issuer, local); err != nil {
			errs = append(errs, fmt.Errorf("workloads.%s.issuer: %w: give the issuer's https URL, exactly as its tokens' iss, such as https://token.actions.githubusercontent.com", name, err))
		} else {
			issuers[wl.Issuer] = true
		}
		if wl.Audience == "" && wl.Issuer != GoogleIssuer {
			errs = append(errs, fmt.Errorf("workloads.%s.audience is required for the issuer %s: give the aud its tokens are requested for (`pulumi config set --path 'workloads.%s.audience' <audience>`)", name, wl.Issuer, name))
		}
		if len(wl.Claims) == 0 {
			errs = append(errs, fmt.Errorf("workloads.%s.claims is empty: every token of the issuer would be the workload's; name at least one claim and its exact value, such as `pulumi config set --path 'workloads.%s.claims.repository' acme/app` (GitHub Actions) or claims.email <account>@<project>.iam.gserviceaccount.com (Google)", name, name))
		}
		for _, claim := range slices.Sorted(maps.Keys(wl.Claims)) {
			switch {
			case claim == "":
				errs = append(errs, fmt.Errorf("workloads.%s.claims has an empty claim name: remove it", name))
			case slices.Contains(reservedClaims, claim):
				errs = append(errs, fmt.Errorf("workloads.%s.claims.%s: the authorizer decides on %s itself (issuer and audience have settings of their own): remove it", name, claim, claim))
			case wl.Claims[claim] == "":
				errs = append(errs, fmt.Errorf("workloads.%s.claims.%s is empty: give the exact string the token's %s must equal", name, claim, claim))
			}
		}
	}
	if len(issuers) > MaxWorkloadIssuers {
		errs = append(errs, fmt.Errorf("the workloads name %d issuers (%s), more than %d: each one is a verifier and a key set the authorizer keeps; call the API from at most %d identity providers",
			len(issuers), strings.Join(slices.Sorted(maps.Keys(issuers)), ", "), MaxWorkloadIssuers, MaxWorkloadIssuers))
	}
	return errors.Join(errs...)
}

// checkIssuer accepts an absolute https URL with a host and without query,
// fragment or user information; with local, also an http URL on localhost.
func checkIssuer(raw string, local bool) error {
	if err := checkURL(raw); err != nil {
		return err
	}
	u, _ := url.Parse(raw) // checkURL parsed it
	if u.Scheme != "https" && !(local && u.Hostname() == "localhost") {
		return fmt.Errorf("%q is not an https URL", raw)
	}
	return nil
}

// CheckWorkloads reports every group that lists a workload not defined in
// w, saying how to fix it.
func (g Groups) CheckWorkloads(w Workloads) error {
	var errs []error
	for _, name := range slices.Sorted(maps.Keys(g)) {
		for _, wl := range g[name].Workloads {
			if _, ok := w[wl]; !ok {
				errs = append(errs, fmt.Errorf("group %s lists the workload %s, which is not defined: define it (workloads.%s.issuer, .audience and .claims), or remove it from groups.%s.workloads", name, wl, wl, name))
			}
		}
	}
	return errors.Join(errs...)
}

// audience returns the audience the workload's tokens must be issued
// for: its own, or clientID for a Google service account without one.
func (wl Workload) audience(clientID string) string {
	if wl.Audience == "" {
		return clientID
	}
	return wl.Audience
}

// claim returns the string value of the token's claim name, and whether it
// has one that is not empty.
func (c claims) claim(name string) (string, bool) {
	var v string
	switch name {
	case "sub":
		v = c.Subject
	case "email":
		v = c.Email
	case "hd":
		v = c.HostedDomain
	case "azp":
		v = c.AuthorizedParty
	case "name":
		v = c.Name
	case "given_name":
		v = c.GivenName
	case "family_name":
		v = c.FamilyName
	default:
		v = c.Extra[name]
	}
	return v, v != ""
}
