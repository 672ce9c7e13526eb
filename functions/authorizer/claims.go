package authorizer

import (
	"fmt"
	"strings"
)

// Claims are the ID token claims the authorizer reads beyond those go-oidc
// checks.
type Claims struct {
	// Email is the user's email address.
	Email string `json:"email"`
	// EmailVerified says whether Google has verified Email.
	EmailVerified Bool `json:"email_verified"`
	// HostedDomain is the user's Google Workspace domain; empty for a
	// consumer account.
	HostedDomain string `json:"hd"`
	// AuthorizedParty is the client the token was issued to.
	AuthorizedParty string `json:"azp"`
	// Name is the user's full name.
	Name string `json:"name"`
	// GivenName and FamilyName are the parts of the user's name.
	GivenName  string `json:"given_name"`
	FamilyName string `json:"family_name"`
}

// DisplayName is the name to greet the user by: the name claim, else the
// given and family names, else the email address.
func (c Claims) DisplayName() string {
	if name := strings.TrimSpace(c.Name); name != "" {
		return name
	}
	if name := strings.TrimSpace(c.GivenName + " " + c.FamilyName); name != "" {
		return name
	}
	return c.Email
}

// Bool is a boolean claim that some issuers send as the string "true" or
// "false" (Google did for email_verified).
type Bool bool

// UnmarshalJSON accepts true, false, "true", "false" and null.
func (b *Bool) UnmarshalJSON(data []byte) error {
	switch string(data) {
	case "true", `"true"`:
		*b = true
	case "false", `"false"`, "null":
		*b = false
	default:
		return fmt.Errorf("not a boolean: %.20s", data)
	}
	return nil
}
