package authorizer

import (
	"crypto/rsa"
	"encoding/base64"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"
)

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
		{"withdrawn key refused a minute after max-age=86400, no-cache", "max-age=86400, no-cache", []func(*fixture){
			nil, withdraw, func(f *fixture) { f.clock.advance(minLifetime + time.Second) },
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

// TestStalledIssuerHoldsTheFirstDecisionOneTimeout: when the issuer stalls
// during a cold start, init's prefetch waits out the fetch timeout; the
// first decision must not wait out a second one (API Gateway's caller would
// wait for both) but answer at once that the keys are unavailable.
func TestStalledIssuerHoldsTheFirstDecisionOneTimeout(t *testing.T) {
	testKeys(t)
	f := newFixture(t, nil, nil)
	const timeout = 100 * time.Millisecond
	f.keys.client = newHTTPClient(timeout)
	f.iss.set(func(iss *issuer) { iss.delay = 3 * timeout })
	if err := f.keys.Prefetch(t.Context()); err == nil {
		t.Fatal("Prefetch from a stalled issuer succeeded")
	}
	if _, got := f.authorize(t, token(googleKey, "k1", nil)); got != http.StatusInternalServerError {
		t.Errorf("first decision: answer %d, want 500", got)
	}
	if n := f.iss.fetches.Load(); n != 1 {
		t.Errorf("%d fetches, want 1: the first decision fetched again after the prefetch timed out", n)
	}
}
