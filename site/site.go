// Package site holds the sign-in page: the static files a browser loads, and
// the config.json that tells the page which Google client and which API to
// use.
//
// The files are embedded, so the Pulumi program uploads them to the site's
// bucket and the local stack serves them from the same source.
package site

import (
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"mime"
	"net/url"
	"path"
	"strings"
)

//go:embed public
var public embed.FS

// Files returns the page's static files, rooted at the site's root: the
// index.html the browser loads first, and what it refers to. config.json is
// not among them; Config.JSON renders it.
func Files() fs.FS {
	files, err := fs.Sub(public, "public")
	if err != nil {
		panic(fmt.Sprintf("site: the embedded files are missing: %v", err))
	}
	return files
}

// ConfigPath is the path of the page's configuration below the site's root.
const ConfigPath = "config.json"

// googleSignInScript is the address of Google Identity Services' client
// library, the page's sign-in script unless Config says otherwise.
const googleSignInScript = "https://accounts.google.com/gsi/client"

// Config is the page's configuration, served as config.json beside it.
type Config struct {
	// ClientID is the OAuth 2.0 client ID of the Google sign-in.
	ClientID string `json:"clientId"`
	// APIURL is the address of the greeting API the page calls.
	APIURL string `json:"apiUrl"`
	// SignInScript is the address of the script that provides
	// google.accounts.id. Empty means googleSignInScript; the local stack
	// names its own stand-in here.
	SignInScript string `json:"signInScript,omitempty"`
}

// Validate reports what is wrong with c, naming the field.
func (c Config) Validate() error {
	var errs []error
	if strings.TrimSpace(c.ClientID) == "" {
		errs = append(errs, errors.New("site: config clientId is empty"))
	}
	if err := checkURL(c.APIURL); err != nil {
		errs = append(errs, fmt.Errorf("site: config apiUrl: %w", err))
	}
	if c.SignInScript != "" {
		if err := checkURL(c.SignInScript); err != nil {
			errs = append(errs, fmt.Errorf("site: config signInScript: %w", err))
		}
	}
	return errors.Join(errs...)
}

func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil {
		return err
	}
	if (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return fmt.Errorf("%q is not an absolute http(s) URL", raw)
	}
	return nil
}

// JSON validates c and renders it as config.json.
func (c Config) JSON() ([]byte, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	b, err := json.MarshalIndent(c, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("site: rendering config.json: %w", err)
	}
	return append(b, '\n'), nil
}

// ContentType returns the Content-Type to serve the file at name with.
func ContentType(name string) string {
	switch path.Ext(name) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".json":
		return "application/json"
	case ".svg":
		return "image/svg+xml"
	}
	if t := mime.TypeByExtension(path.Ext(name)); t != "" {
		return t
	}
	return "application/octet-stream"
}
