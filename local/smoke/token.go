package smoke

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"signin/local/idp"
)

// The identity of the token minted by a development identity provider.
const (
	smokeName  = "Smoke Test"
	smokeEmail = "smoke@example.com"
)

// claims are what a smoke run reads of an ID token, without verifying it:
// the API does that.
type claims struct {
	Sub   string `json:"sub"`
	Email string `json:"email"`
	Name  string `json:"name"`
	Exp   int64  `json:"exp"`
}

// readClaims decodes the payload of a compact JWT, optionally prefixed by
// "Bearer ".
func readClaims(token string) (claims, error) {
	parts := strings.Split(strings.TrimPrefix(token, "Bearer "), ".")
	if len(parts) != 3 {
		return claims{}, errors.New("not a JWT: want three dot-separated parts")
	}
	payload, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		return claims{}, fmt.Errorf("payload: %w", err)
	}
	var c claims
	if err := json.Unmarshal(payload, &c); err != nil {
		return claims{}, fmt.Errorf("payload: %w", err)
	}
	if c.Sub == "" {
		return claims{}, errors.New("payload has no sub")
	}
	return c, nil
}

// checkWithToken finds a token, from Config or the development identity
// provider, and checks the greeting and GET /me with it.
func (r *run) checkWithToken() {
	const name = "token"
	token, source, ok := r.findToken()
	if !ok {
		return
	}
	if token == "" {
		r.skip(name, "%s", source)
		r.skip("api greeting", "no token")
		r.skip("site /api greeting", "no token")
		r.skip("api GET /me", "no token")
		return
	}
	c, err := readClaims(token)
	if err != nil {
		r.fail(name, "%s: %v", source, err)
		return
	}
	if exp := time.Unix(c.Exp, 0); c.Exp != 0 && time.Now().After(exp) {
		r.fail(name, "%s expired at %s: get a fresh one", source, exp.UTC().Format(time.RFC3339))
		return
	}
	clientID := ""
	if r.config != nil {
		clientID = r.config.ClientID
	}
	w, isWorkload := workloadOf(token, r.workloads, r.groups, clientID)
	if !isWorkload {
		r.pass(name, "%s, for %s", source, c.Email)
		r.checkGreeting("api greeting", r.api, token, c)
		r.checkGreeting("site /api greeting", r.siteAPI, token, c)
		r.checkMe(token, c, nil)
		return
	}
	// The API names a workload by its name in the stack's configuration.
	c.Name = w.name
	r.pass(name, "%s, for the workload %s", source, w.name)
	r.checkGreeting("api greeting", r.api, token, c)
	r.checkGreeting("site /api greeting", r.siteAPI, token, c)
	groups := w.groups
	if groups == nil {
		groups = []string{}
	}
	r.checkMe(token, c, groups)
	r.checkRestricted(token, w, r.routes)
}

// findToken returns the token to call the API with and where it came from:
// Config.Token, or a development provider's. An empty token says why there
// is none; false means finding one failed, and was reported.
func (r *run) findToken() (token, source string, ok bool) {
	if r.token != "" {
		return r.token, "SMOKE_TOKEN", true
	}
	provider := r.idp
	if provider == nil && r.config != nil && r.config.SignInScript != "" && isLocal(r.site) {
		script, err := url.Parse(r.config.SignInScript)
		if err == nil && isLocal(script) {
			provider = &url.URL{Scheme: script.Scheme, Host: script.Host}
		}
	}
	if provider == nil {
		return "", "no SMOKE_TOKEN: the greeting and GET /me go unchecked. To check them on every deployment, declare deploy.yml's job a workload of the stack (docs/ci.md): " +
			enableWorkload(r.repository, r.api.String()), true
	}
	token, err := mint(r.ctx, r.client, provider)
	if err != nil {
		r.fail("token", "%v", err)
		return "", "", false
	}
	return token, "minted by the development identity provider at " + provider.String(), true
}

// mint asks the development identity provider at provider for a token of
// smokeName and smokeEmail: POST /token with the form fields name and email,
// answered {"id_token": "..."}.
func mint(ctx context.Context, client *http.Client, provider *url.URL) (string, error) {
	target := dir(provider).JoinPath(idp.TokenPath)
	form := url.Values{"name": {smokeName}, "email": {smokeEmail}}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target.String(), strings.NewReader(form.Encode()))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	resp, err := client.Do(req)
	if err != nil {
		return "", fmt.Errorf("minting a token: %w", err)
	}
	defer resp.Body.Close()
	var answer struct {
		IDToken string `json:"id_token"`
	}
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err := json.Unmarshal(body, &answer); resp.StatusCode != http.StatusOK || err != nil || answer.IDToken == "" {
		return "", fmt.Errorf("minting a token: POST %s = %d %s, want 200 {\"id_token\": ...}", target, resp.StatusCode, abbreviate(string(body)))
	}
	return answer.IDToken, nil
}
