package authorizer

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
)

// Defaults of KeySetOptions.
const (
	// DefaultCooldown is the least time between two fetches of the key set
	// caused by tokens naming a key it does not hold.
	DefaultCooldown = 60 * time.Second
	// DefaultRetryAfterFailure is the least time between a failed fetch and
	// the next attempt.
	DefaultRetryAfterFailure = time.Second
	// DefaultFetchTimeout bounds one fetch of the key set, connection
	// included.
	DefaultFetchTimeout = 3 * time.Second
)

// maxKeySetSize bounds the key set document read from the issuer.
const maxKeySetSize = 1 << 20

// minKeyBits is the smallest RSA modulus accepted from the key set.
const minKeyBits = 2048

// ErrUnknownKey reports a token signed under a key ID the issuer does not
// publish: the token's fault.
var ErrUnknownKey = errors.New("unknown signing key")

// ErrBadSignature reports a token whose signature does not verify under the
// key it names: the token's fault.
var ErrBadSignature = errors.New("signature does not verify")

// ErrKeysUnavailable reports that the issuer's keys could not be fetched, so
// the token could not be checked: the server's fault, never the token's.
var ErrKeysUnavailable = errors.New("signing keys unavailable")

// KeySetOptions tunes a KeySet. The zero value means the defaults.
type KeySetOptions struct {
	// Cooldown is the least time between fetches caused by unknown key IDs.
	Cooldown time.Duration
	// RetryAfterFailure is the least time between a failed fetch and the next.
	RetryAfterFailure time.Duration
	// Client fetches the key set; nil means a client with short timeouts.
	Client *http.Client
	// Now tells the time; nil means time.Now.
	Now func() time.Time
}

// KeySet is the issuer's RS256 signing keys, fetched from its JWKS URL when
// first needed and kept for the life of the process. It implements
// oidc.KeySet.
//
// Unlike go-oidc's RemoteKeySet, which fetches again for every token naming
// an unknown key, a KeySet fetches again at most once per cooldown: a flood
// of tokens with made-up key IDs costs at most one request to the issuer per
// cooldown, while a key the issuer has started to use (rotation) is picked
// up by the first token signed with it after the cooldown. A known key whose
// signature fails never causes a fetch. After a failed fetch, tokens that
// need keys get ErrKeysUnavailable until a retry succeeds.
type KeySet struct {
	url               string
	client            *http.Client
	cooldown          time.Duration
	retryAfterFailure time.Duration
	now               func() time.Time

	// keys maps key IDs to the keys of the last successful fetch; it is
	// replaced, never modified.
	keys atomic.Pointer[map[string]*rsa.PublicKey]

	// mu serializes fetches and guards the fields below.
	mu          sync.Mutex
	lastAttempt time.Time
	lastErr     error
}

// NewKeySet returns the key set published at jwksURL. It fetches nothing yet.
func NewKeySet(jwksURL string, opts KeySetOptions) *KeySet {
	s := &KeySet{
		url:               jwksURL,
		client:            opts.Client,
		cooldown:          opts.Cooldown,
		retryAfterFailure: opts.RetryAfterFailure,
		now:               opts.Now,
	}
	if s.client == nil {
		s.client = newHTTPClient(DefaultFetchTimeout)
	}
	if s.cooldown <= 0 {
		s.cooldown = DefaultCooldown
	}
	if s.retryAfterFailure <= 0 {
		s.retryAfterFailure = DefaultRetryAfterFailure
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// newHTTPClient returns a client whose every phase is bounded: a slow issuer
// must fail the request quickly rather than hold the authorizer until API
// Gateway gives up.
func newHTTPClient(timeout time.Duration) *http.Client {
	return &http.Client{
		Timeout: timeout,
		Transport: &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: timeout / 2}).DialContext,
			TLSHandshakeTimeout:   timeout / 2,
			ResponseHeaderTimeout: timeout,
			ForceAttemptHTTP2:     true,
			MaxIdleConns:          2,
			IdleConnTimeout:       90 * time.Second,
		},
	}
}

// VerifySignature checks the RS256 signature of the compact JWS jwt under
// the key its header names and returns the payload. It implements
// oidc.KeySet; the verifier has already refused every algorithm but RS256,
// and VerifySignature checks again.
//
// The error wraps ErrUnknownKey or ErrBadSignature when the token is at
// fault, ErrKeysUnavailable when the keys could not be fetched.
func (s *KeySet) VerifySignature(ctx context.Context, jwt string) ([]byte, error) {
	header, payload, signature, err := splitCompact(jwt)
	if err != nil {
		return nil, report(ctx, err)
	}
	key, err := s.Key(ctx, header.Kid)
	if err != nil {
		return nil, report(ctx, err)
	}
	digest := sha256.Sum256([]byte(jwt[:strings.LastIndexByte(jwt, '.')]))
	if err := rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], signature); err != nil {
		return nil, report(ctx, fmt.Errorf("%w: %w", ErrBadSignature, err))
	}
	return payload, nil
}

// jwsHeader is the part of a JWS protected header the key set reads.
type jwsHeader struct {
	Alg  string          `json:"alg"`
	Kid  string          `json:"kid"`
	Crit json.RawMessage `json:"crit"`
}

// splitCompact decodes the three parts of a compact JWS signed with RS256.
func splitCompact(jwt string) (jwsHeader, []byte, []byte, error) {
	var h jwsHeader
	rawHeader, rest, ok := strings.Cut(jwt, ".")
	rawPayload, rawSignature, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || strings.Contains(rawSignature, ".") {
		return h, nil, nil, errors.New("not a compact JWS")
	}
	headerJSON, err := base64.RawURLEncoding.DecodeString(rawHeader)
	if err != nil {
		return h, nil, nil, fmt.Errorf("header: %w", err)
	}
	if err := json.Unmarshal(headerJSON, &h); err != nil {
		return h, nil, nil, fmt.Errorf("header: %w", err)
	}
	if h.Alg != oidc.RS256 {
		return h, nil, nil, fmt.Errorf("algorithm %q", h.Alg)
	}
	// RFC 7515 section 4.1.11: extensions marked critical must be understood;
	// none is.
	if h.Crit != nil {
		return h, nil, nil, errors.New("critical header extensions")
	}
	payload, err := base64.RawURLEncoding.DecodeString(rawPayload)
	if err != nil {
		return h, nil, nil, fmt.Errorf("payload: %w", err)
	}
	signature, err := base64.RawURLEncoding.DecodeString(rawSignature)
	if err != nil {
		return h, nil, nil, fmt.Errorf("signature: %w", err)
	}
	return h, payload, signature, nil
}

// Key returns the public key with ID kid, fetching the key set when it has
// never been fetched or when kid is unknown and the cooldown has passed.
func (s *KeySet) Key(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	if kid == "" {
		return nil, fmt.Errorf("%w: the token names no key", ErrUnknownKey)
	}
	if keys := s.keys.Load(); keys != nil {
		if key, ok := (*keys)[kid]; ok {
			return key, nil
		}
	}
	return s.refresh(ctx, kid)
}

// refresh fetches the key set if the rate limit allows and looks kid up in
// the result.
func (s *KeySet) refresh(ctx context.Context, kid string) (*rsa.PublicKey, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	// Another caller may have fetched while this one waited for the lock.
	keys := s.keys.Load()
	if keys != nil {
		if key, ok := (*keys)[kid]; ok {
			return key, nil
		}
	}
	now := s.now()
	if !s.lastAttempt.IsZero() {
		switch {
		case s.lastErr != nil && now.Sub(s.lastAttempt) < s.retryAfterFailure:
			return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, s.lastErr)
		case s.lastErr == nil && now.Sub(s.lastAttempt) < s.cooldown:
			return nil, fmt.Errorf("%w: %q", ErrUnknownKey, kid)
		}
	}
	s.lastAttempt = now
	fetched, err := s.fetch(ctx)
	s.lastErr = err
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrKeysUnavailable, err)
	}
	s.keys.Store(&fetched)
	if key, ok := fetched[kid]; ok {
		return key, nil
	}
	return nil, fmt.Errorf("%w: %q", ErrUnknownKey, kid)
}

// fetch downloads and parses the key set.
func (s *KeySet) fetch(ctx context.Context) (map[string]*rsa.PublicKey, error) {
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
	keys, err := ParseKeySet(body)
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", s.url, err)
	}
	return keys, nil
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

// ParseKeySet parses a JSON Web Key Set and returns its RS256 signing keys
// by key ID. Keys of other types, algorithms or uses, without an ID, or
// shorter than 2048 bits are skipped; a set with no usable key is an error.
func ParseKeySet(doc []byte) (map[string]*rsa.PublicKey, error) {
	var set struct {
		Keys []jwk `json:"keys"`
	}
	if err := json.Unmarshal(doc, &set); err != nil {
		return nil, fmt.Errorf("decoding the key set: %w", err)
	}
	keys := make(map[string]*rsa.PublicKey, len(set.Keys))
	for _, k := range set.Keys {
		if k.Kty != "RSA" || k.Kid == "" || (k.Alg != "" && k.Alg != oidc.RS256) ||
			(k.Use != "" && k.Use != "sig") {
			continue
		}
		key, err := rsaKey(k.N, k.E)
		if err != nil {
			return nil, fmt.Errorf("key %q: %w", k.Kid, err)
		}
		if key.N.BitLen() < minKeyBits {
			continue
		}
		keys[k.Kid] = key
	}
	if len(keys) == 0 {
		return nil, errors.New("no RS256 signing key in the key set")
	}
	return keys, nil
}

func rsaKey(n, e string) (*rsa.PublicKey, error) {
	nb, err := base64.RawURLEncoding.DecodeString(n)
	if err != nil {
		return nil, fmt.Errorf("modulus: %w", err)
	}
	eb, err := base64.RawURLEncoding.DecodeString(e)
	if err != nil {
		return nil, fmt.Errorf("exponent: %w", err)
	}
	if len(eb) == 0 || len(eb) > 4 {
		return nil, fmt.Errorf("exponent of %d bytes", len(eb))
	}
	exp := 0
	for _, b := range eb {
		exp = exp<<8 | int(b)
	}
	if exp < 3 || exp%2 == 0 {
		return nil, fmt.Errorf("exponent %d", exp)
	}
	return &rsa.PublicKey{N: new(big.Int).SetBytes(nb), E: exp}, nil
}

// keyErrorKey is the context key under which the authorizer receives the
// key set's errors: go-oidc formats them into its own error with %v, which
// loses their identity.
type keyErrorKey struct{}

// withKeyError returns a context through which a KeySet reports its error
// into *dst.
func withKeyError(ctx context.Context, dst *error) context.Context {
	return context.WithValue(ctx, keyErrorKey{}, dst)
}

// report stores err where the context asks for it, and returns it.
func report(ctx context.Context, err error) error {
	if dst, ok := ctx.Value(keyErrorKey{}).(*error); ok {
		*dst = err
	}
	return err
}
