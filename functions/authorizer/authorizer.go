// Package authorizer is the API's Lambda authorizer, of both types API
// Gateway sends: TOKEN, for the open routes, and REQUEST, for the routes
// restricted to groups. It verifies the Google ID token API Gateway hands it
// and answers with the IAM policy that lets the request through (Allow),
// refuses it (Deny, API Gateway's 403), or the error "Unauthorized" (API
// Gateway's 401). Both types take the same path: verification,
// allow-lists, the email rule, the groups and the context.
//
// Verification is go-oidc's: issuer, audience, expiry, not-before and an
// RS256 signature under the issuer's published keys, held by a KeySet for
// the lifetime the issuer gives them (docs/authorizer.md). On top, the
// authorizer reads the claims strictly (no duplicate or case-variant names,
// NumericDates as numbers) and checks what go-oidc does not: the subject is
// present, several audiences come with an authorized party (azp), azp, when
// present, is the client ID, and, when an allow-list is configured, the
// email is verified and listed or the hosted domain (hd) is.
//
// Every answer is Allow or Deny of the whole stage. A TOKEN answer is
// cached per token and admits every open route; a REQUEST answer is cached
// per token and route (gateway.RequestIdentitySources) and admits the
// caller when the route API Gateway matched, the event's resource and
// httpMethod, names one of the caller's groups. The method ARN's path, the
// request's own spelling, decides nothing.
package authorizer

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/coreos/go-oidc/v3/oidc"

	"signin/functions/gateway"
	"signin/functions/policy"
)

// errUnauthorized is the error that makes API Gateway answer 401
// Unauthorized. Its text must be exactly "Unauthorized"; any other error
// makes API Gateway answer 500.
var errUnauthorized = errors.New("Unauthorized")

// maxTokenSize is the longest Authorization value, "Bearer " included, the
// authorizer parses; Google's ID tokens are about 1 KiB.
const maxTokenSize = 8 << 10

// bearerPrefix may precede the token in the Authorization header, its
// scheme name in any case (RFC 9110 section 11.1).
const bearerPrefix = "Bearer "

// LogKeyOutcome is the key of a decision's outcome in its log line; the
// stack's alarm on the authorizer's failures filters the logs on it.
const LogKeyOutcome = "outcome"

// Outcomes of a decision, as logged under LogKeyOutcome.
const (
	outcomeAllow        = "allow"
	outcomeDeny         = "deny"
	OutcomeUnauthorized = "unauthorized"
	OutcomeError        = "error"
)

// Handler decides on API Gateway's TOKEN authorizer events.
type Handler struct {
	clientID   string
	issuer     string
	restricted bool
	emails     map[string]bool
	domains    map[string]bool
	// trustEmails is Config.TrustEmailsWithoutHostedDomain.
	trustEmails bool
	// groups are the groups, in the order of their names.
	groups []group
	// routes are the routes restricted to groups, the REQUEST authorizer's
	// (Config.Routes), by method and resource path ("GET /api/orders").
	routes map[string][]string
	keys   *KeySet
	oidc   *oidc.Config
	log    *slog.Logger
	// issuers are the verifiers by issuer when workloads are configured,
	// nil otherwise: every token is then the people's issuer's, verified
	// without a look at its claims first.
	issuers map[string]*verifier
	// claimNames are the names of the claims the workloads decide on.
	claimNames map[string]bool
	// now tells the time of the key sets discovered for workload issuers.
	now func() time.Time
}

// New returns an authorizer for cfg that verifies signatures with keys and
// logs one line per decision to logger.
func New(cfg Config, keys *KeySet, logger *slog.Logger) *Handler {
	a := &Handler{
		clientID:    cfg.ClientID,
		issuer:      cfg.Issuer,
		restricted:  cfg.restricted(),
		emails:      make(map[string]bool, len(cfg.AllowedEmails)),
		domains:     make(map[string]bool, len(cfg.AllowedDomains)),
		trustEmails: cfg.TrustEmailsWithoutHostedDomain,
		keys:        keys,
		oidc: &oidc.Config{
			ClientID:             cfg.ClientID,
			SupportedSigningAlgs: []string{oidc.RS256},
		},
		log: logger,
		now: time.Now,
	}
	if len(cfg.Workloads) > 0 {
		a.issuers = newVerifiers(cfg, a.oidc, keys, logger, func() time.Time { return a.now() })
		a.claimNames = claimNames(cfg.Workloads)
	}
	for _, e := range cfg.AllowedEmails {
		a.emails[e] = true
	}
	for _, d := range cfg.AllowedDomains {
		a.domains[d] = true
	}
	for _, name := range slices.Sorted(maps.Keys(cfg.Groups)) {
		m := cfg.Groups[name]
		a.groups = append(a.groups, group{name: name, emails: m.Emails, domains: m.Domains})
	}
	a.routes = make(map[string][]string, len(cfg.Routes))
	for _, r := range cfg.Routes.Restricted() {
		a.routes[r.Method+" "+r.ResourcePath()] = slices.Clone(r.Groups)
	}
	return a
}

// Event is an authorizer event of either type, as API Gateway sends it:
// a TOKEN event (type, authorizationToken and methodArn) or a REQUEST
// event (events.APIGatewayCustomAuthorizerRequestTypeRequest).
type Event struct {
	events.APIGatewayCustomAuthorizerRequestTypeRequest
	// AuthorizationToken is a TOKEN event's token.
	AuthorizationToken string `json:"authorizationToken"`
}

// Event types, as API Gateway names them in an event's type.
const (
	typeToken   = "TOKEN"
	typeRequest = "REQUEST"
)

// Dispatch is the Lambda handler: it answers a TOKEN event with Handle
// and a REQUEST event with HandleRequest; any other type is an error.
func (a *Handler) Dispatch(ctx context.Context, event Event) (events.APIGatewayCustomAuthorizerResponse, error) {
	switch event.Type {
	case typeToken:
		return a.Handle(ctx, events.APIGatewayCustomAuthorizerRequest{Type: event.Type, AuthorizationToken: event.AuthorizationToken, MethodArn: event.MethodArn})
	case typeRequest:
		return a.HandleRequest(ctx, event.APIGatewayCustomAuthorizerRequestTypeRequest)
	}
	err := fmt.Errorf("authorizer: event type %q is neither %s nor %s", event.Type, typeToken, typeRequest)
	a.logDecision(ctx, decision{outcome: OutcomeError, reason: "unknown event type", err: err})
	return events.APIGatewayCustomAuthorizerResponse{}, err
}

// Handle answers a TOKEN event, for the open routes: an Allow policy of
// the whole stage with the user's name, email and groups as context, a
// Deny policy of the whole stage for a valid token whose user is not
// allowed, errUnauthorized for an invalid token, and another error when
// the token could not be checked (the issuer's keys are unavailable) or
// the event is not API Gateway's.
func (a *Handler) Handle(ctx context.Context, event events.APIGatewayCustomAuthorizerRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	return a.answer(ctx, event.MethodArn, event.AuthorizationToken, nil)
}

// HandleRequest answers a REQUEST event, for a route restricted to groups:
// as Handle, but the Allow only when the route API Gateway matched (the
// event's resource and httpMethod, never its methodArn's path) names one of
// the caller's groups, a Deny of the whole stage otherwise. A route the
// configuration does not restrict is an error, as is an Authorization
// header given twice in different cases.
func (a *Handler) HandleRequest(ctx context.Context, event events.APIGatewayCustomAuthorizerRequestTypeRequest) (events.APIGatewayCustomAuthorizerResponse, error) {
	route := event.HTTPMethod + " " + event.Resource
	groups, ok := a.routes[route]
	if !ok {
		err := fmt.Errorf("authorizer: %q is not a route restricted to groups", route)
		a.logDecision(ctx, decision{outcome: OutcomeError, reason: "unknown route", err: err})
		return events.APIGatewayCustomAuthorizerResponse{}, err
	}
	token, ok := header(event.Headers, gateway.AuthorizationHeader)
	if !ok {
		a.logDecision(ctx, unauthorized("ambiguous Authorization header", ""))
		return events.APIGatewayCustomAuthorizerResponse{}, errUnauthorized
	}
	return a.answer(ctx, event.MethodArn, token, groups)
}

// header returns the value of the header name in headers, matched
// case-insensitively as HTTP names are; false when two names match.
func header(headers map[string]string, name string) (string, bool) {
	value, found := "", false
	for k, v := range headers {
		if http.CanonicalHeaderKey(k) == http.CanonicalHeaderKey(name) {
			if found {
				return "", false
			}
			value, found = v, true
		}
	}
	return value, true
}

// answer decides on token for the stage of methodARN: Allow of the whole
// stage for a caller the stack admits who is, when groups is not empty, in
// one of them; Deny of the whole stage for another valid token.
func (a *Handler) answer(ctx context.Context, methodARN, token string, groups []string) (events.APIGatewayCustomAuthorizerResponse, error) {
	stage, err := policy.Stage(methodARN)
	if err != nil {
		a.logDecision(ctx, decision{outcome: OutcomeError, reason: "malformed method ARN", err: err})
		return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("authorizer: %w", err)
	}
	d := a.decide(ctx, token)
	if d.outcome == outcomeAllow && len(groups) > 0 && !slices.ContainsFunc(groups, func(g string) bool { return slices.Contains(d.groups, g) }) {
		d = decision{outcome: outcomeDeny, reason: "not in the route's groups", sub: d.sub}
	}
	a.logDecision(ctx, d)
	switch d.outcome {
	case outcomeAllow:
		return answerOf(d.sub, d.name, d.email, d.groups, policy.Document(policy.Allow, policy.WholeStage(stage))), nil
	case outcomeDeny:
		return events.APIGatewayCustomAuthorizerResponse{
			PrincipalID:    d.sub,
			PolicyDocument: policy.Document(policy.Deny, policy.WholeStage(stage)),
		}, nil
	case OutcomeUnauthorized:
		return events.APIGatewayCustomAuthorizerResponse{}, errUnauthorized
	default:
		return events.APIGatewayCustomAuthorizerResponse{}, fmt.Errorf("authorizer: %w", d.err)
	}
}

// answerOf returns the authorizer's answer admitting the caller sub under
// the policy doc: the principal, the policy, and the context the routes'
// integrations receive (the caller's name, email and groups, the groups
// comma-separated as a context value cannot be a list).
func answerOf(sub, name, email string, groups []string, doc events.APIGatewayCustomAuthorizerPolicy) events.APIGatewayCustomAuthorizerResponse {
	return events.APIGatewayCustomAuthorizerResponse{
		PrincipalID:    sub,
		PolicyDocument: doc,
		Context: map[string]any{
			gateway.ContextName:   name,
			gateway.ContextEmail:  email,
			gateway.ContextGroups: strings.Join(groups, ","),
		},
	}
}

// group is a group and its members, lower-cased.
type group struct {
	name            string
	emails, domains []string
}

// decision is the authorizer's answer on one token.
type decision struct {
	outcome string
	// reason says why, in words safe to log: never the token or its claims.
	reason string
	sub    string
	name   string
	email  string
	// groups are the caller's groups, sorted.
	groups []string
	// err is the cause of an OutcomeError.
	err error
	// workload is the name of the workload the token is from, if any.
	workload string
}

func unauthorized(reason, sub string) decision {
	return decision{outcome: OutcomeUnauthorized, reason: reason, sub: sub}
}

// decide verifies the Authorization header value and applies the
// allow-lists.
func (a *Handler) decide(ctx context.Context, header string) decision {
	if len(header) > maxTokenSize {
		return unauthorized("oversized token", "")
	}
	token := strings.TrimSpace(trimBearer(header))
	if token == "" {
		return unauthorized("no token", "")
	}
	t, err := parseToken(token)
	if err != nil {
		return unauthorized("malformed token", "")
	}
	if a.issuers != nil {
		return a.decideWorkloads(ctx, t)
	}
	if d, ok := lookupKeys(ctx, a.keys, t); !ok {
		return d
	}
	// go-oidc verifies the token with t as its key set: the signature under
	// the keys just looked up, then issuer, audience, expiry and not-before.
	idToken, err := oidc.NewVerifier(a.issuer, t, a.oidc).Verify(ctx, t.raw)
	if err != nil {
		return unauthorized(rejection(err), "")
	}
	c, err := parseClaims(t.payload, nil)
	if err != nil {
		return unauthorized("malformed claims", idToken.Subject)
	}
	return a.person(c)
}

// lookupKeys looks up the keys of t's kid in keys into t; false means they
// could not be, and the decision says why.
func lookupKeys(ctx context.Context, keys *KeySet, t *signedToken) (decision, bool) {
	var err error
	if t.keys, err = keys.lookup(ctx, t.kid); err != nil {
		if errors.Is(err, errKeysUnavailable) {
			return decision{outcome: OutcomeError, reason: "signing keys unavailable", err: err}, false
		}
		return unauthorized("unknown signing key", ""), false
	}
	return decision{}, true
}

// decideWorkloads decides on t when workloads are configured: its
// (unverified) issuer picks the verifier and its audiences go-oidc's
// settings; once go-oidc has verified it, a workload whose claims it
// carries is admitted; a token for the people's client that is no
// workload's meets the people's rules, and any other is denied.
func (a *Handler) decideWorkloads(ctx context.Context, t *signedToken) decision {
	c, err := parseClaims(t.payload, a.claimNames)
	if err != nil {
		return unauthorized("malformed claims", "")
	}
	v := a.verifierOf(c.Issuer)
	if v == nil {
		return unauthorized("unknown issuer", "")
	}
	keys, err := v.keySet(ctx)
	if err != nil {
		return decision{outcome: OutcomeError, reason: "signing keys unavailable", err: err}
	}
	if d, ok := lookupKeys(ctx, keys, t); !ok {
		return d
	}
	aud, cfg := v.config(c.AudienceList, a.clientID)
	if cfg == nil {
		return unauthorized("wrong audience", "")
	}
	if _, err := oidc.NewVerifier(v.issuer, t, cfg).Verify(ctx, t.raw); err != nil {
		return unauthorized(rejection(err), "")
	}
	if c.Subject == "" {
		return unauthorized("no subject", "")
	}
	if d, ok := v.workload(aud, c); ok {
		return d
	}
	if v.people && aud == a.clientID {
		return a.person(c)
	}
	return decision{outcome: outcomeDeny, reason: "no workload matches", sub: c.Subject}
}

// person applies the people's rules to the verified claims c: the
// authorized party, the allow-lists and the groups.
func (a *Handler) person(c claims) decision {
	if c.Subject == "" {
		return unauthorized("no subject", "")
	}
	// OpenID Connect Core 1.0 section 3.1.3.7, items 4 and 5.
	if c.Audiences > 1 && c.AuthorizedParty == "" {
		return unauthorized("several audiences without authorized party", c.Subject)
	}
	if c.AuthorizedParty != "" && c.AuthorizedParty != a.clientID {
		return unauthorized("authorized party is another client", c.Subject)
	}
	email, hd := lowerASCII(c.Email), lowerASCII(c.HostedDomain)
	// The email counts when it is verified and Google is authoritative
	// for it: a Workspace account (hd) or a gmail.com address.
	emailCounts := c.EmailVerified && (hd != "" || strings.HasSuffix(email, "@gmail.com") || a.trustEmails)
	if a.restricted {
		switch {
		case !c.EmailVerified:
			return decision{outcome: outcomeDeny, reason: "email not verified", sub: c.Subject}
		case a.emails[email] && !emailCounts && !a.domains[hd]:
			return decision{outcome: outcomeDeny, reason: "email without hosted domain", sub: c.Subject}
		case !(emailCounts && a.emails[email]) && !a.domains[hd]:
			return decision{outcome: outcomeDeny, reason: "not on the allow-list", sub: c.Subject}
		}
	}
	var groups []string
	for _, g := range a.groups {
		if emailCounts && slices.Contains(g.emails, email) || c.EmailVerified && hd != "" && slices.Contains(g.domains, hd) {
			groups = append(groups, g.name)
		}
	}
	return decision{
		outcome: outcomeAllow,
		reason:  "valid token",
		sub:     c.Subject,
		name:    c.DisplayName(),
		email:   c.Email,
		groups:  groups,
	}
}

// trimBearer removes the Bearer scheme from an Authorization value; the
// scheme's name is case-insensitive (RFC 9110 section 11.1).
func trimBearer(header string) string {
	if len(header) >= len(bearerPrefix) && strings.EqualFold(header[:len(bearerPrefix)], bearerPrefix) {
		return header[len(bearerPrefix):]
	}
	return header
}

// rejection names why go-oidc refused a token, in words safe to log:
// go-oidc's own messages quote the token's claims.
func rejection(err error) string {
	var expired *oidc.TokenExpiredError
	if errors.As(err, &expired) {
		return "expired"
	}
	msg := err.Error()
	for _, r := range rejections {
		if strings.HasPrefix(msg, r.prefix) {
			return r.reason
		}
	}
	return "invalid token"
}

// rejections maps the beginnings of go-oidc's error messages to reasons.
// Only beginnings: the rest may quote claims the token's author chose.
var rejections = []struct{ prefix, reason string }{
	{"oidc: malformed jwt", "malformed token"},
	{"failed to verify signature", "bad signature"},
	{"oidc: failed to unmarshal claims", "malformed claims"},
	{"oidc: id token issued by a different provider", "wrong issuer"},
	{"oidc: expected audience", "wrong audience"},
	{"oidc: current time", "not yet valid"},
}

// logDecision writes the one log line of a decision: outcome, reason and
// the subject, never the token or other claims.
func (a *Handler) logDecision(ctx context.Context, d decision) {
	level := slog.LevelInfo
	attrs := []slog.Attr{
		slog.String(LogKeyOutcome, d.outcome),
		slog.String("reason", d.reason),
		slog.String("sub", d.sub),
	}
	if d.workload != "" {
		attrs = append(attrs, slog.String("workload", d.workload))
	}
	if d.err != nil {
		level = slog.LevelError
		attrs = append(attrs, slog.String("error", d.err.Error()))
	}
	a.log.LogAttrs(ctx, level, "decision", attrs...)
}
