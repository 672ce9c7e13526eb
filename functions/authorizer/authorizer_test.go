package authorizer

import (
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"signin/functions/gateway"
)

// TestAttacks presents each hostile or broken token to a warm authorizer
// and checks the exact answer API Gateway gives for its result.
func TestAttacks(t *testing.T) {
	testKeys(t)
	valid := token(googleKey, "k1", nil)
	segments := strings.Split(valid, ".")
	signedPayload := func(payload string) string {
		return signRS256(googleKey, map[string]any{"alg": "RS256", "kid": "k1"}, []byte(payload))
	}
	big := token(googleKey, "k1", map[string]any{"padding": strings.Repeat("x", maxTokenSize)})
	// withMembers signs Google's claims with raw members appended, which
	// a map cannot express: duplicate names, quoted numbers.
	withMembers := func(changes map[string]any, raw string) string {
		claims := mustJSON(googleClaims(changes))
		return signedPayload(string(claims[:len(claims)-1]) + "," + raw + "}")
	}
	const other = "999999999999-other.apps.googleusercontent.com"
	hour := time.Now().Add(time.Hour).Unix()

	tests := []struct {
		name    string
		token   string
		emails  []string
		domains []string
		want    int
		reason  string
	}{
		{"valid token is allowed", valid, nil, nil, http.StatusOK, "valid token"},
		{"Bearer-prefixed token is allowed", "Bearer " + valid, nil, nil, http.StatusOK, "valid token"},
		{"scheme-less Google issuer is allowed", token(googleKey, "k1", map[string]any{"iss": "accounts.google.com"}), nil, nil, http.StatusOK, "valid token"},
		{"nbf within the 5 minute leeway is allowed", token(googleKey, "k1", map[string]any{"nbf": time.Now().Add(time.Minute).Unix()}), nil, nil, http.StatusOK, "valid token"},
		{"token without azp is allowed", token(googleKey, "k1", map[string]any{"azp": nil}), nil, nil, http.StatusOK, "valid token"},
		{"lower-case bearer scheme is allowed", "bearer " + valid, nil, nil, http.StatusOK, "valid token"},
		{"upper-case BEARER scheme is allowed", "BEARER " + valid, nil, nil, http.StatusOK, "valid token"},
		{"several audiences with our azp are allowed", token(googleKey, "k1", map[string]any{"aud": []string{clientID, other}}), nil, nil, http.StatusOK, "valid token"},
		{"one audience in an array without azp is allowed", token(googleKey, "k1", map[string]any{"aud": []string{clientID}, "azp": nil}), nil, nil, http.StatusOK, "valid token"},
		{"unrelated member names in other cases are allowed", withMembers(nil, `"Picture":"x","JTI":"y"`), nil, nil, http.StatusOK, "valid token"},

		{"several audiences without azp are refused (OIDC Core 3.1.3.7)", token(googleKey, "k1", map[string]any{"aud": []string{clientID, other}, "azp": nil}), nil, nil, http.StatusUnauthorized, "several audiences without authorized party"},
		{"EMAIL after email, shadowing it for encoding/json, is refused", withMembers(map[string]any{"email": "eve@example.com", "hd": nil}, `"EMAIL":"grace@example.com"`), []string{"grace@example.com"}, nil, http.StatusUnauthorized, "malformed claims"},
		{"email twice, the last one listed, is refused", withMembers(map[string]any{"email": "eve@example.com", "hd": nil}, `"email":"grace@example.com"`), []string{"grace@example.com"}, nil, http.StatusUnauthorized, "malformed claims"},
		{"Email alone, read by encoding/json as email, is refused", withMembers(map[string]any{"email": nil, "hd": nil}, `"Email":"grace@example.com"`), []string{"grace@example.com"}, nil, http.StatusUnauthorized, "malformed claims"},
		{"escaped duplicate \\u0065mail is refused", withMembers(map[string]any{"email": "eve@example.com", "hd": nil}, `"\u0065mail":"grace@example.com"`), []string{"grace@example.com"}, nil, http.StatusUnauthorized, "malformed claims"},
		{"long-s i\\u017F\\u017F after a foreign iss, folding to iss for go-oidc, is refused", withMembers(map[string]any{"iss": "https://evil.example"}, `"i\u017F\u017F":"`+issuerURL+`"`), nil, nil, http.StatusUnauthorized, "malformed claims"},
		{"AUD after aud, shadowing it for go-oidc, is refused", withMembers(map[string]any{"aud": other}, `"AUD":"`+clientID+`"`), nil, nil, http.StatusUnauthorized, "malformed claims"},
		{"long-s \u017Fub (folds to sub) is refused", withMembers(nil, `"\u017Fub":"1"`), nil, nil, http.StatusUnauthorized, "malformed claims"},
		{"exp as a quoted number is refused", withMembers(map[string]any{"exp": nil}, fmt.Sprintf(`"exp":"%d"`, hour)), nil, nil, http.StatusUnauthorized, "malformed claims"},
		{"nbf as a quoted number is refused", withMembers(map[string]any{"nbf": nil}, `"nbf":"0"`), nil, nil, http.StatusUnauthorized, "malformed claims"},
		{"iat as a quoted number is refused", withMembers(map[string]any{"iat": nil}, `"iat":"0"`), nil, nil, http.StatusUnauthorized, "malformed claims"},
		{"email as a number is refused", token(googleKey, "k1", map[string]any{"email": 7}), nil, nil, http.StatusUnauthorized, "malformed claims"},

		{"alg none is refused", unsigned(), nil, nil, http.StatusUnauthorized, "malformed token"},
		{"HS256 keyed with the RSA public key is refused", hs256WithPublicKey(&googleKey.PublicKey), nil, nil, http.StatusUnauthorized, "malformed token"},
		{"RS256 by a foreign key under a known kid is refused", token(foreignKey, "k1", nil), nil, nil, http.StatusUnauthorized, "bad signature"},
		{"unknown kid is refused", token(foreignKey, "attacker", nil), nil, nil, http.StatusUnauthorized, "unknown signing key"},
		{"no kid is refused", signRS256(googleKey, map[string]any{"alg": "RS256"}, mustJSON(googleClaims(nil))), nil, nil, http.StatusUnauthorized, "unknown signing key"},
		{"expired token is refused", token(googleKey, "k1", map[string]any{"exp": time.Now().Add(-time.Minute).Unix()}), nil, nil, http.StatusUnauthorized, "expired"},
		{"nbf beyond the leeway is refused", token(googleKey, "k1", map[string]any{"nbf": time.Now().Add(10 * time.Minute).Unix()}), nil, nil, http.StatusUnauthorized, "not yet valid"},
		{"wrong aud is refused", token(googleKey, "k1", map[string]any{"aud": "999999999999-other.apps.googleusercontent.com"}), nil, nil, http.StatusUnauthorized, "wrong audience"},
		{"wrong aud quoting other errors is logged as wrong audience", token(googleKey, "k1", map[string]any{"aud": "oidc: id token issued by a different provider nbf"}), nil, nil, http.StatusUnauthorized, "wrong audience"},
		{"wrong iss is refused", token(googleKey, "k1", map[string]any{"iss": "https://accounts.example.com"}), nil, nil, http.StatusUnauthorized, "wrong issuer"},
		{"http Google issuer is refused", token(googleKey, "k1", map[string]any{"iss": "http://accounts.google.com"}), nil, nil, http.StatusUnauthorized, "wrong issuer"},
		{"azp of another client is refused", token(googleKey, "k1", map[string]any{"azp": "999999999999-other.apps.googleusercontent.com"}), nil, nil, http.StatusUnauthorized, "authorized party is another client"},
		{"no sub is refused", token(googleKey, "k1", map[string]any{"sub": nil}), nil, nil, http.StatusUnauthorized, "no subject"},
		{"1 segment is refused", segments[0], nil, nil, http.StatusUnauthorized, "malformed token"},
		{"2 segments are refused", segments[0] + "." + segments[1], nil, nil, http.StatusUnauthorized, "malformed token"},
		{"4 segments are refused", valid + "." + segments[2], nil, nil, http.StatusUnauthorized, "malformed token"},
		{"bad base64 is refused", segments[0] + "." + segments[1] + "!." + segments[2], nil, nil, http.StatusUnauthorized, "malformed token"},
		{"bad JSON header is refused", b64([]byte(`{"alg":"RS256",`)) + "." + segments[1] + "." + segments[2], nil, nil, http.StatusUnauthorized, "malformed token"},
		{"signed bad JSON payload is refused", signedPayload(`{"iss":`), nil, nil, http.StatusUnauthorized, "malformed claims"},
		{"signed non-object payload is refused", signedPayload(`"just a string"`), nil, nil, http.StatusUnauthorized, "malformed claims"},
		{"oversized token is refused before parsing", big, nil, nil, http.StatusUnauthorized, "oversized token"},
		{"empty token is refused", "", nil, nil, http.StatusUnauthorized, "no token"},
		{"whitespace only is refused", " \t\n ", nil, nil, http.StatusUnauthorized, "no token"},
		{"bare Bearer is refused", "Bearer ", nil, nil, http.StatusUnauthorized, "no token"},

		{"listed email is allowed, case-insensitively", token(googleKey, "k1", map[string]any{"email": "Ada@Example.COM"}), []string{"ada@example.com"}, nil, http.StatusOK, "valid token"},
		{"listed gmail.com email without hd is allowed", token(googleKey, "k1", map[string]any{"email": "Ada@GMail.com", "hd": nil}), []string{"ada@gmail.com"}, nil, http.StatusOK, "valid token"},
		{"listed email without hd on another domain is denied: Google is not authoritative for it", token(googleKey, "k1", map[string]any{"hd": nil}), []string{"ada@example.com"}, nil, http.StatusForbidden, "email without hosted domain"},
		{"gmail.com as a domain of another address without hd is denied", token(googleKey, "k1", map[string]any{"email": "ada@notgmail.com", "hd": nil}), []string{"ada@notgmail.com"}, nil, http.StatusForbidden, "email without hosted domain"},
		{"listed hosted domain is allowed", valid, nil, []string{"example.com"}, http.StatusOK, "valid token"},
		{"email_verified as the string true is allowed", token(googleKey, "k1", map[string]any{"email_verified": "true"}), []string{"ada@example.com"}, nil, http.StatusOK, "valid token"},
		{"unverified email is denied with an allow-list", token(googleKey, "k1", map[string]any{"email_verified": false}), []string{"ada@example.com"}, nil, http.StatusForbidden, "email not verified"},
		{"missing email_verified is denied with an allow-list", token(googleKey, "k1", map[string]any{"email_verified": nil}), nil, []string{"example.com"}, http.StatusForbidden, "email not verified"},
		{"foreign domain is denied with a domain allow-list", token(googleKey, "k1", map[string]any{"hd": "evil.example", "email": "mallory@evil.example"}), nil, []string{"example.com"}, http.StatusForbidden, "not on the allow-list"},
		{"unlisted email is denied with an email allow-list", token(googleKey, "k1", map[string]any{"email": "mallory@example.com", "hd": nil}), []string{"ada@example.com"}, nil, http.StatusForbidden, "not on the allow-list"},
		{"email with a Kelvin sign folding to a listed one is denied", token(googleKey, "k1", map[string]any{"email": "\u212Aate@example.com", "hd": nil}), []string{"kate@example.com"}, nil, http.StatusForbidden, "not on the allow-list"},
		{"hosted domain with a Kelvin sign folding to a listed one is denied", token(googleKey, "k1", map[string]any{"email": "ada@\u212Aelvin.example", "hd": "\u212Aelvin.example"}), nil, []string{"kelvin.example"}, http.StatusForbidden, "not on the allow-list"},
		{"listed hosted domain is allowed, case-insensitively", token(googleKey, "k1", map[string]any{"hd": "Example.COM"}), nil, []string{"example.com"}, http.StatusOK, "valid token"},
		{"email domain is not a hosted domain", token(googleKey, "k1", map[string]any{"hd": nil}), nil, []string{"example.com"}, http.StatusForbidden, "not on the allow-list"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, tt.emails, tt.domains)
			_, got := f.authorize(t, tt.token)
			if got != tt.want {
				t.Fatalf("answer %d, want %d; log: %s", got, tt.want, f.log)
			}
			line := decisionLine(t, f.log.String())
			if line["reason"] != tt.reason {
				t.Errorf("logged reason %q, want %q", line["reason"], tt.reason)
			}
		})
	}
}

// decisionLine parses the one log line a decision writes and checks that
// it holds the outcome, reason and sub, and nothing else of the token.
func decisionLine(t *testing.T, log string) map[string]any {
	t.Helper()
	lines := strings.Split(strings.TrimSpace(log), "\n")
	if len(lines) != 1 {
		t.Fatalf("log has %d lines, want one: %s", len(lines), log)
	}
	var line map[string]any
	if err := json.Unmarshal([]byte(lines[0]), &line); err != nil {
		t.Fatalf("log line is not JSON: %v: %s", err, lines[0])
	}
	for k := range line {
		switch k {
		case "time", "level", "msg", "outcome", "reason", "sub":
		default:
			t.Errorf("log line has %q: %s", k, lines[0])
		}
	}
	for _, secret := range []string{"ada@", "Ada", "Lovelace", "example.com", "eyJ"} {
		if strings.Contains(lines[0], secret) {
			t.Errorf("log line leaks %q: %s", secret, lines[0])
		}
	}
	return line
}

func TestAllowCarriesSubjectNameAndEmail(t *testing.T) {
	testKeys(t)
	tests := []struct {
		name     string
		changes  map[string]any
		wantName string
	}{
		{"name claim", nil, "Ada Lovelace"},
		{"given and family name without name", map[string]any{"name": nil}, "Ada Lovelace"},
		{"given name only", map[string]any{"name": nil, "family_name": nil}, "Ada"},
		{"email without any name", map[string]any{"name": nil, "given_name": nil, "family_name": nil}, "ada@example.com"},
		{"quotes and markup passed as they are", map[string]any{"name": `Ada "<b>" O'Neil`}, `Ada "<b>" O'Neil`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil, nil)
			resp, got := f.authorize(t, token(googleKey, "k1", tt.changes))
			if got != http.StatusOK {
				t.Fatalf("answer %d, want 200", got)
			}
			if resp.PrincipalID != "110169484474386276334" {
				t.Errorf("principalId %q, want the sub", resp.PrincipalID)
			}
			if resp.Context[gateway.ContextName] != tt.wantName || resp.Context[gateway.ContextEmail] != "ada@example.com" {
				t.Errorf("context %v, want name %q and email ada@example.com", resp.Context, tt.wantName)
			}
		})
	}
}

func TestDenyCarriesNoContext(t *testing.T) {
	testKeys(t)
	f := newFixture(t, []string{"someone@example.org"}, nil)
	resp, got := f.authorize(t, token(googleKey, "k1", nil))
	if got != http.StatusForbidden || resp.Context != nil || resp.PrincipalID != "110169484474386276334" {
		t.Errorf("answer %d, principal %q, context %v; want 403 for the sub without context", got, resp.PrincipalID, resp.Context)
	}
}

func TestMalformedMethodARNIsAServerError(t *testing.T) {
	testKeys(t)
	f := newFixture(t, nil, nil)
	_, err := f.auth.Handle(t.Context(), eventFor(token(googleKey, "k1", nil), "arn:aws:execute-api:eu-central-1:123456789012:abcdef1234"))
	if got := status(t, emptyResponse, err); got != http.StatusInternalServerError {
		t.Errorf("answer %d, want 500", got)
	}
}

// TestKeySetLifecycle follows one container through key-set events, one
// request per step, counting the fetches from the issuer:
//   - keys down at cold start: API Gateway's 500, never 401 (the user is not
//     at fault) and never an Allow; once the keys are back, allowed;
//   - issuer down when warm: the keys held still verify, a key that cannot
//     be looked up is a 500;
//   - rotation: a key published after the last fetch is accepted once the
//     cooldown has passed;
//   - a foreign signature under a known kid never causes a fetch (go-oidc's
//     RemoteKeySet refetches then, which an attacker could use).
func TestKeySetLifecycle(t *testing.T) {
	testKeys(t)
	valid, rotated, forged := token(googleKey, "k1", nil), token(nextKey, "k2", nil), token(foreignKey, "k1", nil)
	down := func(f *fixture) { f.iss.setDown(true) }
	up := func(f *fixture) { f.iss.setDown(false); f.clock.advance(retryAfterFailure) }
	cooldown := func(f *fixture) { f.clock.advance(keyCooldown) }
	rotate := func(f *fixture) { f.iss.publish("k2", &nextKey.PublicKey); cooldown(f) }
	type step struct {
		before func(*fixture)
		token  string
		want   int
	}
	tests := []struct {
		name    string
		steps   []step
		fetches int64
	}{
		{"keys down at cold start, then recovery", []step{
			{down, valid, http.StatusInternalServerError},
			{nil, valid, http.StatusInternalServerError},
			{up, valid, http.StatusOK},
		}, 2},
		{"issuer down when warm", []step{
			{nil, valid, http.StatusOK},
			{func(f *fixture) { down(f); cooldown(f) }, valid, http.StatusOK},
			{nil, rotated, http.StatusInternalServerError},
		}, 2},
		{"key rotation accepted", []step{
			{nil, valid, http.StatusOK},
			{rotate, rotated, http.StatusOK},
			{nil, valid, http.StatusOK},
		}, 2},
		{"rotated key within the cooldown of the last fetch", []step{
			{nil, valid, http.StatusOK},
			{func(f *fixture) { f.iss.publish("k2", &nextKey.PublicKey) }, rotated, http.StatusUnauthorized},
			{cooldown, rotated, http.StatusOK},
		}, 2},
		{"foreign signature under a known kid", []step{
			{nil, valid, http.StatusOK},
			{cooldown, forged, http.StatusUnauthorized},
			{cooldown, forged, http.StatusUnauthorized},
		}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFixture(t, nil, nil)
			for i, s := range tt.steps {
				if s.before != nil {
					s.before(f)
				}
				if _, got := f.authorize(t, s.token); got != s.want {
					t.Fatalf("step %d: answer %d, want %d", i+1, got, s.want)
				}
			}
			if n := f.iss.fetches.Load(); n != tt.fetches {
				t.Errorf("%d fetches, want %d", n, tt.fetches)
			}
		})
	}
}

// TestRandomKidFloodFetchesOncePerCooldown: 1,000 tokens with random key
// IDs, sent concurrently, cost one fetch per cooldown, and every one is
// answered 401.
func TestRandomKidFloodFetchesOncePerCooldown(t *testing.T) {
	testKeys(t)
	f := newFixture(t, nil, nil)
	// One forged token signed once; only its kid changes (signature checks
	// never run for an unknown kid).
	claims := mustJSON(googleClaims(nil))
	flood := func() {
		var wg sync.WaitGroup
		for range 8 {
			wg.Go(func() {
				for range 125 {
					kid := rand.Text()
					tok := b64(mustJSON(map[string]any{"alg": "RS256", "kid": kid})) + "." + b64(claims) + "." + b64(make([]byte, 256))
					// Not f.authorize: its t.Fatalf must not run outside
					// the test's goroutine.
					_, err := f.auth.Handle(t.Context(), eventFor(tok, methodARN))
					if err == nil || err.Error() != "Unauthorized" {
						t.Errorf("answer %v, want the 401 error Unauthorized", err)
						return
					}
				}
			})
		}
		wg.Wait()
	}
	flood()
	if n := f.iss.fetches.Load(); n != 1 {
		t.Fatalf("first cooldown: %d fetches, want 1", n)
	}
	f.clock.advance(keyCooldown)
	flood()
	if n := f.iss.fetches.Load(); n != 2 {
		t.Fatalf("second cooldown: %d fetches, want 2", n)
	}
}
