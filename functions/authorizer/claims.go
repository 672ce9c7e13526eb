package authorizer

import (
	"fmt"
	"strings"
)

// Claims are the ID token claims the authorizer reads beyond those go-oidc
// checks.
type Claims struct {
	Email           string `json:"email"`
	EmailVerified   Bool   `json:"email_verified"`
	HostedDomain    string `json:"hd"`
	AuthorizedParty string `json:"azp"`
	Name            string `json:"name"`
	GivenName       string `json:"given_name"`
	FamilyName      string `json:"family_name"`
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
