package site

import (
	"fmt"
	"net/url"
	"strings"
)

// ContentSecurityPolicy returns the page's Content-Security-Policy for c:
// the site's own files and origin (the API is under APIPath on it), the
// sign-in script's /gsi/ sources and profile pictures from Google's user content servers; nothing inline,
// no plugins, no framing.
//
// The /gsi/ sources are those Google documents for Sign in with Google
// (https://developers.google.com/identity/gsi/web/guides/get-google-api-clientid#content_security_policy):
// script-src https://accounts.google.com/gsi/client, frame-src
// https://accounts.google.com/gsi/, connect-src
// https://accounts.google.com/gsi/ and style-src
// https://accounts.google.com/gsi/style. They are taken from the origin of
// c.SignInScript, so the local stand-in, served under /gsi/ by the
// development provider, runs under the same policy as Google's script.
//
// The deployed site sends it from CloudFront and the local stack from its
// own server: one policy, so the page cannot work in one and break in the
// other.
func (c Config) ContentSecurityPolicy() (string, error) {
	if err := c.Validate(); err != nil {
		return "", err
	}
	signIn, err := url.Parse(c.signInScript())
	if err != nil {
		return "", fmt.Errorf("site: config SignInScript: %w", err)
	}
	gsi := signIn.Scheme + "://" + signIn.Host + "/gsi/"
	return strings.Join([]string{
		"default-src 'self'",
		"script-src 'self' " + gsi + "client",
		"style-src 'self' " + gsi + "style",
		"frame-src " + gsi,
		"connect-src 'self' " + gsi,
		"img-src 'self' https://*.googleusercontent.com data:",
		"object-src 'none'",
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; "), nil
}
