package authorizer

import (
	"context"
	"crypto/rsa"
	"crypto/tls"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/big"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"

	"signin/functions/trust"
)

// Rate limits and timeouts of the key set's fetches.
const (
	// keyCooldown is the least time between two fetches of the key set
	// caused by tokens naming a key it does not hold.
	keyCooldown = 60 * time.Second
	// retryAfterFailure is the least time between a failed fetch and the
	// next attempt.
	retryAfterFailure = time.Second
	// fetchTimeout bounds one fetch of the key set, connection included.
	fetchTimeout = 3 * time.Second
	// graceAfterExpiry is how long past their lifetime the keys of the last
	// successful fetch keep deciding while every refetch fails: long enough
	// to ride out an outage of the issuer's endpoint, short enough that a
	// key the issuer withdrew stops being trusted the same day.
	graceAfterExpiry = time.Hour
)

// Bounds of a key set's lifetime, which the issuer's response sets with
// Cache-Control max-age (less its Age) or Expires.
const (
	// defaultLifetime applies when the response says nothing.
	defaultLifetime = time.Hour
	// minLifetime keeps an issuer answering max-age=0 or no-store from
	// causing a fetch per decision.
	minLifetime = time.Minute
	// maxLifetime caps a long max-age: a withdrawn key is dropped within a
	// day whatever the response said.
	maxLifetime = 24 * time.Hour
)

// maxKeySetSize bounds the key set document read from the issuer.
const maxKeySetSize = 1 << 20

// minKeyBits is the smallest RSA modulus accepted from the key set.
const minKeyBits = 2048

// minExponent is the smallest RSA public exponent accepted (FIPS 186-5,
// appendix A.1.1: 2^16 < e).
const minExponent = 1<<16 + 1

// errUnknownKey reports a token signed under a key ID the issuer does not
// publish: the token's fault.
var errUnknownKey = errors.New("unknown signing key")

// errBadSignature reports a token whose signature does not verify under the
// key it names: the token's fault.
var errBadSignature = errors.New("signature does not verify")

// errKeysUnavailable reports that the issuer's keys could not be fetched, so
// the token could not be checked: the server's fault, never the token's.
var errKeysUnavailable = errors.New("signing keys unavailable")

// keysByID holds the usable RS256 keys of a key set by key ID, each ID's keys in
// the order the document lists them.
type keysByID map[string][]*rsa.PublicKey

// KeySet is the issuer's RS256 signing keys, fetched from its JWKS URL and
// kept for the lifetime the issuer's response gives them.
//
// Lifetime: the response's Cache-Control max-age (less its Age), else its
// Expires, else defaultLifetime, bounded by minLifetime and maxLifetime.
// After it, the next decision refetches; one fetch is in flight at a time.
// If that fetch fails, the old keys keep deciding for the grace period,
// each failed fetch logged as an error and retried at most once per
// retryAfterFailure; after the grace, tokens get errKeysUnavailable until a
// fetch succeeds.
//
// Unknown key IDs: unlike go-oidc's RemoteKeySet, which fetches again for
// every token naming an unknown key, a KeySet fetches again at most once per
// cooldown: a flood of tokens with made-up key IDs costs at most one request
// to the issuer per cooldown, while a key the issuer has started to use
// (rotation) is picked up by the first token signed with it after the
// cooldown. A known key whose signature fails never causes a fetch.
type KeySet struct {
	url    string
	client *http.Client
	log    *slog.Logger
	// now tells the time of the keys' lifetimes: time.Now but in tests.
	now func() time.Time

	// current is the last successful fetch; it is replaced, never modified.
	current atomic.Pointer[fetched]

	// mu serializes fetches and guards the fields below.
	mu          sync.Mutex
	lastAttempt time.Time
	lastErr     error
}

// fetched is the result of one successful fetch.
type fetched struct {
	keys    keysByID
	expires time.Time
}

// NewKeySet returns the key set published at jwksURL, logging a line to
// logger for each failed fetch and each key skipped. It fetches nothing yet.
func NewKeySet(jwksURL string, logger *slog.Logger) *KeySet {
	return &KeySet{url: jwksURL, client: newHTTPClient(fetchTimeout), log: logger, now: time.Now}
}

// newHTTPClient returns a client whose every phase is bounded: a slow issuer
// must fail the request quickly rather than hold the authorizer until API
// Gateway gives up. It trusts the machine's certificate bundle, parsed only
// as far as the handshake needs (package trust).
func newHTTPClient(timeout time.Duration) *http.Client {
	t := &http.Transport{
		Proxy:               http.ProxyFromEnvironment,
		DialContext:         (&net.Dialer{Timeout: timeout / 2}).DialContext,
		TLSHandshakeTimeout: timeout / 2,
		// X25519 alone, not Go's default X25519MLKEM768 first: the hybrid
		// key share's ML-KEM key generation costs the cold start a tenth
		// of its user-space instructions, and what it adds, secrecy
		// against a future quantum computer, protects nothing here: the
		// keys fetched are public. Their authenticity rests on the
		// server's certificate, checked during the handshake either way.
		TLSClientConfig:       &tls.Config{CurvePreferences: []tls.CurveID{tls.X25519}},
		ResponseHeaderTimeout: timeout,
		ForceAttemptHTTP2:     true,
		MaxIdleConns:          2,
		IdleConnTimeout:       90 * time.Second,
	}
	if roots := trust.Load(os.Getenv, os.ReadFile); roots != nil {
		roots.Configure(t)
	}
	return &http.Client{Timeout: timeout, Transport: t}
}

// Prefetch fetches the key set now, as the function's init does so that
// the first decision finds the keys. A failure is returned and otherwise
// forgotten: it delays no later fetch.
func (s *KeySet) Prefetch(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	f, err := s.fetch(ctx)
	if err != nil {
		return err
	}
	s.current.Store(f)
	return nil
}

// lookup returns the public keys published under kid, fetching the key set
// when it has never been fetched, when it has expired, or when kid is
// unknown and the cooldown has passed.
//
// The error wraps errUnknownKey when the token is at fault,
// errKeysUnavailable when the keys could not be fetched.
func (s *KeySet) lookup(ctx context.Context, kid string) ([]*rsa.PublicKey, error) {
	if kid == "" {
		return nil, fmt.Errorf("%w: the token names no key", errUnknownKey)
	}
	if f := s.current.Load(); f != nil && s.now().Before(f.expires) {
		if keys, ok := f.keys[kid]; ok {
			return keys, nil
		}
	}
	return s.refresh(ctx, kid)
}

// refresh fetches the key set if it is due and the rate limits allow, and
// looks kid up in what it then holds.
func (s *KeySet) refresh(ctx context.Context, kid string) ([]*rsa.PublicKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	f := s.current.Load()
	fresh := f != nil && now.Before(f.expires)
	// Another caller may have fetched while this one waited for the lock.
	if fresh {
		if keys, ok := f.keys[kid]; ok {
			return keys, nil
		}
	}
	var due bool
	switch {
	case s.lastErr != nil:
		due = now.Sub(s.lastAttempt) >= retryAfterFailure
	case !fresh:
		due = true
	default:
		due = now.Sub(s.lastAttempt) >= keyCooldown
	}
	if due {
		s.lastAttempt = now
		var err error
		if f, err = s.fetchAndStore(ctx, f); err == nil {
			fresh = true
		}
	}
	if f != nil && (fresh || now.Before(f.expires.Add(graceAfterExpiry))) {
		if keys, ok := f.keys[kid]; ok {
			return keys, nil
		}
	}
	if s.lastErr != nil {
		return nil, fmt.Errorf("%w: %w", errKeysUnavailable, s.lastErr)
	}
	if !fresh {
		return nil, fmt.Errorf("%w: the keys expired at %s", errKeysUnavailable, f.expires.Format(time.RFC3339))
	}
	return nil, fmt.Errorf("%w: %q", errUnknownKey, kid)
}

// fetchAndStore fetches the key set, records the outcome and returns what
// the key set holds afterwards: the new keys, or old ones on failure. The
// caller holds mu.
func (s *KeySet) fetchAndStore(ctx context.Context, old *fetched) (*fetched, error) {
	f, err := s.fetch(ctx)
	s.lastErr = err
	if err != nil {
		attrs := []slog.Attr{slog.String("error", err.Error())}
		if old != nil {
			attrs = append(attrs, slog.Time("expired", old.expires), slog.Time("graceUntil", old.expires.Add(graceAfterExpiry)))
		}
		s.log.LogAttrs(ctx, slog.LevelError, "fetching the signing keys failed", attrs...)
		return old, err
	}
	s.current.Store(f)
	return f, nil
}

// fetch downloads and parses the key set, logging the keys it skips.
func (s *KeySet) fetch(ctx context.Context) (*fetched, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, fmt.Errorf("requesting %s: %w", s.url, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching %s: %w", s.url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching %s: %s", s.url, resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxKeySetSize+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", s.url, err)
	}
	if len(body) > maxKeySetSize {
		return nil, fmt.Errorf("reading %s: over %d bytes", s.url, maxKeySetSize)
	}
	keys, skipped, err := parseKeySet(body)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", s.url, err)
	}
	if len(skipped) > 0 {
		s.log.LogAttrs(ctx, slog.LevelWarn, "skipped unusable signing keys",
			slog.String("url", s.url), slog.String("error", errors.Join(skipped...).Error()))
	}
	return &fetched{keys: keys, expires: s.now().Add(lifetime(resp.Header, s.now()))}, nil
}

// Lifetime is how long a key set response stays fresh (RFC 9111 section
// 4.2.1): Cache-Control max-age less the response's Age, else Expires less
// Date (or now), else defaultLifetime; no-store and no-cache mean none.
// The result is bounded by minLifetime and maxLifetime.
func lifetime(h http.Header, now time.Time) time.Duration {
	d, ok := cacheLifetime(h, now)
	if !ok {
		d = defaultLifetime
	}
	return min(max(d, minLifetime), maxLifetime)
}

func cacheLifetime(h http.Header, now time.Time) (time.Duration, bool) {
	for _, cc := range h.Values("Cache-Control") {
		for directive := range strings.SplitSeq(cc, ",") {
			name, value, _ := strings.Cut(strings.TrimSpace(directive), "=")
			switch strings.ToLower(name) {
			case "no-store", "no-cache":
				return 0, true
			case "max-age":
				seconds, err := strconv.ParseInt(strings.Trim(value, `"`), 10, 64)
				if err != nil || seconds < 0 {
					return 0, true
				}
				age, _ := strconv.ParseInt(h.Get("Age"), 10, 64)
				return time.Duration(max(seconds-max(age, 0), 0)) * time.Second, true
			}
		}
	}
	if raw := h.Get("Expires"); raw != "" {
		expires, err := http.ParseTime(raw)
		if err != nil {
			// RFC 9111 section 5.3: an invalid date means already expired.
			return 0, true
		}
		if date, err := http.ParseTime(h.Get("Date")); err == nil {
			now = date
		}
		return expires.Sub(now), true
	}
	return 0, false
}

// jwk is the part of a JSON Web Key an RS256 verifier needs.
type jwk struct {
	Kty string `json:"kty"`
	Kid string `json:"kid"`
	Alg string `json:"alg"`
	Use string `json:"use"`
	N   string `json:"n"`
	E   string `json:"e"`
}

// parseKeySet parses a JSON Web Key Set and returns its RS256 signing keys
// by key ID. Keys of other types, algorithms or uses are ignored; RSA
// signing keys that are malformed, shorter than 2048 bits, with an exponent
// below 65537 or without an ID are skipped, each with the reason in skipped.
// A document that is not a key set, or holds no usable key, is an error.
func parseKeySet(doc []byte) (keys keysByID, skipped []error, err error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(doc, &set); err != nil {
		return nil, nil, fmt.Errorf("decoding the key set: %w", err)
	}
	keys = make(keysByID, len(set.Keys))
	for i, k := range set.Keys {
		if k.Kty != "RSA" || (k.Alg != "" && k.Alg != oidc.RS256) || (k.Use != "" && k.Use != "sig") {
			continue
		}
		if k.Kid == "" {
			skipped = append(skipped, fmt.Errorf("key %d: no key ID", i))
			continue
		}
		key, err := rsaKey(k.N, k.E)
		if err != nil {
			skipped = append(skipped, fmt.Errorf("key %q: %w", k.Kid, err))
			continue
		}
		keys[k.Kid] = append(keys[k.Kid], key)
	}
	if len(keys) == 0 {
		return nil, skipped, errors.New("no usable RS256 signing key in the key set")
	}
	return keys, skipped, nil
}

// rsaKey decodes a JWK's modulus and exponent (RFC 7518 section 6.3.1:
// unpadded base64url) and refuses what an RS256 verifier must not use.
func rsaKey(n, e string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil {
		return nil, fmt.Errorf("modulus: %w", err)
	}
	eb, err := base64.RawURLEncoding.DecodeString(e)
	if err != nil {
		return nil, fmt.Errorf("exponent: %w", err)
	}
	if len(eb) == 0 || len(eb) > 4 || eb[0] == 0 {
		return nil, fmt.Errorf("exponent of %d bytes", len(eb))
	}
	exp := 0
	for _, b := range eb {
		exp = exp<<8 | int(b)
	}
	if exp < minExponent || exp%2 == 0 || exp > math.MaxInt32 {
		return nil, fmt.Errorf("exponent %d: want an odd number from %d", exp, minExponent)
	}
	key := &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: exp}
	if bits := key.N.BitLen(); bits < minKeyBits {
		return nil, fmt.Errorf("modulus of %d bits: want at least %d", bits, minKeyBits)
	}
	return key, nil
}
