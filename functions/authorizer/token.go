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
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"
)

// signedToken is a compact JWS decoded once: go-oidc gets it as the key
// set of one verification, so the signature is checked against the keys
// the authorizer looked up, and the payload is not decoded a second time.
type signedToken struct {
	raw       string
	kid       string
	payload   []byte
	signature []byte
	// keys are the issuer's keys published under kid.
	keys []*rsa.PublicKey
}

// parseToken decodes the three parts of a compact JWS and its protected
// header, which must name RS256 and no critical extension.
func parseToken(raw string) (*signedToken, error) {
	rawHeader, rest, ok := strings.Cut(raw, ".")
	rawPayload, rawSignature, ok2 := strings.Cut(rest, ".")
	if !ok || !ok2 || strings.Contains(rawSignature, ".") {
		return nil, errors.New("not a compact JWS")
	}
	headerJSON, err := base64.RawURLEncoding.DecodeString(rawHeader)
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	t := &signedToken{raw: raw}
	var alg string
	var crit bool
	err = members(headerJSON, func(name string, dec *json.Decoder) error {
		var err error
		switch name {
		case "alg":
			alg, err = stringValue(dec)
		case "kid":
			t.kid, err = stringValue(dec)
		case "crit":
			crit = true
			err = skipValue(dec)
		default:
			err = skipValue(dec)
		}
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("header: %w", err)
	}
	if alg != oidc.RS256 {
		return nil, fmt.Errorf("algorithm %q", alg)
	}
	// RFC 7515 section 4.1.11: extensions marked critical must be understood;
	// none is.
	if crit {
		return nil, errors.New("critical header extensions")
	}
	if t.payload, err = base64.RawURLEncoding.DecodeString(rawPayload); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	if t.signature, err = base64.RawURLEncoding.DecodeString(rawSignature); err != nil {
		return nil, fmt.Errorf("signature: %w", err)
	}
	return t, nil
}

// VerifySignature implements oidc.KeySet for the one token t: it checks
// the RS256 signature of jwt, which must be t, under each key published
// under t's key ID in the issuer's order, and returns the payload when one
// verifies. Two keys under one ID thus accept a token signed by either, as
// go-oidc's RemoteKeySet does.
func (t *signedToken) VerifySignature(_ context.Context, jwt string) ([]byte, error) {
	if jwt != t.raw {
		return nil, errors.New("not the token the keys were looked up for")
	}
	digest := sha256.Sum256([]byte(jwt[:strings.LastIndexByte(jwt, '.')]))
	for _, key := range t.keys {
		if rsa.VerifyPKCS1v15(key, crypto.SHA256, digest[:], t.signature) == nil {
			return t.payload, nil
		}
	}
	return nil, errBadSignature
}
