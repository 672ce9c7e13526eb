// Package trust gives an HTTPS client the machine's trusted root
// certificates at a fraction of crypto/x509's start-up cost.
//
// crypto/x509 builds a root pool by parsing every certificate of the
// machine's bundle (about 150, some 5 ms of CPU; at Lambda's smallest size
// a third of the cold start), and its system pool parses the certificate
// directories again. A handshake needs only the roots that can have issued
// the server's certificates: Roots reads the bundle, indexes its
// certificates by subject on the first handshake (decoding the PEM, not
// parsing the certificates), and parses only the roots whose subject is an
// issuer in the server's chain. The verification is crypto/tls's own,
// x509.Certificate.Verify with the server's name, its intermediates and
// those roots: crypto/x509 finds a certificate's possible parents among the
// roots by that subject alone, so it builds the same chains as with every
// root of the bundle in the pool.
package trust

import (
	"bytes"
	"context"
	"crypto/fips140"
	"crypto/tls"
	"crypto/x509"
	"encoding/asn1"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"net"
	"net/http"
	"sync"
)

// bundleFiles are where Linux distributions keep the one file holding every
// trusted certificate, in the order crypto/x509 looks for them: Debian's
// first, then Amazon Linux's and RHEL's (Lambda's provided.al2023).
var bundleFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
}

// Roots is the machine's certificate bundle, parsed only as far as each
// handshake needs. It is safe for concurrent use.
type Roots struct {
	pem []byte

	index sync.Once
	// bySubject holds the DER of the bundle's certificates by their raw
	// subject.
	bySubject map[string][][]byte
}

// Load returns the roots of the one bundle file the machine has:
// $SSL_CERT_FILE when set, else the first of the distributions' usual
// paths. It returns nil, which means crypto/tls's own verification under
// crypto/x509's system pool, when $SSL_CERT_DIR is set (that pool reads
// it), when no bundle holds a certificate, and in FIPS 140-3 mode, where
// crypto/tls also restricts the chains it accepts.
func Load(getenv func(string) string, readFile func(string) ([]byte, error)) *Roots {
	if getenv("SSL_CERT_DIR") != "" || fips140.Enabled() {
		return nil
	}
	files := bundleFiles
	if f := getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	for _, f := range files {
		data, err := readFile(f)
		if err != nil {
			continue
		}
		if !bytes.Contains(data, []byte("-----BEGIN CERTIFICATE-----")) {
			return nil
		}
		return &Roots{pem: data}
	}
	return nil
}

// Pool returns the bundle's certificates that can issue one of certs, or
// be certs[0] itself: those whose subject is the issuer of one of certs,
// or the subject of certs[0].
func (r *Roots) Pool(certs []*x509.Certificate) *x509.CertPool {
	r.index.Do(r.build)
	pool := x509.NewCertPool()
	add := func(subject []byte) {
		for _, b := range r.bySubject[string(subject)] {
			// As x509.CertPool.AppendCertsFromPEM takes a block and a
			// certificate.
			block, _ := pem.Decode(b)
			if block == nil || block.Type != "CERTIFICATE" || len(block.Headers) != 0 {
				continue
			}
			if root, err := x509.ParseCertificate(block.Bytes); err == nil {
				pool.AddCert(root)
			}
		}
	}
	for _, c := range certs {
		add(c.RawIssuer)
	}
	if len(certs) > 0 {
		// x509 accepts a leaf that is itself in the roots.
		add(certs[0].RawSubject)
	}
	return pool
}

var (
	pemBegin   = []byte("-----BEGIN ")
	pemEnd     = []byte("\n-----END ")
	certBegin  = []byte("-----BEGIN CERTIFICATE-----")
	whitespace = " \t\r"
)

// build indexes the bundle's PEM blocks of certificates by subject. It
// finds the blocks as encoding/pem.Decode does (the next END line, the last
// BEGIN line before it, at the start of a line), decodes their base64 and
// reads the subject. The index only chooses candidates: Pool decodes each
// with encoding/pem and parses it with crypto/x509, as AppendCertsFromPEM
// does.
//
// It costs a third of encoding/pem.Decode on a bundle, which searches each
// block backwards for its BEGIN line and for spaces to remove.
func (r *Roots) build() {
	r.bySubject = make(map[string][][]byte)
	for rest := r.pem; ; {
		e := bytes.Index(rest, pemEnd)
		if e < 0 {
			break
		}
		b := -1
		for off := 0; ; {
			k := bytes.Index(rest[off:e], pemBegin)
			if k < 0 {
				break
			}
			b = off + k
			off = b + len(pemBegin)
		}
		next := e + len(pemEnd)
		if b < 0 || (b > 0 && rest[b-1] != '\n') || !bytes.HasPrefix(rest[b:], certBegin) {
			rest = rest[next:]
			continue
		}
		// The block runs to the end of its END line, which pem.Decode checks.
		end := len(rest)
		if nl := bytes.IndexByte(rest[next:], '\n'); nl >= 0 {
			end = next + nl + 1
		}
		block := rest[b:end:end]
		line, body, _ := bytes.Cut(rest[b:e+1], []byte("\n"))
		if subject, err := rawSubject(decodeBlock(block, line, body)); err == nil {
			r.bySubject[string(subject)] = append(r.bySubject[string(subject)], block)
		}
		rest = rest[next:]
	}
	r.pem = nil
}

// decodeBlock returns the DER of a certificate's PEM block, given its BEGIN
// line and its base64 body: the body decoded when only line breaks
// interrupt it, else what encoding/pem makes of the block (nil if nothing).
func decodeBlock(block, line, body []byte) []byte {
	if len(bytes.TrimRight(line[len(certBegin):], whitespace)) == 0 {
		der := make([]byte, base64.StdEncoding.DecodedLen(len(body)))
		if n, err := base64.StdEncoding.Decode(der, body); err == nil {
			return der[:n]
		}
	}
	if p, _ := pem.Decode(block); p != nil {
		return p.Bytes
	}
	return nil
}

// rawSubject returns the DER of a certificate's subject, the field
// x509.Certificate.RawSubject holds, without parsing the rest (RFC 5280
// section 4.1: a TBSCertificate's version, serialNumber, signature, issuer,
// validity, subject).
func rawSubject(der []byte) ([]byte, error) {
	var cert, tbs asn1.RawValue
	if _, err := asn1.Unmarshal(der, &cert); err != nil {
		return nil, err
	}
	if _, err := asn1.Unmarshal(cert.Bytes, &tbs); err != nil {
		return nil, err
	}
	if cert.Tag != asn1.TagSequence || tbs.Tag != asn1.TagSequence {
		return nil, errors.New("trust: not a certificate")
	}
	fields := tbs.Bytes
	var field asn1.RawValue
	next := func() (err error) {
		fields, err = asn1.Unmarshal(fields, &field)
		return err
	}
	if err := next(); err != nil {
		return nil, err
	}
	// The version is optional, explicitly tagged [0]; the serial number
	// follows it.
	if field.Class == asn1.ClassContextSpecific && field.Tag == 0 {
		if err := next(); err != nil {
			return nil, err
		}
	}
	// The signature algorithm, the issuer, the validity, then the subject.
	for range 4 {
		if err := next(); err != nil {
			return nil, err
		}
	}
	subject := field
	if subject.Class != asn1.ClassUniversal || subject.Tag != asn1.TagSequence {
		return nil, errors.New("trust: the subject is not a name")
	}
	return subject.FullBytes, nil
}

// Verify checks certs, a server's certificates leaf first, for the server
// name as crypto/tls does with the bundle as its RootCAs: a chain from
// certs[0] through certs[1:] to one of the roots, valid now, for server
// authentication, naming the server. An empty name is refused.
func (r *Roots) Verify(certs []*x509.Certificate, name string) error {
	if len(certs) == 0 {
		return errors.New("trust: the server sent no certificate")
	}
	if name == "" {
		return errors.New("trust: no server name to verify the certificate for")
	}
	opts := x509.VerifyOptions{
		Roots:         r.Pool(certs),
		DNSName:       name,
		Intermediates: x509.NewCertPool(),
	}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	if _, err := certs[0].Verify(opts); err != nil {
		return &tls.CertificateVerificationError{UnverifiedCertificates: certs, Err: err}
	}
	return nil
}

// Configure makes t verify its servers' certificates under r: t dials its
// TLS connections itself, as net/http would (its TLSClientConfig cloned,
// with the host dialed as the server name), replacing crypto/tls's
// verification with Verify for that host. Connections through a proxy,
// which net/http sets up with t.TLSClientConfig, are verified for the
// server name they send; with a proxy, a URL whose host is an IP address
// sends none and is refused.
//
// Call it once t's other settings are made.
func (r *Roots) Configure(t *http.Transport) {
	cfg := t.TLSClientConfig.Clone()
	if cfg == nil {
		cfg = &tls.Config{}
	}
	// Verify replaces crypto/tls's verification; VerifyConnection runs
	// whatever InsecureSkipVerify says, on every handshake.
	cfg.InsecureSkipVerify = true
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		return r.Verify(cs.PeerCertificates, cs.ServerName)
	}
	t.TLSClientConfig = cfg
	dial := t.DialContext
	if dial == nil {
		dial = (&net.Dialer{}).DialContext
	}
	t.DialTLSContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil {
			return nil, fmt.Errorf("trust: %w", err)
		}
		conn, err := dial(ctx, network, addr)
		if err != nil {
			return nil, err
		}
		// net/http has set its protocols (h2, http/1.1) on t.TLSClientConfig
		// by now.
		c := t.TLSClientConfig.Clone()
		c.ServerName = host
		c.VerifyConnection = func(cs tls.ConnectionState) error {
			return r.Verify(cs.PeerCertificates, host)
		}
		if t.TLSHandshakeTimeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, t.TLSHandshakeTimeout)
			defer cancel()
		}
		tc := tls.Client(conn, c)
		if err := tc.HandshakeContext(ctx); err != nil {
			conn.Close()
			return nil, err
		}
		return tc, nil
	}
}
