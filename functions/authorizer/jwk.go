package authorizer

import (
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"math/big"

	"github.com/coreos/go-oidc/v3/oidc"
)

// minKeyBits is the smallest RSA modulus accepted from the key set.
const minKeyBits = 2048

// minExponent is the smallest RSA public exponent accepted (FIPS 186-5,
// appendix A.1.1: 2^16 < e).
const minExponent = 1<<16 + 1

// keysByID holds the usable RS256 keys of a key set by key ID, each ID's keys in
// the order the document lists them.
type keysByID map[string][]*rsa.PublicKey

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
