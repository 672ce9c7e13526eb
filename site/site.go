// Package site holds the sign-in page: the files a browser loads, built for
// one configuration (which Google client, which sign-in script) by Build,
// with content-hashed names for everything but the document.
//
// The files are embedded, so the Pulumi program uploads them to the site's
// bucket and the local stack serves them from the same source.
package site

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"html/template"
	"io/fs"
	"mime"
	"net/url"
	"path"
	"regexp"
	"strings"
)

//go:embed public
var public embed.FS

// Files returns the page's sources, rooted at the site's root: the
// index.html template and what it refers to. Build renders them into the
// files the site serves.
func Files() fs.FS {
	files, err := fs.Sub(public, "public")
	if err != nil {
		panic(fmt.Sprintf("site: the embedded files are missing: %v", err))
	}
	return files
}

// googleSignInScript is the address of Google Identity Services' client
// library, the page's sign-in script unless Config says otherwise.
const googleSignInScript = "https://accounts.google.com/gsi/client"

// APIPath is where the page calls the API: gateway.Prefix on its own origin,
// which CloudFront (and `make dev`'s site server) forwards to the API. Same
// origin: no CORS preflight, no second connection. site imports nothing of
// the functions module, so a test compares the two.
const APIPath = "/api"

// Config is the page's configuration. Build renders it into the document
// itself, so the page needs no request to learn it: the client ID in a
// <meta> element, the sign-in script as a <script> element that loads in
// parallel with the page's own.
type Config struct {
	// ClientID is the OAuth 2.0 client ID of the Google sign-in.
	ClientID string
	// SignInScript is the address of the script that provides
	// google.accounts.id. Empty means Google's; the local stack names its
	// own stand-in here.
	SignInScript string
}

// ClientIDShape describes a Google OAuth 2.0 web client ID: the project
// number, a dash, an identifier, and Google's domain.
const ClientIDShape = "<digits>-<id>.apps.googleusercontent.com"

// clientIDPattern is the pattern of ClientIDShape.
var clientIDPattern = regexp.MustCompile(`^[0-9]+-[0-9A-Za-z]+\.apps\.googleusercontent\.com$`)

// ValidClientID reports whether id has the shape of a Google OAuth 2.0 web
// client ID (ClientIDShape): the one rule the page and the stack's
// configuration both apply.
func ValidClientID(id string) bool {
	return clientIDPattern.MatchString(id)
}

// Validate reports what is wrong with c, naming the field.
func (c Config) Validate() error {
	var errs []error
	if !ValidClientID(c.ClientID) {
		errs = append(errs, fmt.Errorf("site: config ClientID %q is not a Google client ID (%s)", c.ClientID, ClientIDShape))
	}
	if c.SignInScript != "" {
		if err := checkURL(c.SignInScript); err != nil {
			errs = append(errs, fmt.Errorf("site: config SignInScript: %w", err))
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

// signInScript returns the address of the sign-in script.
func (c Config) signInScript() string {
	if c.SignInScript == "" {
		return googleSignInScript
	}
	return c.SignInScript
}

// The Cache-Control values of the site's files.
const (
	// immutable is the Cache-Control of a file whose name carries a hash of
	// its content: a change is a new name, so browsers and CloudFront keep
	// it a year without asking again.
	immutable = "public, max-age=31536000, immutable"
	// Revalidate is the Cache-Control of the document: browsers and
	// CloudFront keep it but ask whether it changed (a 304 when not) before
	// each use, so a redeploy shows at once.
	Revalidate = "no-cache"
)

// hashed are the files that get content-hashed names, each after the files
// it refers to, so that a name change reaches every file that names it.
var hashed = []string{"favicon.svg", "style.css", "token.js", "app.js"}

// File is one file of the site as it is served.
type File struct {
	// Name is the file's path below the site's root, such as
	// app.1a2b3c4d5e.js.
	Name string
	// Body is its content.
	Body []byte
	// ContentType and CacheControl are the headers it is served with.
	ContentType, CacheControl string
}

// Build renders the site for c: the scripts, style and icon under names
// that carry a hash of their content (immutable), every reference to them
// rewritten, and index.html with c rendered into it (Revalidate).
func Build(c Config) ([]File, error) {
	if err := c.Validate(); err != nil {
		return nil, err
	}
	src := Files()
	renames := map[string]string{}
	var files []File
	for _, name := range hashed {
		b, err := fs.ReadFile(src, name)
		if err != nil {
			return nil, fmt.Errorf("site: %w", err)
		}
		b = rename(b, renames)
		sum := sha256.Sum256(b)
		ext := path.Ext(name)
		renames[name] = strings.TrimSuffix(name, ext) + "." + hex.EncodeToString(sum[:5]) + ext
		files = append(files, File{Name: renames[name], Body: b, ContentType: ContentType(name), CacheControl: immutable})
	}
	b, err := fs.ReadFile(src, "index.html")
	if err != nil {
		return nil, fmt.Errorf("site: %w", err)
	}
	page, err := template.New("index.html").Parse(string(rename(b, renames)))
	if err != nil {
		return nil, fmt.Errorf("site: index.html: %w", err)
	}
	var out bytes.Buffer
	if err := page.Execute(&out, struct{ ClientID, SignInScript string }{c.ClientID, c.signInScript()}); err != nil {
		return nil, fmt.Errorf("site: rendering index.html: %w", err)
	}
	return append(files, File{Name: "index.html", Body: out.Bytes(), ContentType: ContentType("index.html"), CacheControl: Revalidate}), nil
}

// rename rewrites every quoted reference to a file renames names, "name"
// or "./name", to its new name.
func rename(b []byte, renames map[string]string) []byte {
	s := string(b)
	for old, renamed := range renames {
		s = strings.ReplaceAll(s, `"`+old+`"`, `"`+renamed+`"`)
		s = strings.ReplaceAll(s, `"./`+old+`"`, `"./`+renamed+`"`)
	}
	return []byte(s)
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

// The elements of the document that carry its configuration.
var (
	clientIDElement     = regexp.MustCompile(`<meta name="signin-client-id" content="([^"]*)">`)
	signInScriptElement = regexp.MustCompile(`<script src="([^"]*)" defer></script>`)
)

// ReadConfig reads the configuration Build rendered into a document, as
// `make smoke` checks a deployed page against it.
func ReadConfig(document []byte) (Config, error) {
	id := clientIDElement.FindSubmatch(document)
	script := signInScriptElement.FindSubmatch(document)
	if id == nil || script == nil {
		return Config{}, errors.New("site: the document names no client ID or no sign-in script")
	}
	c := Config{ClientID: html.UnescapeString(string(id[1])), SignInScript: html.UnescapeString(string(script[1]))}
	if c.SignInScript == googleSignInScript {
		c.SignInScript = ""
	}
	return c, c.Validate()
}
