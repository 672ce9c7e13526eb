// Package apigw emulates the REST API that API Gateway serves in front of the
// functions: a GET on the root resource guarded by a TOKEN authorizer with a
// result cache, a non-proxy integration with the greeting function, a CORS
// preflight, and API Gateway's own error answers with CORS headers.
//
// Every setting comes from package signin/functions/gateway, the definition
// the Pulumi program deploys: the identity source header and validation
// pattern, the mapping template (gateway.RequestBody), the CORS headers, the
// error bodies and the cache TTL. The functions are the real ones, invoked
// through the Function interface.
package apigw

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"

	"signin/functions/gateway"
	"signin/local/emulator"
)

// CacheHeader is the response header that says whether the authorizer's
// answer came from the cache ("hit") or from invoking it ("miss").
const CacheHeader = "X-Authorizer-Cache"

// Function is a Lambda function the gateway invokes, such as an
// *emulator.Function.
type Function interface {
	// Invoke sends event to the function and returns its response payload.
	// A function that fails returns an *emulator.FunctionError; any other
	// error means the function could not be invoked.
	Invoke(ctx context.Context, event []byte) ([]byte, error)
}

// Config describes the emulated API.
type Config struct {
	// Authorizer is the TOKEN authorizer function.
	Authorizer Function
	// Greeting is the function behind GET /.
	Greeting Function
	// AllowOrigin is the site's origin, such as http://localhost:8080, the
	// only one the CORS headers allow.
	AllowOrigin string
	// Region, AccountID, APIID and Stage make up the methodArn the
	// authorizer sees: arn:aws:execute-api:<Region>:<AccountID>:<APIID>/<Stage>/GET/.
	Region, AccountID, APIID, Stage string
	// CacheTTL is how long the authorizer's answer for a token is reused;
	// zero means gateway.DefaultAuthorizerTTL.
	CacheTTL time.Duration
	// Logger receives one line per failure of a function; nil means
	// slog.Default().
	Logger *slog.Logger
}

// Gateway is the emulated API, an http.Handler.
type Gateway struct {
	cfg   Config
	now   func() time.Time
	mu    sync.Mutex
	cache map[string]cached
}

// cached is the authorizer's answer for one token.
type cached struct {
	policy  Policy
	expires time.Time
}

// maxCached bounds the result cache; beyond it, expired entries are swept.
const maxCached = 10000

// New returns the emulated API for cfg.
func New(cfg Config) (*Gateway, error) {
	switch {
	case cfg.Authorizer == nil || cfg.Greeting == nil:
		return nil, errors.New("apigw: the authorizer and greeting functions are required")
	case cfg.AllowOrigin == "":
		return nil, errors.New("apigw: the allowed origin is required")
	case cfg.Region == "" || cfg.AccountID == "" || cfg.APIID == "" || cfg.Stage == "":
		return nil, errors.New("apigw: region, account ID, API ID and stage are required")
	case cfg.CacheTTL < 0 || cfg.CacheTTL > gateway.MaxAuthorizerTTL*time.Second:
		return nil, fmt.Errorf("apigw: cache TTL %s is outside 0 to %ds", cfg.CacheTTL, gateway.MaxAuthorizerTTL)
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = gateway.DefaultAuthorizerTTL * time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return &Gateway{cfg: cfg, now: time.Now, cache: map[string]cached{}}, nil
}

// MethodARN returns the methodArn of a request for method on the root
// resource, as API Gateway hands it to the authorizer.
func (g *Gateway) MethodARN(method string) string {
	return fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s/",
		g.cfg.Region, g.cfg.AccountID, g.cfg.APIID, g.cfg.Stage, method)
}

// ServeHTTP answers a request as the deployed API does.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	for k, v := range gateway.CORSHeaders(g.cfg.AllowOrigin) {
		h.Set(k, v)
	}
	switch {
	case r.URL.Path != "/" || (r.Method != http.MethodGet && r.Method != http.MethodOptions):
		writeJSON(w, http.StatusForbidden, gateway.ErrorBody(gateway.MessageMissingAuthenticationToken))
	case r.Method == http.MethodOptions:
		for k, v := range gateway.PreflightHeaders(g.cfg.AllowOrigin) {
			h.Set(k, v)
		}
		w.WriteHeader(http.StatusOK)
	default:
		g.get(w, r)
	}
}

func (g *Gateway) get(w http.ResponseWriter, r *http.Request) {
	token := r.Header.Get(gateway.AuthorizationHeader)
	if !gateway.MatchesTokenPattern(token) {
		writeJSON(w, http.StatusUnauthorized, gateway.ErrorBody(gateway.MessageUnauthorized))
		return
	}
	methodARN := g.MethodARN(r.Method)
	policy, hit, err := g.authorize(r.Context(), token, methodARN)
	if hit {
		w.Header().Set(CacheHeader, "hit")
	} else {
		w.Header().Set(CacheHeader, "miss")
	}
	var ferr *emulator.FunctionError
	switch {
	case errors.As(err, &ferr) && ferr.Message == gateway.MessageUnauthorized:
		writeJSON(w, http.StatusUnauthorized, gateway.ErrorBody(gateway.MessageUnauthorized))
		return
	case err != nil:
		g.cfg.Logger.Error("apigw: the authorizer failed", "err", err)
		writeJSON(w, http.StatusInternalServerError, []byte(gateway.AuthorizerFailureBody))
		return
	}
	switch policy.Evaluate(methodARN) {
	case Denied:
		writeJSON(w, http.StatusForbidden, gateway.ErrorBody(gateway.MessageExplicitDeny))
		return
	case NotAllowed:
		writeJSON(w, http.StatusForbidden, gateway.ErrorBody(gateway.MessageAccessDenied))
		return
	}
	answer, err := g.cfg.Greeting.Invoke(r.Context(), gateway.RequestBody(policy.Context[gateway.ContextName]))
	if err != nil {
		g.cfg.Logger.Error("apigw: the greeting failed", "err", err)
		writeJSON(w, http.StatusInternalServerError, gateway.ErrorBody(gateway.MessageInternalError))
		return
	}
	writeJSON(w, http.StatusOK, answer)
}

// authorize returns the authorizer's policy for token, from the cache when
// it holds one, and whether it did.
func (g *Gateway) authorize(ctx context.Context, token, methodARN string) (Policy, bool, error) {
	now := g.now()
	g.mu.Lock()
	c, ok := g.cache[token]
	g.mu.Unlock()
	if ok && now.Before(c.expires) {
		return c.policy, true, nil
	}
	// The event is the type the authorizer decodes; a struct of strings
	// always marshals.
	event, _ := json.Marshal(events.APIGatewayCustomAuthorizerRequest{
		Type:               "TOKEN",
		AuthorizationToken: token,
		MethodArn:          methodARN,
	})
	answer, err := g.cfg.Authorizer.Invoke(ctx, event)
	if err != nil {
		return Policy{}, false, err
	}
	policy, err := ParsePolicy(answer)
	if err != nil {
		return Policy{}, false, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(g.cache) >= maxCached {
		for k, v := range g.cache {
			if !now.Before(v.expires) {
				delete(g.cache, k)
			}
		}
	}
	if len(g.cache) < maxCached {
		g.cache[token] = cached{policy: policy, expires: now.Add(g.cfg.CacheTTL)}
	}
	return policy, false, nil
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
