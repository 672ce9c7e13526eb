package stack

import (
	"io/fs"
	"net/http"
	"strings"

	"signin/site"
)

// SiteHandler serves the sign-in page's embedded files and the config.json
// rendered from cfg, under the deployed site's Content-Security-Policy
// (cfg.ContentSecurityPolicy): no inline script or style, scripts and styles
// from the site and the sign-in script's /gsi/ path only, connections to the
// API and that /gsi/ path only.
func SiteHandler(cfg site.Config) (http.Handler, error) {
	config, err := cfg.JSON()
	if err != nil {
		return nil, err
	}
	csp, err := cfg.ContentSecurityPolicy()
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
