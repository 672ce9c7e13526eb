package authorizer_test

import (
	"crypto/rand"
	"crypto/rsa"
	"errors"
	"strings"
	"testing"

	"signin/functions/authorizer"
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
	keys, _, err := authorizer.ParseKeySet([]byte(doc))
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
		if keys, _, err := authorizer.ParseKeySet([]byte(doc)); err == nil {
			t.Errorf("ParseKeySet(%s) = %v, want an error", doc, keys)
		}
	}
}

func TestKeySetReportsUnavailableKeysApartFromBadTokens(t *testing.T) {
	testKeys(t)
	iss := newIssuer(t)
	iss.setDown(true)
	c := newClock()
	keys := authorizer.NewKeySet(iss.jwksURL(), authorizer.KeySetOptions{Now: c.Now})
	if _, err := keys.Keys(t.Context(), "k1"); !errors.Is(err, authorizer.ErrKeysUnavailable) {
		t.Errorf("issuer down: %v, want ErrKeysUnavailable", err)
	}
	iss.setDown(false)
	c.advance(authorizer.DefaultRetryAfterFailure)
	if _, err := keys.Keys(t.Context(), "k1"); err != nil {
		t.Errorf("issuer up: %v", err)
	}
	if _, err := keys.Keys(t.Context(), "nope"); !errors.Is(err, authorizer.ErrUnknownKey) {
		t.Errorf("unknown kid: %v, want ErrUnknownKey", err)
	}
}
