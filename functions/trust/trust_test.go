package trust

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// ca is a certificate authority of the tests' own.
type ca struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
}

var serial int64

// issue signs a certificate for tmpl under parent (itself when nil).
func issue(t *testing.T, tmpl *x509.Certificate, parent *ca) *ca {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	serial++
	tmpl.SerialNumber = big.NewInt(serial)
	if tmpl.NotBefore.IsZero() {
		tmpl.NotBefore = time.Now().Add(-time.Hour)
		tmpl.NotAfter = time.Now().Add(time.Hour)
	}
	signer, signerKey := tmpl, key
	if parent != nil {
		signer, signerKey = parent.cert, parent.key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signer, &key.PublicKey, signerKey)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return &ca{cert: cert, key: key}
}

func authority(t *testing.T, name string, parent *ca) *ca {
	return issue(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: name}, IsCA: true, BasicConstraintsValid: true,
		KeyUsage: x509.KeyUsageCertSign,
	}, parent)
}

func leaf(t *testing.T, name string, parent *ca, notAfter time.Time) *ca {
	return issue(t, &x509.Certificate{
		Subject: pkix.Name{CommonName: name}, DNSNames: []string{name},
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		NotBefore:   notAfter.Add(-2 * time.Hour), NotAfter: notAfter,
	}, parent)
}

func pemOf(certs ...*x509.Certificate) []byte {
	var out []byte
	for _, c := range certs {
		out = append(out, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})...)
	}
	return out
}

// TestVerifyAgreesWithCryptoTLS checks Verify against x509's verification
// with every certificate of the bundle in the pool, as crypto/tls does it.
func TestVerifyAgreesWithCryptoTLS(t *testing.T) {
	root := authority(t, "Test Root", nil)
	otherRoot := authority(t, "Test Root", nil) // same subject, another key
	inter := authority(t, "Test Intermediate", root)
	later := time.Now().Add(time.Hour)
	good := leaf(t, "keys.example.com", inter, later)
	expired := leaf(t, "keys.example.com", inter, time.Now().Add(-time.Minute))
	direct := leaf(t, "keys.example.com", root, later)
	selfSigned := leaf(t, "keys.example.com", nil, later)
	unrelated := authority(t, "Unrelated Root", nil)
	system, _ := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")

	tests := []struct {
		name   string
		bundle []byte
		chain  []*x509.Certificate
		host   string
		ok     bool
	}{
		{"chain through an intermediate", pemOf(unrelated.cert, root.cert), []*x509.Certificate{good.cert, inter.cert}, "keys.example.com", true},
		{"the machine's bundle and the test root", append(system, pemOf(root.cert)...), []*x509.Certificate{good.cert, inter.cert}, "keys.example.com", true},
		{"signed by the root directly", pemOf(root.cert), []*x509.Certificate{direct.cert}, "keys.example.com", true},
		{"root under a shared subject", pemOf(otherRoot.cert, root.cert), []*x509.Certificate{good.cert, inter.cert}, "keys.example.com", true},
		{"leaf itself in the bundle", pemOf(selfSigned.cert), []*x509.Certificate{selfSigned.cert}, "keys.example.com", true},
		{"another name", pemOf(root.cert), []*x509.Certificate{good.cert, inter.cert}, "evil.example.com", false},
		{"expired", pemOf(root.cert), []*x509.Certificate{expired.cert, inter.cert}, "keys.example.com", false},
		{"intermediate missing", pemOf(root.cert), []*x509.Certificate{good.cert}, "keys.example.com", false},
		{"root not in the bundle", append(system, pemOf(unrelated.cert)...), []*x509.Certificate{good.cert, inter.cert}, "keys.example.com", false},
		{"root of the same subject, other key", pemOf(otherRoot.cert), []*x509.Certificate{good.cert, inter.cert}, "keys.example.com", false},
		{"intermediate sent as the leaf", pemOf(root.cert), []*x509.Certificate{inter.cert}, "keys.example.com", false},
		{"no server name", pemOf(root.cert), []*x509.Certificate{good.cert, inter.cert}, "", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &Roots{pem: tt.bundle}
			err := r.Verify(tt.chain, tt.host)
			if (err == nil) != tt.ok {
				t.Fatalf("Verify = %v, want ok %v", err, tt.ok)
			}
			if tt.host == "" {
				return
			}
			full := x509.NewCertPool()
			full.AppendCertsFromPEM(tt.bundle)
			opts := x509.VerifyOptions{Roots: full, DNSName: tt.host, Intermediates: x509.NewCertPool()}
			for _, c := range tt.chain[1:] {
				opts.Intermediates.AddCert(c)
			}
			if _, want := tt.chain[0].Verify(opts); (want == nil) != (err == nil) {
				t.Errorf("Verify = %v, x509 with the whole bundle = %v", err, want)
			}
		})
	}
}

// TestRawSubjectIsX509s compares rawSubject with crypto/x509's RawSubject
// on every certificate of the machine's bundle and on the tests' own.
func TestRawSubjectIsX509s(t *testing.T) {
	data, err := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	if err != nil {
		t.Skip("no Debian bundle:", err)
	}
	root := authority(t, "Test Root", nil)
	data = append(data, pemOf(root.cert, leaf(t, "keys.example.com", root, time.Now().Add(time.Hour)).cert)...)
	n := 0
	for rest := data; ; n++ {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			break
		}
		cert, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			continue
		}
		got, err := rawSubject(block.Bytes)
		if err != nil || string(got) != string(cert.RawSubject) {
			t.Errorf("%s: rawSubject = %x, %v; want %x", cert.Subject, got, err, cert.RawSubject)
		}
	}
	if n < 10 {
		t.Errorf("only %d certificates checked", n)
	}
}

func TestLoad(t *testing.T) {
	dir := t.TempDir()
	bundle := filepath.Join(dir, "bundle.pem")
	if err := os.WriteFile(bundle, pemOf(authority(t, "Test Root", nil).cert), 0o600); err != nil {
		t.Fatal(err)
	}
	empty := filepath.Join(dir, "empty.pem")
	if err := os.WriteFile(empty, []byte("# no certificates\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		env  map[string]string
		want bool
	}{
		{"SSL_CERT_FILE", map[string]string{"SSL_CERT_FILE": bundle}, true},
		{"SSL_CERT_DIR set: the system pool, which reads it", map[string]string{"SSL_CERT_FILE": bundle, "SSL_CERT_DIR": dir}, false},
		{"missing bundle: the system pool", map[string]string{"SSL_CERT_FILE": filepath.Join(dir, "missing")}, false},
		{"no certificate in the bundle: the system pool", map[string]string{"SSL_CERT_FILE": empty}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := Load(func(k string) string { return tt.env[k] }, os.ReadFile)
			if (got != nil) != tt.want {
				t.Errorf("Load = %v, want roots %v", got, tt.want)
			}
		})
	}
}

// TestConfigure fetches over HTTPS with a configured transport: the
// server's certificate (httptest's, for 127.0.0.1 and example.com) is
// verified for the host dialed, and HTTP/2 is negotiated as net/http
// would.
func TestConfigure(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, r.Proto)
	}))
	srv.EnableHTTP2 = true
	srv.StartTLS()
	defer srv.Close()
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	trusted := &Roots{pem: pemOf(srv.Certificate())}
	untrusted := &Roots{pem: pemOf(authority(t, "Test Root", nil).cert)}

	tests := []struct {
		name  string
		roots *Roots
		host  string
		want  string // the protocol served, or "" for a refused certificate
	}{
		{"IP address in the certificate", trusted, "127.0.0.1", "HTTP/2.0"},
		{"name in the certificate", trusted, "example.com", "HTTP/2.0"},
		{"name not in the certificate", trusted, "keys.example.net", ""},
		{"untrusted root", untrusted, "127.0.0.1", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tr := &http.Transport{
				ForceAttemptHTTP2: true,
				// Every host is this server.
				DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
					return (&net.Dialer{}).DialContext(ctx, network, srv.Listener.Addr().String())
				},
			}
			tt.roots.Configure(tr)
			defer tr.CloseIdleConnections()
			resp, err := (&http.Client{Transport: tr}).Get("https://" + net.JoinHostPort(tt.host, port) + "/")
			if tt.want == "" {
				var verr *tls.CertificateVerificationError
				if !errors.As(err, &verr) {
					t.Fatalf("Get = %v, want a certificate verification error", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			body, _ := io.ReadAll(resp.Body)
			if string(body) != tt.want {
				t.Errorf("served over %s, want %s", body, tt.want)
			}
		})
	}
}

// TestConfigureThroughProxy checks the configuration net/http uses for a
// server behind a proxy: verified for the server name sent; an IP address
// sends none, so it is refused.
func TestConfigureThroughProxy(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	defer srv.Close()
	tr := &http.Transport{}
	(&Roots{pem: pemOf(srv.Certificate())}).Configure(tr)
	for _, tt := range []struct {
		serverName string
		ok         bool
	}{{"example.com", true}, {"keys.example.net", false}, {"127.0.0.1", false}} {
		cfg := tr.TLSClientConfig.Clone()
		cfg.ServerName = tt.serverName
		conn, err := tls.Dial("tcp", srv.Listener.Addr().String(), cfg)
		if err == nil {
			conn.Close()
		}
		if (err == nil) != tt.ok {
			t.Errorf("server name %q: %v, want ok %v", tt.serverName, err, tt.ok)
		}
	}
}

// TestIndexTakesWhatAppendCertsFromPEMTakes compares the certificates the
// index can offer with those crypto/x509's AppendCertsFromPEM takes from
// the same bundle, on the machine's bundle and on malformed ones.
func TestIndexTakesWhatAppendCertsFromPEMTakes(t *testing.T) {
	root := authority(t, "Test Root", nil)
	other := authority(t, "Other Root", nil)
	a, b := string(pemOf(root.cert)), string(pemOf(other.cert))
	withHeader := strings.Replace(a, "-----\n", "-----\nProc-Type: 4,ENCRYPTED\n\n", 1)
	system, _ := os.ReadFile("/etc/ssl/certs/ca-certificates.crt")
	tests := []struct{ name, bundle string }{
		{"two certificates", a + b},
		{"the machine's bundle", string(system)},
		{"CRLF line ends", strings.ReplaceAll(a+b, "\n", "\r\n")},
		{"spaces and tabs in the base64", strings.Replace(a, "\n", " \t\n", 3) + b},
		{"text around the blocks", "# Root\n" + a + "comment\n" + b + "trailing"},
		{"BEGIN not at the start of a line", strings.Replace(a, "-----BEGIN", "x-----BEGIN", 1) + b},
		{"a BEGIN with no END before a block", "-----BEGIN CERTIFICATE-----\nAAAA\n" + a + b},
		{"a block of another type", strings.ReplaceAll(a, "CERTIFICATE", "PRIVATE KEY") + b},
		{"a block with headers", withHeader + b},
		{"junk after the END line", strings.Replace(a, "CERTIFICATE-----\n", "CERTIFICATE----- junk\n", 2) + b},
		{"junk after the BEGIN line", strings.Replace(a, "CERTIFICATE-----\n", "CERTIFICATE-----junk\n", 1) + b},
		{"spaces after the BEGIN line", strings.Replace(a, "CERTIFICATE-----\n", "CERTIFICATE----- \t\n", 1) + b},
		{"mismatched END", strings.Replace(a, "END CERTIFICATE", "END X509 CRL", 1) + b},
		{"bad base64", strings.Replace(a, "\n", "\n!!!!", 2) + b},
		{"truncated", a + b[:len(b)/2]},
		{"no final line break", a + strings.TrimSuffix(b, "\n")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want := map[string]bool{}
			for rest := []byte(tt.bundle); ; {
				var block *pem.Block
				if block, rest = pem.Decode(rest); block == nil {
					break
				}
				if block.Type != "CERTIFICATE" || len(block.Headers) != 0 {
					continue
				}
				if _, err := x509.ParseCertificate(block.Bytes); err == nil {
					want[string(block.Bytes)] = true
				}
			}
			r := &Roots{pem: []byte(tt.bundle)}
			r.index.Do(r.build)
			got := map[string]bool{}
			for _, blocks := range r.bySubject {
				for _, b := range blocks {
					block, _ := pem.Decode(b)
					if block == nil || block.Type != "CERTIFICATE" || len(block.Headers) != 0 {
						continue
					}
					if _, err := x509.ParseCertificate(block.Bytes); err == nil {
						got[string(block.Bytes)] = true
					}
				}
			}
			if len(got) != len(want) {
				t.Errorf("index offers %d certificates, AppendCertsFromPEM takes %d", len(got), len(want))
			}
			for der := range want {
				if !got[der] {
					t.Errorf("missing a certificate")
				}
			}
		})
	}
}
