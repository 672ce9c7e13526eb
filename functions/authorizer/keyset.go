package authorizer

import (
	"context"
	"crypto/rsa"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"
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

// errUnknownKey reports a token signed under a key ID the issuer does not
// publish: the token's fault.
var errUnknownKey = errors.New("unknown signing key")

// errBadSignature reports a token whose signature does not verify under the
// key it names: the token's fault.
var errBadSignature = errors.New("signature does not verify")

// errKeysUnavailable reports that the issuer's keys could not be fetched, so
// the token could not be checked: the server's fault, never the token's.
var errKeysUnavailable = errors.New("signing keys unavailable")

// KeySet is the issuer's RS256 signing keys, fetched from its JWKS URL and
// kept for the lifetime the issuer's response gives them.
//
// Lifetime: the response's Cache-Control max-age (less its Age), else its
// Expires, else an hour, bounded to a minute .. a day, the most restrictive
// Cache-Control directive winning. After it, the next decision refetches;
// one fetch is in flight at a time. If that fetch fails, the old keys keep
// deciding for an hour's grace, each failed fetch logged as an error and
// retried at most once a second; after the grace, decisions fail as the
// server's error (not the token's) until a fetch succeeds.
//
// Unknown key IDs: unlike go-oidc's RemoteKeySet, which fetches again for
// every token naming an unknown key, a KeySet fetches again at most once a
// minute (the cooldown): a flood of tokens with made-up key IDs costs at most one request
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
	// initDeadline, when set, is the end of the fetch timeout a failed
	// Prefetch started, by which the next fetch must end.
	initDeadline time.Time
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

// Prefetch fetches the key set now, as the function's init does so that
// the first decision finds the keys. If it fails, it returns the error and
// the first decision fetches again at once, but only within what is left
// of the fetch timeout Prefetch started: an issuer that refused is asked
// again, while one that stalls holds the first request for one fetch
// timeout, not two.
func (s *KeySet) Prefetch(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	deadline := time.Now().Add(s.client.Timeout)
	f, err := s.fetch(ctx)
	if err != nil {
		s.initDeadline = deadline
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
	if !s.initDeadline.IsZero() {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, s.initDeadline)
		defer cancel()
		s.initDeadline = time.Time{}
	}
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
