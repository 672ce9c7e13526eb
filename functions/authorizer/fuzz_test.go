package authorizer

import (
	"cmp"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
)

// FuzzAuthorize feeds arbitrary Authorization values to a warm authorizer.
// It must never panic nor fail with a server error (the keys are up), and
// it must never let through (Allow, or Deny after verification) a token
// that is not RS256-signed by the issuer's key.
//
//	go test ./functions/authorizer -run '^$' -fuzz FuzzAuthorize -fuzztime 5m
func FuzzAuthorize(f *testing.F) {
	testKeys(f)
	valid := token(googleKey, "k1", nil)
	segments := strings.Split(valid, ".")
	for _, seed := range []string{
		valid,
		"Bearer " + valid,
		unsigned(),
		hs256WithPublicKey(&googleKey.PublicKey),
		token(foreignKey, "k1", nil),
		token(foreignKey, "unknown", nil),
		token(googleKey, "k1", map[string]any{"aud": "other"}),
		valid + "." + segments[2],
		segments[0] + "." + segments[1],
		segments[0] + ".e30." + segments[2],
		"",
		" ",
		"Bearer ",
	} {
		f.Add(seed)
	}
	fx := newFixture(f, []string{"ada@example.com"}, nil)
	f.Fuzz(func(t *testing.T, header string) {
		fx.log.Reset()
		_, got := fx.authorize(t, header)
		switch got {
		case http.StatusOK, http.StatusForbidden:
			if !signedByIssuer(strings.TrimSpace(strings.TrimPrefix(header, "Bearer "))) {
				t.Fatalf("answer %d for a token not signed by the issuer: %q", got, header)
			}
		case http.StatusUnauthorized:
		default:
			t.Fatalf("answer %d for %q", got, header)
		}
	})
}

// signedByIssuer checks, independently of the authorizer, that tok is a
// compact JWS with alg RS256 and a valid signature by the issuer's key.
func signedByIssuer(tok string) bool {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		return false
	}
	rawHeader, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return false
	}
	var h struct{ Alg string }
	if json.Unmarshal(rawHeader, &h) != nil || h.Alg != "RS256" {
		return false
	}
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return false
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	return rsa.VerifyPKCS1v15(&googleKey.PublicKey, crypto.SHA256, digest[:], sig) == nil
}

// FuzzParseClaims checks the strict reading against encoding/json, which
// go-oidc decodes the payload with: whatever parseClaims accepts,
// encoding/json reads the same claims from.
//
//	go test ./functions/authorizer -run '^$' -fuzz FuzzParseClaims -fuzztime 1m
func FuzzParseClaims(f *testing.F) {
	for _, seed := range []string{
		string(mustJSON(googleClaims(nil))),
		`{"sub":"1","SUB":"2"}`,
		`{"sub":"1","ſub":"2"}`,
		`{"sub":"1","sub":"2"}`,
		`{"sub":null,"email":"a\u0040b.c","name":"\ud800","aud":["a","b"],"exp":"1"}`,
		`{"sub":"1","x":{"sub":[{"email":2}]}} `,
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		c, err := parseClaims([]byte(payload), nil)
		if err != nil {
			return
		}
		var std struct {
			Subject         string `json:"sub"`
			Email           string `json:"email"`
			HostedDomain    string `json:"hd"`
			AuthorizedParty string `json:"azp"`
			Name            string `json:"name"`
			GivenName       string `json:"given_name"`
			FamilyName      string `json:"family_name"`
		}
		if err := json.Unmarshal([]byte(payload), &std); err != nil {
			t.Fatalf("parseClaims accepted %q, which encoding/json refuses: %v", payload, err)
		}
		got := [...]string{c.Subject, c.Email, c.HostedDomain, c.AuthorizedParty, c.Name, c.GivenName, c.FamilyName}
		want := [...]string{std.Subject, std.Email, std.HostedDomain, std.AuthorizedParty, std.Name, std.GivenName, std.FamilyName}
		if got != want {
			t.Errorf("claims of %q: parseClaims read %q, encoding/json %q", payload, got, want)
		}
	})
}

// FuzzParseWorkloadClaims checks the workload claims parseClaims keeps
// against encoding/json's map of the payload: each kept value is the
// claim's, exactly named, and a string; one it leaves out is missing or no
// string. The audiences are aud's.
//
//	go test ./functions/authorizer -run '^$' -fuzz FuzzParseWorkloadClaims -fuzztime 1m
func FuzzParseWorkloadClaims(f *testing.F) {
	for _, seed := range []string{
		string(mustJSON(ghClaims("https://token.actions.githubusercontent.com", nil))),
		`{"sub":"1","repository":["acme/app"],"ref":7,"aud":["a","b"]}`,
		`{"sub":"1","repository":"acme/app","Repository":"acme/app-evil"}`,
		`{"sub":"1","repository":"acme/app","repository":"acme/app-evil"}`,
		`{"sub":"1","repository":"acme\u002fapp","ref":null,"aud":"x"}`,
	} {
		f.Add(seed)
	}
	names := map[string]bool{"repository": true, "ref": true, "environment": true}
	f.Fuzz(func(t *testing.T, payload string) {
		c, err := parseClaims([]byte(payload), names)
		if err != nil {
			return
		}
		var std map[string]any
		if err := json.Unmarshal([]byte(payload), &std); err != nil {
			t.Fatalf("parseClaims accepted %q, which encoding/json refuses: %v", payload, err)
		}
		for name := range names {
			want, isString := std[name].(string)
			got, kept := c.Extra[name]
			if kept != isString || got != want {
				t.Errorf("claim %s of %q: kept %v %q, encoding/json reads %v", name, payload, kept, got, std[name])
			}
		}
		var auds []string
		switch aud := std["aud"].(type) {
		case string:
			auds = []string{aud}
		case []any:
			for _, a := range aud {
				auds = append(auds, a.(string))
			}
		}
		if !slices.Equal(c.AudienceList, auds) || c.Issuer != fmt.Sprint(cmp.Or(std["iss"], "")) {
			t.Errorf("%q: iss %q, audiences %q; encoding/json reads %v, %v", payload, c.Issuer, c.AudienceList, std["iss"], std["aud"])
		}
	})
}
