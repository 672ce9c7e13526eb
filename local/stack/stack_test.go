package stack

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"signin/functions/gateway"
	"signin/local/apigw"
	"signin/local/idp"
	"signin/site"
)

// These tests run the stack as `make dev` does, with the real binaries of
// the authorizer and of every route's function under the emulator, on free
// ports. The authorizer allows the hosted domain example.com only.

const allowedDomain = "example.com"

var (
	shared *Running
	calls  counter
)

// counter counts the invocations of each function, as the API makes them.
type counter struct {
	mu sync.Mutex
	n  map[string]int
}

// wrap returns fn counting its invocations under name.
func (c *counter) wrap(name string, fn lambda.Handler) lambda.Handler {
	return handlerFunc(func(ctx context.Context, payload []byte) ([]byte, error) {
		c.mu.Lock()
		c.n[name]++
		c.mu.Unlock()
		return fn.Invoke(ctx, payload)
	})
}

// invocations returns how often the function name has been invoked.
func (c *counter) invocations(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n[name]
}

// handlerFunc is a lambda.Handler written as a Go func.
type handlerFunc func(ctx context.Context, payload []byte) ([]byte, error)

func (f handlerFunc) Invoke(ctx context.Context, payload []byte) ([]byte, error) {
	return f(ctx, payload)
}

func TestMain(m *testing.M) {
	calls.n = map[string]int{}
	st, err := Start(context.Background(), Options{AllowedDomains: allowedDomain, wrap: calls.wrap})
	if err != nil {
		fmt.Fprintln(os.Stderr, "starting the stack:", err)
		os.Exit(1)
	}
	shared = st
	code := m.Run()
	st.Close()
	os.Exit(code)
}

func token(tb testing.TB, id idp.Identity) string {
	tb.Helper()
	tok, err := shared.Provider.Token(id)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}

func call(tb testing.TB, client *http.Client, method, apiURL, authorization string) (*http.Response, string) {
	tb.Helper()
	return callPath(tb, client, method, apiURL, authorization)
}

func callPath(tb testing.TB, client *http.Client, method, url, authorization string) (*http.Response, string) {
	tb.Helper()
	req, err := http.NewRequest(method, url, nil)
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Origin", shared.SiteURL)
	if authorization != "" {
		req.Header.Set(gateway.AuthorizationHeader, authorization)
	}
	resp, err := client.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return resp, string(body)
}

func TestAPIAnswersWithTheRealFunctions(t *testing.T) {
	ada := token(t, idp.Identity{Name: "Ada Lovelace", Email: "ada@example.com", EmailVerified: true})
	tests := []struct {
		name          string
		authorization string
		wantStatus    int
		wantBody      string
		wantInvoked   bool
	}{
		{"attack: no token is 401 and never reaches the authorizer", "",
			401, `{"message":"Unauthorized"}`, false},
		{"attack: garbage in the header is 401 and never reaches the authorizer", "not a token",
			401, `{"message":"Unauthorized"}`, false},
		{"attack: a JWT-shaped forgery is 401 from the authorizer", "eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0.c2ln",
			401, `{"message":"Unauthorized"}`, true},
		{"attack: an expired token is 401", token(t, idp.Identity{Name: "Ada", Email: "ada@example.com", EmailVerified: true, Lifetime: -time.Minute}),
			401, `{"message":"Unauthorized"}`, true},
		{"attack: a user outside the allowed domain is 403", token(t, idp.Identity{Name: "Mallory", Email: "mallory@example.net", EmailVerified: true}),
			403, `{"message":"User is not authorized to access this resource with an explicit deny"}`, true},
		{"attack: an unverified email is 403", token(t, idp.Identity{Name: "Eve", Email: "eve@example.com"}),
			403, `{"message":"User is not authorized to access this resource with an explicit deny"}`, true},
		{"an allowed user is greeted", ada,
			200, `{"message":"Hello Ada Lovelace!"}`, true},
		{"a Bearer-prefixed token is accepted", "Bearer " + token(t, idp.Identity{Name: "Grace Hopper", Email: "grace@example.com", EmailVerified: true}),
			200, `{"message":"Hello Grace Hopper!"}`, true},
		{"attack: quotes in the name cannot change the greeting's event", "Bearer " + token(t, idp.Identity{Name: `O'Brien", "name": "admin`, Email: "ob@example.com", EmailVerified: true}),
			200, `{"message":"Hello O'Brien\", \"name\": \"admin!"}`, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			before := calls.invocations("authorizer")
			resp, body := call(t, http.DefaultClient, http.MethodGet, shared.APIURL, tt.authorization)
			if resp.StatusCode != tt.wantStatus || body != tt.wantBody {
				t.Errorf("GET / = %d %s, want %d %s", resp.StatusCode, body, tt.wantStatus, tt.wantBody)
			}
			if got := resp.Header.Get("Access-Control-Allow-Origin"); got != shared.SiteURL {
				t.Errorf("Access-Control-Allow-Origin = %q on a %d, want %q so the page can read it", got, resp.StatusCode, shared.SiteURL)
			}
			if invoked := calls.invocations("authorizer") > before; invoked != tt.wantInvoked {
				t.Errorf("the authorizer ran: %v, want %v", invoked, tt.wantInvoked)
			}
		})
	}
}

func TestPreflightNeedsNoToken(t *testing.T) {
	before := calls.invocations("authorizer")
	for _, path := range gateway.Routes.Paths() {
		resp, _ := callPath(t, http.DefaultClient, http.MethodOptions, routeURL(shared, path), "")
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("OPTIONS %s = %d, want 200", path, resp.StatusCode)
		}
		for k, v := range gateway.PreflightHeaders(shared.SiteURL, gateway.Routes.AllowedMethods(path)) {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("preflight of %s: %s = %q, want %q", path, k, got, v)
			}
		}
	}
	if calls.invocations("authorizer") != before {
		t.Error("the preflight invoked the authorizer")
	}
}

func TestSecondCallHitsTheCache(t *testing.T) {
	tok := token(t, idp.Identity{Name: "Cache Test", Email: "cache@example.com", EmailVerified: true})
	before := calls.invocations("authorizer")
	for i, want := range []string{"miss", "hit", "hit"} {
		resp, body := call(t, http.DefaultClient, http.MethodGet, shared.APIURL, tok)
		if resp.StatusCode != 200 || resp.Header.Get(apigw.CacheHeader) != want {
			t.Errorf("call %d = %d %s with %s %q, want 200 and %q", i+1, resp.StatusCode, body,
				apigw.CacheHeader, resp.Header.Get(apigw.CacheHeader), want)
		}
	}
	if got := calls.invocations("authorizer") - before; got != 1 {
		t.Errorf("the authorizer ran %d times for three calls with one token, want 1", got)
	}
}

// A failure behind the API is a 500 that still carries the CORS headers, so
// the page can tell the user the service is unavailable: a route's
// function that cannot be invoked fails its route only; an authorizer that
// cannot be invoked fails every route. (A proxy function's error or
// malformed answer, API Gateway's 502, is apigw's TestProxyFailuresAre502WithCORS.)
func TestFailuresAre500WithCORS(t *testing.T) {
	st, err := Start(context.Background(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	tok, err := st.Provider.Token(idp.Identity{Name: "Ada", Email: "ada@example.com", EmailVerified: true})
	if err != nil {
		t.Fatal(err)
	}
	check := func(path, tok string, wantStatus int, wantBody string) {
		t.Helper()
		resp, body := callPath(t, http.DefaultClient, http.MethodGet, routeURL(st, path), tok)
		if resp.StatusCode != wantStatus || body != wantBody {
			t.Errorf("GET %s = %d %s, want %d %s", path, resp.StatusCode, body, wantStatus, wantBody)
		}
		if got := resp.Header.Get("Access-Control-Allow-Origin"); got != st.SiteURL {
			t.Errorf("GET %s: Access-Control-Allow-Origin = %q on the %d, want %q", path, got, resp.StatusCode, st.SiteURL)
		}
	}
	st.functions["me"].Close()
	check("/me", tok, 500, `{"message":"Internal server error"}`)
	check("/", tok, 200, `{"message":"Hello Ada!"}`)
	for _, f := range st.functions {
		f.Close()
	}
	// A token the cache has not seen, so the authorizer is invoked.
	grace, err := st.Provider.Token(idp.Identity{Name: "Grace", Email: "grace@example.com", EmailVerified: true})
	if err != nil {
		t.Fatal(err)
	}
	check("/", grace, 500, apigw.AuthorizerFailureBody)
}

func TestPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	_, err = Start(context.Background(), Options{APIPort: port})
	var inUse *PortInUseError
	if !errors.As(err, &inUse) || inUse.Part != "api" || inUse.Port != port {
		t.Fatalf("Start with the API port taken = %v, want a PortInUseError for api port %d", err, port)
	}
}

func TestSiteServesThePageWithItsConfig(t *testing.T) {
	resp, err := http.Get(shared.SiteURL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	cfg, err := site.ReadConfig(body)
	if want := (site.Config{ClientID: DevClientID, SignInScript: shared.IssuerURL + "/gsi/client"}); resp.StatusCode != 200 || err != nil || cfg != want {
		t.Errorf("GET / = %d with the configuration %+v (%v), want 200 with %+v", resp.StatusCode, cfg, err, want)
	}
}

// BenchmarkCachedToken measures a request through the local API whose
// token's policy is cached: the emulation plus the greeting function under
// the emulator.
func BenchmarkCachedToken(b *testing.B) {
	tok := token(b, idp.Identity{Name: "Ada Lovelace", Email: "ada@example.com", EmailVerified: true})
	client := &http.Client{}
	call(b, client, http.MethodGet, shared.APIURL, tok)
	latencies := make([]time.Duration, 0, 1024)
	start := time.Now()
	for b.Loop() {
		t0 := time.Now()
		resp, _ := call(b, client, http.MethodGet, shared.APIURL, tok)
		latencies = append(latencies, time.Since(t0))
		if resp.StatusCode != 200 || resp.Header.Get(apigw.CacheHeader) != "hit" {
			b.Fatalf("GET / = %d, cache %q", resp.StatusCode, resp.Header.Get(apigw.CacheHeader))
		}
	}
	report(b, latencies, time.Since(start))
}

// BenchmarkCacheMiss measures a request whose token the cache has not seen:
// the authorizer verifies it too.
func BenchmarkCacheMiss(b *testing.B) {
	tokens := make([]string, b.N)
	for i := range tokens {
		tokens[i] = token(b, idp.Identity{Name: "User", Email: fmt.Sprintf("user%d-%d@example.com", i, time.Now().UnixNano()), EmailVerified: true})
	}
	client := &http.Client{}
	latencies := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	start := time.Now()
	for i := 0; i < b.N; i++ {
		t0 := time.Now()
		resp, _ := call(b, client, http.MethodGet, shared.APIURL, tokens[i])
		latencies = append(latencies, time.Since(t0))
		if resp.StatusCode != 200 || resp.Header.Get(apigw.CacheHeader) != "miss" {
			b.Fatalf("GET / = %d, cache %q", resp.StatusCode, resp.Header.Get(apigw.CacheHeader))
		}
	}
	report(b, latencies, time.Since(start))
}

// report adds requests per second and the median latency to b's results.
func report(b *testing.B, latencies []time.Duration, elapsed time.Duration) {
	if len(latencies) == 0 {
		return
	}
	slices.Sort(latencies)
	b.ReportMetric(float64(len(latencies))/elapsed.Seconds(), "req/s")
	b.ReportMetric(float64(latencies[len(latencies)/2].Microseconds())/1000, "ms-median")
}

// The page and curl may call at the same moment; each call must be
// answered, though the emulator runs one invocation at a time.
func TestConcurrentCallsAreAllAnswered(t *testing.T) {
	const calls = 8
	tokens := make([]string, calls)
	for i := range tokens {
		tokens[i] = token(t, idp.Identity{Name: fmt.Sprint("User ", i), Email: fmt.Sprintf("concurrent%d@example.com", i), EmailVerified: true})
	}
	var wg sync.WaitGroup
	statuses := make([]int, calls)
	errs := make([]error, calls)
	for i := range calls {
		wg.Go(func() {
			req, err := http.NewRequest(http.MethodGet, shared.APIURL, nil)
			if err != nil {
				errs[i] = err
				return
			}
			req.Header.Set(gateway.AuthorizationHeader, tokens[i])
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				errs[i] = err
				return
			}
			resp.Body.Close()
			statuses[i] = resp.StatusCode
		})
	}
	wg.Wait()
	for i, s := range statuses {
		if errs[i] != nil || s != http.StatusOK {
			t.Errorf("concurrent call %d = %d, %v; want 200", i, s, errs[i])
		}
	}
}

// routeURL is the address of the route path at st's API: its origin and
// the route's resource path.
func routeURL(st *Running, path string) string {
	return strings.TrimSuffix(st.APIURL, gateway.Prefix) + gateway.ResourcePath(path)
}
