package authorizer

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"strings"
	"testing"
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

// jwkDoc renders one RSA key as a JWK member of a key set, with its exponent
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
