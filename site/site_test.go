package site

import (
	"io/fs"
	"regexp"
	"strings"
	"testing"
)

const testClientID = "123456789012-abcdefghijklmnopqrstuvwxyz012345.apps.googleusercontent.com"

func TestConfigValidate(t *testing.T) {
	tests := []struct {
		name    string
		config  Config
		wantErr string
	}{
		{"deployed", Config{ClientID: testClientID}, ""},
		{"local with stand-in script", Config{ClientID: testClientID, SignInScript: "http://localhost:8082/gsi/client"}, ""},
		{"empty client ID", Config{}, "ClientID"},
		{"blank client ID", Config{ClientID: "  "}, "ClientID"},
		{"markup in the client ID", Config{ClientID: `x"><script>`}, "ClientID"},
		{"client ID of another shape", Config{ClientID: "dev"}, "is not a Google client ID"},
		{"client ID on a foreign domain", Config{ClientID: "123-abc.apps.example.com"}, "is not a Google client ID"},
		{"relative sign-in script", Config{ClientID: testClientID, SignInScript: "/gsi/client"}, "SignInScript"},
		{"data: sign-in script", Config{ClientID: testClientID, SignInScript: "data:text/javascript,alert(1)"}, "SignInScript"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.config.Validate()
			switch {
			case tt.wantErr == "" && err != nil:
				t.Fatalf("Validate() = %v, want no error", err)
			case tt.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tt.wantErr)):
				t.Fatalf("Validate() = %v, want an error naming %q", err, tt.wantErr)
			}
			if _, err := Build(tt.config); (err == nil) != (tt.wantErr == "") {
				t.Fatalf("Build() error = %v, want one only for an invalid config", err)
			}
		})
	}
}

// The document carries the configuration: ReadConfig, what `make smoke`
// reads of a deployed page, finds in it what Build rendered.
func TestBuildRendersTheConfigIntoTheDocument(t *testing.T) {
	for _, cfg := range []Config{
		{ClientID: testClientID},
		{ClientID: testClientID, SignInScript: "http://localhost:8082/gsi/client"},
	} {
		files, err := Build(cfg)
		if err != nil {
			t.Fatal(err)
		}
		got, err := ReadConfig(document(t, files))
		if err != nil || got != cfg {
			t.Errorf("ReadConfig(Build(%+v)) = %+v, %v", cfg, got, err)
		}
	}
}

func document(t *testing.T, files []File) []byte {
	t.Helper()
	for _, f := range files {
		if f.Name == "index.html" {
			return f.Body
		}
	}
	t.Fatal("Build made no index.html")
	return nil
}

// Everything but the document has a name that carries a hash of its
// content, and is cached for a year; the document is revalidated on every
// use. A change to a file changes its name and the names of the files
// that refer to it.
func TestBuildHashesNamesAndSetsCaching(t *testing.T) {
	files, err := Build(Config{ClientID: testClientID})
	if err != nil {
		t.Fatal(err)
	}
	hashedName := regexp.MustCompile(`^[a-z]+\.[0-9a-f]{10}\.(js|css|svg)$`)
	for _, f := range files {
		switch {
		case f.Name == "index.html":
			if f.CacheControl != "no-cache" {
				t.Errorf("index.html: Cache-Control %q, want no-cache", f.CacheControl)
			}
		case !hashedName.MatchString(f.Name):
			t.Errorf("%s has no content-hashed name", f.Name)
		case f.CacheControl != "public, max-age=31536000, immutable":
			t.Errorf("%s: Cache-Control %q, want a year, immutable", f.Name, f.CacheControl)
		}
		if f.ContentType == "" {
			t.Errorf("%s has no Content-Type", f.Name)
		}
	}
	before := rename([]byte(`import { x } from "./token.js"; <link href="style.css">`), map[string]string{"token.js": "token.0123456789.js", "style.css": "style.abcdef0123.css"})
	if want := `import { x } from "./token.0123456789.js"; <link href="style.abcdef0123.css">`; string(before) != want {
		t.Errorf("rename = %s, want %s", before, want)
	}
}

func TestContentType(t *testing.T) {
	tests := []struct{ name, want string }{
		{"index.html", "text/html; charset=utf-8"},
		{"app.js", "text/javascript; charset=utf-8"},
		{"style.css", "text/css; charset=utf-8"},
		{"config.json", "application/json"},
		{"favicon.svg", "image/svg+xml"},
		{"picture.png", "image/png"},
		{"no-extension", "application/octet-stream"},
	}
	for _, tt := range tests {
		if got := ContentType(tt.name); got != tt.want {
			t.Errorf("ContentType(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
}

// references finds the local files a page or module names: src/href
// attributes and ES module imports.
var references = regexp.MustCompile(`(?:src|href)="([^"]+)"|from "\./([^"]+)"`)

func TestBuiltFilesReferToBuiltFiles(t *testing.T) {
	files, err := Build(Config{ClientID: testClientID})
	if err != nil {
		t.Fatal(err)
	}
	built := map[string]bool{}
	for _, f := range files {
		built[f.Name] = true
	}
	for _, f := range files {
		for _, m := range references.FindAllStringSubmatch(string(f.Body), -1) {
			ref := m[1] + m[2]
			if strings.Contains(ref, ":") {
				continue
			}
			if !built[ref] {
				t.Errorf("%s refers to %s, which Build does not make", f.Name, ref)
			}
		}
	}
}

// The page calls the API at APIPath, on its own origin.
func TestThePageCallsTheAPIAtAPIPath(t *testing.T) {
	b, err := fs.ReadFile(Files(), "app.js")
	if err != nil {
		t.Fatal(err)
	}
	if want := `const API_PATH = "` + APIPath + `";`; !strings.Contains(string(b), want) {
		t.Errorf("app.js does not say %s", want)
	}
}

// The deployed Content-Security-Policy has no 'unsafe-inline': an inline
// script, style or event handler would be blocked, and writing the API's
// answer as HTML would let a display name run script. Each pattern is such
// a construct; none may appear in the page's files.
func TestFilesAreCSPCleanAndNeverWriteHTML(t *testing.T) {
	forbidden := []struct {
		what string
		re   *regexp.Regexp
		ext  string
	}{
		{"inline script", regexp.MustCompile(`<script(?:\s[^>]*)?>\s*[^<\s]`), ".html"},
		{"script without src", regexp.MustCompile(`<script(?:(?:\s(?:type|async|defer)(?:="[^"]*")?)*)>`), ".html"},
		{"inline style element", regexp.MustCompile(`<style`), ".html"},
		{"style attribute", regexp.MustCompile(`\sstyle=`), ".html"},
		{"event handler attribute", regexp.MustCompile(`\son[a-z]+=`), ".html"},
		{"javascript: URL", regexp.MustCompile(`javascript:`), ""},
		{"innerHTML", regexp.MustCompile(`innerHTML|outerHTML|insertAdjacentHTML|document\.write`), ".js"},
		{"eval", regexp.MustCompile(`\beval\(|new Function\(`), ".js"},
		{"retired platform.js sign-in", regexp.MustCompile(`platform\.js|g-signin2|gapi\.auth2`), ""},
	}
	err := fs.WalkDir(Files(), ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := fs.ReadFile(Files(), name)
		if err != nil {
			return err
		}
		for _, f := range forbidden {
			if f.ext != "" && !strings.HasSuffix(name, f.ext) {
				continue
			}
			if loc := f.re.FindIndex(b); loc != nil {
				t.Errorf("%s has an %s: %q", name, f.what, b[loc[0]:loc[1]])
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
