package authorizer

import (
	"crypto/rsa"
	"crypto/tls"
	"encoding/pem"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"testing"
)

// TestDefaultClientFetchesOverHTTPS fetches the keys with the key set's own
// client: it trusts the bundle named by SSL_CERT_FILE and nothing else, and
// agrees on X25519 alone as its key exchange.
func TestDefaultClientFetchesOverHTTPS(t *testing.T) {
	testKeys(t)
	var mu sync.Mutex
	var curves []tls.CurveID
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		curves = append(curves, r.TLS.CurveID)
		_, _ = w.Write(jwks(map[string]*rsa.PublicKey{"k1": &googleKey.PublicKey}))
	}))
	defer srv.Close()
	dir := t.TempDir()
	bundle := filepath.Join(dir, "bundle.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("SSL_CERT_DIR", "")

	t.Setenv("SSL_CERT_FILE", bundle)
	keys := NewKeySet(srv.URL+"/keys", slog.New(slog.DiscardHandler))
	if _, err := keys.lookup(t.Context(), "k1"); err != nil {
		t.Fatalf("server in the bundle: %v", err)
	}
	seen := func() []tls.CurveID {
		mu.Lock()
		defer mu.Unlock()
		return slices.Clone(curves)
	}
	if got := seen(); len(got) != 1 || got[0] != tls.X25519 {
		t.Errorf("key exchanges %v, want [X25519]", got)
	}

	// Debian's bundle, without the test server's certificate.
	other := "/etc/ssl/certs/ca-certificates.crt"
	if _, err := os.Stat(other); err != nil {
		t.Skip("no Debian bundle for the untrusted case:", err)
	}
	t.Setenv("SSL_CERT_FILE", other)
	keys = NewKeySet(srv.URL+"/keys", slog.New(slog.DiscardHandler))
	if _, err := keys.lookup(t.Context(), "k1"); !errors.Is(err, errKeysUnavailable) {
		t.Errorf("server not in the bundle: %v, want errKeysUnavailable", err)
	}
	if got := seen(); len(got) != 1 {
		t.Errorf("the untrusted server answered %d fetches", len(got)-1)
	}
}
