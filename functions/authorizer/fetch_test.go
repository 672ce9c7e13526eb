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

// envFetchRefused tells it that the fetch must fail for the certificate.
const envFetchRefused = "AUTHORIZER_TEST_FETCH_REFUSED"

// TestDefaultClientTrustsTheSystemRoots: in the environment Environ gives
// the function (SSL_CERT_DIR naming no directory), a server whose
// certificate is in the system's bundle (SSL_CERT_FILE, read once per
// process, so in a process of its own) serves the keys to the key set's
// own client; with no bundle at all, nothing is trusted and the keys are
// unavailable.
func TestDefaultClientTrustsTheSystemRoots(t *testing.T) {
	if url := os.Getenv(envFetchURL); url != "" {
		_, err := NewKeySet(url, slog.New(slog.DiscardHandler)).lookup(t.Context(), "k1")
		if os.Getenv(envFetchRefused) != "" {
			if !errors.Is(err, errKeysUnavailable) || !strings.Contains(err.Error(), "certificate") {
				t.Fatalf("with no bundle: %v, want errKeysUnavailable for the certificate", err)
			}
		} else if err != nil {
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
	deployed := Config{ClientID: "c"}.Environ()
	for _, tt := range []struct {
		name string
		env  []string
	}{
		{"the server's certificate in the bundle", []string{"SSL_CERT_FILE=" + bundle}},
		{"no bundle", []string{"SSL_CERT_FILE=" + filepath.Join(t.TempDir(), "missing.pem"), envFetchRefused + "=1"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run", "^TestDefaultClientTrustsTheSystemRoots$")
			cmd.Env = append(os.Environ(), envFetchURL+"="+srv.URL+"/keys", certDirVariable+"="+deployed[certDirVariable])
			cmd.Env = append(cmd.Env, tt.env...)
			if out, err := cmd.CombinedOutput(); err != nil {
				t.Errorf("%v\n%s", err, out)
			}
		})
	}
}
