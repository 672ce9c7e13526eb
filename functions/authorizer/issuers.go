package authorizer

import (
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// googleIssuerNoScheme is how Google sometimes spells its issuer in iss;
// go-oidc accepts it for GoogleIssuer, so the authorizer routes it there.
const googleIssuerNoScheme = "accounts.google.com"

// verifier verifies the tokens of one issuer: the people's (Config.Issuer)
// or a workload's. There is one per distinct issuer.
type verifier struct {
	issuer string
	// people is true for the people's issuer, whose workloads are Google
	// service accounts.
	people bool
	// configs are go-oidc's settings for each audience the issuer's tokens
	// may be for.
	configs map[string]*oidc.Config
	// workloads are the issuer's workloads, in the order of their names.
	workloads []workloadRule

	// keys is the issuer's key set: the people's from the start, a
	// workload issuer's once discovered.
	keys atomic.Pointer[KeySet]
	// client, log and now serve the discovery and the key set it makes.
	client *http.Client
	log    *slog.Logger
	now    func() time.Time
	// mu serializes discoveries and guards the fields below.
	mu          sync.Mutex
	lastAttempt time.Time
	lastErr     error
}

// workloadRule is a workload as the authorizer decides on it.
type workloadRule struct {
	name     string
	audience string
	// claims are the workload's claims, in the order of their names.
	claims [][2]string
	// groups are the groups that list the workload, in the order of their
	// names.
	groups []string
}

// newVerifiers returns the verifiers of the people's issuer, whose keys
// are keys, and of every workload's issuer, by issuer.
func newVerifiers(cfg Config, people *oidc.Config, keys *KeySet, logger *slog.Logger, now func() time.Time) map[string]*verifier {
	client := newHTTPClient(fetchTimeout)
	vs := map[string]*verifier{}
	get := func(issuer string) *verifier {
		v := vs[issuer]
		if v == nil {
			v = &verifier{issuer: issuer, configs: map[string]*oidc.Config{}, client: client, log: logger, now: now}
			vs[issuer] = v
		}
		return v
	}
	p := get(cfg.Issuer)
	p.people = true
	p.configs[cfg.ClientID] = people
	p.keys.Store(keys)
	for _, name := range slices.Sorted(maps.Keys(cfg.Workloads)) {
		wl := cfg.Workloads[name]
		v := get(wl.Issuer)
		aud := wl.audience(cfg.ClientID)
		if v.configs[aud] == nil {
			v.configs[aud] = &oidc.Config{ClientID: aud, SupportedSigningAlgs: []string{oidc.RS256}}
		}
		rule := workloadRule{name: name, audience: aud}
		for _, claim := range slices.Sorted(maps.Keys(wl.Claims)) {
			rule.claims = append(rule.claims, [2]string{claim, wl.Claims[claim]})
		}
		for _, group := range slices.Sorted(maps.Keys(cfg.Groups)) {
			if slices.Contains(cfg.Groups[group].Workloads, name) {
				rule.groups = append(rule.groups, group)
			}
		}
		v.workloads = append(v.workloads, rule)
	}
	return vs
}

// claimNames returns the names of the claims the workloads decide on.
func claimNames(w Workloads) map[string]bool {
	names := map[string]bool{}
	for _, wl := range w {
		for claim := range wl.Claims {
			names[claim] = true
		}
	}
	return names
}

// keySet returns the issuer's key set, discovering it on the first call
// for a workload issuer: the discovery document at
// <issuer>/.well-known/openid-configuration, which must name the issuer
// exactly (go-oidc checks), gives the jwks_uri. A failed discovery is
// retried at most once per retryAfterFailure; until one succeeds, the
// issuer's tokens cannot be checked (errKeysUnavailable).
func (v *verifier) keySet(ctx context.Context) (*KeySet, error) {
	if ks := v.keys.Load(); ks != nil {
		return ks, nil
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	if ks := v.keys.Load(); ks != nil {
		return ks, nil
	}
	now := v.now()
	if v.lastErr != nil && now.Sub(v.lastAttempt) < retryAfterFailure {
		return nil, fmt.Errorf("%w: %w", errKeysUnavailable, v.lastErr)
	}
	v.lastAttempt = now
	ks, err := v.discover(ctx)
	v.lastErr = err
	if err != nil {
		v.log.LogAttrs(ctx, slog.LevelError, "discovering a workload issuer failed",
			slog.String("issuer", v.issuer), slog.String("error", err.Error()))
		return nil, fmt.Errorf("%w: %w", errKeysUnavailable, err)
	}
	v.keys.Store(ks)
	return ks, nil
}

// discover reads the issuer's discovery document with go-oidc and returns
// a key set for the jwks_uri it names, which must be https when the issuer
// is.
func (v *verifier) discover(ctx context.Context) (*KeySet, error) {
	ctx, cancel := context.WithTimeout(ctx, fetchTimeout)
	defer cancel()
	p, err := oidc.NewProvider(oidc.ClientContext(ctx, v.client), v.issuer)
	if err != nil {
		return nil, fmt.Errorf("discovering %s: %w", v.issuer, err)
	}
	var meta struct {
		JWKSURL string `json:"jwks_uri"`
	}
	if err := p.Claims(&meta); err != nil {
		return nil, fmt.Errorf("discovering %s: %w", v.issuer, err)
	}
	if err := checkURL(meta.JWKSURL); err != nil {
		return nil, fmt.Errorf("discovering %s: jwks_uri: %w", v.issuer, err)
	}
	if strings.HasPrefix(v.issuer, "https://") && !strings.HasPrefix(meta.JWKSURL, "https://") {
		return nil, fmt.Errorf("discovering %s: jwks_uri %q is not https", v.issuer, meta.JWKSURL)
	}
	ks := NewKeySet(meta.JWKSURL, v.log)
	ks.now = v.now
	return ks, nil
}

// config returns the audience of the token with the audiences auds that
// the issuer accepts, the people's client ID first, and go-oidc's
// settings for it; nil when the issuer accepts none of them.
func (v *verifier) config(auds []string, clientID string) (string, *oidc.Config) {
	if v.people && slices.Contains(auds, clientID) {
		return clientID, v.configs[clientID]
	}
	for _, aud := range auds {
		if c := v.configs[aud]; c != nil {
			return aud, c
		}
	}
	return "", nil
}

// serviceAccount reports whether the verified claims c are a Google
// service account's: its azp is its numeric ID, the subject, and it has no
// hosted domain (pitfall 30). A person's token names the sign-in client as
// azp.
func serviceAccount(c claims) bool {
	if c.AuthorizedParty == "" || c.AuthorizedParty != c.Subject || c.HostedDomain != "" {
		return false
	}
	for _, r := range c.AuthorizedParty {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// workload decides on the verified claims c of a token for aud: the
// workloads of the issuer for aud whose every claim c carries as the same
// string. The first of them by name names the caller; the caller is in
// the groups of all of them. false means no workload matches; a Google
// service account's token must also be one (serviceAccount) and have a
// verified email.
func (v *verifier) workload(aud string, c claims) (decision, bool) {
	if v.people && !serviceAccount(c) {
		return decision{}, false
	}
	var name string
	var groups []string
	for _, r := range v.workloads {
		if r.audience != aud || !r.matches(c) {
			continue
		}
		name = cmp.Or(name, r.name)
		for _, g := range r.groups {
			if !slices.Contains(groups, g) {
				groups = append(groups, g)
			}
		}
	}
	if name == "" {
		return decision{}, false
	}
	if v.people && !c.EmailVerified {
		return decision{outcome: outcomeDeny, reason: "service account email not verified", sub: c.Subject, workload: name}, true
	}
	slices.Sort(groups)
	return decision{
		outcome:  outcomeAllow,
		reason:   "valid workload token",
		sub:      c.Subject,
		name:     name,
		email:    c.Email,
		groups:   groups,
		workload: name,
	}, true
}

// matches reports whether c carries every claim of r, exactly: one issuer
// signs every GitHub repository's tokens, so the claims alone tell them
// apart (pitfall 30).
func (r workloadRule) matches(c claims) bool {
	for _, claim := range r.claims {
		if v, ok := c.claim(claim[0]); !ok || v != claim[1] {
			return false
		}
	}
	return true
}

// verifierOf returns the verifier of the token's issuer iss, or nil when
// the stack knows no such issuer.
func (a *Handler) verifierOf(iss string) *verifier {
	if v := a.issuers[iss]; v != nil {
		return v
	}
	if iss == googleIssuerNoScheme {
		return a.issuers[GoogleIssuer]
	}
	return nil
}
