package stack

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/url"
	"strings"

	"signin/site"
)

// SiteHandler serves the sign-in page's embedded files and the config.json
// rendered from cfg, under a Content-Security-Policy as strict as the
// deployed one: no inline script or style, scripts and styles from the site
// and the sign-in script's /gsi/ path only, connections to the API and the
// sign-in script's origin only.
func SiteHandler(cfg site.Config) (http.Handler, error) {
	config, err := cfg.JSON()
	if err != nil {
		return nil, err
	}
	csp, err := contentSecurityPolicy(cfg)
	if err != nil {
		return nil, err
	}
	files := site.Files()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", csp)
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("Cache-Control", "no-cache")
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "" {
			name = "index.html"
		}
		body := config
		if name != site.ConfigPath {
			if body, err = fs.ReadFile(files, name); err != nil {
				http.NotFound(w, r)
				return
			}
		}
		h.Set("Content-Type", site.ContentType(name))
		_, _ = w.Write(body)
	}), nil
}

func contentSecurityPolicy(cfg site.Config) (string, error) {
	api, err := url.Parse(cfg.APIURL)
	if err != nil {
		return "", fmt.Errorf("stack: API URL: %w", err)
	}
	script := site.GoogleSignInScript
	if cfg.SignInScript != "" {
		script = cfg.SignInScript
	}
	signIn, err := url.Parse(script)
	if err != nil {
		return "", fmt.Errorf("stack: sign-in script URL: %w", err)
	}
	gsi := signIn.Scheme + "://" + signIn.Host + "/gsi/"
	apiOrigin := api.Scheme + "://" + api.Host
	return strings.Join([]string{
		"default-src 'none'",
		"script-src 'self' " + gsi,
		"style-src 'self' " + gsi,
		"connect-src 'self' " + apiOrigin + " " + signIn.Scheme + "://" + signIn.Host,
		"img-src 'self' https://*.googleusercontent.com data:",
		"frame-src " + gsi,
		"base-uri 'none'",
		"form-action 'self'",
		"frame-ancestors 'none'",
	}, "; "), nil
}
