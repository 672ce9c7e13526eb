package authorizer

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// maxKeySetSize bounds the key set document read from the issuer.
const maxKeySetSize = 1 << 20

// newHTTPClient returns a client whose every phase is bounded: a slow issuer
// must fail the request quickly rather than hold the authorizer until API
// Gateway gives up. It verifies the issuer's certificate as crypto/tls does
// by default, against the system's roots.
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
	return &http.Client{Timeout: timeout, Transport: t}
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
