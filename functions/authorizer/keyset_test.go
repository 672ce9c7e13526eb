package authorizer

import (
	"crypto/rand"
	"crypto/rsa"
	"crypto/tls"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseKeySetKeepsOnlyRS256SigningKeys(t *testing.T) {
	testKeys(t)
	small, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(jwks(map[string]*rsa.PublicKey{"good": &googleKey.PublicKey}))
	extra := `{"kty":"EC","kid":"ec","alg":"ES256","crv":"P-256","x":"AA","y":"AA"},` +
		`{"kty":"RSA","kid":"enc","use":"enc","n":"AQAB","e":"AQAB"},` +
		`{"kty":"RSA","kid":"ps","alg":"PS256","n":"AQAB","e":"AQAB"},` +
		`{"kty":"RSA","n":"AQAB","e":"AQAB"},`
	doc = strings.Replace(doc, `{"keys":[`, `{"keys":[`+extra, 1)
	doc = strings.Replace(doc, `]}`, ","+strings.TrimSuffix(strings.TrimPrefix(string(jwks(map[string]*rsa.PublicKey{"small": &small.PublicKey})), `{"keys":[`), `]}`)+`]}`, 1)
	keys, _, err := parseKeySet([]byte(doc))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || len(keys["good"]) != 1 || !keys["good"][0].Equal(&googleKey.PublicKey) {
		t.Errorf("keys %v, want only \"good\"", keys)
	}
}

func TestParseKeySetRejectsBrokenDocuments(t *testing.T) {
	for _, doc := range []string{
		``,
		`[]`,
		`{"keys":[]}`,
		`{"keys":[{"kty":"EC","kid":"ec"}]}`,
		`{"keys":[{"kty":"RSA","kid":"k","n":"!!","e":"AQAB"}]}`,
		`{"keys":[{"kty":"RSA","kid":"k","n":"AQAB","e":"AAAAAAAB"}]}`,
		`{"keys":[{"kty":"RSA","kid":"k","n":"AQAB","e":"Ag"}]}`,
	} {
		if keys, _, err := parseKeySet([]byte(doc)); err == nil {
			t.Errorf("parseKeySet(%s) = %v, want an error", doc, keys)
		}
	}
}

func TestKeySetReportsUnavailableKeysApartFromBadTokens(t *testing.T) {
	testKeys(t)
	iss := newIssuer(t)
	iss.setDown(true)
	c := newClock()
	keys := NewKeySet(iss.jwksURL(), slog.New(slog.DiscardHandler))
	keys.now = c.Now
	if _, err := keys.lookup(t.Context(), "k1"); !errors.Is(err, errKeysUnavailable) {
		t.Errorf("issuer down: %v, want errKeysUnavailable", err)
	}
	iss.setDown(false)
	c.advance(retryAfterFailure)
	if _, err := keys.lookup(t.Context(), "k1"); err != nil {
		t.Errorf("issuer up: %v", err)
	}
	if _, err := keys.lookup(t.Context(), "nope"); !errors.Is(err, errUnknownKey) {
		t.Errorf("unknown kid: %v, want errUnknownKey", err)
	}
}

// jwk renders one RSA key as a JWK member of a key set, with its exponent
// and modulus encodings given.
func jwkDoc(kid, n, e string) string {
	return `{"kty":"RSA","alg":"RS256","use":"sig","kid":"` + kid + `","n":"` + n + `","e":"` + e + `"}`
}

func keySetDoc(keys ...string) []byte {
	return []byte(`{"keys":[` + strings.Join(keys, ",") + `]}`)
}

func TestParseKeySetSkipsUnusableKeysAndKeepsTheOthers(t *testing.T) {
	testKeys(t)
	good := jwkDoc("good", b64(googleKey.N.Bytes()), "AQAB")
	padded := jwkDoc("padded", base64.URLEncoding.EncodeToString(nextKey.N.Bytes()), "AQAB")
	e3 := jwkDoc("e3", b64(nextKey.N.Bytes()), "Aw")
	e65535 := jwkDoc("e65535", b64(nextKey.N.Bytes()), "__8")
	keys, skipped, err := parseKeySet(keySetDoc(padded, e3, good, e65535))
	if err != nil {
		t.Fatal(err)
	}
	if len(keys) != 1 || len(keys["good"]) != 1 || !keys["good"][0].Equal(&googleKey.PublicKey) {
		t.Errorf("keys %v, want only \"good\"", keys)
	}
	if len(skipped) != 3 {
		t.Errorf("skipped %v, want the padded modulus and both small exponents", skipped)
	}
}

// TestTwoKeysUnderOneKidAcceptEither: an issuer publishing two keys under
// one kid (mid-rotation, or by mistake) gets one answer whatever the order:
// a token verifying under either key is allowed, any other is refused.
func TestTwoKeysUnderOneKidAcceptEither(t *testing.T) {
	testKeys(t)
	first := jwkDoc("k1", b64(googleKey.N.Bytes()), "AQAB")
	second := jwkDoc("k1", b64(nextKey.N.Bytes()), "AQAB")
	for _, doc := range [][]byte{keySetDoc(first, second), keySetDoc(second, first)} {
		f := newFixture(t, nil, nil)
		f.iss.set(func(iss *issuer) { iss.doc = doc })
		for _, tt := range []struct {
			key  *rsa.PrivateKey
			want int
		}{{googleKey, http.StatusOK}, {nextKey, http.StatusOK}, {foreignKey, http.StatusUnauthorized}} {
			if _, got := f.authorize(t, token(tt.key, "k1", nil)); got != tt.want {
				t.Errorf("%s: answer %d, want %d", doc[:40], got, tt.want)
			}
		}
	}
}

// TestOneMalformedKeyDoesNotStopLogins: a key set with one key whose
// modulus is padded base64 still verifies tokens under its other keys, and
// the skipped key is logged once per fetch, not once per decision.
func TestOneMalformedKeyDoesNotStopLogins(t *testing.T) {
	testKeys(t)
	f := newFixture(t, nil, nil)
	f.iss.set(func(iss *issuer) {
		iss.doc = keySetDoc(jwkDoc("bad", base64.URLEncoding.EncodeToString(nextKey.N.Bytes()), "AQAB"),
			jwkDoc("k1", b64(googleKey.N.Bytes()), "AQAB"))
	})
	for range 3 {
		if _, got := f.authorize(t, token(googleKey, "k1", nil)); got != http.StatusOK {
			t.Fatalf("answer %d, want 200; log: %s", got, f.log)
		}
	}
	if n := strings.Count(f.log.String(), "skipped unusable signing keys"); n != 1 {
		t.Errorf("%d log lines about the skipped key, want 1: %s", n, f.log)
	}
}

// TestKeySetLifetime: the keys live as long as the issuer's response says;
// a key the issuer withdraws stops being accepted once they expire, and an
// outage of the issuer is ridden out for the grace period only.
func TestKeySetLifetime(t *testing.T) {
	testKeys(t)
	valid := token(googleKey, "k1", nil)
	withdraw := func(f *fixture) {
		f.iss.set(func(iss *issuer) { iss.keys = map[string]*rsa.PublicKey{"k2": &nextKey.PublicKey} })
	}
	tests := []struct {
		name    string
		header  string
		steps   []func(*fixture)
		want    []int
		fetches int64
	}{
		{"withdrawn key accepted until max-age", "public, max-age=600, must-revalidate", []func(*fixture){
			nil, withdraw, func(f *fixture) { f.clock.advance(599 * time.Second) },
		}, []int{http.StatusOK, http.StatusOK, http.StatusOK}, 1},
		{"withdrawn key refused after max-age", "public, max-age=600, must-revalidate", []func(*fixture){
			nil, withdraw, func(f *fixture) { f.clock.advance(601 * time.Second) },
		}, []int{http.StatusOK, http.StatusOK, http.StatusUnauthorized}, 2},
		{"withdrawn key refused after the default lifetime without Cache-Control", "", []func(*fixture){
			nil, withdraw, func(f *fixture) { f.clock.advance(defaultLifetime + time.Second) },
		}, []int{http.StatusOK, http.StatusOK, http.StatusUnauthorized}, 2},
		{"a max-age of a year is capped", "max-age=31536000", []func(*fixture){
			nil, withdraw, func(f *fixture) { f.clock.advance(maxLifetime + time.Second) },
		}, []int{http.StatusOK, http.StatusOK, http.StatusUnauthorized}, 2},
		{"issuer down after max-age: old keys within the grace", "max-age=600", []func(*fixture){
			nil, func(f *fixture) { f.iss.setDown(true); f.clock.advance(601 * time.Second) },
			func(f *fixture) { f.clock.advance(graceAfterExpiry - 2*time.Second) },
		}, []int{http.StatusOK, http.StatusOK, http.StatusOK}, 3},
		{"issuer down after max-age: keys unavailable after the grace", "max-age=600", []func(*fixture){
			nil, func(f *fixture) { f.iss.setDown(true); f.clock.advance(601 * time.Second) },
			func(f *fixture) { f.clock.advance(graceAfterExpiry) },
		}, []int{http.StatusOK, http.StatusOK, http.StatusInternalServerError}, 3},
		{"issuer back after the grace", "max-age=600", []func(*fixture){
			nil, func(f *fixture) { f.iss.setDown(true); f.clock.advance(601*time.Second + graceAfterExpiry) },
			func(f *fixture) { f.iss.setDown(false); f.clock.advance(retryAfterFailure) },
		}, []int{http.StatusOK, http.StatusInternalServerError, http.StatusOK}, 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil, nil)
			if tt.header != "" {
				f.iss.set(func(iss *issuer) { iss.header = http.Header{"Cache-Control": {tt.header}} })
			}
			for i, step := range tt.steps {
				if step != nil {
					step(f)
				}
				if _, got := f.authorize(t, valid); got != tt.want[i] {
					t.Fatalf("step %d: answer %d, want %d; log: %s", i+1, got, tt.want[i], f.log)
				}
			}
			if n := f.iss.fetches.Load(); n != tt.fetches {
				t.Errorf("%d fetches, want %d", n, tt.fetches)
			}
		})
	}
}

// TestFailedRefetchIsLoggedAsAnError: deciding on old keys during the grace
// is not silent.
func TestFailedRefetchIsLoggedAsAnError(t *testing.T) {
	testKeys(t)
	f := newFixture(t, nil, nil)
	f.authorize(t, token(googleKey, "k1", nil))
	f.iss.setDown(true)
	f.clock.advance(defaultLifetime + time.Second)
	if _, got := f.authorize(t, token(googleKey, "k1", nil)); got != http.StatusOK {
		t.Fatalf("answer %d, want 200 within the grace", got)
	}
	if !strings.Contains(f.log.String(), `"level":"ERROR","msg":"fetching the signing keys failed"`) {
		t.Errorf("no error logged for the failed refetch: %s", f.log)
	}
}

// TestExpiredKeysAreFetchedOnceForConcurrentDecisions: when the keys
// expire, 50 decisions at once cause one fetch, not 50.
func TestExpiredKeysAreFetchedOnceForConcurrentDecisions(t *testing.T) {
	testKeys(t)
	f := newFixture(t, nil, nil)
	valid := token(googleKey, "k1", nil)
	f.authorize(t, valid)
	f.iss.set(func(iss *issuer) { iss.delay = 50 * time.Millisecond })
	f.clock.advance(defaultLifetime + time.Second)
	var wg sync.WaitGroup
	answers := make(chan error, 50)
	for range 50 {
		wg.Go(func() {
			_, err := f.auth.Handle(t.Context(), eventFor(valid, methodARN))
			answers <- err
		})
	}
	wg.Wait()
	close(answers)
	for err := range answers {
		if err != nil {
			t.Errorf("answer %v, want an Allow", err)
		}
	}
	if n := f.iss.fetches.Load(); n != 2 {
		t.Errorf("%d fetches, want 2 (cold start and one refetch)", n)
	}
}

// TestFailedPrefetchDelaysNoDecision: a failed fetch during init must not
// hold back the first decision's fetch for the retry interval.
func TestFailedPrefetchDelaysNoDecision(t *testing.T) {
	testKeys(t)
	f := newFixture(t, nil, nil)
	f.iss.setDown(true)
	if err := f.keys.Prefetch(t.Context()); err == nil {
		t.Fatal("Prefetch with the issuer down succeeded")
	}
	f.iss.setDown(false)
	if _, got := f.authorize(t, token(googleKey, "k1", nil)); got != http.StatusOK {
		t.Errorf("first decision after a failed prefetch: answer %d, want 200", got)
	}
	if err := f.keys.Prefetch(t.Context()); err != nil {
		t.Errorf("Prefetch: %v", err)
	}
}

func TestLifetime(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	date := now.Format(http.TimeFormat)
	tests := []struct {
		name   string
		header http.Header
		want   time.Duration
	}{
		{"none", http.Header{}, defaultLifetime},
		{"Google's", http.Header{"Cache-Control": {"public, max-age=19856, must-revalidate, no-transform"}}, 19856 * time.Second},
		{"less the Age", http.Header{"Cache-Control": {"max-age=19856"}, "Age": {"856"}}, 19000 * time.Second},
		{"upper-case directive", http.Header{"Cache-Control": {"Max-Age=7200"}}, 2 * time.Hour},
		{"max-age over Expires", http.Header{"Cache-Control": {"max-age=7200"}, "Expires": {now.Add(time.Hour).Format(http.TimeFormat)}, "Date": {date}}, 2 * time.Hour},
		{"Expires less Date", http.Header{"Expires": {now.Add(3 * time.Hour).Format(http.TimeFormat)}, "Date": {date}}, 3 * time.Hour},
		{"invalid Expires", http.Header{"Expires": {"0"}}, minLifetime},
		{"no-store", http.Header{"Cache-Control": {"no-store"}}, minLifetime},
		{"max-age=0", http.Header{"Cache-Control": {"max-age=0"}}, minLifetime},
		{"malformed max-age", http.Header{"Cache-Control": {"max-age=soon"}}, minLifetime},
		{"a year", http.Header{"Cache-Control": {"max-age=31536000"}}, maxLifetime},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := lifetime(tt.header, now); got != tt.want {
				t.Errorf("Lifetime = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestDefaultClientFetchesOverHTTPS fetches the keys with the key set's own
// client: it trusts the bundle named by SSL_CERT_FILE and nothing else, and
// agrees on X25519 alone as its key exchange.
func TestDefaultClientFetchesOverHTTPS(t *testing.T) {
	testKeys(t)
	var mu sync.Mutex
	var curves []tls.CurveID
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		curves = append(curves, r.TLS.CurveID)
		_, _ = w.Write(jwks(map[string]*rsa.PublicKey{"k1": &googleKey.PublicKey}))
	}))
	defer srv.Close()
	dir := t.TempDir()
	bundle := filepath.Join(dir, "bundle.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_DIR", "")

	t.Setenv("SSL_CERT_FILE", bundle)
	keys := NewKeySet(srv.URL+"/keys", slog.New(slog.DiscardHandler))
	if _, err := keys.lookup(t.Context(), "k1"); err != nil {
		t.Fatalf("server in the bundle: %v", err)
	}
	seen := func() []tls.CurveID {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(curves)
	}
	if got := seen(); len(got) != 1 || got[0] != tls.X25519 {
		t.Errorf("key exchanges %v, want [X25519]", got)
	}

	// Debian's bundle, without the test server's certificate.
	other := "/etc/ssl/certs/ca-certificates.crt"
	if _, err := os.Stat(other); err != nil {
		t.Skip("no Debian bundle for the untrusted case:", err)
	}
	t.Setenv("SSL_CERT_FILE", other)
	keys = NewKeySet(srv.URL+"/keys", slog.New(slog.DiscardHandler))
	if _, err := keys.lookup(t.Context(), "k1"); !errors.Is(err, errKeysUnavailable) {
		t.Errorf("server not in the bundle: %v, want errKeysUnavailable", err)
	}
	if got := seen(); len(got) != 1 {
		t.Errorf("the untrusted server answered %d fetches", len(got)-1)
	}
}
