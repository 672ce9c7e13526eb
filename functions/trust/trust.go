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
	var buf []byte
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
		var subject []byte
		if subject, buf = blockSubject(block, line, body, buf); subject != nil {
			r.bySubject[string(subject)] = append(r.bySubject[string(subject)], block)
		}
		rest = rest[next:]
	}
	r.pem = nil
}

// prefixChars is how much of a certificate's base64 blockSubject decodes
// first: 768 bytes, which hold the subject of nearly every root.
const prefixChars = 1024

// blockSubject returns the subject of the certificate in a PEM block, given
// its BEGIN line and its base64 body, decoded into buf (returned, perhaps
// grown), or nil. When only line breaks interrupt the base64, it decodes as
// far as the subject; else it takes what encoding/pem makes of the block.
func blockSubject(block, line, body, buf []byte) ([]byte, []byte) {
	if len(bytes.TrimRight(line[len(certBegin):], whitespace)) == 0 {
		for _, part := range [][]byte{body[:min(len(body), prefixChars)], body} {
			if n := base64.StdEncoding.DecodedLen(len(part)); cap(buf) < n {
				buf = make([]byte, n)
			}
			// A part cut inside a quantum ends in an error, after the
			// bytes before it.
			n, _ := base64.StdEncoding.Decode(buf[:cap(buf)], part)
			if subject, err := rawSubject(buf[:n]); err == nil {
				return subject, buf
			}
		}
	}
	if p, _ := pem.Decode(block); p != nil {
		if subject, err := rawSubject(p.Bytes); err == nil {
			return subject, buf
		}
	}
	return nil, buf
}

// rawSubject returns the DER of a certificate's subject, the field
// x509.Certificate.RawSubject holds, from the certificate's DER or the
// beginning of it up to the subject: RFC 5280 section 4.1, a Certificate is
// a SEQUENCE whose TBSCertificate SEQUENCE holds an optional version
// ([0]), the serialNumber, signature, issuer, validity, then the subject.
// It reads only the elements' tags and lengths; crypto/x509 parses the
// certificates chosen by subject.
func rawSubject(der []byte) ([]byte, error) {
	_, cert, _, err := element(der, tagSequence, true)
	if err != nil {
		return nil, err
	}
	_, fields, _, err := element(cert, tagSequence, true)
	if err != nil {
		return nil, err
	}
	// The version, if present, then the serial number, the signature
	// algorithm, the issuer and the validity.
	skip := 4
	if len(fields) > 0 && fields[0] == tagVersion {
		skip++
	}
	for range skip {
		if _, _, fields, err = element(fields, 0, false); err != nil {
			return nil, err
		}
	}
	subject, _, _, err := element(fields, tagSequence, false)
	return subject, err
}

// DER tags (X.690) of the elements rawSubject reads.
const (
	tagSequence = 0x30 // universal, constructed, 16
	tagVersion  = 0xa0 // context-specific, constructed, 0
)

// element splits the DER element at the start of der into the whole
// element, its contents and what follows it. With tag non-zero, the
// element must have that tag. With open, the element may be cut short by
// the end of der: contents is then what der holds of it.
func element(der []byte, tag byte, open bool) (whole, contents, rest []byte, err error) {
	if len(der) < 2 || der[0]&0x1f == 0x1f || (tag != 0 && der[0] != tag) {
		return nil, nil, nil, errors.New("trust: unexpected DER element")
	}
	n, header := int(der[1]), 2
	if n&0x80 != 0 {
		size := n & 0x7f
		if size == 0 || size > 3 || len(der) < 2+size {
			return nil, nil, nil, errors.New("trust: unsupported DER length")
		}
		n = 0
		for _, b := range der[2 : 2+size] {
			n = n<<8 | int(b)
		}
		header += size
	}
	if len(der)-header < n {
		if !open {
			return nil, nil, nil, errors.New("trust: DER element cut short")
		}
		return der, der[header:], nil, nil
	}
	return der[:header+n], der[header : header+n], der[header+n:], nil
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
