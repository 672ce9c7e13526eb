package authorizer

import (
	"encoding/json"
	"errors"
	"fmt"
	"strings"
)

// claims are the ID token claims the authorizer reads beyond those go-oidc
// checks, decoded strictly by parseClaims.
type claims struct {
	// Issuer is the token's issuer (iss), before go-oidc has verified it.
	Issuer string
	// Subject is the user's stable ID (sub).
	Subject string
	// Audiences are the clients the token is for (aud).
	Audiences int
	// AudienceList lists them, when parseClaims was asked for workload
	// claims.
	AudienceList []string
	// Extra are the string values of the workload claims parseClaims was
	// asked for that the fields above do not hold; a claim of another type
	// is left out.
	Extra map[string]string
	// Email is the user's email address.
	Email string
	// EmailVerified says whether Google has verified Email.
	EmailVerified bool
	// HostedDomain is the user's Google Workspace domain; empty for a
	// consumer account.
	HostedDomain string
	// AuthorizedParty is the client the token was issued to.
	AuthorizedParty string
	// Name is the user's full name.
	Name string
	// GivenName and FamilyName are the parts of the user's name.
	GivenName  string
	FamilyName string
}

// DisplayName is the name to greet the user by: the name claim, else the
// given and family names, else the email address.
func (c claims) DisplayName() string {
	if name := strings.TrimSpace(c.Name); name != "" {
		return name
	}
	if name := strings.TrimSpace(c.GivenName + " " + c.FamilyName); name != "" {
		return name
	}
	return c.Email
}

// readClaims are the names of the claims the authorizer or go-oidc reads.
// encoding/json, which go-oidc decodes with, matches names
// case-insensitively (with Unicode folding: "ſub" is "sub") and keeps the
// last of duplicates; parseClaims refuses a payload where any of these
// names appears twice or in another case, so both read the same values.
var readClaims = [...]string{
	"iss", "sub", "aud", "exp", "nbf", "iat", "nonce", "at_hash", "_claim_names", "_claim_sources",
	"azp", "email", "email_verified", "hd", "name", "given_name", "family_name",
}

// errMalformedClaims reports a payload the authorizer refuses to read.
var errMalformedClaims = errors.New("malformed claims")

// parseClaims decodes a token payload. Beyond what go-oidc checks, it
// refuses duplicate and case-variant names of the claims read
// (readClaims), exp, nbf and iat that are not JSON numbers (RFC 7519
// NumericDate; encoding/json also takes "123"), and values of the wrong
// type. With workload claim names (extra, nil for none), it also lists the
// audiences and keeps those claims' string values, refusing duplicates.
func parseClaims(payload []byte, extra map[string]bool) (claims, error) {
	var c claims
	var seen uint32
	if extra != nil {
		c.Extra = map[string]string{}
	}
	var extraSeen map[string]bool
	err := members(payload, func(name string, dec *json.Decoder) error {
		i := claimIndex(name)
		if i < 0 && extra[name] {
			if extraSeen[name] {
				return fmt.Errorf("claim %q appears twice", name)
			}
			if extraSeen == nil {
				extraSeen = map[string]bool{}
			}
			extraSeen[name] = true
			return extraValue(dec, name, c.Extra)
		}
		if i < 0 {
			for _, read := range readClaims {
				if strings.EqualFold(name, read) {
					return fmt.Errorf("claim name %q differs from %q only in case", name, read)
				}
			}
			return skipValue(dec)
		}
		if seen&(1<<i) != 0 {
			return fmt.Errorf("claim %q appears twice", name)
		}
		seen |= 1 << i
		var err error
		switch name {
		case "exp", "nbf", "iat":
			err = numericDate(dec)
		case "iss":
			c.Issuer, err = stringValue(dec)
		case "aud":
			var list *[]string
			if extra != nil {
				list = &c.AudienceList
			}
			c.Audiences, err = audiences(dec, list)
		case "email_verified":
			c.EmailVerified, err = boolValue(dec)
		case "sub":
			c.Subject, err = stringValue(dec)
		case "email":
			c.Email, err = stringValue(dec)
		case "hd":
			c.HostedDomain, err = stringValue(dec)
		case "azp":
			c.AuthorizedParty, err = stringValue(dec)
		case "name":
			c.Name, err = stringValue(dec)
		case "given_name":
			c.GivenName, err = stringValue(dec)
		case "family_name":
			c.FamilyName, err = stringValue(dec)
		default:
			err = skipValue(dec)
		}
		if err != nil {
			return fmt.Errorf("claim %q: %w", name, err)
		}
		return nil
	})
	if err != nil {
		return claims{}, fmt.Errorf("%w: %w", errMalformedClaims, err)
	}
	return c, nil
}

func claimIndex(name string) int {
	for i, read := range readClaims {
		if name == read {
			return i
		}
	}
	return -1
}

// numericDate reads a NumericDate (RFC 7519 section 2): a JSON number, not
// a string holding one, which encoding/json would also take.
func numericDate(dec *json.Decoder) error {
	t, err := dec.Token()
	if err != nil {
		return err
	}
	if _, ok := t.(json.Number); !ok {
		return fmt.Errorf("not a number: %v", t)
	}
	return nil
}

// extraValue reads the value of the workload claim name into values when
// it is a string, and skips it otherwise: a number, a list or an object
// never equals a workload's string.
func extraValue(dec *json.Decoder, name string, values map[string]string) error {
	var raw json.RawMessage
	if err := dec.Decode(&raw); err != nil {
		return err
	}
	if raw[0] != '"' {
		return nil
	}
	var v string
	if err := json.Unmarshal(raw, &v); err != nil {
		return err
	}
	values[name] = v
	return nil
}

// audiences counts the audiences of aud: one string or an array of them,
// and appends them to list when it is not nil.
func audiences(dec *json.Decoder, list *[]string) (int, error) {
	t, err := dec.Token()
	if err != nil {
		return 0, err
	}
	if s, ok := t.(string); ok {
		if list != nil {
			*list = append(*list, s)
		}
		return 1, nil
	}
	if t != json.Delim('[') {
		return 0, fmt.Errorf("not a string or an array: %v", t)
	}
	n := 0
	for ; dec.More(); n++ {
		t, err := dec.Token()
		if err != nil {
			return 0, err
		}
		s, ok := t.(string)
		if !ok {
			return 0, errors.New("not an array of strings")
		}
		if list != nil {
			*list = append(*list, s)
		}
	}
	_, err = dec.Token()
	return n, err
}

// boolValue reads a boolean claim that some issuers send as the string
// "true" or "false" (Google did for email_verified); null is false.
func boolValue(dec *json.Decoder) (bool, error) {
	t, err := dec.Token()
	if err != nil {
		return false, err
	}
	switch t {
	case true, "true":
		return true, nil
	case false, "false", nil:
		return false, nil
	}
	return false, fmt.Errorf("not a boolean: %v", t)
}
