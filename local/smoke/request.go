package smoke

import (
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// absolute parses raw, the value of the setting name, as an absolute http(s)
// URL.
func absolute(name, raw string) (*url.URL, error) {
	if raw == "" {
		return nil, fmt.Errorf("smoke: %s is not set", name)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("smoke: %s=%q is not an absolute http(s) URL", name, raw)
	}
	return u, nil
}

// dir returns u with a path ending in /, so that relative paths resolve
// below it.
func dir(u *url.URL) *url.URL {
	d := *u
	if !strings.HasSuffix(d.Path, "/") {
		d.Path += "/"
	}
	d.RawQuery, d.Fragment = "", ""
	return &d
}

// base returns u without a trailing /, query or fragment: the address the
// route / answers at, below which the other routes' paths follow.
func base(u *url.URL) *url.URL {
	b := *u
	b.Path = strings.TrimSuffix(b.Path, "/")
	b.RawPath, b.RawQuery, b.Fragment = "", "", ""
	return &b
}

// route returns the address of the route path below the API's address api.
func route(api *url.URL, path string) *url.URL {
	if path == "/" {
		return api
	}
	return api.JoinPath(path)
}

// isLocal reports whether u's host is this machine: the only place plain
// HTTP is allowed.
func isLocal(u *url.URL) bool {
	host := u.Hostname()
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// response is an answer, its body read.
type response struct {
	status int
	header http.Header
	body   []byte
}

// maxBody bounds the body read of any answer.
const maxBody = 1 << 20

// do sends a request for method and target with header, and reads the
// answer.
func (r *run) do(method string, target *url.URL, header map[string]string) (*response, error) {
	req, err := http.NewRequestWithContext(r.ctx, method, target.String(), nil)
	if err != nil {
		return nil, err
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return nil, fmt.Errorf("%s %s: reading the answer: %w", method, target, err)
	}
	return &response{status: resp.StatusCode, header: resp.Header, body: body}, nil
}

// message returns the "message" of a JSON body such as API Gateway's
// {"message":"Unauthorized"}, or the body itself, quoted, when it has none.
func (resp *response) message() string {
	var m struct {
		Message *string `json:"message"`
	}
	if err := json.Unmarshal(resp.body, &m); err != nil || m.Message == nil {
		return strconv.Quote(abbreviate(string(resp.body)))
	}
	return *m.Message
}

// String abbreviates the response as failures quote it: status and body.
func (resp *response) String() string {
	return fmt.Sprintf("%d %s", resp.status, abbreviate(string(resp.body)))
}

// abbreviate keeps s short enough for a line of the report.
func abbreviate(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 120 {
		return s[:117] + "..."
	}
	return s
}
