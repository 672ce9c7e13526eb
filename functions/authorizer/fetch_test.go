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
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
)

// TestDefaultClientRefusesAnUntrustedServer: the key set's own client
// verifies the issuer's certificate against the system's roots, so a server
// whose certificate no root vouches for (a man in the middle) gets no
// request and the keys are unavailable; and it offers X25519 alone as its
// key exchange.
func TestDefaultClientRefusesAnUntrustedServer(t *testing.T) {
	testKeys(t)
	var mu sync.Mutex
	var offered [][]tls.CurveID
	var requests atomic.Int64
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		requests.Add(1)
		_, _ = w.Write(jwks(map[string]*rsa.PublicKey{"k1": &googleKey.PublicKey}))
	}))
	srv.TLS = &tls.Config{GetConfigForClient: func(hello *tls.ClientHelloInfo) (*tls.Config, error) {
		mu.Lock()
		defer mu.Unlock()
		offered = append(offered, slices.Clone(hello.SupportedCurves))
		return nil, nil
	}}
	srv.StartTLS()
	defer srv.Close()

	keys := NewKeySet(srv.URL+"/keys", slog.New(slog.DiscardHandler))
	if _, err := keys.lookup(t.Context(), "k1"); !errors.Is(err, errKeysUnavailable) || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("server not vouched for: %v, want errKeysUnavailable for its certificate", err)
	}
	if n := requests.Load(); n != 0 {
		t.Errorf("the untrusted server answered %d requests", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(offered) != 1 || !slices.Equal(offered[0], []tls.CurveID{tls.X25519}) {
		t.Errorf("key exchanges offered %v, want [[X25519]]", offered)
	}
}

// envFetchURL tells the test binary, run again by
// TestDefaultClientTrustsTheSystemRoots, to fetch the keys from that URL.
const envFetchURL = "AUTHORIZER_TEST_FETCH_URL"

// TestDefaultClientTrustsTheSystemRoots: a server whose certificate is in
// the system's bundle (SSL_CERT_FILE, read once per process, so in a
// process of its own) serves the keys to the key set's own client.
func TestDefaultClientTrustsTheSystemRoots(t *testing.T) {
	if url := os.Getenv(envFetchURL); url != "" {
		if _, err := NewKeySet(url, slog.New(slog.DiscardHandler)).lookup(t.Context(), "k1"); err != nil {
			t.Fatal(err)
		}
		return
	}
	testKeys(t)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		_, _ = w.Write(jwks(map[string]*rsa.PublicKey{"k1": &googleKey.PublicKey}))
	}))
	defer srv.Close()
	bundle := filepath.Join(t.TempDir(), "bundle.pem")
	if err := os.WriteFile(bundle, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw}), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run", "^TestDefaultClientTrustsTheSystemRoots$")
	cmd.Env = append(os.Environ(), envFetchURL+"="+srv.URL+"/keys", "SSL_CERT_FILE="+bundle, "SSL_CERT_DIR="+t.TempDir())
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Errorf("fetching from a server in the system's bundle: %v\n%s", err, out)
	}
}
