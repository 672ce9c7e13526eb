package stack

import (
	"io/fs"
	"net/http"
	"strings"

	"signin/site"
)

// SiteHandler serves the sign-in page's embedded files and the config.json
// rendered from cfg, with the deployed site's security headers
// (cfg.SecurityHeaders), its Content-Security-Policy among them: no inline
// script or style, scripts and styles from the site and the sign-in script's
// /gsi/ path only, connections to the API and that /gsi/ path only.
//
// It sends no Strict-Transport-Security: it serves plain HTTP on
// localhost, where browsers ignore that header.
func SiteHandler(cfg site.Config) (http.Handler, error) {
	config, err := cfg.JSON()
	if err != nil {
		return nil, err
	}
	security, err := cfg.SecurityHeaders()
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
		for k, v := range security {
			h.Set(k, v)
		}
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
