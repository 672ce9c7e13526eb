package authorizer

import (
	"bytes"
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-lambda-go/events"
)

// The settings of the authorizer under test. The issuer is Google's, so the
// tests exercise go-oidc's special case for it; the keys come from a
// loopback server.
const (
	clientID  = "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com"
	issuerURL = "https://accounts.google.com"
	methodARN = "arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/GET/"
	stageARN  = "arn:aws:execute-api:eu-central-1:123456789012:abcdef1234/dev/*/*"
)

// Test keys: generated once, RSA-2048 like Google's.
var (
	keysOnce                       sync.Once
	googleKey, foreignKey, nextKey *rsa.PrivateKey
)

func testKeys(t testing.TB) {
	t.Helper()
	keysOnce.Do(func() {
		googleKey = mustKey(t)
		foreignKey = mustKey(t)
		nextKey = mustKey(t)
	})
}

func mustKey(t testing.TB) *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// issuer is a loopback stand-in for Google's certificate endpoint. It counts
// the fetches and can be taken down or given a new key.
type issuer struct {
	srv     *httptest.Server
	fetches atomic.Int64

	mu   sync.Mutex
	keys map[string]*rsa.PublicKey
	down bool
	// doc, when set, is served instead of the keys; header is added to
	// every answer; delay holds each answer back.
	doc    []byte
	header http.Header
	delay  time.Duration
}

func newIssuer(t testing.TB) *issuer {
	testKeys(t)
	iss := &issuer{keys: map[string]*rsa.PublicKey{"k1": &googleKey.PublicKey}}
	iss.srv = httptest.NewServer(iss)
	t.Cleanup(iss.srv.Close)
	return iss
}

func (iss *issuer) ServeHTTP(w http.ResponseWriter, _ *http.Request) {
	iss.fetches.Add(1)
	iss.mu.Lock()
	defer iss.mu.Unlock()
	if iss.down {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	time.Sleep(iss.delay)
	for k, v := range iss.header {
		w.Header()[k] = v
	}
	w.Header().Set("Content-Type", "application/json")
	if iss.doc != nil {
		_, _ = w.Write(iss.doc)
		return
	}
	_, _ = w.Write(jwks(iss.keys))
}

// set changes the issuer under its lock.
func (iss *issuer) set(change func(*issuer)) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	change(iss)
}

func (iss *issuer) jwksURL() string { return iss.srv.URL + "/oauth2/v3/certs" }

func (iss *issuer) setDown(down bool) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.down = down
}

func (iss *issuer) publish(kid string, key *rsa.PublicKey) {
	iss.mu.Lock()
	defer iss.mu.Unlock()
	iss.keys[kid] = key
}

// jwks renders keys as Google's certificate endpoint does.
func jwks(keys map[string]*rsa.PublicKey) []byte {
	var set struct {
		Keys []map[string]string `json:"keys"`
	}
	for kid, k := range keys {
		set.Keys = append(set.Keys, map[string]string{
			"kty": "RSA", "alg": "RS256", "use": "sig", "kid": kid,
			"n": b64(k.N.Bytes()), "e": b64(big.NewInt(int64(k.E)).Bytes()),
		})
	}
	doc, _ := json.Marshal(set)
	return doc
}

// clock is a settable time source for the key set's cooldown.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: time.Now()} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// fixture is an authorizer wired to a loopback issuer, with its log.
type fixture struct {
	iss   *issuer
	clock *clock
	log   *bytes.Buffer
	keys  *KeySet
	auth  *Handler
}

func newFixture(t testing.TB, emails, domains []string) *fixture {
	f := &fixture{iss: newIssuer(t), clock: newClock(), log: new(bytes.Buffer)}
	cfg := Config{
		ClientID:       clientID,
		Issuer:         issuerURL,
		JWKSURL:        f.iss.jwksURL(),
		AllowedEmails:  emails,
		AllowedDomains: domains,
	}
	logger := slog.New(slog.NewJSONHandler(f.log, nil))
	f.keys = NewKeySet(cfg.JWKSURL, logger)
	f.keys.now = f.clock.Now
	f.auth = New(cfg, f.keys, logger)
	return f
}

// status is the HTTP status API Gateway answers for the authorizer's
// result: 401 for the error "Unauthorized", 500 for any other error, 403
// for a Deny policy and 200 for an Allow policy on the whole stage.
func status(t testing.TB, resp events.APIGatewayCustomAuthorizerResponse, err error) int {
	t.Helper()
	switch {
	case err != nil && err.Error() == "Unauthorized":
		return http.StatusUnauthorized
	case err != nil:
		return http.StatusInternalServerError
	}
	if len(resp.PolicyDocument.Statement) != 1 {
		t.Fatalf("policy %+v: want one statement", resp.PolicyDocument)
	}
	s := resp.PolicyDocument.Statement[0]
	if len(s.Resource) != 1 || s.Resource[0] != stageARN {
		t.Fatalf("policy resource %v, want [%s]", s.Resource, stageARN)
	}
	if s.Effect == "Allow" {
		return http.StatusOK
	}
	return http.StatusForbidden
}

func (f *fixture) authorize(t testing.TB, token string) (events.APIGatewayCustomAuthorizerResponse, int) {
	t.Helper()
	resp, err := f.auth.Handle(context.Background(), eventFor(token, methodARN))
	return resp, status(t, resp, err)
}

// googleClaims returns the claims of a realistic Google ID token issued now,
// with changes applied (a nil value removes the claim).
func googleClaims(changes map[string]any) map[string]any {
	now := time.Now()
	c := map[string]any{
		"iss":            issuerURL,
		"azp":            clientID,
		"aud":            clientID,
		"sub":            "110169484474386276334",
		"hd":             "example.com",
		"email":          "ada@example.com",
		"email_verified": true,
		"nbf":            now.Add(-time.Minute).Unix(),
		"name":           "Ada Lovelace",
		"picture":        "https://lh3.googleusercontent.com/a/ACg8ocJ3Xk4b8U0q8n3dYyH9f2Y1p6Z7f8Q9r0s1t2u3v4w5x6y7z8=s96-c",
		"given_name":     "Ada",
		"family_name":    "Lovelace",
		"iat":            now.Unix(),
		"exp":            now.Add(time.Hour).Unix(),
		"jti":            "8f2d4c1b9a7e6f5d4c3b2a1908f7e6d5c4b3a291",
	}
	for k, v := range changes {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}

// signRS256 returns the compact JWS of payload under header, signed with
// key: the real algorithm, so any header and payload can be tried.
func signRS256(key *rsa.PrivateKey, header map[string]any, payload []byte) string {
	input := b64(mustJSON(header)) + "." + b64(payload)
	digest := sha256.Sum256([]byte(input))
	sig, err := rsa.SignPKCS1v15(rand.Reader, key, crypto.SHA256, digest[:])
	if err != nil {
		panic(err)
	}
	return input + "." + b64(sig)
}

// token returns a Google-style ID token with the given claim changes,
// signed by key under kid.
func token(key *rsa.PrivateKey, kid string, changes map[string]any) string {
	return signRS256(key, map[string]any{"alg": "RS256", "kid": kid, "typ": "JWT"}, mustJSON(googleClaims(changes)))
}

// hs256WithPublicKey returns the classic algorithm-confusion token: HS256
// with the issuer's RSA public key (PEM) as the HMAC secret.
func hs256WithPublicKey(pub *rsa.PublicKey) string {
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		panic(err)
	}
	secret := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
	input := b64(mustJSON(map[string]any{"alg": "HS256", "kid": "k1", "typ": "JWT"})) + "." + b64(mustJSON(googleClaims(nil)))
	mac := hmac.New(sha256.New, secret)
	mac.Write([]byte(input))
	return input + "." + b64(mac.Sum(nil))
}

// unsigned returns an alg "none" token.
func unsigned() string {
	return b64(mustJSON(map[string]any{"alg": "none", "kid": "k1", "typ": "JWT"})) + "." + b64(mustJSON(googleClaims(nil))) + "."
}

var emptyResponse events.APIGatewayCustomAuthorizerResponse

func eventFor(token, arn string) events.APIGatewayCustomAuthorizerRequest {
	return events.APIGatewayCustomAuthorizerRequest{Type: "TOKEN", AuthorizationToken: token, MethodArn: arn}
}
