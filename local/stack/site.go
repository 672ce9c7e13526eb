package stack

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"

	"signin/functions/gateway"
	"signin/site"
)

// SiteHandler serves the sign-in page as CloudFront serves it: the files
// site.Build renders for cfg, each with its Cache-Control and the deployed
// site's security headers (cfg.SecurityHeaders), its Content-Security-Policy
// among them; gzip-compressed for a browser that accepts it; with an ETag,
// answering a request that names it with 304. Requests for gateway.Prefix
// and below go to the API at the origin api (such as
// http://localhost:8081), as CloudFront's /api and /api/* behaviours
// forward them: the path unchanged, every header but Host (Authorization
// included), nothing cached.
//
// It sends no Strict-Transport-Security: it serves plain HTTP on
// localhost, where browsers ignore that header.
func SiteHandler(cfg site.Config, api string) (http.Handler, error) {
	security, err := cfg.SecurityHeaders()
	if err != nil {
		return nil, err
	}
	files, err := site.Build(cfg)
	if err != nil {
		return nil, err
	}
	target, err := url.Parse(api)
	if err != nil || target.Host == "" || strings.Trim(target.Path, "/") != "" {
		return nil, fmt.Errorf("stack: the API's origin %q is not an absolute URL without a path", api)
	}
	served := map[string]*servedFile{}
	for _, f := range files {
		if served[f.Name], err = newServedFile(f); err != nil {
			return nil, err
		}
	}
	mux := http.NewServeMux()
	toAPI := apiProxy(target)
	mux.Handle(gateway.Prefix, toAPI)
	mux.Handle(gateway.Prefix+"/", toAPI)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		h := w.Header()
		for k, v := range security {
			h.Set(k, v)
		}
		name := strings.TrimPrefix(r.URL.Path, "/")
		if name == "" {
			name = "index.html"
		}
		f, ok := served[name]
		if !ok {
			h.Set("Cache-Control", site.Revalidate)
			http.NotFound(w, r)
			return
		}
		f.serve(w, r)
	})
	return mux, nil
}

// apiProxy forwards requests to the API at target as CloudFront's API
// behaviours do: the path as it is, every header of the request (the
// Authorization header among them) but Host, which becomes the API's own,
// with X-Forwarded-For added; and nothing is cached.
func apiProxy(target *url.URL) http.Handler {
	return &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.SetURL(target)
			r.SetXForwarded()
		},
	}
}

// servedFile is a file of the site ready to serve: its body, gzipped when
// that is smaller, and the ETag of each.
type servedFile struct {
	site.File
	etag     string
	gzipped  []byte
	gzipETag string
}

func newServedFile(f site.File) (*servedFile, error) {
	s := &servedFile{File: f, etag: etag(f.Body)}
	var b bytes.Buffer
	zw, err := gzip.NewWriterLevel(&b, gzip.BestCompression)
	if err != nil {
		return nil, fmt.Errorf("stack: compressing %s: %w", f.Name, err)
	}
	if _, err := zw.Write(f.Body); err != nil {
		return nil, fmt.Errorf("stack: compressing %s: %w", f.Name, err)
	}
	if err := zw.Close(); err != nil {
		return nil, fmt.Errorf("stack: compressing %s: %w", f.Name, err)
	}
	if b.Len() < len(f.Body) {
		s.gzipped = b.Bytes()
		s.gzipETag = etag(s.gzipped)
	}
	return s, nil
}

// etag is a strong validator of body: a hash of its bytes.
func etag(body []byte) string {
	sum := sha256.Sum256(body)
	return `"` + hex.EncodeToString(sum[:12]) + `"`
}

// serve answers r with the file: the gzipped body to a browser that accepts
// gzip, and 304 to a request whose If-None-Match names the ETag
// (http.ServeContent evaluates the conditions).
func (f *servedFile) serve(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Type", f.ContentType)
	h.Set("Cache-Control", f.CacheControl)
	body, tag := f.Body, f.etag
	if f.gzipped != nil {
		h.Add("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			body, tag = f.gzipped, f.gzipETag
			h.Set("Content-Encoding", "gzip")
		}
	}
	h.Set("ETag", tag)
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}

// acceptsGzip reports whether the request's Accept-Encoding accepts gzip
// (a q of 0 refuses it).
func acceptsGzip(r *http.Request) bool {
	for _, v := range r.Header.Values("Accept-Encoding") {
		for _, coding := range strings.Split(v, ",") {
			name, params, _ := strings.Cut(strings.TrimSpace(coding), ";")
			if strings.EqualFold(strings.TrimSpace(name), "gzip") || strings.TrimSpace(name) == "*" {
				q := strings.ReplaceAll(strings.TrimSpace(params), " ", "")
				return q != "q=0" && q != "q=0.0" && q != "q=0.00" && q != "q=0.000"
			}
		}
	}
	return false
}
