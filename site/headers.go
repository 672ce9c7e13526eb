package site

// The page's security headers other than its Content-Security-Policy: the
// deployed site sends them from CloudFront's response headers policy, the
// local stack from its own server, and `make smoke` expects them of either.
const (
	// HSTSMaxAge is how long browsers keep to HTTPS for the site, in
	// seconds (two years).
	HSTSMaxAge = 63072000
	// FrameOptions is the X-Frame-Options value: no one may frame the page
	// (the CSP's frame-ancestors 'none' says the same to newer browsers).
	FrameOptions = "DENY"
	// ReferrerPolicy is the Referrer-Policy value: other origins see the
	// site's origin, never the page's path.
	ReferrerPolicy = "strict-origin-when-cross-origin"
	// CrossOriginOpenerPolicy keeps the link to the Google sign-in popup,
	// which Google's documentation asks for: "same-origin" would cut it.
	CrossOriginOpenerPolicy = "same-origin-allow-popups"
	// contentTypeOptions is the X-Content-Type-Options value: browsers
	// take each file for its Content-Type, never for what it looks like.
	contentTypeOptions = "nosniff"
)

// StrictTransportSecurity is the Strict-Transport-Security value of the page
// over HTTPS, as CloudFront renders HSTSMaxAge with subdomains included. It
// is sent over HTTPS only: browsers ignore it over plain HTTP (RFC 6797,
// section 8.1), and a server must not send it there (section 7.2).
const StrictTransportSecurity = "max-age=63072000; includeSubDomains"

// SecurityHeaders returns the headers the page is served with over any
// transport, by name: its ContentSecurityPolicy for c, and the fixed
// headers above. Over HTTPS it is also served with StrictTransportSecurity.
func (c Config) SecurityHeaders() (map[string]string, error) {
	csp, err := c.ContentSecurityPolicy()
	if err != nil {
		return nil, err
	}
	return map[string]string{
		"Content-Security-Policy":    csp,
		"X-Content-Type-Options":     contentTypeOptions,
		"X-Frame-Options":            FrameOptions,
		"Referrer-Policy":            ReferrerPolicy,
		"Cross-Origin-Opener-Policy": CrossOriginOpenerPolicy,
	}, nil
}
