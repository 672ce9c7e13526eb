// Package project holds what the Pulumi program (infra/config, infra/stack)
// and the command that drives the pulumi CLI for it (infra/deploy) must
// agree on, without the Pulumi SDK, so that command links neither the SDK
// nor the AWS provider: the project's name, which prefixes its settings in a
// stack's file, the Google client ID's setting and what a valid one looks
// like.
package project

import (
	"fmt"
	"strings"

	"signin/functions/stackfile"
	"signin/site"
)

// Namespace is the prefix of this project's keys in a stack file: the
// project's name in Pulumi.yaml.
const Namespace = stackfile.Namespace

// KeyGoogleClientID is the setting of the Google OAuth 2.0 client ID the
// page signs in with.
const KeyGoogleClientID = "googleClientId"

// ValidateClientID reports what is wrong with a Google client ID, with the
// command that sets it.
func ValidateClientID(id string) error {
	fix := fmt.Sprintf("create an OAuth client of type \"Web application\" at https://console.cloud.google.com/auth/clients, then run `pulumi config set %s <client-id>`", KeyGoogleClientID)
	switch {
	case strings.TrimSpace(id) == "":
		return fmt.Errorf("%s is not set: %s", KeyGoogleClientID, fix)
	case !site.ValidClientID(id):
		return fmt.Errorf("%s %q is not a Google client ID (%s): %s", KeyGoogleClientID, id, site.ClientIDShape, fix)
	}
	return nil
}
