// Package apigw emulates the REST API that API Gateway serves from the route
// table (gateway.Routes): the open routes behind a TOKEN authorizer, the
// routes restricted to groups behind a REQUEST authorizer (the same
// function), each with its own result cache keyed by its identity-source
// values, each route integrated with its function as the mapping template
// (non-proxy) or as a Lambda proxy, a CORS preflight per resource, and API
// Gateway's own error answers with CORS headers.
//
// Every setting comes from package signin/functions/gateway, the definition
// the Pulumi program deploys: the routes, the identity source header and
// validation pattern, the mapping template (gateway.RequestTemplate), the
// CORS headers, the error bodies and the cache TTL. What only an emulation
// needs lives here: matching a request to its route as API Gateway does,
// the validation pattern compiled, the mapping template rendered as API
// Gateway's $util.escapeJavaScript does, the authorizer failure's body, and
// the evaluation of the authorizer's policy, which it accepts only in the
// forms a whole-stage design needs (the stage's */* or an exact method
// ARN). The
// functions are the real ones, invoked as lambda.Handler.
package apigw

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambda"
	"github.com/aws/aws-lambda-go/lambda/messages"

	"signin/functions/gateway"
)

// CacheHeader is the response header that says whether the authorizer's
// answer came from the cache ("hit") or from invoking it ("miss").
const CacheHeader = "X-Authorizer-Cache"

// maxBodySize is the largest request body API Gateway accepts: 10 MB.
const maxBodySize = 10 << 20

// Config describes the emulated API.
type Config struct {
	// Routes is the route table the API serves.
	Routes gateway.Table
	// Authorizer is the function of both authorizers, TOKEN and REQUEST.
	Authorizer lambda.Handler
	// Functions holds the function of every route, by name. A function
	// that fails returns a *messages.InvokeResponse_Error, as
	// aws-lambda-go's runtime reports it; any other error means it could
	// not be invoked.
	Functions map[string]lambda.Handler
	// AllowOrigin is the site's origin, such as http://localhost:8080, the
	// only one the CORS headers allow.
	AllowOrigin string
	// Region, AccountID, APIID and Stage make up the methodArn the
	// authorizer sees: arn:aws:execute-api:<Region>:<AccountID>:<APIID>/<Stage>/<method>/<path>.
	Region, AccountID, APIID, Stage string
	// CacheTTL is how long an authorizer's answer is reused for the same
	// identity-source values; zero means gateway.DefaultAuthorizerTTL.
	CacheTTL time.Duration
	// Uncached turns the authorizer's result cache off, as a TTL of 0
	// does in API Gateway (authorizerCacheTtl 0): every request runs it.
	Uncached bool
	// logger receives one line per failure of a function; nil means
	// slog.Default().
	logger *slog.Logger
}

// Gateway is the emulated API, an http.Handler.
type Gateway struct {
	cfg Config
	now func() time.Time
	mu  sync.Mutex
	// tokens caches the TOKEN authorizer's answers by token; requests the
	// REQUEST authorizer's by its identity-source values (requestKey).
	tokens, requests map[string]cached
}

// cached is an authorizer's answer for one set of identity-source values.
type cached struct {
	policy  authorizerPolicy
	expires time.Time
}

// Authorizer types, as API Gateway names them in the event's type.
const (
	typeToken   = "TOKEN"
	typeRequest = "REQUEST"
)

// maxCached bounds the result cache; beyond it, expired entries are swept.
const maxCached = 10000

// New returns the emulated API for cfg.
func New(cfg Config) (*Gateway, error) {
	switch {
	case len(cfg.Routes) == 0:
		return nil, errors.New("apigw: the route table is empty")
	case cfg.Authorizer == nil:
		return nil, errors.New("apigw: the authorizer function is required")
	case cfg.AllowOrigin == "":
		return nil, errors.New("apigw: the allowed origin is required")
	case cfg.Region == "" || cfg.AccountID == "" || cfg.APIID == "" || cfg.Stage == "":
		return nil, errors.New("apigw: region, account ID, API ID and stage are required")
	case cfg.CacheTTL < 0 || cfg.CacheTTL > gateway.MaxAuthorizerTTL*time.Second:
		return nil, fmt.Errorf("apigw: cache TTL %s is outside 0 to %ds", cfg.CacheTTL, gateway.MaxAuthorizerTTL)
	}
	for _, r := range cfg.Routes {
		if cfg.Functions[r.Function] == nil {
			return nil, fmt.Errorf("apigw: route %s: no function %s", r, r.Function)
		}
		if r.Integration != gateway.Template && r.Integration != gateway.Proxy {
			return nil, fmt.Errorf("apigw: route %s: unknown integration", r)
		}
	}
	if cfg.CacheTTL == 0 {
		cfg.CacheTTL = gateway.DefaultAuthorizerTTL * time.Second
	}
	if cfg.logger == nil {
		cfg.logger = slog.Default()
	}
	cfg.Routes = slices.Clone(cfg.Routes)
	return &Gateway{cfg: cfg, now: time.Now, tokens: map[string]cached{}, requests: map[string]cached{}}, nil
}

// Routes returns the routes the API serves.
func (g *Gateway) Routes() gateway.Table { return slices.Clone(g.cfg.Routes) }

// stageARN returns the ARN of the stage,
// arn:aws:execute-api:<region>:<account>:<api>/<stage>.
func (g *Gateway) stageARN() string {
	return fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s", g.cfg.Region, g.cfg.AccountID, g.cfg.APIID, g.cfg.Stage)
}

// methodARN returns the methodArn of a request for method on route, whose
// path parameters have the values params, as API Gateway hands it to the
// authorizer: <stage ARN>/<method>/<path>, the path being the route's
// resource path (gateway.Route.ResourcePath) with the parameters' values,
// without its leading /.
func (g *Gateway) methodARN(method string, route gateway.Route, params map[string]string) string {
	segments := gateway.Segments(route.ResourcePath())
	for i, seg := range segments {
		if name, ok := gateway.IsParameter(seg); ok {
			segments[i] = params[name]
		}
	}
	return g.stageARN() + "/" + method + "/" + strings.Join(segments, "/")
}

// resourceID returns the ID the emulated API gives the resource of path:
// stable, and in the form of API Gateway's (lower-case letters and digits).
func resourceID(path string) string {
	sum := sha256.Sum256([]byte(path))
	return hex.EncodeToString(sum[:5])
}

// matchPrefixed finds the route path that serves the request path, as API
// Gateway matches the resources of the route table under gateway.Prefix: /api is
// the route path /, /api/me is /me; a path outside the prefix has no
// resource.
func (g *Gateway) matchPrefixed(requestPath string) (string, map[string]string, bool) {
	rest, ok := strings.CutPrefix(requestPath, gateway.Prefix)
	switch {
	case !ok:
		return "", nil, false
	case rest == "":
		rest = "/"
	case !strings.HasPrefix(rest, "/") || rest == "/":
		return "", nil, false
	}
	return match(g.cfg.Routes, rest)
}

// ServeHTTP answers a request as the deployed API does.
func (g *Gateway) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	resource, params, ok := g.matchPrefixed(r.URL.EscapedPath())
	if !ok {
		g.fail(w, http.StatusForbidden, gateway.ErrorBody(gateway.MessageMissingAuthenticationToken))
		return
	}
	if r.Method == http.MethodOptions {
		for k, v := range gateway.PreflightHeaders(g.cfg.AllowOrigin, g.cfg.Routes.AllowedMethods(resource)) {
			w.Header().Set(k, v)
		}
		w.WriteHeader(http.StatusOK)
		return
	}
	i := slices.IndexFunc(g.cfg.Routes, func(rt gateway.Route) bool { return rt.Path == resource && rt.Method == r.Method })
	if i < 0 {
		g.fail(w, http.StatusForbidden, gateway.ErrorBody(gateway.MessageMissingAuthenticationToken))
		return
	}
	route := g.cfg.Routes[i]

	methodARN := g.methodARN(r.Method, route, params)
	if path := r.URL.EscapedPath(); path != "/" && strings.HasSuffix(path, "/") {
		// A request with a trailing slash (/me/), which match routes as
		// API Gateway does. API Gateway does not document whether its
		// method ARN keeps the slash; the emulation keeps it, and no
		// decision reads it.
		methodARN += "/"
	}
	token := r.Header.Get(gateway.AuthorizationHeader)
	var policy authorizerPolicy
	var hit bool
	var err error
	if len(route.Groups) == 0 {
		// The TOKEN authorizer: API Gateway answers 401 without invoking
		// it when the header is missing or fails the validation pattern.
		if !matchesTokenPattern(token) {
			g.fail(w, http.StatusUnauthorized, gateway.ErrorBody(gateway.MessageUnauthorized))
			return
		}
		policy, hit, err = g.authorize(r.Context(), g.tokens, token, events.APIGatewayCustomAuthorizerRequest{
			Type: typeToken, AuthorizationToken: token, MethodArn: methodARN,
		})
	} else {
		// The REQUEST authorizer: its identity sources are the header and
		// the matched route's method and resource path; API Gateway
		// answers 401 without invoking it when one is missing or empty.
		if token == "" {
			g.fail(w, http.StatusUnauthorized, gateway.ErrorBody(gateway.MessageUnauthorized))
			return
		}
		key := strings.Join([]string{token, r.Method, route.ResourcePath()}, "\n")
		policy, hit, err = g.authorize(r.Context(), g.requests, key, g.requestEvent(r, route, params, methodARN))
	}
	if hit {
		w.Header().Set(CacheHeader, "hit")
	} else {
		w.Header().Set(CacheHeader, "miss")
	}
	var ferr *messages.InvokeResponse_Error
	switch {
	case errors.As(err, &ferr) && ferr.Message == gateway.MessageUnauthorized:
		g.fail(w, http.StatusUnauthorized, gateway.ErrorBody(gateway.MessageUnauthorized))
		return
	case err != nil:
		g.cfg.logger.Error("apigw: the authorizer failed", "err", err)
		g.fail(w, http.StatusInternalServerError, []byte(AuthorizerFailureBody))
		return
	}
	verdict, err := policy.evaluate(methodARN, g.stageARN())
	switch {
	case err != nil:
		g.cfg.logger.Error("apigw: the authorizer's policy", "err", err)
		g.fail(w, http.StatusInternalServerError, []byte(AuthorizerFailureBody))
		return
	case verdict == denied:
		g.fail(w, http.StatusForbidden, gateway.ErrorBody(gateway.MessageExplicitDeny))
		return
	case verdict == notAllowed:
		g.fail(w, http.StatusForbidden, gateway.ErrorBody(gateway.MessageAccessDenied))
		return
	}
	fn := g.cfg.Functions[route.Function]
	switch route.Integration {
	case gateway.Template:
		g.template(w, r, route, fn, policy)
	default:
		g.proxy(w, r, route, fn, params, policy)
	}
}

// template runs a Template route: the function gets the mapping
// template's event, and its answer is the 200 body; its error is a 500.
func (g *Gateway) template(w http.ResponseWriter, r *http.Request, route gateway.Route, fn lambda.Handler, policy authorizerPolicy) {
	answer, err := fn.Invoke(r.Context(), requestBody(policy.Context[gateway.ContextName]))
	if err != nil {
		g.cfg.logger.Error("apigw: the function failed", "route", route.String(), "err", err)
		g.fail(w, http.StatusInternalServerError, gateway.ErrorBody(gateway.MessageInternalError))
		return
	}
	for k, v := range gateway.CORSHeaders(g.cfg.AllowOrigin) {
		w.Header().Set(k, v)
	}
	writeJSON(w, http.StatusOK, answer)
}

// proxy runs a Proxy route: the function gets the request as
// events.APIGatewayProxyRequest and answers status, headers and body
// itself, CORS headers included. Its error or a malformed answer is API
// Gateway's 502; a function that cannot be invoked, 500.
func (g *Gateway) proxy(w http.ResponseWriter, r *http.Request, route gateway.Route, fn lambda.Handler, params map[string]string, policy authorizerPolicy) {
	body, err := readBody(w, r)
	if err != nil {
		g.fail(w, http.StatusRequestEntityTooLarge, gateway.ErrorBody(fmt.Sprintf("HTTP content length exceeded %d bytes.", maxBodySize)))
		return
	}
	event, err := json.Marshal(g.proxyRequest(r, route, params, policy, body))
	if err != nil {
		g.cfg.logger.Error("apigw: encoding the proxy event", "route", route.String(), "err", err)
		g.fail(w, http.StatusInternalServerError, gateway.ErrorBody(gateway.MessageInternalError))
		return
	}
	answer, err := fn.Invoke(r.Context(), event)
	var ferr *messages.InvokeResponse_Error
	switch {
	case errors.As(err, &ferr):
		g.cfg.logger.Error("apigw: the function failed", "route", route.String(), "err", err)
		g.fail(w, http.StatusBadGateway, gateway.ErrorBody(gateway.MessageInternalError))
		return
	case err != nil:
		g.cfg.logger.Error("apigw: the function could not be invoked", "route", route.String(), "err", err)
		g.fail(w, http.StatusInternalServerError, gateway.ErrorBody(gateway.MessageInternalError))
		return
	}
	resp, respBody, err := parseProxyResponse(answer)
	if err != nil {
		g.cfg.logger.Error("apigw: malformed Lambda proxy response", "route", route.String(), "err", err)
		g.fail(w, http.StatusBadGateway, gateway.ErrorBody(gateway.MessageInternalError))
		return
	}
	h := w.Header()
	for k, v := range resp.Headers {
		if _, multi := resp.MultiValueHeaders[k]; !multi {
			h.Set(k, v)
		}
	}
	for k, vs := range resp.MultiValueHeaders {
		h.Del(k)
		for _, v := range vs {
			h.Add(k, v)
		}
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = w.Write(respBody)
}

// readBody reads the request's body, up to maxBodySize.
func readBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Body == nil {
		return nil, nil
	}
	return io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodySize))
}

// values are the parts of a request API Gateway hands both a REQUEST
// authorizer and a Lambda proxy function: each header and query parameter
// with its last value and with all of them, and the path parameters,
// decoded.
type values struct {
	headers, query, pathParams map[string]string
	multiHeaders, multiQuery   map[string][]string
}

// valuesOf returns the values of r, whose path parameters are params.
func valuesOf(r *http.Request, params map[string]string) values {
	headers := map[string]string{}
	multiHeaders := map[string][]string{}
	for k, vs := range r.Header {
		headers[k] = vs[len(vs)-1]
		multiHeaders[k] = slices.Clone(vs)
	}
	headers["Host"] = r.Host
	multiHeaders["Host"] = []string{r.Host}
	var query map[string]string
	var multiQuery map[string][]string
	if q := r.URL.Query(); len(q) > 0 {
		query, multiQuery = map[string]string{}, map[string][]string{}
		for k, vs := range q {
			query[k] = vs[len(vs)-1]
			multiQuery[k] = vs
		}
	}
	var pathParams map[string]string
	for k, v := range params {
		if pathParams == nil {
			pathParams = map[string]string{}
		}
		if decoded, err := url.PathUnescape(v); err == nil {
			v = decoded
		}
		pathParams[k] = v
	}
	return values{headers: headers, query: query, pathParams: pathParams, multiHeaders: multiHeaders, multiQuery: multiQuery}
}

// sourceIP returns the address the request came from.
func sourceIP(r *http.Request) string {
	ip, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		return r.RemoteAddr
	}
	return ip
}

// requestEvent builds the event API Gateway sends a REQUEST authorizer for
// a request r matched to route, with the path parameters params.
func (g *Gateway) requestEvent(r *http.Request, route gateway.Route, params map[string]string, methodARN string) events.APIGatewayCustomAuthorizerRequestTypeRequest {
	v := valuesOf(r, params)
	return events.APIGatewayCustomAuthorizerRequestTypeRequest{
		Type:                            typeRequest,
		MethodArn:                       methodARN,
		Resource:                        route.ResourcePath(),
		Path:                            r.URL.Path,
		HTTPMethod:                      r.Method,
		Headers:                         v.headers,
		MultiValueHeaders:               v.multiHeaders,
		QueryStringParameters:           v.query,
		MultiValueQueryStringParameters: v.multiQuery,
		PathParameters:                  v.pathParams,
		RequestContext: events.APIGatewayCustomAuthorizerRequestTypeRequestContext{
			Path:         "/" + g.cfg.Stage + r.URL.Path,
			AccountID:    g.cfg.AccountID,
			ResourceID:   resourceID(route.ResourcePath()),
			Stage:        g.cfg.Stage,
			RequestID:    requestID(),
			Identity:     events.APIGatewayCustomAuthorizerRequestTypeRequestIdentity{SourceIP: sourceIP(r)},
			ResourcePath: route.ResourcePath(),
			HTTPMethod:   r.Method,
			APIID:        g.cfg.APIID,
		},
	}
}

// proxyRequest builds the event API Gateway sends a Lambda proxy function.
func (g *Gateway) proxyRequest(r *http.Request, route gateway.Route, params map[string]string, policy authorizerPolicy, body []byte) events.APIGatewayProxyRequest {
	v := valuesOf(r, params)
	// API Gateway passes the authorizer's principalId and its context
	// entries, every value as a string.
	authorizer := map[string]any{"principalId": policy.PrincipalID}
	for k, v := range policy.Context {
		authorizer[k] = v
	}
	now := g.now()
	return events.APIGatewayProxyRequest{
		Resource:                        route.ResourcePath(),
		Path:                            r.URL.Path,
		HTTPMethod:                      r.Method,
		Headers:                         v.headers,
		MultiValueHeaders:               v.multiHeaders,
		QueryStringParameters:           v.query,
		MultiValueQueryStringParameters: v.multiQuery,
		PathParameters:                  v.pathParams,
		Body:                            string(body),
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID:        g.cfg.AccountID,
			APIID:            g.cfg.APIID,
			Stage:            g.cfg.Stage,
			RequestID:        requestID(),
			ResourcePath:     route.ResourcePath(),
			ResourceID:       resourceID(route.ResourcePath()),
			HTTPMethod:       r.Method,
			Path:             "/" + g.cfg.Stage + r.URL.Path,
			Protocol:         r.Proto,
			DomainName:       r.Host,
			RequestTime:      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			RequestTimeEpoch: now.UnixMilli(),
			Identity:         events.APIGatewayRequestIdentity{SourceIP: sourceIP(r), UserAgent: r.UserAgent()},
			Authorizer:       authorizer,
		},
	}
}

// parseProxyResponse reads a Lambda proxy function's answer as API Gateway
// does: a JSON object with a statusCode, optional headers and
// multiValueHeaders, and a body, base64-encoded when isBase64Encoded. It
// returns the answer and its decoded body, or an error for an answer API
// Gateway would call malformed (its 502).
func parseProxyResponse(answer []byte) (events.APIGatewayProxyResponse, []byte, error) {
	var resp events.APIGatewayProxyResponse
	if err := json.Unmarshal(answer, &resp); err != nil {
		return resp, nil, fmt.Errorf("apigw: the answer %.100q is not a proxy response: %w", answer, err)
	}
	if resp.StatusCode < 100 || resp.StatusCode > 599 {
		return resp, nil, fmt.Errorf("apigw: the answer's statusCode %d is not an HTTP status", resp.StatusCode)
	}
	if !resp.IsBase64Encoded {
		return resp, []byte(resp.Body), nil
	}
	body, err := base64.StdEncoding.DecodeString(resp.Body)
	if err != nil {
		return resp, nil, fmt.Errorf("apigw: the answer's body is not base64: %w", err)
	}
	return resp, body, nil
}

// requestID returns a random ID in the form API Gateway gives its requests.
func requestID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	h := hex.EncodeToString(b)
	return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
}

// authorize returns the authorizer's policy for the identity-source values
// key, from cache when it holds one, and whether it did; otherwise it
// invokes the authorizer with event and caches its answer.
func (g *Gateway) authorize(ctx context.Context, cache map[string]cached, key string, event any) (authorizerPolicy, bool, error) {
	now := g.now()
	g.mu.Lock()
	c, ok := cache[key]
	g.mu.Unlock()
	if ok && !g.cfg.Uncached && now.Before(c.expires) {
		return c.policy, true, nil
	}
	payload, err := json.Marshal(event)
	if err != nil {
		return authorizerPolicy{}, false, fmt.Errorf("apigw: encoding the authorizer's event: %w", err)
	}
	answer, err := g.cfg.Authorizer.Invoke(ctx, payload)
	if err != nil {
		return authorizerPolicy{}, false, err
	}
	policy, err := parseAuthorizerPolicy(answer)
	if err != nil {
		return authorizerPolicy{}, false, err
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if len(cache) >= maxCached {
		for k, v := range cache {
			if !now.Before(v.expires) {
				delete(cache, k)
			}
		}
	}
	if len(cache) < maxCached {
		cache[key] = cached{policy: policy, expires: now.Add(g.cfg.CacheTTL)}
	}
	return policy, false, nil
}

// fail writes one of API Gateway's own answers: JSON, with the CORS headers
// its gateway responses add.
func (g *Gateway) fail(w http.ResponseWriter, status int, body []byte) {
	for k, v := range gateway.CORSHeaders(g.cfg.AllowOrigin) {
		w.Header().Set(k, v)
	}
	writeJSON(w, status, body)
}

func writeJSON(w http.ResponseWriter, status int, body []byte) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}
