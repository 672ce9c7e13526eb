// Package apigw emulates the REST API that API Gateway serves from the route
// table (gateway.Routes): every route behind a TOKEN authorizer with a
// result cache, each integrated with its function as the mapping template
// (non-proxy) or as a Lambda proxy, a CORS preflight per resource, and API
// Gateway's own error answers with CORS headers.
//
// Every setting comes from package signin/functions/gateway, the definition
// the Pulumi program deploys: the routes, the identity source header and
// validation pattern, the mapping template (gateway.RequestTemplate), the
// CORS headers, the error bodies and the cache TTL. What only an emulation
// needs lives here: matching a request to its route as API Gateway does,
// the validation pattern compiled, the mapping template rendered as API
// Gateway's $util.escapeJavaScript does, the authorizer failure's body. The
// functions are the real ones, invoked as lambda.Handler.
package apigw

import (
	"context"
	"crypto/rand"
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
	// Authorizer is the TOKEN authorizer function.
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
	// CacheTTL is how long the authorizer's answer for a token is reused;
	// zero means gateway.DefaultAuthorizerTTL.
	CacheTTL time.Duration
	// logger receives one line per failure of a function; nil means
	// slog.Default().
	logger *slog.Logger
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
	policy  authorizerPolicy
	expires time.Time
}

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
	return &Gateway{cfg: cfg, now: time.Now, cache: map[string]cached{}}, nil
}

// Routes returns the routes the API serves.
func (g *Gateway) Routes() gateway.Table { return slices.Clone(g.cfg.Routes) }

// methodARN returns the methodArn of a request for method on route, whose
// path parameters have the values params, as API Gateway hands it to the
// authorizer: arn:aws:execute-api:<region>:<account>:<api>/<stage>/<method>/<path>,
// the path being the route's resource path (gateway.Route.ResourcePath)
// with the parameters' values, without its leading /.
func (g *Gateway) methodARN(method string, route gateway.Route, params map[string]string) string {
	segments := gateway.Segments(route.ResourcePath())
	for i, seg := range segments {
		if name, ok := gateway.IsParameter(seg); ok {
			segments[i] = params[name]
		}
	}
	return fmt.Sprintf("arn:aws:execute-api:%s:%s:%s/%s/%s/%s",
		g.cfg.Region, g.cfg.AccountID, g.cfg.APIID, g.cfg.Stage, method, strings.Join(segments, "/"))
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

	token := r.Header.Get(gateway.AuthorizationHeader)
	if !matchesTokenPattern(token) {
		g.fail(w, http.StatusUnauthorized, gateway.ErrorBody(gateway.MessageUnauthorized))
		return
	}
	methodARN := g.methodARN(r.Method, route, params)
	if path := r.URL.EscapedPath(); path != "/" && strings.HasSuffix(path, "/") {
		// A request with a trailing slash (/me/), which match routes as
		// API Gateway does. API Gateway does not document whether its
		// method ARN keeps the slash; the emulation keeps it, the reading
		// under which a policy's Deny must also name the slash form.
		methodARN += "/"
	}
	policy, hit, err := g.authorize(r.Context(), token, methodARN)
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
	switch policy.evaluate(methodARN) {
	case denied:
		g.fail(w, http.StatusForbidden, gateway.ErrorBody(gateway.MessageExplicitDeny))
		return
	case notAllowed:
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

// proxyRequest builds the event API Gateway sends a Lambda proxy function.
func (g *Gateway) proxyRequest(r *http.Request, route gateway.Route, params map[string]string, policy authorizerPolicy, body []byte) events.APIGatewayProxyRequest {
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
	// API Gateway passes the authorizer's principalId and its context
	// entries, every value as a string.
	authorizer := map[string]any{"principalId": policy.PrincipalID}
	for k, v := range policy.Context {
		authorizer[k] = v
	}
	sourceIP, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		sourceIP = r.RemoteAddr
	}
	now := g.now()
	return events.APIGatewayProxyRequest{
		Resource:                        route.ResourcePath(),
		Path:                            r.URL.Path,
		HTTPMethod:                      r.Method,
		Headers:                         headers,
		MultiValueHeaders:               multiHeaders,
		QueryStringParameters:           query,
		MultiValueQueryStringParameters: multiQuery,
		PathParameters:                  pathParams,
		Body:                            string(body),
		RequestContext: events.APIGatewayProxyRequestContext{
			AccountID:        g.cfg.AccountID,
			APIID:            g.cfg.APIID,
			Stage:            g.cfg.Stage,
			RequestID:        requestID(),
			ResourcePath:     route.ResourcePath(),
			HTTPMethod:       r.Method,
			Path:             "/" + g.cfg.Stage + r.URL.Path,
			Protocol:         r.Proto,
			DomainName:       r.Host,
			RequestTime:      now.UTC().Format("02/Jan/2006:15:04:05 -0700"),
			RequestTimeEpoch: now.UnixMilli(),
			Identity:         events.APIGatewayRequestIdentity{SourceIP: sourceIP, UserAgent: r.UserAgent()},
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

// authorize returns the authorizer's policy for token, from the cache when
// it holds one, and whether it did.
func (g *Gateway) authorize(ctx context.Context, token, methodARN string) (authorizerPolicy, bool, error) {
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
		return authorizerPolicy{}, false, err
	}
	policy, err := parseAuthorizerPolicy(answer)
	if err != nil {
		return authorizerPolicy{}, false, err
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
