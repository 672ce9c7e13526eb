package site

import (
	"encoding/json"
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
		{"deployed", Config{ClientID: testClientID, APIURL: "https://abc123.execute-api.eu-central-1.amazonaws.com/dev"}, ""},
		{"local with stand-in script", Config{ClientID: "dev", APIURL: "http://localhost:8081", SignInScript: "http://localhost:8082/gsi/client"}, ""},
		{"empty client ID", Config{APIURL: "https://api.example.com"}, "clientId is empty"},
		{"blank client ID", Config{ClientID: "  ", APIURL: "https://api.example.com"}, "clientId is empty"},
		{"missing API URL", Config{ClientID: testClientID}, "apiUrl"},
		{"relative API URL", Config{ClientID: testClientID, APIURL: "/api"}, "apiUrl"},
		{"javascript API URL", Config{ClientID: testClientID, APIURL: "javascript:alert(1)"}, "apiUrl"},
		{"bad sign-in script", Config{ClientID: testClientID, APIURL: "https://api.example.com", SignInScript: "data:text/javascript,alert(1)"}, "signInScript"},
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
			if _, err := tt.config.JSON(); (err == nil) != (tt.wantErr == "") {
				t.Fatalf("JSON() error = %v, want one only for an invalid config", err)
			}
		})
	}
}

func TestConfigJSONUsesThePageFieldNames(t *testing.T) {
	tests := []struct {
		name   string
		config Config
		want   map[string]string
	}{
		{
			"without sign-in script",
			Config{ClientID: testClientID, APIURL: "https://api.example.com/dev"},
			map[string]string{"clientId": testClientID, "apiUrl": "https://api.example.com/dev"},
		},
		{
			"with sign-in script",
			Config{ClientID: "dev", APIURL: "http://localhost:8081", SignInScript: "http://localhost:8082/gsi/client"},
			map[string]string{"clientId": "dev", "apiUrl": "http://localhost:8081", "signInScript": "http://localhost:8082/gsi/client"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.config.JSON()
			if err != nil {
				t.Fatal(err)
			}
			var got map[string]string
			if err := json.Unmarshal(b, &got); err != nil {
				t.Fatalf("config.json is not a JSON object of strings: %v\n%s", err, b)
			}
			if len(got) != len(tt.want) {
				t.Errorf("config.json = %v, want %v", got, tt.want)
			}
			for k, v := range tt.want {
				if got[k] != v {
					t.Errorf("config.json %s = %q, want %q", k, got[k], v)
				}
			}
		})
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

func TestFilesReferToFilesThatExist(t *testing.T) {
	files := Files()
	if _, err := fs.Stat(files, ConfigPath); err == nil {
		t.Errorf("%s is embedded, but Config.JSON renders it per deployment", ConfigPath)
	}
	for _, name := range []string{"index.html", "app.js"} {
		b, err := fs.ReadFile(files, name)
		if err != nil {
			t.Fatalf("the page's %s is missing: %v", name, err)
		}
		for _, m := range references.FindAllStringSubmatch(string(b), -1) {
			ref := m[1] + m[2]
			if strings.Contains(ref, ":") {
				continue
			}
			if _, err := fs.Stat(files, ref); err != nil {
				t.Errorf("%s refers to %s, which is not embedded", name, ref)
			}
		}
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
