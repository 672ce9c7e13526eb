package stack

import (
	"bytes"
	"compress/gzip"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"signin/functions/gateway"
	"signin/site"
)

var testSite = site.Config{ClientID: DevClientID, SignInScript: "http://localhost:8082/gsi/client"}

// newSite serves the page with its /api forwarded to api.
func newSite(t *testing.T, api string) *httptest.Server {
	t.Helper()
	h, err := SiteHandler(testSite, api)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func get(t *testing.T, url string, header map[string]string) (*http.Response, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	// A transport of its own, which neither asks for gzip nor decodes it.
	resp, err := (&http.Transport{DisableCompression: true}).RoundTrip(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, body
}

// Every file site.Build makes is served with its Content-Type and
// Cache-Control, gzipped to a browser that accepts it, and answered 304 when
// the browser names the ETag it holds.
func TestSiteServesBuiltFilesCompressedAndRevalidated(t *testing.T) {
	srv := newSite(t, "http://localhost:1")
	files, err := site.Build(testSite)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		path := "/" + f.Name
		if f.Name == "index.html" {
			path = "/"
		}
		resp, body := get(t, srv.URL+path, map[string]string{"Accept-Encoding": "gzip, br"})
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != f.ContentType || resp.Header.Get("Cache-Control") != f.CacheControl {
			t.Errorf("GET %s = %d %q %q, want 200 %q %q", path, resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Cache-Control"), f.ContentType, f.CacheControl)
		}
		if resp.Header.Get("Content-Encoding") != "gzip" {
			t.Errorf("GET %s: Content-Encoding %q, want gzip", path, resp.Header.Get("Content-Encoding"))
		} else if zr, err := gzip.NewReader(bytes.NewReader(body)); err != nil {
			t.Errorf("GET %s: %v", path, err)
		} else if plain, err := io.ReadAll(zr); err != nil || !bytes.Equal(plain, f.Body) {
			t.Errorf("GET %s: the gzipped body is not the file (%v)", path, err)
		}
		if resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("GET %s has no Content-Security-Policy", path)
		}
		etag := resp.Header.Get("ETag")
		again, _ := get(t, srv.URL+path, map[string]string{"Accept-Encoding": "gzip", "If-None-Match": etag})
		if etag == "" || again.StatusCode != http.StatusNotModified {
			t.Errorf("GET %s with If-None-Match %q = %d, want 304", path, etag, again.StatusCode)
		}
		plain, body := get(t, srv.URL+path, nil)
		if plain.Header.Get("Content-Encoding") != "" || !bytes.Equal(body, f.Body) {
			t.Errorf("GET %s without Accept-Encoding: Content-Encoding %q, want the file as it is", path, plain.Header.Get("Content-Encoding"))
		}
	}
	if resp, _ := get(t, srv.URL+"/config.json", nil); resp.StatusCode != http.StatusNotFound {
		t.Errorf("GET /config.json = %d, want 404: the configuration is in the document", resp.StatusCode)
	}
}

func TestAcceptsGzip(t *testing.T) {
	for header, want := range map[string]bool{
		"": false, "gzip": true, "br, gzip": true, "gzip;q=0": false, "gzip; q=0.5": true,
		"identity": false, "*": true, "deflate, GZIP": true,
	} {
		r := httptest.NewRequest(http.MethodGet, "/", nil)
		if header != "" {
			r.Header.Set("Accept-Encoding", header)
		}
		if got := acceptsGzip(r); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", header, got, want)
		}
	}
}

// seen is what the API behind the site server received.
type seen struct {
	method, uri, host, authorization string
}

// The site forwards /api and /api/* to the API as CloudFront's behaviours
// do: the path and query unchanged, Authorization through, Host the API's
// own (API Gateway answers 403 to any other), every request (nothing
// cached), every method; the API's answer unchanged.
func TestSiteForwardsTheAPIAsCloudFront(t *testing.T) {
	var mu sync.Mutex
	var got []seen
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		got = append(got, seen{r.Method, r.URL.RequestURI(), r.Host, r.Header.Get(gateway.AuthorizationHeader)})
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = w.Write(gateway.ErrorBody(gateway.MessageUnauthorized))
	}))
	defer api.Close()
	srv := newSite(t, api.URL)
	apiHost := strings.TrimPrefix(api.URL, "http://")
	requests := []struct{ method, uri string }{
		{"GET", gateway.Prefix}, {"GET", gateway.Prefix}, {"GET", gateway.Prefix + "/me?x=1"}, {"POST", gateway.Prefix + "/orders/7"},
	}
	for _, r := range requests {
		req, err := http.NewRequest(r.method, srv.URL+r.uri, nil)
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set(gateway.AuthorizationHeader, "Bearer a.b.c")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusUnauthorized || string(body) != string(gateway.ErrorBody(gateway.MessageUnauthorized)) {
			t.Errorf("%s %s = %d %s, want the API's 401 as it is", r.method, r.uri, resp.StatusCode, body)
		}
	}
	if len(got) != len(requests) {
		t.Fatalf("the API received %d requests, want all %d: nothing is cached", len(got), len(requests))
	}
	for i, r := range requests {
		want := seen{r.method, r.uri, apiHost, "Bearer a.b.c"}
		if got[i] != want {
			t.Errorf("the API received %+v, want %+v", got[i], want)
		}
	}
}

func TestSiteHandlerRefusesAnAPIAddressWithAPath(t *testing.T) {
	if _, err := SiteHandler(testSite, "http://localhost:8081/api"); err == nil {
		t.Error("SiteHandler accepted an API origin with a path, which the forwarded path would repeat")
	}
}

// The page calls the API where the site server (and CloudFront) forwards it.
func TestThePageCallsTheAPIUnderThePrefix(t *testing.T) {
	if site.APIPath != gateway.Prefix {
		t.Errorf("the page calls the API at %s, but the site forwards %s", site.APIPath, gateway.Prefix)
	}
}
