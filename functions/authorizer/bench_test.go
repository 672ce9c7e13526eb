package authorizer

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// warmAuthorizer returns an authorizer holding the issuer's keys, logging
// as the deployed one does (JSON at Info) to nowhere, and a Google-sized
// token it allows.
func warmAuthorizer(b *testing.B) (*Handler, string) {
	iss := newIssuer(b)
	cfg := Config{ClientID: clientID, Issuer: issuerURL, JWKSURL: iss.jwksURL()}
	a := New(cfg, NewKeySet(cfg.JWKSURL, slog.New(slog.DiscardHandler)),
		slog.New(slog.NewJSONHandler(io.Discard, nil)))
	tok := token(googleKey, "k1", nil)
	if resp, err := a.Handle(context.Background(), eventFor(tok, methodARN)); err != nil || resp.PolicyDocument.Statement[0].Effect != "Allow" {
		b.Fatalf("warm-up: %v %+v", err, resp)
	}
	return a, tok
}

// BenchmarkAuthorizeWarm measures the whole handler on a realistic Google
// ID token (RS256, 2048-bit key, Google's claims) with the keys cached.
func BenchmarkAuthorizeWarm(b *testing.B) {
	a, tok := warmAuthorizer(b)
	event := eventFor("Bearer "+tok, methodARN)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := a.Handle(ctx, event); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRS256Floor measures what no verifier can avoid on the same
// token: one SHA-256 of the signing input and one RSA-2048 PKCS #1 v1.5
// verification.
func BenchmarkRS256Floor(b *testing.B) {
	verify := floor(b)
	b.ReportAllocs()
	for b.Loop() {
		verify()
	}
}

// BenchmarkWarmOverFloor alternates one handler call and one floor
// verification and reports their ratio: both see the same load, which on
// a shared machine drifts between two benchmarks run one after the other.
func BenchmarkWarmOverFloor(b *testing.B) {
	a, tok := warmAuthorizer(b)
	event := eventFor("Bearer "+tok, methodARN)
	verify := floor(b)
	ctx := context.Background()
	var handler, floorTime time.Duration
	for b.Loop() {
		start := time.Now()
		if _, err := a.Handle(ctx, event); err != nil {
			b.Fatal(err)
		}
		mid := time.Now()
		verify()
		handler += mid.Sub(start)
		floorTime += time.Since(mid)
	}
	b.ReportMetric(float64(handler)/float64(floorTime), "warm/floor")
}

// floor returns the floor's work on a Google-sized token.
func floor(b *testing.B) func() {
	testKeys(b)
	tok := token(googleKey, "k1", nil)
	dot := strings.LastIndexByte(tok, '.')
	input := []byte(tok[:dot])
	sig, err := base64.RawURLEncoding.DecodeString(tok[dot+1:])
	if err != nil {
		b.Fatal(err)
	}
	pub := &googleKey.PublicKey
	return func() {
		digest := sha256.Sum256(input)
		if err := rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig); err != nil {
			b.Fatal(err)
		}
	}
}
