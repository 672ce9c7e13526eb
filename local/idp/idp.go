// Package idp is a development OpenID Connect identity provider: it issues
// ID tokens shaped like Google's, signed with RS256 by a key made at start,
// to anyone who asks. The local stack points the real authorizer at it
// (OIDC_ISSUER, OIDC_JWKS_URL), so the whole sign-in flow runs offline.
//
// It serves OIDC discovery, the key set, POST /token (form fields name,
// email, optional email_verified, expires_in, picture and aud, answering
// {"id_token": "..."}; an email of a Google service account,
// <name>@<project>.iam.gserviceaccount.com, gets a service account's token),
// a GitHub Actions token issuer below /github (see GitHubIssuerURL), and at
// /gsi/client a stand-in for Google's sign-in
// script that signs the page in through POST /token. The stand-in remembers
// the last account that signed in, as Google does, and its prompt() signs
// that account in again with a fresh token: a silent renewal, a POST /token
// with the form field prompt=none. Tests can make the provider refuse those
// (RefuseRenewal) and count what it issued (Counts).
//
// It has no passwords and must never face the internet.
package idp

import (
	"cmp"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"net/http"
	"net/mail"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// TokenPath is where, below its issuer URL, the provider mints a token:
// POST the form fields name, email and, optionally, email_verified,
// expires_in (seconds), picture and aud; it answers {"id_token": "..."}.
const TokenPath = "/token"

// Paths of the provider's other endpoints below its issuer URL.
const (
	discoveryPath = "/.well-known/openid-configuration"
	keysPath      = "/certs"
	// signInScriptPath is the stand-in for Google's sign-in script.
	signInScriptPath = "/gsi/client"
	// signInStylePath is the stylesheet the stand-in script adds.
	signInStylePath = "/gsi/style"
	// signInTokenPath is TokenPath for the stand-in script: under /gsi/, so
	// the page's Content-Security-Policy, which lets it connect to the sign-in
	// script's /gsi/ path as Google's requires, covers it.
	signInTokenPath = "/gsi/token"
)

// defaultLifetime is how long a token is valid unless the request says
// otherwise: an hour, as Google's.
const defaultLifetime = time.Hour

// maxLifetime bounds the lifetime a request may ask for, either way: a
// negative lifetime gives a token that has already expired, for testing.
const maxLifetime = 24 * time.Hour

//go:embed gsi
var gsi embed.FS

// Provider issues and publishes the keys of development ID tokens.
type Provider struct {
	issuer   string
	clientID string
	key      *rsa.PrivateKey
	keyID    string
	// github signs the GitHub Actions stand-in's tokens: another issuer,
	// another key.
	github  *rsa.PrivateKey
	ghKeyID string
	now     func() time.Time

	refuse                     atomic.Bool
	issued, renewals, refusals atomic.Int64
}

// Counts is what a provider has done since it started.
type Counts struct {
	// Issued is the number of ID tokens signed, by Token or POST /token.
	Issued int64
	// Renewals is the number of silent renewals asked for (POST /token with
	// prompt=none), refused or not.
	Renewals int64
	// Refused is the number of those refused (RefuseRenewal).
	Refused int64
}

// Counts returns what p has done so far.
func (p *Provider) Counts() Counts {
	return Counts{Issued: p.issued.Load(), Renewals: p.renewals.Load(), Refused: p.refusals.Load()}
}

// RefuseRenewal sets whether p refuses silent renewals, as Google does when
// the user has signed out of Google or revoked the site: POST /token with
// prompt=none then answers 400 {"error": "login_required"}, and the
// stand-in's prompt() reports a skipped moment. A sign-in through the form
// is still served.
func (p *Provider) RefuseRenewal(refuse bool) { p.refuse.Store(refuse) }

// New returns a provider whose tokens name issuer as their iss and clientID
// as their aud and azp. issuer is the provider's own base URL, such as
// http://localhost:8082. It makes a fresh RSA key, so tokens do not outlive
// the provider.
func New(issuer, clientID string) (*Provider, error) {
	if issuer == "" || clientID == "" {
		return nil, errors.New("idp: the issuer and the client ID are required")
	}
	var keys [2]*rsa.PrivateKey
	for i := range keys {
		var err error
		if keys[i], err = rsa.GenerateKey(rand.Reader, 2048); err != nil {
			return nil, fmt.Errorf("idp: making a signing key: %w", err)
		}
	}
	return &Provider{
		issuer:   strings.TrimSuffix(issuer, "/"),
		clientID: clientID,
		key:      keys[0],
		keyID:    keyID(keys[0]),
		github:   keys[1],
		ghKeyID:  keyID(keys[1]),
		now:      time.Now,
	}, nil
}

// keyID names key in the key set: a digest of its modulus.
func keyID(key *rsa.PrivateKey) string {
	sum := sha256.Sum256(key.N.Bytes())
	return hex.EncodeToString(sum[:8])
}

// KeysURL returns the address of the provider's JSON Web Key Set.
func (p *Provider) KeysURL() string { return p.issuer + keysPath }

// SignInScriptURL returns the address of the stand-in for Google's sign-in
// script.
func (p *Provider) SignInScriptURL() string { return p.issuer + signInScriptPath }

// Identity is who a token says signed in.
type Identity struct {
	// Name is the display name; empty means the email address.
	Name string
	// Email is the address; required.
	Email string
	// EmailVerified is the email_verified claim.
	EmailVerified bool
	// Lifetime is how long from now the token is valid; zero means
	// defaultLifetime, and a negative one gives an expired token.
	Lifetime time.Duration
	// NoHostedDomain leaves hd out whatever the email's domain: a Google
	// account made with another provider's address, not a Workspace one.
	NoHostedDomain bool
	// Audience is the aud; empty means the client ID. A service account
	// asks for any audience; a person's token is always for the client.
	Audience string
	// Claims are added to the token's, replacing any of the same name, a
	// nil value removing it: for testing what the API makes of them.
	Claims map[string]any
	// picture is the picture claim, an https: or data:image/ URL; empty
	// leaves it out.
	picture string
}

// serviceAccountDomain ends the email of every Google service account:
// <name>@<project>.iam.gserviceaccount.com.
const serviceAccountDomain = ".iam.gserviceaccount.com"

// Token returns a signed ID token for id, with Google's claims: iss, aud,
// azp, sub, email, email_verified, name, iat, exp, and hd when the email's
// domain is not gmail.com (Google sets hd for Workspace accounts only) and
// id.NoHostedDomain is false. For a service account's email, it is a
// service account's token as Google's metadata server gives one: azp and
// sub the account's numeric ID, aud what was asked for, no hd and no name.
func (p *Provider) Token(id Identity) (string, error) {
	addr, err := mail.ParseAddress(id.Email)
	if err != nil || addr.Address != id.Email {
		return "", fmt.Errorf("idp: email %q is not an address", id.Email)
	}
	if id.Lifetime > maxLifetime || id.Lifetime < -maxLifetime {
		return "", fmt.Errorf("idp: lifetime %s is beyond ±%s", id.Lifetime, maxLifetime)
	}
	if id.Lifetime == 0 {
		id.Lifetime = defaultLifetime
	}
	if id.picture != "" && !strings.HasPrefix(id.picture, "https://") && !strings.HasPrefix(id.picture, "data:image/") {
		return "", fmt.Errorf("idp: picture %q is neither an https: nor a data:image/ URL", id.picture)
	}
	if id.Name == "" {
		id.Name = id.Email
	}
	now := p.now()
	sum := sha256.Sum256([]byte(strings.ToLower(id.Email)))
	sub := new(big.Int).SetBytes(sum[:9]).String()
	claims := map[string]any{
		"iss":            p.issuer,
		"aud":            cmp.Or(id.Audience, p.clientID),
		"azp":            p.clientID,
		"sub":            sub,
		"email":          id.Email,
		"email_verified": id.EmailVerified,
		"name":           id.Name,
		"iat":            now.Unix(),
		"exp":            now.Add(id.Lifetime).Unix(),
	}
	domain := strings.ToLower(id.Email[strings.LastIndexByte(id.Email, '@')+1:])
	switch {
	case strings.HasSuffix(domain, serviceAccountDomain):
		claims["azp"] = sub
		delete(claims, "name")
	case domain != "gmail.com" && !id.NoHostedDomain:
		claims["hd"] = domain
	}
	if id.picture != "" {
		claims["picture"] = id.picture
	}
	change(claims, id.Claims)
	return p.sign(p.key, p.keyID, claims)
}

// change applies changes to claims: each replaces or adds a claim, a nil
// value removes it.
func change(claims, changes map[string]any) {
	for k, v := range changes {
		if v == nil {
			delete(claims, k)
		} else {
			claims[k] = v
		}
	}
}

func (p *Provider) sign(key *rsa.PrivateKey, kid string, claims map[string]any) (string, error) {
	header, err := json.Marshal(map[string]string{"alg": "RS256", "kid": kid, "typ": "JWT"})
	if err != nil {
		return "", fmt.Errorf("idp: encoding the token header: %w", err)
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		return "", fmt.Errorf("idp: encoding the token claims: %w", err)
	}
	enc := base64.RawURLEncoding
	signed := enc.EncodeToString(header) + "." + enc.EncodeToString(payload)
	digest := sha256.Sum256([]byte(signed))
	sig, err := rsa.SignPKCS1v15(nil, key, crypto.SHA256, digest[:])
	if err != nil {
		return "", fmt.Errorf("idp: signing the token: %w", err)
	}
	p.issued.Add(1)
	return signed + "." + enc.EncodeToString(sig), nil
}

// Handler serves the provider's endpoints.
func (p *Provider) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+discoveryPath, p.discovery)
	mux.HandleFunc("GET "+keysPath, p.keys)
	for _, path := range []string{TokenPath, signInTokenPath} {
		mux.HandleFunc("POST "+path, p.token)
		mux.HandleFunc("OPTIONS "+path, func(w http.ResponseWriter, _ *http.Request) {
			w.Header().Set("Access-Control-Allow-Origin", "*")
			w.Header().Set("Access-Control-Allow-Methods", "POST")
			w.WriteHeader(http.StatusNoContent)
		})
	}
	mux.HandleFunc("GET "+githubPath+discoveryPath, p.githubDiscovery)
	mux.HandleFunc("GET "+githubPath+githubKeysPath, p.githubKeys)
	mux.HandleFunc("POST "+githubPath+TokenPath, p.githubToken)
	mux.HandleFunc("GET "+signInScriptPath, serveFile("gsi/client.js", "text/javascript; charset=utf-8"))
	mux.HandleFunc("GET "+signInStylePath, serveFile("gsi/style.css", "text/css; charset=utf-8"))
	return mux
}

func serveFile(name, contentType string) http.HandlerFunc {
	return func(w http.ResponseWriter, _ *http.Request) {
		b, err := gsi.ReadFile(name)
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", contentType)
		w.Header().Set("Cache-Control", "no-cache")
		_, _ = w.Write(b)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func (p *Provider) discovery(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]any{
		"issuer":                                p.issuer,
		"jwks_uri":                              p.KeysURL(),
		"token_endpoint":                        p.issuer + TokenPath,
		"response_types_supported":              []string{"id_token"},
		"subject_types_supported":               []string{"public"},
		"id_token_signing_alg_values_supported": []string{"RS256"},
		"claims_supported":                      []string{"aud", "email", "email_verified", "exp", "hd", "iat", "iss", "name", "picture", "sub"},
	})
}

func (p *Provider) keys(w http.ResponseWriter, _ *http.Request) {
	writeKeySet(w, p.keyID, &p.key.PublicKey)
}

// writeKeySet answers the JSON Web Key Set of the one key under kid.
func writeKeySet(w http.ResponseWriter, kid string, key *rsa.PublicKey) {
	enc := base64.RawURLEncoding
	writeJSON(w, http.StatusOK, map[string]any{
		"keys": []map[string]string{{
			"kty": "RSA",
			"alg": "RS256",
			"use": "sig",
			"kid": kid,
			"n":   enc.EncodeToString(key.N.Bytes()),
			"e":   enc.EncodeToString(big.NewInt(int64(key.E)).Bytes()),
		}},
	})
}

func (p *Provider) token(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", "*")
	id, silent, err := p.identity(r)
	if err == nil && silent {
		p.renewals.Add(1)
		if p.refuse.Load() {
			p.refusals.Add(1)
			writeJSON(w, http.StatusBadRequest, map[string]string{
				"error":             "login_required",
				"error_description": "the provider is set to refuse silent renewals; sign in again",
			})
			return
		}
	}
	if err == nil {
		var token string
		if token, err = p.Token(id); err == nil {
			writeJSON(w, http.StatusOK, map[string]string{"id_token": token})
			return
		}
	}
	writeJSON(w, http.StatusBadRequest, map[string]string{
		"error":             "invalid_request",
		"error_description": strings.TrimPrefix(err.Error(), "idp: "),
	})
}

// identity reads the form of POST /token, and whether it asks for a silent
// renewal (prompt=none, OpenID Connect's word for "no user interaction").
func (p *Provider) identity(r *http.Request) (id Identity, silent bool, err error) {
	r.Body = http.MaxBytesReader(nil, r.Body, 64<<10)
	if err := r.ParseForm(); err != nil {
		return Identity{}, false, fmt.Errorf("idp: reading the form: %w", err)
	}
	switch v := r.PostForm.Get("prompt"); v {
	case "":
	case "none":
		silent = true
	default:
		return Identity{}, false, fmt.Errorf("idp: prompt %q is not none; leave it out for a sign-in", v)
	}
	id, err = p.identityFields(r)
	return id, silent, err
}

// identityFields reads who signs in from the form of POST /token.
func (p *Provider) identityFields(r *http.Request) (Identity, error) {
	id := Identity{
		Name:          strings.TrimSpace(r.PostForm.Get("name")),
		Email:         strings.TrimSpace(r.PostForm.Get("email")),
		Audience:      strings.TrimSpace(r.PostForm.Get("aud")),
		EmailVerified: true,
		picture:       strings.TrimSpace(r.PostForm.Get("picture")),
	}
	if v := r.PostForm.Get("email_verified"); v != "" {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return Identity{}, fmt.Errorf("idp: email_verified %q is not true or false", v)
		}
		id.EmailVerified = b
	}
	var err error
	if id.Lifetime, err = lifetime(r); err != nil {
		return Identity{}, err
	}
	if id.Audience != "" && id.Audience != p.clientID && !strings.HasSuffix(strings.ToLower(id.Email), serviceAccountDomain) {
		return Identity{}, fmt.Errorf("idp: aud %q: a person's token is for the client %s; only a service account (<name>@<project>%s) asks for an audience", id.Audience, p.clientID, serviceAccountDomain)
	}
	return id, nil
}

// lifetime reads the form field expires_in: zero when absent.
func lifetime(r *http.Request) (time.Duration, error) {
	v := r.PostForm.Get("expires_in")
	if v == "" {
		return 0, nil
	}
	s, err := strconv.Atoi(v)
	if err != nil {
		return 0, fmt.Errorf("idp: expires_in %q is not a whole number of seconds", v)
	}
	if s == 0 {
		return 0, errors.New("idp: expires_in 0 gives no token; use a positive or negative number")
	}
	return time.Duration(s) * time.Second, nil
}
